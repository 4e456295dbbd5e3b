// Values as PyYAML's safe_load builds them, and how Python prints them. The OpenStack tooling
// loads advisories with PyYAML and renders them with jinja2, so reproducing its output means
// keeping Python's types (int vs float, date, None) and Python's str()/repr() rules.
//
// Representation: str → string, bool → boolean, None → null, int → bigint (Python ints are
// unbounded), float → number, list → array, dict → Map (insertion order, any hashable key),
// plus small classes for date, datetime, bytes, set and omap/pairs.

export class PyDate {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {}
  /** Python `str(date)`: ISO `YYYY-MM-DD`. */
  toString(): string {
    return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`;
  }
}

export class PyDateTime {
  constructor(
    readonly date: PyDate,
    readonly hour: number,
    readonly minute: number,
    readonly second: number,
    readonly microsecond: number,
    /** Offset from UTC in minutes; null for a naive datetime. */
    readonly utcOffsetMinutes: number | null,
  ) {}
  /** Python `str(datetime)`: `YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]`. */
  toString(): string {
    let s = `${this.date.toString()} ${pad(this.hour, 2)}:${pad(this.minute, 2)}:${pad(this.second, 2)}`;
    if (this.microsecond) s += `.${pad(this.microsecond, 6)}`;
    if (this.utcOffsetMinutes !== null) {
      const sign = this.utcOffsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(this.utcOffsetMinutes);
      s += `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
    }
    return s;
  }
}

export class PyBytes {
  constructor(readonly bytes: Uint8Array) {}
}

/** `!!set`: a Python set; members kept in load order (Python's own order is hash order). */
export class PySet {
  constructor(readonly members: PyValue[]) {}
}

/** `!!omap` / `!!pairs`: PyYAML builds a list of 2-tuples. */
export class PyPairs {
  constructor(
    readonly kind: 'omap' | 'pairs',
    readonly pairs: Array<[PyValue, PyValue]>,
  ) {}
}

export type PyDict = Map<PyValue, PyValue>;

export type PyValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | PyDate
  | PyDateTime
  | PyBytes
  | PySet
  | PyPairs
  | PyValue[]
  | PyDict;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function isPyDict(v: PyValue | undefined): v is PyDict {
  return v instanceof Map;
}

export function isPyList(v: PyValue | undefined): v is PyValue[] {
  return Array.isArray(v);
}

