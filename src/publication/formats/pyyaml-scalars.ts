// Scalar typing exactly as PyYAML 6 does for `yaml.safe_load` (YAML 1.1 rules, resolver.py and
// constructor.py). eemeli/yaml's own 'yaml-1.1' schema differs on edge cases (it reads `y`/`n`
// as booleans, `1e5` as a float and `09` as an int; PyYAML reads all three as strings), so we
// parse with the failsafe schema and type plain scalars here.
import { PyBytes, PyDate, PyDateTime, type PyValue } from './py-value.js';

export const YAML_TAG = {
  str: 'tag:yaml.org,2002:str',
  int: 'tag:yaml.org,2002:int',
  float: 'tag:yaml.org,2002:float',
  bool: 'tag:yaml.org,2002:bool',
  null: 'tag:yaml.org,2002:null',
  timestamp: 'tag:yaml.org,2002:timestamp',
  binary: 'tag:yaml.org,2002:binary',
  merge: 'tag:yaml.org,2002:merge',
  value: 'tag:yaml.org,2002:value',
  seq: 'tag:yaml.org,2002:seq',
  map: 'tag:yaml.org,2002:map',
  set: 'tag:yaml.org,2002:set',
  omap: 'tag:yaml.org,2002:omap',
  pairs: 'tag:yaml.org,2002:pairs',
} as const;

// PyYAML Resolver implicit resolvers, in registration order (first match wins).
const IMPLICIT_RESOLVERS: Array<[string, RegExp]> = [
  [YAML_TAG.bool, /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/],
  [
    YAML_TAG.float,
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  ],
  [
    YAML_TAG.int,
    /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  ],
  [YAML_TAG.merge, /^(?:<<)$/],
  [YAML_TAG.null, /^(?:~|null|Null|NULL|)$/],
  [
    YAML_TAG.timestamp,
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  ],
  [YAML_TAG.value, /^(?:=)$/],
];

// PyYAML keys its resolvers by first character; a regex only applies to values starting with one.
const FIRST_CHARS: Record<string, string> = {
  [YAML_TAG.bool]: 'yYnNtTfFoO',
  [YAML_TAG.float]: '-+0123456789.',
  [YAML_TAG.int]: '-+0123456789',
  [YAML_TAG.merge]: '<',
  [YAML_TAG.null]: '~nN',
  [YAML_TAG.timestamp]: '0123456789',
  [YAML_TAG.value]: '=',
};

/** The tag PyYAML gives a plain (unquoted, untagged) scalar. */
export function resolvePlainScalar(value: string): string {
  for (const [tag, re] of IMPLICIT_RESOLVERS) {
    const first = value === '' ? null : value.charAt(0);
    const applies = first === null ? tag === YAML_TAG.null : (FIRST_CHARS[tag] ?? '').includes(first);
    if (applies && re.test(value)) return tag;
  }
  return YAML_TAG.str;
}

/** A scalar value PyYAML cannot construct; the loader turns it into a positioned error. */
export class ScalarConstructionError extends Error {}

function constructInt(text: string): bigint {
  let value = text.replaceAll('_', '');
  let sign = 1n;
  if (value.startsWith('-')) sign = -1n;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  const parse = (digits: string, base: number, re: RegExp): bigint => {
    if (!re.test(digits)) throw new ScalarConstructionError(`invalid literal for int() with base ${base}: '${digits}'`);
    return [...digits].reduce((acc, d) => acc * BigInt(base) + BigInt(parseInt(d, base)), 0n);
  };
  if (value === '0') return 0n;
  if (value.startsWith('0b')) return sign * parse(value.slice(2), 2, /^[01]+$/);
  if (value.startsWith('0x')) return sign * parse(value.slice(2), 16, /^[0-9a-fA-F]+$/);
  if (value.startsWith('0')) return sign * parse(value, 8, /^[0-7]+$/);
  if (value.includes(':')) {
    // Sexagesimal (base 60), YAML 1.1: 190:20:30 == 685230.
    const digits = value.split(':').map((part) => parse(part, 10, /^[0-9]+$/));
    return sign * digits.reduce((acc, d) => acc * 60n + d, 0n);
  }
  return sign * parse(value, 10, /^[0-9]+$/);
}

// What Python's float() accepts once PyYAML has removed '_' and lower-cased.
const PY_FLOAT_TEXT = /^(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?|inf(?:inity)?|nan)$/;

function constructFloat(text: string): number {
  let value = text.replaceAll('_', '').toLowerCase();
  let sign = 1;
  if (value.startsWith('-')) sign = -1;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  if (value === '.inf') return sign * Infinity;
  if (value === '.nan') return NaN;
  const toFloat = (part: string): number => {
    if (!PY_FLOAT_TEXT.test(part)) throw new ScalarConstructionError(`could not convert string to float: '${part}'`);
    return part.startsWith('inf') ? Infinity : part === 'nan' ? NaN : Number(part);
  };
  if (value.includes(':')) {
    return sign * value.split(':').map(toFloat).reduce((acc, d) => acc * 60 + d, 0);
  }
  return sign * toFloat(value);
}

const TIMESTAMP =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function constructTimestamp(text: string): PyDate | PyDateTime {
  const m = TIMESTAMP.exec(text);
  if (!m) throw new ScalarConstructionError(`'${text}' is not a timestamp`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // datetime.date() range checks: year 1..9999, month 1..12, day valid for the month.
  if (year < 1) throw new ScalarConstructionError(`year ${year} is out of range`);
  if (month < 1 || month > 12) throw new ScalarConstructionError('month must be in 1..12');
  if (day < 1 || day > daysInMonth(year, month)) throw new ScalarConstructionError('day is out of range for month');
  const date = new PyDate(year, month, day);
  if (m[4] === undefined) return date;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hour > 23) throw new ScalarConstructionError('hour must be in 0..23');
  if (minute > 59) throw new ScalarConstructionError('minute must be in 0..59');
  if (second > 59) throw new ScalarConstructionError('second must be in 0..59');
  const microsecond = m[7] ? Number(m[7].slice(0, 6).padEnd(6, '0')) : 0;
  let offset: number | null = null;
  if (m[9]) {
    offset = Number(m[10]) * 60 + Number(m[11] ?? 0);
    if (offset >= 24 * 60) throw new ScalarConstructionError('offset must be strictly between -24h and 24h');
    if (m[9] === '-') offset = -offset;
  } else if (m[8]) {
    offset = 0;
  }
  return new PyDateTime(date, hour, minute, second, microsecond, offset);
}

const BOOL_VALUES: Record<string, boolean> = { yes: true, no: false, true: true, false: false, on: true, off: false };

/** Builds the Python value for a scalar with the given (resolved or explicit) tag. */
export function constructScalar(tag: string, value: string): PyValue {
  switch (tag) {
    case YAML_TAG.str:
      return value;
    case YAML_TAG.null:
      return null;
    case YAML_TAG.bool: {
      const b = BOOL_VALUES[value.toLowerCase()];
      if (b === undefined) throw new ScalarConstructionError(`'${value}' is not a boolean`);
      return b;
    }
    case YAML_TAG.int:
      return constructInt(value);
    case YAML_TAG.float:
      return constructFloat(value);
    case YAML_TAG.timestamp:
      return constructTimestamp(value);
    case YAML_TAG.binary:
      return new PyBytes(new Uint8Array(Buffer.from(value.replace(/\s+/g, ''), 'base64')));
    default:
      // PyYAML's SafeConstructor has no constructor for other tags (including the `=` value tag).
      throw new ScalarConstructionError(`could not determine a constructor for the tag '${tag}'`);
  }
}
