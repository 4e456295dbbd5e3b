// The advisory revision diff uses the one bounded line diff (issue 16): a hostile pair of huge field
// texts gets remove-all/add-all instead of a quadratic LCS table.
import { describe, expect, it } from 'vitest';
import { MAX_DIFF_CELLS } from '../text/line-diff.js';
import { diffLines } from './diff.js';

describe('advisory field diff', () => {
  it('is bounded on hostile input and still leads to the new text', () => {
    const side = Math.floor(Math.sqrt(MAX_DIFF_CELLS)) + 1;
    const before = Array.from({ length: side }, (_, i) => `line ${i}`);
    const after = [...before].reverse();
    const diff = diffLines(before.join('\n'), after.join('\n'));
    expect(diff.filter((l) => l.op === 'same')).toHaveLength(0);
    expect(diff.filter((l) => l.op === 'del')).toHaveLength(side);
    expect(diff.filter((l) => l.op !== 'del').map((l) => l.text)).toEqual(after);
  });
});
