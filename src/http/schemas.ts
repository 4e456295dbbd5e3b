// TypeBox building blocks for route schemas (issue 16, item 7): what a URL parameter, a query value and a
// form field may be, checked by Fastify before the handler runs. Enums are checked here, never cast.
import { Type, type TOptional, type TSchema, type TString, type TUnsafe } from '@sinclair/typebox';

/** One of a fixed set of strings: a JSON-schema enum, so a refusal names the allowed values. */
export function StringEnum<T extends string>(values: readonly T[]): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values] });
}

/** A URL parameter naming an object; its form is checked by the loader, which answers 404 for anything unknown. */
export const Key = (maxLength = 200): TString => Type.String({ minLength: 1, maxLength });

/** URL parameters, each a Key. */
export function Params<K extends string>(...names: K[]) {
  return Type.Object(Object.fromEntries(names.map((n) => [n, Key()])) as Record<K, TString>);
}

/**
 * Query parameters a page reads, each an optional text (a repeated parameter is refused with 400). Other
 * parameters are let through and never read (links from elsewhere carry their own).
 */
export function Query<K extends string>(...names: K[]) {
  return Type.Object(Object.fromEntries(names.map((n) => [n, Type.Optional(Type.String({ maxLength: 2_000 }))])) as Record<K, TOptional<TString>>, { additionalProperties: true });
}

/** A text field of a form (urlencoded: always a string, possibly empty). */
export const Text = (maxLength = 20_000): TString => Type.String({ maxLength });

/** A repeatable form field (checkboxes, a multi-select): one string or several. */
export const TextList = (maxLength = 1_000) => Type.Union([Type.String({ maxLength }), Type.Array(Type.String({ maxLength }), { maxItems: 500 })]);

/**
 * A urlencoded form body. A browser sends every field of the form (its CSRF token, its button); the
 * declared fields are checked and are all the handler reads, so other fields are let through.
 */
export function FormFields<P extends Record<string, TSchema>>(properties: P) {
  return Type.Object({ _csrf: Type.Optional(Type.String()), ...properties }, { additionalProperties: true });
}

/** A form with no fields of its own (a button). */
export const EmptyForm = FormFields({});

/** A request that sends nothing (a DELETE): no body at all (Fastify validates it as null), or an empty JSON object. */
export const NoBody = Type.Union([Type.Null(), Type.Object({}, { additionalProperties: false })]);
