// `cordon publish --out DIR`: rebuild the whole public site from the published records, sign what is
// unsigned (when a team signer is available) and write it out as static files with fixed paths.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { change, systemScope, type AppContext } from '../context.js';
import { rebuildWholeSite, signPendingFiles, siteContextFor, writeSiteTo, type ReplaceResult, type WriteResult } from './site-files.js';
import { teamPublicKey, type TeamSigner } from './signer.js';

// The same stylesheet the app serves (src/web/assets), so the static pages look like the app's.
const assetsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'web', 'assets');

export interface PublishSiteResult {
  rebuilt: ReplaceResult;
  signed: number;
  written: WriteResult;
}

export async function publishSite(app: AppContext, outDir: string, signer: TeamSigner | null): Promise<PublishSiteResult> {
  const teamKey = signer?.fingerprint && signer.publicKeyArmored ? { fingerprint: signer.fingerprint, publicKeyArmored: signer.publicKeyArmored } : await teamPublicKey(app.storage.db);
  const rebuilt = await change(systemScope(app), async ({ trx, now, audit }) => {
    const r = await rebuildWholeSite(trx, now, siteContextFor(app, teamKey));
    await audit('publication.rebuilt', 'site', null, undefined, r);
    return r;
  });
  const signed = signer ? await signPendingFiles(app.storage, signer, app.clock.now()) : 0;
  const written = await writeSiteTo(app.storage.db, outDir, [{ path: 'assets/app.css', content: readFileSync(path.join(assetsDir, 'app.css')) }]);
  return { rebuilt, signed, written };
}
