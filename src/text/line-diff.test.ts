// The one line diff: applying it gives the new text, its kept lines are a longest common subsequence,
// and input too large for the LCS table is bounded (remove all, add all) rather than quadratic.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_FUZZ_SEED } from '../testing/fuzz.js';
import { MAX_DIFF_CELLS, applyDiff, diffLines, diffTexts, textLines } from './line-diff.js';

// Reference LCS length by the textbook recurrence, for small inputs only.
function lcsLength(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const row = [0];
    b.forEach((y, j) => row.push(x === y ? prev[j]! + 1 : Math.max(prev[j + 1]!, row[j]!)));
    prev = row;
  }
  return prev[b.length]!;
}

// Few distinct lines, so that texts share many lines and the LCS is not trivial.
const lines = fc.array(fc.constantFrom('a', 'b', 'c', '', '  d', 'é'), { maxLength: 30 });
const text = fc.array(fc.constantFrom('a', 'b', 'c', '', ' x'), { maxLength: 20 }).map((l) => l.join('\n'));

describe('line diff', () => {
  it('applying the diff gives the new lines, dropping its additions gives the old ones, and it keeps a longest common subsequence', () => {
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        const diff = diffLines(before, after);
        expect(diff.filter((l) => l.op !== 'del').map((l) => l.text)).toEqual(after);
        expect(diff.filter((l) => l.op !== 'add').map((l) => l.text)).toEqual(before);
        expect(diff.filter((l) => l.op === 'same')).toHaveLength(lcsLength(before, after));
      }),
      { seed: DEFAULT_FUZZ_SEED, numRuns: 300 },
    );
  });

  it('diffs texts: applying the diff reproduces the new text, and the empty text has no lines', () => {
    fc.assert(
      fc.property(text, text, (before, after) => {
        expect(applyDiff(diffTexts(before, after))).toBe(after);
      }),
      { seed: DEFAULT_FUZZ_SEED, numRuns: 300 },
    );
    expect(textLines('')).toEqual([]);
    expect(diffTexts('', 'a')).toEqual([{ op: 'add', text: 'a' }]);
  });

  it('bounds a hostile input (two large unrelated texts) to remove-all/add-all, still a correct diff', () => {
    const side = Math.floor(Math.sqrt(MAX_DIFF_CELLS)) + 1;
    const before = Array.from({ length: side }, (_, i) => `old ${i}`);
    // Every line shared but in reverse order: an LCS table would be needed to find the one kept line.
    const after = [...before].reverse();
    const diff = diffLines(before, after);
    expect(diff).toHaveLength(2 * side);
    expect(diff.slice(0, side).every((l) => l.op === 'del')).toBe(true);
    expect(diff.slice(side).every((l) => l.op === 'add')).toBe(true);
    expect(applyDiff(diff)).toBe(after.join('\n'));
    // Just under the bound the real LCS is computed: a reversed list keeps exactly one line.
    const small = before.slice(0, side - 2);
    expect(diffLines(small, [...small].reverse()).filter((l) => l.op === 'same')).toHaveLength(1);
  });
});
