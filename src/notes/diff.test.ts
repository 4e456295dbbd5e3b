// Revision diffs: line diffs by longest common subsequence, and per-section status between two records.
import { describe, expect, it } from 'vitest';
import { diffLines, diffRecords } from './diff.js';
import { recordOf } from './store.js';

const body = (over: Partial<Parameters<typeof recordOf>[2]> = {}) => ({
  summary: 'one\ntwo\nthree',
  affected: '- nova: <1.0.0',
  discussion: 'text',
  recommendedActions: 'do this',
  credits: null,
  contacts: 'Author: A',
  sectionLayout: [],
  ...over,
});

describe('revision diffs', () => {
  it('diffs lines keeping the common ones', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
      { op: 'same', text: 'a' },
      { op: 'del', text: 'b' },
      { op: 'add', text: 'x' },
      { op: 'same', text: 'c' },
      { op: 'add', text: 'd' },
    ]);
    expect(diffLines([], ['a'])).toEqual([{ op: 'add', text: 'a' }]);
  });

  it('falls back to remove-all/add-all past the size bound instead of quadratic work', () => {
    const big = Array.from({ length: 2100 }, (_, i) => `line ${i}`);
    const out = diffLines(big, [...big].reverse());
    expect(out.filter((l) => l.op === 'del')).toHaveLength(2100);
    expect(out.filter((l) => l.op === 'same')).toHaveLength(0);
  });

  it('says per section what changed, was added or removed, the title included', () => {
    const before = recordOf('OSSN-0001', 'Old title', body());
    const after = recordOf('OSSN-0001', 'New title', body({ summary: 'one\n2\nthree', credits: '- Jane', recommendedActions: null }));
    const diff = diffRecords(before, after);
    expect(diff.map((d) => [d.heading, d.status])).toEqual([
      ['Title', 'changed'],
      ['Summary', 'changed'],
      ['Affected Services / Software', 'unchanged'],
      ['Discussion', 'unchanged'],
      ['Credits', 'added'],
      ['Contacts / References', 'unchanged'],
      ['Recommended Actions', 'removed'],
    ]);
    expect(diff[1]!.lines).toEqual([
      { op: 'same', text: 'one' },
      { op: 'del', text: 'two' },
      { op: 'add', text: '2' },
      { op: 'same', text: 'three' },
    ]);
  });
});
