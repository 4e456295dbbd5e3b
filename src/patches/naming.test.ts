import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import { git } from './git.js';
import { fileNameSlug, patchFileName, seriesDownload, seriesForBranch, seriesToMbox } from './naming.js';
import { parsePatchSet } from './parse.js';
import { commitFiles, gitSync, initRepo, makeTempDir, numberedLines, removeDir, type FixtureAuthor } from './testing/support.js';

describe('patchFileName', () => {
  it.each([
    [{ id: 'CVE-2013-4183', branch: 'master' }, 'cve-2013-4183-master.patch'],
    [{ id: 'CVE-2013-4183', branch: 'master', release: 'havana' }, 'cve-2013-4183-master-havana.patch'],
    [{ id: 'CVE-2013-4183', branch: 'stable/grizzly' }, 'cve-2013-4183-grizzly.patch'],
    [{ id: 'CVE-2013-4183', project: 'Cinder', branch: 'master' }, 'cve-2013-4183-cinder-master.patch'],
    [{ id: 'CVE-2026-44916', branch: 'stable/2026.1' }, 'cve-2026-44916-2026.1.patch'],
    [{ id: 'CVE-2026-44916', branch: 'bugfix/34.0' }, 'cve-2026-44916-bugfix-34.0.patch'],
    [{ id: 'Report #42', branch: 'master' }, 'report-42-master.patch'],
    [{ id: '../../etc/passwd', branch: '.hidden' }, 'etc-passwd-hidden.patch'],
    [{ id: '$(rm -rf /)', branch: '`id`' }, 'rm-rf-id.patch'],
  ])('%j → %s', (parts, expected) => {
    const name = patchFileName(parts);
    expect(name).toBe(expected);
    expect(name).toMatch(/^[a-z0-9][a-z0-9._-]*\.patch$/);
  });

  it('refuses an id without letters or digits', () => {
    expect(() => patchFileName({ id: '../..', branch: 'master' })).toThrow(AppError);
    expect(fileNameSlug('--Ünïcode__Name..')).toBe('unicode__name');
  });
});

describe('seriesForBranch', () => {
  it('keeps one branch, in position order, stable for ties', () => {
    const items = [
      { branch: 'master', position: 2, name: 'b' },
      { branch: 'stable/havana', position: 1, name: 'x' },
      { branch: 'master', position: 1, name: 'a' },
      { branch: 'master', position: 2, name: 'c' },
    ];
    expect(seriesForBranch(items, 'master').map((i) => i.name)).toEqual(['a', 'b', 'c']);
    expect(seriesForBranch(items, 'stable/grizzly')).toEqual([]);
  });
});

