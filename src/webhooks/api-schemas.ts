// The webhooks API's documented shapes (OpenAPI, /api/openapi.json): what it takes and what it answers.
// The presenters in routes-api.ts are typed from the answer schemas, and api-docs.test.ts checks real
// answers against them, so the description cannot drift from what is served.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../http/schemas.js';
import { WEBHOOK_EVENTS } from './events.js';

const Nullable = <T extends TSchema>(t: T, description: string) => Type.Union([t, Type.Null()], { description });

export const EndpointBody = Type.Object(
  {
    url: Type.String({ maxLength: 2000, description: 'http(s) URL on a public address (unless WEBHOOK_ALLOW_PRIVATE_NETWORKS)' }),
    description: Type.Optional(Type.String({ maxLength: 500, description: 'what receives it, e.g. a chat room' })),
    events: Type.Array(StringEnum(WEBHOOK_EVENTS), { maxItems: WEBHOOK_EVENTS.length, description: 'events the endpoint receives (at least one; a project’s endpoint: public events only)' }),
    active: Type.Optional(Type.Boolean({ default: true, description: 'false: disabled, no new deliveries' })),
  },
  { additionalProperties: false },
);

export const CreateBody = Type.Object(
  { ...EndpointBody.properties, project: Type.Optional(Type.String({ maxLength: 63, description: 'a project slug: the endpoint gets that project’s public events only; omit for an instance-wide endpoint' })) },
  { additionalProperties: false },
);

export const EndpointView = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(StringEnum(WEBHOOK_EVENTS)),
  active: Type.Boolean(),
  project: Nullable(Type.String(), 'the project’s slug; null for an instance-wide endpoint'),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const AttemptView = Type.Object({
  at: Type.String({ format: 'date-time' }),
  outcome: StringEnum(['delivered', 'retry', 'failed'] as const),
  status_code: Nullable(Type.Integer(), 'the HTTP status answered; null when there was no answer'),
  error: Nullable(Type.String(), 'why the attempt did not deliver (HTTP status, timeout, network error, refused address)'),
  duration_ms: Type.Integer({ minimum: 0 }),
});

export const DeliveryView = Type.Object({
  id: Type.Integer({ description: 'the delivery id, sent as X-Cordon-Delivery' }),
  event: Type.String({ description: 'the event (X-Cordon-Event), one of the events an endpoint can take' }),
  subject: Type.String({ description: 'an advisory id, a note id or a report reference' }),
  occurred_at: Type.String({ format: 'date-time' }),
  status: StringEnum(['pending', 'delivered', 'failed'] as const),
  attempts: Type.Array(AttemptView, { description: 'every POST of this delivery, oldest first' }),
});

export const EndpointList = Type.Object({ endpoints: Type.Array(EndpointView) }, { description: 'Every endpoint, instance-wide and per project.' });
export const EndpointDetail = Type.Object({ ...EndpointView.properties, deliveries: Type.Array(DeliveryView, { description: 'the 50 newest, newest first' }) }, { description: 'The endpoint with its recent deliveries.' });
export const EndpointWithSecret = Type.Object(
  { ...EndpointView.properties, secret: Type.String({ description: 'the HMAC-SHA256 key (whsec_…); shown in this answer only' }), note: Type.String() },
  { description: 'The endpoint and its secret, shown this once.' },
);
export const NewSecret = Type.Object(
  { id: Type.Integer(), secret: Type.String({ description: 'the new HMAC-SHA256 key (whsec_…); shown in this answer only' }), note: Type.String() },
  { description: 'The endpoint’s new secret, shown this once.' },
);
export const EndpointSaved = Type.Object(EndpointView.properties, { description: 'The endpoint as saved.' });
export const RedeliveryQueued = Type.Object({ delivery: Type.Integer(), status: StringEnum(['pending'] as const) }, { description: 'The delivery is queued again.' });
export const Deleted = Type.Null({ description: 'Deleted, with its deliveries.' });

export type EndpointViewOut = Static<typeof EndpointView>;
export type DeliveryViewOut = Static<typeof DeliveryView>;
