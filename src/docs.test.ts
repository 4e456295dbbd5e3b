// The README documents every configuration variable.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
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
