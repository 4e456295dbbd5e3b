// The first-run checklist for pages of lower domains (web/setup-notice.ts): the composition hands this to the
// account and queue routes (http/routes-index.ts).
import type { FirstRunSetup } from '../web/setup-notice.js';
import { checklistOpen, firstRunChecklist } from './checklist.js';
import { SetupCard } from './instance-page.js';

export const firstRunSetup: FirstRunSetup = {
  open: checklistOpen,
  card: async (db, config) => <SetupCard list={await firstRunChecklist(db, config)} />,
};
