// Fuzz target (issue 13): OSSN text import. Invariants: any bytes either parse to a note or fail with
// a catalogued error; a parsed note's id is a note id (the exporter writes a file named after it, so
// it must never carry a path); a parsed note renders, and the rendering parses again with the same
// id and title; its export is its source text, and an edited export reads back with the edit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNoteId } from '../../identifiers/advisory-ids.js';
import { catalogued, hostileNames, hostileText, mutatedBytes, mutatedText, replayRegressions, runFuzz, seedFiles, type FuzzTarget } from '../../testing/fuzz.js';
import { exportOssnText } from './ossn-source.js';
import { parseOssnText, renderOssnText } from './ossn-text.js';

const SEED_BYTES = seedFiles(import.meta.url, 'seeds/ossn').map((s) => new Uint8Array(s.bytes));
const SEEDS = SEED_BYTES.map((b) => Buffer.from(b).toString('utf8'));
const NOTE_FRAGMENTS = ['### Summary ###', '### Affected Services / Software ###', '### Discussion ###', '### Recommended Actions ###', '### Contacts / References ###', '---', '----', '= Title =', '== Summary ==',
  '<pre>', '</pre>', '```', 'OSSN-0000', 'OSSN-99999999', 'This OSSN : https://wiki.openstack.org/wiki/OSSN/OSSN-../../x', '\u00a0', '\t', '\r'];

const target: FuzzTarget<string | Uint8Array> = {
  name: 'ossn-text-import',
  testFile: import.meta.url,
  arbitrary: fc.oneof(
    { weight: 6, arbitrary: mutatedText(SEEDS, { fragments: [...NOTE_FRAGMENTS, ...hostileNames] }) },
    { weight: 2, arbitrary: mutatedBytes(SEED_BYTES) },
    { weight: 1, arbitrary: hostileText },
  ),
  runs: 500,
  longShare: 0.5,
  check: async (input) => {
    for (const id of [undefined, 'OSSN-0042']) {
      const outcome = await catalogued('parseOssnText', () => parseOssnText(input, id ? { id } : {}));
      if ('error' in outcome) {
        expect(outcome.error.code).toBe('validation_failed');
        continue;
      }
      const { note } = outcome.value;
      // An id the exporter could not use as a file name would be refused by the importer (parseNoteId).
      if (note.id) {
        expect(parseNoteId(note.id).ok, `id ${JSON.stringify(note.id)}`).toBe(true);
        const rendered = await catalogued('renderOssnText', () => renderOssnText(note));
        if ('value' in rendered) {
          const again = await catalogued('parseOssnText(rendered)', () => parseOssnText(rendered.value, { id: note.id }));
          if ('value' in again) expect(again.value.note.id).toBe(note.id);
        }
        // Export keeps an unedited note as it came in; an edited one still reads back, with the edit.
        expect(exportOssnText(note)).toBe(note.raw);
        const edited = exportOssnText({ ...note, summary: 'An edited summary.' });
        const back = await catalogued('parseOssnText(edited export)', () => parseOssnText(edited, { id: note.id }));
        if ('value' in back) expect(back.value.note.summary).toBe('An edited summary.');
      }
    }
  },
};

describe('fuzz: OSSN text import', () => {
  it('seeds parse cleanly (so mutations start from real notes)', () => {
    for (const s of seedFiles(import.meta.url, 'seeds/ossn')) expect(parseOssnText(new Uint8Array(s.bytes), { id: s.file }).note.title).not.toBe('');
  });
  it(`${target.name}: committed regression inputs still pass`, async () => {
    await replayRegressions(target);
  });
  it(`${target.name}: generated inputs keep the invariants`, async () => {
    expect((await runFuzz(target)).runs).toBeGreaterThan(0);
  });
});
