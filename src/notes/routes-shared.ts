// Small pieces shared by the note routes: what URL parameters name and reading them.
import { Type, type Static } from '@sinclair/typebox';
import type { UserActor } from '../access/actor.js';
import type { Scope } from '../context.js';

export const noteParam = { params: { noteId: 'note' } } as const;
export const flagParam = { params: { ref: 'note_flag' } } as const;

/** The URL parameters of a note's and a flag's routes, checked before the handler runs. */
export const NoteId = Type.Object({ noteId: Type.String({ minLength: 1, maxLength: 40 }) });
export const FlagRef = Type.Object({ ref: Type.String({ minLength: 1, maxLength: 20 }) });

export const idOf = (req: { params: Static<typeof NoteId> }): string => req.params.noteId;
export const refOf = (req: { params: Static<typeof FlagRef> }): string => req.params.ref;

export type UserScope = Scope & { actor: UserActor };
