// The public site as stored files (table public_site_files): rebuilt from published records in the
// transaction that publishes, signed afterwards by a job (signing needs the unlocked team key and time),
// served by the app, and written out by `cordon publish --out DIR`. Nothing here reads a draft: the
// only record source is published_json (see published.ts), so the site cannot show one by construction.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../context.js';
import type { Kysely } from 'kysely';
import type { Db, Storage } from '../storage/database.js';
import { instanceCreatedAt } from '../storage/migrate.js';
import type { PublicSiteFileRow } from './tables.js';
import { advisoryFiles, advisoryIndexFiles, type SiteContext, type SiteFile } from './outputs.js';
import { publishedRecord, publishedRecords, publishedSummaries } from './published.js';
import { loadPublicationProfile } from './settings.js';
import type { TeamPublicKey, TeamSigner } from './signer.js';
import { guideFiles, siteHomeFile } from './site-home.js';
import { guidePagesForSite, listGuidePages } from './guide-store.js';
import { guideValuesFor } from './guide-starters.js';
import { CSAF_ROOT } from './formats/csaf-provider.js';
import { advisoryInputsFingerprint, replaceFingerprints, setFingerprint, storedFingerprints } from './site-inputs.js';

export const Section = { advisories: 'advisories', site: 'site', guide: 'guide', notes: 'notes', assets: 'assets' } as const;
export type Section = (typeof Section)[keyof typeof Section];

