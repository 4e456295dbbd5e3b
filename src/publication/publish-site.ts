// `cordon publish --out DIR`: rebuild the whole public site from the published records (advisories here,
// notes from the notes work; an advisory whose inputs did not change keeps its files unless --render-all,
// see site-inputs.ts), sign what is unsigned (when a team signer is available) and write it out as static
// files with fixed paths.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { change, systemScope, type AppContext } from '../context.js';
import { rebuildWholeSite, replaceFiles, Section, signPendingFiles, siteContextFor, writeSiteTo, type ReplaceResult, type WriteResult } from './site-files.js';
import type { SiteFile } from './outputs.js';
import { teamPublicKey, type TeamPublicKey, type TeamSigner } from './signer.js';
import { securityTxt } from './security-txt.js';
import { siteSources } from './site-sources.js';

// The same stylesheet the app serves (src/web/assets), so the static pages look like the app's.
const assetsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'web', 'assets');

export interface PublishSiteResult {
  rebuilt: ReplaceResult;
  signed: number;
  written: WriteResult;
}

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', txt: 'text/plain; charset=utf-8', atom: 'application/atom+xml; charset=utf-8', json: 'application/json; charset=utf-8' };

/** The notes work's static files (wired in: site-sources.ts), stored beside ours so they are signed too. */
async function noteFiles(app: AppContext): Promise<SiteFile[]> {
  return (await siteSources().noteFiles(app)).map((f) => ({ ...f, contentType: TYPES[f.path.split('.').pop() ?? ''] ?? 'application/octet-stream', advisoryRef: null }));
}

function stylesheetFile(): SiteFile {
  return { path: 'assets/app.css', content: readFileSync(path.join(assetsDir, 'app.css'), 'utf8'), contentType: 'text/css; charset=utf-8', advisoryRef: null };
}

/**
 * What the app answers at fixed paths outside the stored site, so the written folder can be served as is
 * by a static file server: security.txt (RFC 9116, with its CSAF field, requirement 8) and the team key
 * at /keys/team.asc, which security.txt names.
 */
async function wellKnownFiles(app: AppContext, teamKey: TeamPublicKey | null): Promise<{ path: string; content: string }[]> {
  const { text } = await securityTxt(app);
  const key = teamKey?.publicKeyArmored;
  return [{ path: '.well-known/security.txt', content: text }, ...(key ? [{ path: 'keys/team.asc', content: key.endsWith('\n') ? key : `${key}\n` }] : [])];
}

export async function publishSite(app: AppContext, outDir: string, signer: TeamSigner | null, options: { renderAll?: boolean } = {}): Promise<PublishSiteResult> {
  const teamKey = signer?.fingerprint && signer.publicKeyArmored ? { fingerprint: signer.fingerprint, publicKeyArmored: signer.publicKeyArmored } : await teamPublicKey(app.storage.db);
  const notes = await noteFiles(app);
  const rebuilt = await change(systemScope(app), async ({ trx, now, audit }) => {
    const r = await rebuildWholeSite(trx, now, await siteContextFor(app, teamKey, trx), { force: options.renderAll === true });
    const n = await replaceFiles(trx, now, Section.notes, notes, () => true);
    // The stylesheet is stored and signed like every other file, so it gets its .sha256 and .asc too.
    const a = await replaceFiles(trx, now, Section.assets, [stylesheetFile()], () => true);
    const total = { written: r.written + n.written + a.written, removed: r.removed + n.removed + a.removed };
    await audit('publication.rebuilt', 'site', null, undefined, total);
    return total;
  });
  const signed = signer ? await signPendingFiles(app.storage, signer, app.clock.now()) : 0;
  const written = await writeSiteTo(app.storage.db, outDir, await wellKnownFiles(app, teamKey));
  return { rebuilt, signed, written };
}