describe('series download round trip with git am', () => {
  const authors: FixtureAuthor[] = [
    { name: 'Jörg Müller', email: 'jorg@example.org', date: '2013-08-07T10:00:00+02:00' },
    { name: 'Lovelace, Ada "the first"', email: 'ada@example.org', date: '2013-08-08T23:30:15-07:00' },
    { name: 'Grace Hopper', email: 'grace@example.org', date: '2013-08-09T00:00:01+05:30' },
  ];
  let tmp: string;
  let upstream: string;
  let dev: string;
  const logFormat = ['log', '--format=%an%x00%ae%x00%ad%x00%B%x01', '--date=raw', 'origin/master..HEAD'];

  beforeAll(() => {
    tmp = makeTempDir();
    upstream = initRepo(path.join(tmp, 'upstream'));
    commitFiles(upstream, { 'nova/api.py': numberedLines(30), 'docs/a.rst': numberedLines(20) }, 'Initial');
    dev = path.join(tmp, 'dev');
    gitSync(tmp, ['clone', '-q', '--', upstream, dev]);
    commitFiles(
      dev,
      { 'nova/api.py': numberedLines(30, { 4: 'fixed' }), 'logo.png': '\x89PNG\x00\x01binary' },
      'Fix the ünicode token check in the API, with a subject long enough to be folded by git\n\nLong explanation.\n\nCloses-Bug: #1198185\nChange-Id: I0123456789abcdef\nSigned-off-by: Jörg Müller <jorg@example.org>',
      authors[0],
    );
    gitSync(dev, ['mv', 'docs/a.rst', 'docs/b.rst']);
    gitSync(dev, ['commit', '-q', '-m', 'Rename the docs page\n\nCo-Authored-By: Grace Hopper <grace@example.org>'], authors[1]);
    commitFiles(dev, { 'nova/api.py': numberedLines(30, { 4: 'fixed', 25: 'also fixed' }) }, 'Second fix', authors[2]);
  });
  afterAll(() => removeDir(tmp));

  async function amInFreshClone(name: string, mbox: string): Promise<string> {
    const clone = path.join(tmp, name);
    gitSync(tmp, ['clone', '-q', '--', upstream, clone]);
    await git(['am', '--quiet'], { cwd: clone, input: mbox });
    return clone;
  }

  it('writes a named mbox that git am applies, reproducing author, date, message and tree', async () => {
    const series = parsePatchSet(gitSync(dev, ['format-patch', '--stdout', '--cover-letter', '-M', 'origin/master..HEAD']));
    const download = seriesDownload({ id: 'CVE-2013-4183', branch: 'master', release: 'havana', patches: series.patches });
    expect(download.fileName).toBe('cve-2013-4183-master-havana.patch');
    expect(download.contentType).toBe('text/x-patch; charset=utf-8');
    expect(download.body).toContain('Subject: [PATCH 2/3] Rename the docs page');
    expect(download.body).not.toContain('*** SUBJECT HERE ***');

    const clone = await amInFreshClone('fresh', download.body);
    const original = gitSync(dev, logFormat);
    expect(original.split('\x01')).toHaveLength(4);
    expect(original).toContain('Jörg Müller\x00jorg@example.org\x001375862400 +0200\x00Fix the ünicode');
    expect(gitSync(clone, logFormat)).toBe(gitSync(dev, logFormat));
    expect(gitSync(clone, ['rev-parse', 'HEAD^{tree}'])).toBe(gitSync(dev, ['rev-parse', 'HEAD^{tree}']));
    // And it parses back to the same patches.
    const again = parsePatchSet(download.body);
    expect(again.patches.map((p) => [p.subject, p.author, p.date?.iso, p.trailers])).toEqual(
      series.patches.filter((p) => !p.coverLetter).map((p) => [p.subject, p.author, p.date?.iso, p.trailers]),
    );
  });

  it('turns git show output into mail that git am applies the same way', async () => {
    const shows = ['HEAD~2', 'HEAD~1', 'HEAD'].map((rev) => parsePatchSet(gitSync(dev, ['show', '--binary', '-M', rev])).patches[0]!);
    const clone = await amInFreshClone('from-show', seriesToMbox(shows));
    expect(gitSync(clone, logFormat)).toBe(gitSync(dev, logFormat));
  });

  it('needs an author for a bare diff and uses the one given', async () => {
    const diff = parsePatchSet(gitSync(dev, ['diff', 'HEAD~1', 'HEAD'])).patches;
    expect(() => seriesToMbox(diff)).toThrow(/has no author/);
    const mbox = seriesToMbox(diff, { fallbackAuthor: { name: 'Uploader', email: 'up@example.org' }, fallbackDate: new Date('2014-01-01T00:00:00Z') });
    expect(mbox).toContain('Subject: [PATCH] nova/api.py');
    const clone = path.join(tmp, 'bare-diff');
    gitSync(tmp, ['clone', '-q', '--', dev, clone]);
    gitSync(clone, ['reset', '-q', '--hard', 'HEAD~1']);
    await git(['am', '--quiet'], { cwd: clone, input: mbox });
    expect(gitSync(clone, ['log', '-1', '--format=%an <%ae> %ad', '--date=raw'])).toBe('Uploader <up@example.org> 1388534400 +0000\n');
  });
});
