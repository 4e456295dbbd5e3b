// YAML 1.1 as PyYAML 6 reads it. Every expected `repr` below was produced by Python 3.11 +
// PyYAML 6.0.3 (`repr(yaml.safe_load(text))`) on the same input.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/catalogue.js';
import { PyBytes, PyDate, PyDateTime, pyEquals, pyFloatRepr, pyRepr, pyStrRepr, type PyValue } from './py-value.js';
import { dumpPyYaml } from './pyyaml-dump.js';
import { loadPyYaml } from './pyyaml-load.js';

const load = (text: string): PyValue => loadPyYaml(text, 'test.yaml').value;

describe('loadPyYaml: implicit typing of plain scalars (PyYAML resolver)', () => {
  it.each([
    [
      'a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: n\ng: Y\nh: TRUE\ni: tRUE',
      "{'a': True, 'b': False, 'c': True, 'd': False, 'e': 'y', 'f': 'n', 'g': 'Y', 'h': True, 'i': 'tRUE'}",
    ],
    [
      'a: 2014.1\nb: 1e5\nc: 1.0e+5\nd: 1.0e5\ne: .5\nf: 1.\ng: -.inf\nh: .NaN\ni: 1_000.5\nj: ._5',
      "{'a': 2014.1, 'b': '1e5', 'c': 100000.0, 'd': '1.0e5', 'e': 0.5, 'f': 1.0, 'g': -inf, 'h': nan, 'i': 1000.5, 'j': '._5'}",
    ],
    [
      'a: 0777\nb: 09\nc: 0x1F\nd: 0b101\ne: 1_000\nf: +12\ng: -0\nh: 190:20:30\ni: 1:30.5\nj: 0o17',
      "{'a': 511, 'b': '09', 'c': 31, 'd': 5, 'e': 1000, 'f': 12, 'g': 0, 'h': 685230, 'i': 90.5, 'j': '0o17'}",
    ],
    [
      "a: 2011-12-13\nb: 2011-1-3\nc: 2001-12-14t21:59:43.10-05:00\nd: 2001-12-14 21:59:43.1234567\ne: 2001-12-14T21:59:43Z\nf: '2011-12-13'",
      "{'a': datetime.date(2011, 12, 13), 'b': '2011-1-3', 'c': datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=68400))), 'd': datetime.datetime(2001, 12, 14, 21, 59, 43, 123456), 'e': datetime.datetime(2001, 12, 14, 21, 59, 43, tzinfo=datetime.timezone.utc), 'f': '2011-12-13'}",
    ],
    ["a: ~\nb: null\nc:\nd: Null\ne: NULL\nf: nUll\ng: ''", "{'a': None, 'b': None, 'c': None, 'd': None, 'e': None, 'f': 'nUll', 'g': ''}"],
    [
      'a: &x {k: 1}\nb: *x\nc:\n  <<: *x\n  j: 2\nd:\n  <<: [*x, {k: 3, m: 4}]\n  k: 5',
      "{'a': {'k': 1}, 'b': {'k': 1}, 'c': {'k': 1, 'j': 2}, 'd': {'k': 5, 'm': 4}}",
    ],
    [
      'a: !!str 12\nb: !!int "12"\nc: !!float 1\nd: ! 12\ne: !!binary aGVsbG8=\ng: !!omap [{a: 1}, {b: 2}]',
      "{'a': '12', 'b': 12, 'c': 1.0, 'd': 12, 'e': b'hello', 'g': [('a', 1), ('b', 2)]}",
    ],
    ['a: 1\na: 2\nb: [1, 2]', "{'a': 2, 'b': [1, 2]}"],
    ['= : x', "{'=': 'x'}"],
    ['1: one\n2.5: two\n2011-01-01: three\ntrue: four\n~: five', "{1: 'four', 2.5: 'two', datetime.date(2011, 1, 1): 'three', None: 'five'}"],
    [
      'a: 1.0e+16\nb: 12345678901234567.0\nc: 0.0001\nd: 0.00001\ne: 100000000000000000000000',
      "{'a': 1e+16, 'b': 1.2345678901234568e+16, 'c': 0.0001, 'd': 1e-05, 'e': 100000000000000000000000}",
    ],
    [
      'text: |\n  line one\n    indented\n\n  last\nfolded: >\n  a\n  b\n\n  c\nkeep: |+\n  x\n\n\n\n',
      "{'text': 'line one\\n  indented\\n\\nlast\\n', 'folded': 'a b\\nc\\n', 'keep': 'x\\n\\n\\n\\n'}",
    ],
  ])('%j', (text, expected) => {
    expect(pyRepr(load(text))).toBe(expected);
  });

  it('reads the corpus float version and int/float scores with their Python types', () => {
    const v = load('version: 2014.1\nscore: 4\nother: 4.0\n');
    expect(pyRepr(v)).toBe("{'version': 2014.1, 'score': 4, 'other': 4.0}");
  });

  it('returns None for an empty stream', () => {
    expect(load('')).toBeNull();
    expect(load('# only a comment\n')).toBeNull();
  });
});

