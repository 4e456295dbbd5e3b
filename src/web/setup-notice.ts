// The first-run setup as pages below the instance domain show it (issue 15): the account page leads an admin
// on to the checklist, the VMT queue shows its card. The instance domain computes both and sits above
// accounts and reports in the domain order, so it implements this (instance/setup-notice.tsx) and the
// composition passes it to their routes (http/routes-index.ts; ARCHITECTURE.md).
import type { Config } from '../config/config.js';
import type { Db } from '../storage/database.js';
import type { SafeHtml } from './jsx.js';

export interface FirstRunSetup {
  /** Whether the checklist should still be shown prominently (not complete and not dismissed). */
  open(db: Db, config: Config): Promise<boolean>;
  /** The checklist as a card for the top of a page: empty once it is complete or dismissed. */
  card(db: Db, config: Config): Promise<SafeHtml>;
}
