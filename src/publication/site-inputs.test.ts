// A whole-site rebuild renders only the advisories whose inputs changed (site-inputs.ts), and what it
// leaves in place is exactly what rendering everything gives. A stored file changed behind Cordon's back
// shows which advisories were rendered: a kept one stays as it was, a rendered one is written anew.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { change, systemScope } from '../context.js';
import { importOssaDirectory } from '../advisories/import.js';
import { enterPublicationSettings } from '../advisories/testing/advisories.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { fixturePath } from '../testing/fixture-files.js';
import { rebuildWholeSite, sha256Hex, siteContextFor } from './site-files.js';
import { siteGeneratorId } from './site-inputs.js';

const SAMPLE = ['OSSA-2014-039.yaml', 'OSSA-2016-004.yaml', 'OSSA-2016-007.yaml'];
const WATCHED = 'advisories/OSSA-2016-007.txt';

describe.each(testDialects())('rebuilding the site on %s', (dialect) => {
  let t: TestApp;
  let input: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    input = mkdtempSync(path.join(os.tmpdir(), 'cordon-inputs-'));
    mkdirSync(input, { recursive: true });
    for (const f of SAMPLE) copyFileSync(path.join(fixturePath('ossa'), f), path.join(input, f));
    // The import rebuilds the whole site once, in its own transaction.
    await importOssaDirectory(systemScope(t.ctx), input);
  });
  afterAll(async () => {
    rmSync(input, { recursive: true, force: true });
    await t.close();
  });

  const rebuild = (force = false) => change(systemScope(t.ctx), async ({ trx, now }) => rebuildWholeSite(trx, now, await siteContextFor(t.ctx, null, trx), { force }));
  const stored = async () => (await t.ctx.storage.db.selectFrom('public_site_files').select(['path', 'sha256']).orderBy('path').execute()).map((r) => `${r.path} ${r.sha256}`);
  const watched = async () => (await t.ctx.storage.db.selectFrom('public_site_files').select('content').where('path', '=', WATCHED).executeTakeFirstOrThrow()).content;
  const tamper = async () => {
    await t.ctx.storage.db.updateTable('public_site_files').set({ content: 'changed behind our back', sha256: sha256Hex('changed behind our back') }).where('path', '=', WATCHED).execute();
  };

  it('keeps the files of an advisory whose inputs did not change, and renders it again when they do', async () => {
    const rendered = await watched();
    expect(rendered).toContain('OSSA-2016-007');
    await tamper();
    await rebuild();
    // Not rendered: the inputs are what the stored files were built from.
    expect(await watched()).toBe('changed behind our back');
    // A publication setting is an input of every advisory: everything is rendered again.
    await enterPublicationSettings(t, { vendorName: 'Another Foundation' });
    await rebuild();
    expect(await watched()).toBe(rendered);
  });

  it('renders an advisory again when its fingerprint was made by other code (an upgrade) or its files are gone', async () => {
    const rendered = await watched();
    await tamper();
    await t.ctx.storage.db.updateTable('public_site_inputs').set({ fingerprint: 'made by another version of Cordon' }).where('advisory_ref', '=', 'OSSA-2016-007').execute();
    await rebuild();
    expect(await watched()).toBe(rendered);

    await t.ctx.storage.db.deleteFrom('public_site_files').where('advisory_ref', '=', 'OSSA-2016-004').execute();
    await rebuild();
    const paths = (await stored()).map((line) => line.split(' ')[0]);
    expect(paths).toContain('advisories/OSSA-2016-004.html');
    expect(paths).toContain('osv/OSSA-2016-004.json');
  });

  it('leaves exactly the files that rendering everything gives', async () => {
    await enterPublicationSettings(t, { vendorName: 'A Third Foundation' });
    await rebuild();
    const incremental = await stored();
    await rebuild(true);
    expect(await stored()).toEqual(incremental);
    const fingerprints = await t.ctx.storage.db.selectFrom('public_site_inputs').select('advisory_ref').orderBy('advisory_ref').execute();
    expect(fingerprints.map((r) => r.advisory_ref)).toEqual(['OSSA-2014-039', 'OSSA-2016-004', 'OSSA-2016-007']);
  });

  it('--render-all (force) renders every advisory again', async () => {
    const rendered = await watched();
    await tamper();
    await rebuild(true);
    expect(await watched()).toBe(rendered);
  });
});

describe('the generator id', () => {
  it('is a SHA-256 of the running code, the same for the life of the process', () => {
    expect(siteGeneratorId()).toMatch(/^[0-9a-f]{64}$/);
    expect(siteGeneratorId()).toBe(siteGeneratorId());
  });
});