describe('loadPyYaml: refusals name the source and position', () => {
  it.each([
    ['? [1, 2]\n: x', 'found unhashable key'],
    ['a: !foo bar', "could not determine a constructor for the tag '!foo'"],
    ['a: =', "could not determine a constructor for the tag 'tag:yaml.org,2002:value'"],
    ['a: 2014-02-30', 'day is out of range for month'],
    ['a: [unclosed', 'not valid YAML'],
    ['a: 1\n---\nb: 2', 'expected a single document'],
  ])('%j → %s', (text, fragment) => {
    let err: unknown;
    try {
      load(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const appError = err as AppError;
    expect(appError.code).toBe('validation_failed');
    expect(appError.message).toMatch(/^test\.yaml: not valid YAML( at line \d+, column \d+)?: /);
    expect(appError.message).toContain(fragment);
    expect(appError.fields[0]?.field).toBe('yaml');
  });

  it('gives the line of the offending scalar', () => {
    expect(() => load('a: 1\nb: 2\nc: 2014-13-01\n')).toThrow(/at line 3, column 4/);
  });
});

describe('dumpPyYaml: values PyYAML reads back unchanged', () => {
  const tricky: Array<[string, PyValue]> = [
    ['str-float', '2014.1'],
    ['str-bool', 'yes'],
    ['str-y', 'y'],
    ['str-null', '~'],
    ['str-empty', ''],
    ['str-date', '2011-12-13'],
    ['str-octal', '0777'],
    ['str-merge', '<<'],
    ['str-value', '='],
    ['str-indicators', '- item: #x'],
    ['str-spaces', ' lead and trail '],
    ['str-block', 'line1\n  line2\n\n'],
    ['str-indented-first', '  indented\nfirst'],
    ['str-controls', 'tab\there ctrl\x01 nel\x85 c1\x9f ls\u2028 ps\u2029 bom\ufeff cr\r "q" \\'],
    ['str-long', `${'x'.repeat(100)} ${'y'.repeat(50)}`],
    ['int', 12n],
    ['bigint', 123456789012345678901234567890n],
    ['float-integral', 4.0],
    ['float-exp', 1e16],
    ['float-small', 1e-7],
    ['float-inf', -Infinity],
    ['bool', true],
    ['none', null],
    ['date', new PyDate(2011, 12, 13)],
    ['datetime', new PyDateTime(new PyDate(2001, 2, 3), 4, 5, 6, 7, -330)],
    ['bytes', new PyBytes(new Uint8Array([0, 255, 10]))],
    ['nested', ['a', 1n, [2.5, null], new Map<PyValue, PyValue>([['k', 'v']])]],
  ];

  it('round-trips each tricky value with its Python type', () => {
    const data = new Map<PyValue, PyValue>(tricky);
    data.set(1n, 'int key');
    data.set('1', 'str key');
    data.set(2014.1, 'float key');
    const back = load(dumpPyYaml(data));
    expect(pyEquals(back, data)).toBe(true);
    expect(pyRepr(back)).toBe(pyRepr(data));
  });

  it('quotes strings that would change type when plain, and writes numbers in PyYAML spellings', () => {
    const text = dumpPyYaml(new Map<PyValue, PyValue>([['v', '2014.1'], ['f', 1e16], ['n', Number.NaN], ['d', new PyDate(2020, 1, 2)]]));
    expect(text).toBe("v: '2014.1'\n\nf: 1.0e+16\n\nn: .nan\n\nd: 2020-01-02\n");
  });
});

describe('Python printing', () => {
  it.each([
    [2014.1, '2014.1'],
    [4, '4.0'],
    [1e16, '1e+16'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [-0, '-0.0'],
    [123456789.125, '123456789.125'],
    [Infinity, 'inf'],
  ])('repr(float %d) = %s', (x, expected) => {
    expect(pyFloatRepr(x)).toBe(expected);
  });

  it('repr(str) picks quotes and escapes like Python', () => {
    expect(pyStrRepr("it's")).toBe('"it\'s"');
    expect(pyStrRepr('say "hi" it\'s')).toBe("'say \"hi\" it\\'s'");
    expect(pyStrRepr('a\nb\x01\u2028é')).toBe("'a\\nb\\x01\\u2028é'");
  });
});
