// Test support only (never imported by product code): a CSAF 2.0 provider checker (CSAF v2.0 §7.1, the
// "trusted provider" role of §7.2.3 with directory-based distribution and a ROLIE feed) that walks a site
// over HTTP as a consumer would, the way BSI's csaf_checker does. One checker for the site served by the
// app and for `publish --out` behind a plain static file server. It returns every problem it finds.
//
// Checked: 1 (strict schema, mandatory tests, §6.2.11), 2, 4, 6, 7 (official schema), 8, 9, 11–16,
// 18–20. Requirement 3 (TLS) is out of scope: the tests serve over loopback HTTP; the site is published
// for an https public URL and the checker fetches each URL from `fetchBase` instead. Not applicable: 5
// (only TLP:WHITE is published), 10 (DNS), 17 (ROLIE categories are optional), 21–23 (aggregators).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { TempGnupg } from '../../pgp/testing/gnupg.js';
import { fixturePath } from '../../testing/fixture-files.js';
import { csafFileName } from '../formats/csaf-provider.js';

const library = '@secvisogram/csaf-validator-lib';
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

type DocumentTest = (doc: unknown) => unknown;
interface ValidationResult {
  tests: { name: string; isValid: boolean; errors: { message: string; instancePath: string }[]; warnings?: { message: string; instancePath: string }[] }[];
}

/** The official provider-metadata schema (needs the CSAF and CVSS schemas it refers to) and the ROLIE feed schema. */
async function schemaValidators(): Promise<{ provider: ValidateFunction; rolie: ValidateFunction }> {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  for (const v of ['2.0', '3.0', '3.1']) {
    const schema = ((await import(`${library}/schemas/cvss-v${v}.js`)) as { default: Record<string, unknown> & { $id: string } }).default;
    // The bundled CVSS schemas are draft-07 with a dated `$id`; the CSAF schema names them without the date.
    const { $schema, license, ...rest } = schema;
    void $schema;
    void license;
    ajv.addSchema({ ...rest, $id: schema.$id.split('?')[0] });
  }
  ajv.addSchema(((await import(`${library}/lib/schemaTests/csaf_2_0/schema.js`)) as { default: Record<string, unknown> }).default);
  const read = (file: string) => JSON.parse(readFileSync(fixturePath('schemas', file), 'utf8')) as Record<string, unknown>;
  return { provider: ajv.compile(read('csaf-provider.schema.json')), rolie: ajv.compile(read('csaf-rolie-feed.schema.json')) };
}

/** The BSI/secvisogram validator: strict schema, every mandatory test, and §6.2.11 (canonical URL). */
async function documentValidator(): Promise<(doc: unknown) => Promise<string[]>> {
  const validateStrict = ((await import(`${library}/validateStrict.js`)) as { default: (t: DocumentTest[], d: unknown) => Promise<ValidationResult> }).default;
  const schema = (await import(`${library}/schemaTests.js`)) as { csaf_2_0_strict: DocumentTest };
  const mandatory = (await import(`${library}/mandatoryTests.js`)) as Record<string, DocumentTest>;
  const optional = (await import(`${library}/optionalTests.js`)) as Record<string, DocumentTest>;
  const canonical = optional.optionalTest_6_2_11;
  if (!canonical) throw new Error('the validator has no optionalTest_6_2_11');
  const tests = [schema.csaf_2_0_strict, ...Object.values(mandatory), canonical];
  return async (doc) => {
    const result = await validateStrict(tests, doc);
    return result.tests.flatMap((x) => [...x.errors, ...(x.warnings ?? [])].map((e) => `${x.name} ${e.instancePath} ${e.message}`));
  };
}

export interface ProviderCheckOptions {
  /** The public URL the site was published for (https; every canonical URL starts with it). */
  publicUrl: string;
  /** Where the site answers in the test (loopback HTTP); `publicUrl` is replaced by it to fetch. */
  fetchBase: string;
  /** Tracking ids that must be listed (and nothing else): index.txt, changes.csv, listings, ROLIE. */
  expectIds?: readonly string[];
}

export interface ProviderCheckResult {
  problems: string[];
  role: string | null;
  /** index.txt entries that were fetched and checked. */
  documents: string[];
}

interface Fetched {
  status: number;
  type: string;
  body: Buffer;
  text: string;
}

const sha = (alg: 'sha256' | 'sha512', data: Buffer) => createHash(alg).update(data).digest('hex');

