// Small pieces shared by the note routes: what URL parameters name and reading them.
import type { FastifyRequest } from 'fastify';
import type { UserActor } from '../access/actor.js';
import type { Scope } from '../context.js';

export const noteParam = { params: { noteId: 'note' } } as const;
export const flagParam = { params: { ref: 'note_flag' } } as const;

export const idOf = (req: FastifyRequest) => (req.params as { noteId: string }).noteId;
export const refOf = (req: FastifyRequest) => (req.params as { ref: string }).ref;

export type UserScope = Scope & { actor: UserActor };
