// A published note as the public site shows it (site.ts gathers it, site-pages.tsx renders it).
import type { NoteRecord } from './formats/note-record.js';
import type { PublishedAnswer } from './feedback.js';

export interface PublishedNote {
  publicId: string;
  record: NoteRecord;
  publishedAt: string;
  /** Imported from an existing notes repository: the date is the import's, not the note's. */
  imported: boolean;
  answers: PublishedAnswer[];
}