export async function checkCsafProvider(options: ProviderCheckOptions): Promise<ProviderCheckResult> {
  const problems: string[] = [];
  const problem = (requirement: string, message: string) => void problems.push(`${requirement}: ${message}`);
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const cache = new Map<string, Fetched>();
  /** Requirement 6: every URL answers 200 itself, never a redirect. */
  const get = async (url: string): Promise<Fetched | null> => {
    if (!url.startsWith(`${publicUrl}/`)) {
      problem('7.1.7', `${url} is not under the public URL ${publicUrl}`);
      return null;
    }
    const hit = cache.get(url);
    if (hit) return hit;
    const res = await fetch(options.fetchBase.replace(/\/+$/, '') + url.slice(publicUrl.length), { redirect: 'manual' });
    const body = Buffer.from(await res.arrayBuffer());
    const fetched = { status: res.status, type: res.headers.get('content-type') ?? '', body, text: body.toString('utf8') };
    if (res.status >= 300 && res.status < 400) problem('7.1.6 (requirement 6)', `${url} redirects (${res.status})`);
    else if (res.status !== 200) problem('7.1.6', `${url} answers ${res.status}`);
    cache.set(url, fetched);
    return res.status === 200 ? fetched : null;
  };
  const json = (f: Fetched | null, what: string): unknown => {
    if (!f) return null;
    try {
      return JSON.parse(f.text) as unknown;
    } catch {
      problem(what, 'is not JSON');
      return null;
    }
  };
  const { provider, rolie } = await schemaValidators();
  const validateDocument = await documentValidator();
  const gpg = new TempGnupg();
  try {
    // Requirements 7 and 9: the provider metadata, directly at the well-known URL, valid by the official schema.
    const metadataUrl = `${publicUrl}/.well-known/csaf/provider-metadata.json`;
    const metadata = json(await get(metadataUrl), 'provider-metadata.json') as {
      canonical_url?: string;
      role?: string;
      distributions?: { directory_url?: string; rolie?: { feeds: { tlp_label: string; url: string }[]; services?: string[] } }[];
      public_openpgp_keys?: { fingerprint?: string; url: string }[];
    } | null;
    if (!metadata) return { problems, role: null, documents: [] };
    if (!provider(metadata)) for (const e of provider.errors ?? []) problem('7.1.7 schema', `${e.instancePath || '/'} ${e.message ?? ''}`);
    if (metadata.canonical_url !== metadataUrl) problem('7.1.7', `canonical_url is ${metadata.canonical_url ?? 'missing'}, not ${metadataUrl}`);

    // Requirement 8: security.txt names the provider metadata in its first CSAF field.
    const securityTxt = await get(`${publicUrl}/.well-known/security.txt`);
    const csafFields = (securityTxt?.text ?? '').split(/\r?\n/).filter((l) => /^CSAF:/i.test(l)).map((l) => l.replace(/^CSAF:\s*/i, '').trim());
    if (csafFields[0] !== metadataUrl) problem('7.1.8', `security.txt's first CSAF field is ${csafFields[0] ?? 'missing'}`);

    // Requirement 20: the public keys are there and are what the metadata says.
    const fingerprints: string[] = [];
    for (const key of metadata.public_openpgp_keys ?? []) {
      const armored = await get(key.url);
      if (!armored) continue;
      gpg.importKey(armored.body);
      const listed = gpg.run(['--with-colons', '--fingerprint', key.fingerprint ?? '']);
      if (listed.status !== 0 || !listed.stdout.toString().toUpperCase().includes(`FPR:::::::::${(key.fingerprint ?? '').toUpperCase()}:`)) problem('7.1.20', `${key.url} is not the key ${key.fingerprint ?? ''}`);
      else fingerprints.push(key.fingerprint ?? '');
    }
    const trusted = metadata.role === 'csaf_trusted_provider';
    if (trusted && !fingerprints.length) problem('7.1.20', 'a trusted provider lists no usable public_openpgp_keys');

    /** Requirements 18 and 19 for one file: both hash files match, the signature verifies with gpg. */
    const companions = async (url: string, data: Buffer): Promise<void> => {
      for (const alg of ['sha256', 'sha512'] as const) {
        const hash = await get(`${url}.${alg}`);
        if (hash && hash.text.split(/\s+/)[0] !== sha(alg, data)) problem('7.1.18', `${url}.${alg} does not match the file`);
      }
      if (!trusted) return;
      const signature = await get(`${url}.asc`);
      if (!signature) return;
      const verify = gpg.run(['--verify', gpg.writeFile('file.asc', signature.body), gpg.writeFile('file', data)]);
      if (verify.status !== 0 || !verify.stderr.includes('Good signature')) problem('7.1.19', `${url}.asc does not verify: ${verify.stderr.trim().split('\n').at(-1) ?? ''}`);
    };

    const directories = (metadata.distributions ?? []).map((d) => d.directory_url).filter((u): u is string => !!u);
    if (!directories.length) problem('7.2.2', 'no directory_url: the directory-based distribution is not announced');
    const documents: string[] = [];
    const docUrls = new Set<string>();
    const current = new Map<string, string>();
    for (const dir of directories) {
      if (!dir.endsWith('/')) problem('7.1.7', `directory_url ${dir} does not end in /`);
      // Requirement 12: index.txt lists every document, each one there.
      const index = await get(`${dir}index.txt`);
      const entries = (index?.text ?? '').split('\n').filter(Boolean);
      if (options.expectIds) {
        const listed = entries.map((e) => e.split('/').pop() ?? '').sort();
        const wanted = options.expectIds.map(csafFileName).sort();
        if (JSON.stringify(listed) !== JSON.stringify(wanted)) problem('7.1.12', `index.txt lists ${listed.join(' ')}; expected ${wanted.join(' ')}`);
      }
      for (const entry of entries) {
        const url = `${dir}${entry}`;
        const file = await get(url);
        if (!file) continue;
        documents.push(entry);
        docUrls.add(url);
        if (!file.type.startsWith('application/json')) problem('7.1.1', `${url} is served as ${file.type}`);
        const doc = json(file, url) as { document?: { tracking?: { id?: string; initial_release_date?: string; current_release_date?: string }; references?: { category: string; url: string }[]; distribution?: { tlp?: { label?: string } } } } | null;
        const tracking = doc?.document?.tracking;
        if (!doc || !tracking?.id) continue;
        // Requirement 1: valid (strict schema, mandatory tests, §6.2.11).
        for (const p of await validateDocument(doc)) problem('7.1.1', `${entry}: ${p}`);
        // Requirement 2 (§5.1) and 11: file name from the tracking id, folder of the initial release year.
        if (entry !== `${(tracking.initial_release_date ?? '').slice(0, 4)}/${csafFileName(tracking.id)}`) problem('7.1.2/7.1.11', `${entry} is not where ${tracking.id} belongs`);
        // §6.2.11: the self reference is the URL the document was fetched from.
        const self = (doc.document?.references ?? []).filter((r) => r.category === 'self').map((r) => r.url);
        if (!self.includes(url)) problem('6.2.11', `${entry}: self reference ${self.join(', ') || 'missing'} is not ${url}`);
        // Requirement 4: TLP:WHITE documents are freely accessible (this fetch had no credentials).
        if (doc.document?.distribution?.tlp?.label !== 'WHITE') problem('7.1.4', `${entry} is in white/ but labelled ${doc.document?.distribution?.tlp?.label ?? 'nothing'}`);
        current.set(url, tracking.current_release_date ?? '');
        await companions(url, file.body);
      }
      // Requirement 13: changes.csv has each document with its current_release_date, newest first.
      const changes = (await get(`${dir}changes.csv`))?.text.split('\n').filter(Boolean) ?? [];
      const rows = changes.map((l) => /^"([^"]+)","([^"]+)"$/.exec(l));
      if (rows.some((r) => !r)) problem('7.1.13', 'changes.csv has a line that is not "path","timestamp"');
      const parsed = rows.filter((r): r is RegExpExecArray => !!r).map((r) => ({ path: r[1] ?? '', date: r[2] ?? '' }));
      if (JSON.stringify(parsed.map((r) => r.path).sort()) !== JSON.stringify([...entries].sort())) problem('7.1.13', 'changes.csv and index.txt list different documents');
      for (const r of parsed) if (current.has(`${dir}${r.path}`) && current.get(`${dir}${r.path}`) !== r.date) problem('7.1.13', `changes.csv dates ${r.path} ${r.date}, the document says ${current.get(`${dir}${r.path}`) ?? ''}`);
      for (let i = 1; i < parsed.length; i += 1) if ((parsed[i]?.date ?? '') > (parsed[i - 1]?.date ?? '')) problem('7.1.13', `changes.csv is not newest first at line ${i + 1}`);
      // Requirement 14: the folder and each year folder list their files (and nothing that is not there).
      const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] ?? '');
      const listing = await get(dir);
      const years = [...new Set(entries.map((e) => e.split('/')[0] ?? ''))];
      if (listing) {
        if (!listing.type.startsWith('text/html')) problem('7.1.14', `${dir} is served as ${listing.type}`);
        for (const name of [...years.map((y) => `${y}/`), 'index.txt', 'changes.csv']) if (!hrefs(listing.text).includes(name)) problem('7.1.14', `${dir} does not list ${name}`);
      }
      for (const year of years) {
        const yearListing = await get(`${dir}${year}/`);
        if (!yearListing) continue;
        const names = hrefs(yearListing.text);
        const files = entries.filter((e) => e.startsWith(`${year}/`)).map((e) => e.slice(year.length + 1));
        for (const f of files) for (const name of [f, `${f}.sha256`, `${f}.sha512`, ...(trusted ? [`${f}.asc`] : [])]) if (!names.includes(name)) problem('7.1.14', `${dir}${year}/ does not list ${name}`);
        const extra = names.filter((n) => n.endsWith('.json') && !files.includes(n));
        if (extra.length) problem('7.1.14', `${dir}${year}/ lists ${extra.join(', ')}, which index.txt does not`);
        for (const name of names.filter((n) => !n.startsWith('.'))) await get(`${dir}${year}/${name}`);
      }
    }

    // Requirements 15 and 16: a ROLIE feed for TLP:WHITE, each entry with its hash and signature links.
    const rolieInfo = (metadata.distributions ?? []).flatMap((d) => (d.rolie ? [d.rolie] : []));
    const feeds = rolieInfo.flatMap((r) => r.feeds);
    if (!feeds.some((f) => f.tlp_label === 'WHITE')) problem('7.1.15', 'no TLP:WHITE ROLIE feed');
    for (const feedInfo of feeds) {
      const feedDoc = json(await get(feedInfo.url), feedInfo.url) as { feed?: { link?: { rel: string; href: string }[]; category?: { term: string }[]; entry?: { id: string; link: { rel: string; href: string }[]; updated: string; content: { src: string } }[] } } | null;
      if (!feedDoc?.feed) continue;
      if (!rolie(feedDoc)) for (const e of rolie.errors ?? []) problem('7.1.15 schema', `${e.instancePath || '/'} ${e.message ?? ''}`);
      const feed = feedDoc.feed;
      if (!feed.link?.some((l) => l.rel === 'self' && l.href === feedInfo.url)) problem('7.1.15', `${feedInfo.url} has no self link to itself`);
      const srcs = (feed.entry ?? []).map((e) => e.content.src);
      if (JSON.stringify([...srcs].sort()) !== JSON.stringify([...docUrls].sort())) problem('7.1.15', `the feed lists ${srcs.length} documents, the directory ${docUrls.size}`);
      for (const entry of feed.entry ?? []) {
        const links = (rel: string) => entry.link.filter((l) => l.rel === rel).map((l) => l.href);
        if (!links('self').includes(entry.content.src)) problem('7.1.15', `entry ${entry.id} has no self link to its document`);
        if (current.has(entry.content.src) && current.get(entry.content.src) !== entry.updated) problem('7.1.15', `entry ${entry.id} updated ${entry.updated}, the document says ${current.get(entry.content.src) ?? ''}`);
        const hashes = links('hash');
        if (!hashes.includes(`${entry.content.src}.sha256`) || !hashes.includes(`${entry.content.src}.sha512`)) problem('7.1.18', `entry ${entry.id} does not link its hash files`);
        if (trusted && !links('signature').includes(`${entry.content.src}.asc`)) problem('7.1.19', `entry ${entry.id} does not link its signature`);
        for (const href of [...hashes, ...links('signature')]) await get(href);
      }
      await companions(feedInfo.url, (await get(feedInfo.url))?.body ?? Buffer.alloc(0));
    }
    for (const serviceUrl of rolieInfo.flatMap((r) => r.services ?? [])) {
      const service = json(await get(serviceUrl), serviceUrl) as { service?: { workspace?: { collection?: { href: string }[] }[] } } | null;
      const listed = (service?.service?.workspace ?? []).flatMap((w) => (w.collection ?? []).map((c) => c.href));
      for (const f of feeds) if (!listed.includes(f.url)) problem('7.1.16', `the service document does not list ${f.url}`);
    }
    return { problems, role: metadata.role ?? null, documents };
  } finally {
    gpg.cleanup();
  }
}

/** A plain static file server: a path maps to the file under `root`, `/dir/` to `dir/index.html`. Nothing Cordon-specific. */
export function serveStatic(root: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const file = path.join(root, ...url.split('/').filter((p) => p && p !== '..'), ...(url.endsWith('/') ? ['index.html'] : []));
    let body: Buffer;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      body = readFileSync(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const types: Record<string, string> = { '.json': 'application/json', '.html': 'text/html; charset=utf-8', '.txt': 'text/plain', '.csv': 'text/csv', '.asc': 'application/pgp-signature' };
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}
