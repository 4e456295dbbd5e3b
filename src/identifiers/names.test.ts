import { describe, expect, it } from 'vitest';
import { checkProjectSlug, checkUsername } from './names.js';

describe('checkProjectSlug', () => {
  it.each([
    ['nova', 'nova'],
    ['Python-NovaClient', 'python-novaclient'],
    ['  os-brick ', 'os-brick'],
    ['k8s', 'k8s'],
    ['a'.repeat(63), 'a'.repeat(63)],
  ])('accepts %j as %s', (input, expected) => {
    expect(checkProjectSlug(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['n', 'at least 2 characters'],
    ['-nova', 'not a project slug'],
    ['nova_compute', 'not a project slug'],
    ['nova compute', 'not a project slug'],
    ['nova/../etc', 'not a project slug'],
    ['nøva', 'not a project slug'],
    ["nova'; DROP TABLE projects;--", 'not a project slug'],
    ['nova<script>', 'not a project slug'],
    ['a'.repeat(64), 'too long'],
    ['', 'is required'],
  ])('refuses %j (%s)', (input, message) => {
    const result = checkProjectSlug(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it('refuses a megabyte of input without running the pattern on it', () => {
    expect(checkProjectSlug('a'.repeat(1_000_000))).toEqual({ ok: false, message: 'The project slug is too long (at most 63 characters).' });
  });

  it('quotes the input in the message, shortened and on one line', () => {
    expect(checkProjectSlug('bad slug\nwith newline')).toEqual({
      ok: false,
      message:
        '"bad slug with newline" is not a project slug; use lower-case letters, digits and hyphens, starting with a letter or digit, e.g. nova or python-novaclient.',
    });
  });
});

describe('checkUsername', () => {
  it.each([
    ['jdoe', 'jdoe'],
    ['J.Doe', 'j.doe'],
    ['jane_doe-2', 'jane_doe-2'],
    ['ab', 'ab'],
    ['a'.repeat(32), 'a'.repeat(32)],
  ])('accepts %j as %s', (input, expected) => {
    expect(checkUsername(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['a', 'at least 2 characters'],
    ['.jdoe', 'not a valid username'],
    ['jdoe.', 'not a valid username'],
    ['j..doe', 'not a valid username'],
    ['j doe', 'not a valid username'],
    ['jdoe@example.org', 'not a valid username'],
    ['jdöe', 'not a valid username'],
    ["o'brien", 'not a valid username'],
    ['<img/src=x>', 'not a valid username'],
    ['Admin', 'reserved'],
    ['system', 'reserved'],
    ['a'.repeat(33), 'too long'],
    [42, 'must be text'],
  ])('refuses %j (%s)', (input, message) => {
    const result = checkUsername(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});