/** Python's name for the value's type, for error messages ("expected a list, found str"). */
export function pyTypeName(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'str';
  if (v instanceof PyDate) return 'date';
  if (v instanceof PyDateTime) return 'datetime';
  if (v instanceof PyBytes) return 'bytes';
  if (v instanceof PySet) return 'set';
  if (v instanceof PyPairs) return 'list';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** Python `repr(float)` (CPython 'short' repr: shortest round-trip digits, `.0` on integers). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = '0'] = x.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const exp = Number(expText);
  const decpt = exp + 1;
  let body: string;
  // CPython float_repr_style 'short': exponent form when decpt <= -4 or decpt > 16.
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${exp < 0 ? '-' : '+'}${pad(Math.abs(exp), 2)}`;
  } else if (decpt <= 0) {
    body = `0.${'0'.repeat(-decpt)}${digits}`;
  } else if (decpt >= digits.length) {
    body = `${digits}${'0'.repeat(decpt - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  return negative ? `-${body}` : body;
}

// str.isprintable(): false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs except the ASCII space.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python `repr(str)`. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

function bytesRepr(b: PyBytes): string {
  let out = '';
  for (const byte of b.bytes) {
    if (byte === 0x27 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `b'${out}'`;
}

/** Python `repr(value)`. */
export function pyRepr(v: PyValue): string {
  if (typeof v === 'string') return pyStrRepr(v);
  if (v instanceof PyDate) return `datetime.date(${v.year}, ${v.month}, ${v.day})`;
  if (v instanceof PyDateTime) {
    const parts = [v.date.year, v.date.month, v.date.day, v.hour, v.minute];
    if (v.second || v.microsecond) parts.push(v.second);
    if (v.microsecond) parts.push(v.microsecond);
    const tz = v.utcOffsetMinutes === null ? '' : `, tzinfo=${timezoneRepr(v.utcOffsetMinutes)}`;
    return `datetime.datetime(${parts.join(', ')}${tz})`;
  }
  if (v instanceof PyBytes) return bytesRepr(v);
  if (v instanceof PySet) return v.members.length ? `{${v.members.map(pyRepr).join(', ')}}` : 'set()';
  if (v instanceof PyPairs) return `[${v.pairs.map(([k, x]) => `(${pyRepr(k)}, ${pyRepr(x)})`).join(', ')}]`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return pyStr(v);
}

function timezoneRepr(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'datetime.timezone.utc';
  const seconds = Math.abs(offsetMinutes) * 60;
  const days = offsetMinutes < 0 ? -1 : 0;
  const secs = offsetMinutes < 0 ? 86400 - seconds : seconds;
  return `datetime.timezone(datetime.timedelta(${days ? `days=${days}, ` : ''}seconds=${secs}))`;
}

/** Python `str(value)`: what jinja2 prints for `{{ value }}`. */
export function pyStr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return pyFloatRepr(v);
  if (typeof v === 'string') return v;
  if (v instanceof PyDate || v instanceof PyDateTime) return v.toString();
  return pyRepr(v);
}

/** Python truthiness (`{% if x %}`). */
export function pyTruthy(v: PyValue | undefined): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (v instanceof PySet) return v.members.length > 0;
  if (v instanceof PyPairs) return v.pairs.length > 0;
  if (v instanceof PyBytes) return v.bytes.length > 0;
  return true;
}

/** What a Python `for x in value` visits: characters of a str, keys of a dict, items of a list. */
export function pyIterate(v: PyValue | undefined): PyValue[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return Array.from(v);
  if (Array.isArray(v)) return v;
  if (v instanceof Map) return [...v.keys()];
  if (v instanceof PySet) return v.members;
  if (v instanceof PyPairs) return v.pairs.map(([k, x]) => [k, x]);
  if (v instanceof PyBytes) return [...v.bytes].map((b) => BigInt(b));
  return [];
}

/** Strict structural equality: types matter (int 4 ≠ float 4.0, str '1' ≠ int 1), dict order does not. */
export function pyEquals(a: PyValue | undefined, b: PyValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== typeof b) return false;
  if (typeof a === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof PyDate && b instanceof PyDate) return a.toString() === b.toString();
  if (a instanceof PyDateTime && b instanceof PyDateTime) return pyRepr(a) === pyRepr(b);
  if (a instanceof PyBytes && b instanceof PyBytes)
    return a.bytes.length === b.bytes.length && a.bytes.every((x, i) => x === b.bytes[i]);
  if (a instanceof PySet && b instanceof PySet)
    return a.members.length === b.members.length && a.members.every((m) => b.members.some((n) => pyEquals(m, n)));
  if (a instanceof PyPairs && b instanceof PyPairs)
    return (
      a.kind === b.kind &&
      a.pairs.length === b.pairs.length &&
      a.pairs.every(([k, x], i) => pyEquals(k, b.pairs[i]?.[0]) && pyEquals(x, b.pairs[i]?.[1]))
    );
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, x] of a) {
      const match = [...b.keys()].find((bk) => pyEquals(k, bk));
      if (match === undefined || !pyEquals(x, b.get(match))) return false;
    }
    return true;
  }
  return false;
}

/** Looks up a str key in a dict (the only kind of key the OSSA format uses). */
export function pyGet(d: PyValue | undefined, key: string): PyValue | undefined {
  return d instanceof Map ? d.get(key) : undefined;
}
