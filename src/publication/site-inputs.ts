// What an advisory's public files were built from, so a whole-site rebuild (`cordon publish`, an import,
// the disclosure hour) renders only the advisories whose inputs changed (issue 17). The inputs: the
// published record, the publication settings that apply to it, the instance name, whether files are
// signed, and the generator itself — the code that renders. The code's identity is a hash of every module
// file of this build, so any new version or local change of Cordon renders everything again: a stale
// file can only come from a fingerprint collision, never from a forgotten version bump.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../storage/database.js';
import type { advisoryFiles, SiteContext } from './outputs.js';

/** The published record the site's advisory files are rendered from. */
type PublishedAdvisory = Parameters<typeof advisoryFiles>[0];

/** The root of the running code: dist/ when built, src/ under the tests. */
const CODE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CODE_FILE = /\.(js|ts|tsx|css)$/;

let generatorId: string | null = null;

function hashTree(dir: string, hash: ReturnType<typeof createHash>): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) hashTree(full, hash);
    else if (CODE_FILE.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) hash.update(path.relative(CODE_ROOT, full)).update('\0').update(readFileSync(full)).update('\0');
  }
}

/** A hash of the running code (read once per process: ~600 files, a few milliseconds). */
export function siteGeneratorId(): string {
  if (generatorId === null) {
    const hash = createHash('sha256');
    hashTree(CODE_ROOT, hash);
    generatorId = hash.digest('hex');
  }
  return generatorId;
}

/**
 * What every advisory's files share: the code, the whole publication profile (a change anywhere in it
 * renders everything again), the instance name, signing. Hashed once per site context, not per advisory:
 * the profile lists every project, and a large host has a thousand of them and twenty thousand advisories.
 */
const sharedInputs = new WeakMap<SiteContext, string>();

function sharedInputsHash(site: SiteContext): string {
  let hash = sharedInputs.get(site);
  if (hash === undefined) {
    const inputs = { generator: siteGeneratorId(), profile: site.profile, instanceName: site.instanceName, signed: site.teamKey !== null };
    hash = createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
    sharedInputs.set(site, hash);
  }
  return hash;
}

/** The fingerprint of everything one advisory's files are made from. */
export function advisoryInputsFingerprint(record: PublishedAdvisory, site: SiteContext): string {
  return createHash('sha256').update(sharedInputsHash(site)).update('\0').update(JSON.stringify(record)).digest('hex');
}

export async function storedFingerprints(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('public_site_inputs').select(['advisory_ref', 'fingerprint']).execute();
  return new Map(rows.map((r) => [r.advisory_ref, r.fingerprint]));
}

/** Makes the stored fingerprints exactly `fingerprints` (set-wise: the whole-site rebuild). */
export async function replaceFingerprints(db: Db, now: Date, before: Map<string, string>, fingerprints: Map<string, string>): Promise<void> {
  const at = now.toISOString();
  const gone = [...before.keys()].filter((ref) => !fingerprints.has(ref));
  for (let i = 0; i < gone.length; i += 200) await db.deleteFrom('public_site_inputs').where('advisory_ref', 'in', gone.slice(i, i + 200)).execute();
  const changed = [...fingerprints].filter(([ref, fp]) => before.get(ref) !== fp);
  for (let i = 0; i < changed.length; i += 200) {
    const rows = changed.slice(i, i + 200).map(([advisory_ref, fingerprint]) => ({ advisory_ref, fingerprint, updated_at: at }));
    await db
      .insertInto('public_site_inputs')
      .values(rows)
      .onConflict((oc) => oc.column('advisory_ref').doUpdateSet((eb) => ({ fingerprint: eb.ref('excluded.fingerprint'), updated_at: eb.ref('excluded.updated_at') })))
      .execute();
  }
}

/** One advisory's fingerprint after its files were rebuilt on their own (or removed: null). */
export async function setFingerprint(db: Db, now: Date, ref: string, fingerprint: string | null): Promise<void> {
  if (fingerprint === null) {
    await db.deleteFrom('public_site_inputs').where('advisory_ref', '=', ref).execute();
    return;
  }
  const values = { fingerprint, updated_at: now.toISOString() };
  await db
    .insertInto('public_site_inputs')
    .values({ advisory_ref: ref, ...values })
    .onConflict((oc) => oc.column('advisory_ref').doUpdateSet(values))
    .execute();
}
