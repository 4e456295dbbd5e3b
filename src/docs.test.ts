// The README documents every configuration variable; the repository refers to nothing outside itself.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { configVariables } from './config/config.js';
import { repoPath } from './testing/fixture-files.js';

describe('README', () => {
  const readme = readFileSync(repoPath('README.md'), 'utf8');
  it('keeps the two-command quick start', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
  it.each(configVariables.map(([name]) => name))('documents %s', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });
});

// Issue 14: a clone of the repository is all anyone gets, so nothing in it may point outside it.
describe('the repository stands on its own', () => {
  const root = repoPath();
  // Third-party data kept verbatim (test-fixtures/SOURCES.md); its own text is not ours to police.
  const verbatim = /^test-fixtures\/(ossa|ossn|schemas|cvss)\/|^test-fixtures\/ossa-notices\/.*\.txt$/;
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  const files = listed
    .split('\0')
    .filter((f) => f && !verbatim.test(f) && existsSync(path.join(root, f)) && lstatSync(path.join(root, f)).isFile())
    .map((f) => ({ file: f, text: readFileSync(path.join(root, f)) }))
    .filter(({ text }) => !text.includes(0))
    .map(({ file, text }) => ({ file, text: text.toString('utf8') }));

  // Built from parts so that this file does not match itself.
  const up = ['\\.', '\\.'].join('');
  const outside = [
    new RegExp(`${up}[\\\\/]shared\\b`), // the shared folder beside the project, as a relative path
    new RegExp(`['"]${up}['"]\\s*,\\s*['"]shared['"]`), // the same, as path.join arguments
    new RegExp(`\\brepoRoot\\s*,\\s*['"]${up}['"]`), // anything above the repository root, from repoRoot
    new RegExp(`\\brepoPath\\(\\s*['"]${up}`), // or through repoPath
    new RegExp(['', 'work', '(shared|main|wt-)'].join('/')), // this machine's absolute paths
  ];

  it('lists the files it checks', () => {
    expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['README.md', 'package.json', 'src/docs.test.ts', 'test-fixtures/SOURCES.md']));
  });

  it('has no file that refers to a path outside the repository', () => {
    const found = files.flatMap(({ file, text }) =>
      text.split('\n').flatMap((line, i) => (outside.some((re) => re.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it('keeps every relative Markdown link inside the repository, pointing at a file that exists', () => {
    const bad: string[] = [];
    for (const { file, text } of files.filter((f) => f.file.endsWith('.md'))) {
      for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = (m[1] ?? '').replace(/#.*$/, '');
        if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // anchors, https:, mailto:
        const resolved = path.resolve(path.dirname(path.join(root, file)), decodeURI(target));
        const inside = resolved === root || resolved.startsWith(root + path.sep);
        if (!inside || !existsSync(resolved)) bad.push(`${file}: ${m[1]}${inside ? ' (missing)' : ' (outside the repository)'}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
