// Artifacts out of a run (issue 20): the listed paths are copied into artifactDir; a symlink in the tree (to a host
// file, or anything) is never followed or copied; a hostile archive on the artifact channel cannot write outside.
import { existsSync, lstatSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeIf } from '../testing/skips.js';
import { unpackArtifacts } from './artifacts.js';
import { detectSandbox } from './detect.js';
import { runInSandbox } from './run.js';
import { TempDirs, nodeProject, request } from './testing/trees.js';

const availability = await detectSandbox();
const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

/** One ustar header + data, written by hand so the archive can say what a real tar would refuse to. */
function member(name: string, type: string, data = '', linkname = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write(type, 156);
  header.write(linkname, 157, 100);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  body.write(data);
  return Buffer.concat([header, body]);
}

describe('the artifact archive reader', () => {
  it('keeps regular files and directories, and nothing that points or climbs outside', () => {
    const outside = dirs.make();
    const target = dirs.make();
    const archive = Buffer.concat([
      member('report/', '5'),
      member('report/junit.xml', '0', '<testsuite/>'),
      member('../escaped.txt', '0', 'climbed out'),
      member('/tmp/absolute.txt', '0', 'absolute'),
      member('link', '2', '', outside),
      member('link/through-the-link.txt', '0', 'through a link'),
      member('hard', '1', '', '/etc/passwd'),
      member('report/junit.xml', '0', 'overwrite'),
      Buffer.alloc(1024),
    ]);
    symlinkSync(outside, path.join(target, 'planted'));
    const { artifacts, skipped } = unpackArtifacts(Buffer.concat([archive.subarray(0, archive.length - 1024), member('planted/x.txt', '0', 'via a planted link'), Buffer.alloc(1024)]), target);
    // The symlink was not made, so the file "through" it lands in a real folder inside the target.
    expect(artifacts).toEqual([{ path: 'report/junit.xml', bytes: 12 }, { path: 'link/through-the-link.txt', bytes: 14 }]);
    expect(readFileSync(path.join(target, 'report/junit.xml'), 'utf8')).toBe('<testsuite/>');
    expect(lstatSync(path.join(target, 'link')).isDirectory()).toBe(true);
    expect(readdirSync(target).sort()).toEqual(['link', 'planted', 'report']);
    expect(readdirSync(outside)).toEqual([]);
    expect(skipped.join('\n')).toMatch(/planted\/x\.txt: a path component is not a directory/);
    expect(skipped.join('\n')).toMatch(/report\/junit\.xml: could not be written/);
    expect(existsSync(path.join(path.dirname(target), 'escaped.txt'))).toBe(false);
    expect(skipped.join('\n')).toMatch(/"\.\.\/escaped\.txt": not a plain relative path/);
    expect(skipped.join('\n')).toMatch(/link: a symbolic link, not copied/);
    expect(skipped.join('\n')).toMatch(/hard: a hard link, not copied/);
  });

  it('stops at a damaged or cut archive without throwing', () => {
    const target = dirs.make();
    const whole = member('a.txt', '0', 'x'.repeat(2000));
    expect(unpackArtifacts(whole.subarray(0, 1024), target).skipped).toEqual(['a.txt: cut off at the output limit']);
    const damaged = Buffer.from(whole);
    damaged[10] = 65;
    expect(unpackArtifacts(damaged, dirs.make()).artifacts).toEqual([]);
  });
});

describeIf(availability.kind === 'bubblewrap', `no sandbox here: ${availability.reason}`, 'artifacts of a sandboxed run', () => {
  it('copies the listed files and folders out, and not a symlink to a host file', async () => {
    const hostSecret = path.join(dirs.make('cordon-host-'), 'secret.txt');
    writeFileSync(hostSecret, 'host-secret-content');
    const tree = nodeProject(dirs.make());
    const artifactDir = dirs.make();
    const result = await runInSandbox(request(tree, artifactDir, `mkdir -p out/deep && echo '<testsuite/>' > junit.xml && echo deep > out/deep/d.txt && ln -s ${hostSecret} leak && ln -s /etc/ld.so.cache leak2 && node --test test/`, {
      artifactPaths: ['junit.xml', 'out', 'leak', 'leak2', 'missing.txt'],
    }));
    expect(result.outcome, result.log).toBe('passed');
    expect(result.artifacts).toEqual([{ path: 'junit.xml', bytes: 13 }, { path: 'out/deep/d.txt', bytes: 5 }]);
    expect(readFileSync(path.join(artifactDir, 'out/deep/d.txt'), 'utf8')).toBe('deep\n');
    expect(readdirSync(artifactDir).sort()).toEqual(['junit.xml', 'out']);
    expect(lstatSync(path.join(artifactDir, 'junit.xml')).isFile()).toBe(true);
    expect(result.log).toMatch(/artifact not kept: leak: a symbolic link, not copied/);
    expect(result.log).toMatch(/artifact not found: missing\.txt/);
    expect(result.log).not.toContain('host-secret-content');
  });

  it('keeps artifacts of a failed run too (a test report is most useful then)', async () => {
    const artifactDir = dirs.make();
    const result = await runInSandbox(request(nodeProject(dirs.make(), true), artifactDir, 'node --test --test-reporter=tap --test-reporter-destination=report.tap', { artifactPaths: ['report.tap'] }));
    expect(result.outcome).toBe('failed');
    expect(result.artifacts.map((a) => a.path)).toEqual(['report.tap']);
    expect(readFileSync(path.join(artifactDir, 'report.tap'), 'utf8')).toMatch(/not ok 1 - adds two numbers/);
  });
});
