// Small pieces shared by the note routes: what URL parameters name, reading them, and which errors
// become a flash message on the page instead of an error page.
import type { FastifyRequest } from 'fastify';
import type { UserActor } from '../access/actor.js';
import type { Scope } from '../context.js';
import { AppError } from '../errors/catalogue.js';

export const noteParam = { params: { noteId: 'note' } } as const;
export const flagParam = { params: { ref: 'note_flag' } } as const;

export const idOf = (req: FastifyRequest) => (req.params as { noteId: string }).noteId;
export const refOf = (req: FastifyRequest) => (req.params as { ref: string }).ref;

/** Messages of an error a user can act on (flash), or null for errors the HTTP layer renders. */
export function actionable(error: unknown): string | null {
  if (error instanceof AppError && ['validation_failed', 'conflict', 'forbidden_action'].includes(error.code)) {
    return error.fields.length ? error.fields.map((f) => f.message).join(' ') : error.message;
  }
  return null;
}

export type UserScope = Scope & { actor: UserActor };
