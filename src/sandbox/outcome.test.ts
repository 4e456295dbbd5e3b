// From what a run left behind to the contract's outcome: the driver's status lines (reachable by the run, so read
// defensively), the limit behind a failed step, and the UTF-8 safe cut of the log.
import { describe, expect, it } from 'vitest';
import { decide, limitBehindFailure, parseStatus, utf8Prefix } from './outcome.js';
import { quickLimits, request } from './testing/trees.js';

const req = { ...request('/tmp', '/tmp', 'true'), steps: [{ name: 'setup' as const, command: 'a' }, { name: 'test' as const, command: 'b' }] };

describe('the run outcome', () => {
  it('reads the status lines and ignores anything else written there', () => {
    const status = parseStatus('start setup\nend setup 0\ngarbage\nend test 1 2 3\nstart test\nend test 1\nfree test 4096\nfree setup 9\n');
    expect(status).toEqual({ started: ['setup', 'test'], ended: [{ name: 'setup', code: 0, freeBytes: null }, { name: 'test', code: 1, freeBytes: 4096 }], copyFailed: false });
  });

  it('passes only when every step ended with 0 and the run exited 0', () => {
    const both = parseStatus('start setup\nend setup 0\nstart test\nend test 0\n');
    expect(decide(req, both, null, 0, '').outcome).toBe('passed');
    expect(decide(req, both, null, 1, '').outcome).toBe('errored');
    expect(decide(req, parseStatus('start setup\nend setup 0\n'), null, 0, '').outcome).toBe('errored');
    expect(decide(req, both, 'time', null, '')).toMatchObject({ outcome: 'timed_out', limitHit: 'time' });
    expect(decide(req, both, 'output', null, '')).toMatchObject({ outcome: 'errored', limitHit: 'output' });
  });

  it('fails a step that exits non-zero, and errors one that ran into a limit', () => {
    const failed = parseStatus('start setup\nend setup 0\nstart test\nend test 1\nfree test 999999999\n');
    expect(decide(req, failed, null, 1, '==> test: b\nFAILED\n')).toMatchObject({ outcome: 'failed', step: 'test', exitCode: 1, limitHit: null });
    expect(decide(req, failed, null, 1, '==> test: b\nsh: 1: Cannot fork\n')).toMatchObject({ outcome: 'errored', limitHit: 'processes' });
    // Only the failing step's own output counts: a setup that printed "MemoryError" and passed does not.
    expect(decide(req, failed, null, 1, '==> setup: a\nMemoryError\n==> test: b\nFAILED\n').limitHit).toBeNull();
  });

  it('names the limit behind a failure from its signal, a full tmpfs, or the runtime\'s message', () => {
    const end = (code: number, freeBytes: number | null = null) => ({ name: 'test' as const, code, freeBytes });
    expect(limitBehindFailure(end(152), '', quickLimits.diskBytes)).toBe('cpu');
    expect(limitBehindFailure(end(153), '', quickLimits.diskBytes)).toBe('disk');
    expect(limitBehindFailure(end(1, 0), '', quickLimits.diskBytes)).toBe('disk');
    expect(limitBehindFailure(end(1, quickLimits.diskBytes), 'bash: fork: retry: Resource temporarily unavailable', quickLimits.diskBytes)).toBe('processes');
    expect(limitBehindFailure(end(1), 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', quickLimits.diskBytes)).toBe('memory');
    expect(limitBehindFailure(end(1), 'AssertionError: 1 != 2', quickLimits.diskBytes)).toBeNull();
  });

  it('cuts the log on a UTF-8 boundary', () => {
    const text = Buffer.from('ok é € 😀');
    for (let n = 0; n <= text.length; n++) {
      const cut = utf8Prefix(text.subarray(0, n));
      expect(cut.toString('utf8')).not.toContain('\uFFFD');
      expect(text.subarray(0, n).length - cut.length).toBeLessThan(4);
    }
    expect(utf8Prefix(text).length).toBe(text.length);
  });
});