export function sha256Hex(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** `db`: the transaction when called inside one (SQLite has a single connection). */
export async function siteContextFor(app: AppContext, teamKey: TeamPublicKey | null, db: Db = app.storage.db): Promise<SiteContext> {
  const profile = await loadPublicationProfile(app.config, db);
  const createdAt = (await instanceCreatedAt(db as unknown as Kysely<unknown>)) ?? new Date(0).toISOString();
  // Without PGP_PASSPHRASE nothing gets signed: the CSAF files must not promise signatures (trusted provider).
  const signingKey = app.config.pgpPassphrase ? teamKey : null;
  return { settings: profile.entered, profile, instanceName: app.config.instanceName, teamKey: signingKey, guideValues: guideValuesFor(app.config), createdAt };
}

export interface ReplaceResult {
  written: number;
  removed: number;
}

/**
 * Makes the stored files of `section` for which `owns(row)` holds exactly `files`. An unchanged file
 * keeps its signature; a changed one loses it until the signing job runs.
 */
export async function replaceFiles(trx: Db, now: Date, section: Section, files: SiteFile[], owns: (row: { path: string; advisory_ref: string | null }) => boolean): Promise<ReplaceResult> {
  const existing = await trx.selectFrom('public_site_files').select(['path', 'sha256', 'advisory_ref', 'section']).where('section', '=', section).execute();
  const byPath = new Map(existing.map((r) => [r.path, r]));
  const at = now.toISOString();
  const wanted = new Set<string>();
  let written = 0;
  for (const f of files) {
    if (wanted.has(f.path)) throw new Error(`two public files share the path ${f.path}`);
    wanted.add(f.path);
    const sha256 = sha256Hex(f.content);
    const old = byPath.get(f.path);
    if (old && old.sha256 === sha256 && old.advisory_ref === f.advisoryRef) continue;
    const values = { section, advisory_ref: f.advisoryRef, content: f.content, content_type: f.contentType, sha256, signature: null, signed_sha256: null, updated_at: at };
    await trx
      .insertInto('public_site_files')
      .values({ path: f.path, ...values })
      .onConflict((oc) => oc.column('path').doUpdateSet(values))
      .execute();
    written += 1;
  }
  const stale = existing.filter((r) => owns(r) && !wanted.has(r.path)).map((r) => r.path);
  for (let i = 0; i < stale.length; i += 200) {
    await trx.deleteFrom('public_site_files').where('path', 'in', stale.slice(i, i + 200)).execute();
  }
  return { written, removed: stale.length };
}

async function rebuildIndexes(trx: Db, now: Date, site: SiteContext): Promise<ReplaceResult> {
  const summaries = await publishedSummaries(trx);
  const a = await replaceFiles(trx, now, Section.advisories, advisoryIndexFiles(summaries, site), (r) => r.advisory_ref === null);
  const b = await replaceFiles(trx, now, Section.site, [siteHomeFile(await listGuidePages(trx), summaries, site)], () => true);
  return { written: a.written + b.written, removed: a.removed + b.removed };
}

/** Rebuilds one advisory's files (none if it is not published) and the files over all advisories. */
export async function rebuildAdvisoryOutputs(trx: Db, now: Date, site: SiteContext, ref: string): Promise<ReplaceResult> {
  const record = await publishedRecord(trx, ref);
  const own = await replaceFiles(trx, now, Section.advisories, record ? advisoryFiles(record, site) : [], (r) => r.advisory_ref === ref);
  await setFingerprint(trx, now, ref, record ? advisoryInputsFingerprint(record, site) : null);
  const rest = await rebuildIndexes(trx, now, site);
  return { written: own.written + rest.written, removed: own.removed + rest.removed };
}

/** The advisories that have stored files (a fingerprint alone does not keep an advisory whose files are gone). */
async function advisoriesWithFiles(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('public_site_files').select('advisory_ref').distinct().where('advisory_ref', 'is not', null).execute();
  return new Set(rows.map((r) => r.advisory_ref!));
}

/**
 * Rebuilds every file of the public site from the published records and guide pages. An advisory whose
 * inputs did not change keeps its files (and their signatures); `force` renders every one again.
 */
export async function rebuildWholeSite(trx: Db, now: Date, site: SiteContext, options: { force?: boolean } = {}): Promise<ReplaceResult> {
  // An advisory whose inputs are what its stored files were built from keeps them (site-inputs.ts).
  const before = await storedFingerprints(trx);
  const withFiles = options.force ? new Set<string>() : await advisoriesWithFiles(trx);
  const fingerprints = new Map<string, string>();
  const kept = new Set<string>();
  const files: SiteFile[] = [];
  for (const record of await publishedRecords(trx)) {
    const fingerprint = advisoryInputsFingerprint(record, site);
    fingerprints.set(record.id, fingerprint);
    if (withFiles.has(record.id) && before.get(record.id) === fingerprint) kept.add(record.id);
    else files.push(...advisoryFiles(record, site));
  }
  const own = await replaceFiles(trx, now, Section.advisories, files, (r) => r.advisory_ref !== null && !kept.has(r.advisory_ref));
  await replaceFingerprints(trx, now, before, fingerprints);
  const guide = await replaceFiles(trx, now, Section.guide, guideFiles(await guidePagesForSite(trx), site), () => true);
  const rest = await rebuildIndexes(trx, now, site);
  return { written: own.written + guide.written + rest.written, removed: own.removed + guide.removed + rest.removed };
}

/** Rebuilds the guide pages and the home page (after an admin edits a guide page). */
export async function rebuildGuideOutputs(trx: Db, now: Date, site: SiteContext): Promise<ReplaceResult> {
  const guide = await replaceFiles(trx, now, Section.guide, guideFiles(await guidePagesForSite(trx), site), () => true);
  const home = await replaceFiles(trx, now, Section.site, [siteHomeFile(await listGuidePages(trx), await publishedSummaries(trx), site)], () => true);
  return { written: guide.written + home.written, removed: guide.removed + home.removed };
}

/** How many files still wait for a (fresh) signature. */
export async function unsignedCount(db: Db): Promise<number> {
  const rows = await db.selectFrom('public_site_files').select('path').where((eb) => eb.or([eb('signed_sha256', 'is', null), eb('signed_sha256', '!=', eb.ref('sha256'))])).execute();
  return rows.length;
}

/**
 * Signs up to `limit` files whose signature is missing or stale. A file changed while it was being
 * signed keeps no signature (the update matches the hash that was signed). Returns how many were signed.
 */
export async function signPendingFiles(storage: Storage, signer: TeamSigner, now: Date, limit = Number.POSITIVE_INFINITY): Promise<number> {
  const db = storage.db;
  const pending = await db
    .selectFrom('public_site_files')
    .select(['path', 'content', 'sha256'])
    .where((eb) => eb.or([eb('signed_sha256', 'is', null), eb('signed_sha256', '!=', eb.ref('sha256'))]))
    .orderBy('path')
    .execute();
  let signed = 0;
  for (const row of pending.slice(0, Number.isFinite(limit) ? limit : undefined)) {
    const signature = await signer.sign(new TextEncoder().encode(row.content));
    const r = await db
      .updateTable('public_site_files')
      .set({ signature, signed_sha256: row.sha256, updated_at: now.toISOString() })
      .where('path', '=', row.path)
      .where('sha256', '=', row.sha256)
      .executeTakeFirst();
    signed += Number(r.numUpdatedRows) > 0 ? 1 : 0;
  }
  return signed;
}

export async function readSiteFile(db: Db, filePath: string): Promise<PublicSiteFileRow | undefined> {
  return db.selectFrom('public_site_files').selectAll().where('path', '=', filePath).executeTakeFirst();
}

/** The `.sha256` companion (CSAF 2.0 §7.1.19: the hash first, then the file name). */
export function sha256File(row: Pick<PublicSiteFileRow, 'path' | 'sha256'>): string {
  return `${row.sha256}  ${path.posix.basename(row.path)}\n`;
}

/** CSAF 2.0 requirement 18: the CSAF files also have a `.sha512` (BSI's checker asks for both). */
export function hasSha512(filePath: string): boolean {
  return filePath.startsWith(`${CSAF_ROOT}/`);
}

/** The `.sha512` companion, same layout as the `.sha256` one. */
export function sha512File(row: Pick<PublicSiteFileRow, 'path' | 'content'>): string {
  return `${createHash('sha512').update(row.content, 'utf8').digest('hex')}  ${path.posix.basename(row.path)}\n`;
}

/** A stored signature that covers the file as it is now, or null. */
export function currentSignature(row: Pick<PublicSiteFileRow, 'signature' | 'sha256' | 'signed_sha256'>): string | null {
  return row.signature && row.signed_sha256 === row.sha256 ? row.signature : null;
}

export interface WriteResult {
  files: number;
  signatures: number;
  unsigned: string[];
}

/** Rows read from the database per page, so a 20,000-advisory site is never all in memory at once. */
const WRITE_PAGE = 500;

/**
 * Writes every stored file, its `.sha256` and (when signed) its `.asc` under `dir`, a page of rows at a
 * time (the full 20,000-advisory site holds ~460 MB of content) and each directory created once.
 */
export async function writeSiteTo(db: Db, dir: string, extra: { path: string; content: string | Buffer }[] = []): Promise<WriteResult> {
  const result: WriteResult = { files: 0, signatures: 0, unsigned: [] };
  const root = path.resolve(dir);
  const made = new Set<string>();
  // Writes run side by side (the thread pool does the I/O), a page of rows at a time: one after another,
  // the 2,500 small files of the OSSA corpus took most of `cordon publish`.
  let pending: Promise<void>[] = [];
  const write = (rel: string, content: string | Buffer): void => {
    const target = path.resolve(root, ...rel.split('/'));
    if (!target.startsWith(root + path.sep)) throw new Error(`refusing to write outside ${dir}: ${rel}`);
    const parent = path.dirname(target);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    pending.push(writeFile(target, content));
  };
  const settle = async (): Promise<void> => {
    const writes = pending;
    pending = [];
    await Promise.all(writes);
  };
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('public_site_files').selectAll().where('path', '>', after).orderBy('path').limit(WRITE_PAGE).execute();
    for (const row of rows) {
      write(row.path, row.content);
      write(`${row.path}.sha256`, sha256File(row));
      if (hasSha512(row.path)) write(`${row.path}.sha512`, sha512File(row));
      const signature = currentSignature(row);
      if (signature) {
        write(`${row.path}.asc`, signature);
        result.signatures += 1;
      } else result.unsigned.push(row.path);
      result.files += 1;
    }
    await settle();
    if (rows.length < WRITE_PAGE) break;
    after = rows[rows.length - 1]!.path;
  }
  for (const e of extra) write(e.path, e.content);
  await settle();
  return result;
}
