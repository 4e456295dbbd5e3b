// `yaml.safe_load` (PyYAML 6, YAML 1.1) in TypeScript: eemeli/yaml parses (version 1.1, failsafe
// schema so no typing happens there), then we build Python values the way PyYAML's composer and
// SafeConstructor do: implicit typing of plain scalars, `<<` merge keys, `!!set`/`!!omap`/`!!pairs`,
// duplicate keys (last wins), and errors where PyYAML raises.
import {
  Alias,
  Document,
  LineCounter,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Node as YamlNode,
} from 'yaml';
import { errors } from '../../errors/catalogue.js';
import { PyBytes, PyDate, PyDateTime, PyPairs, PySet, pyEquals, type PyDict, type PyValue } from './py-value.js';
import { PYYAML_PARSE_OPTIONS } from './pyyaml-options.js';
import { ScalarConstructionError, YAML_TAG, constructScalar, resolvePlainScalar } from './pyyaml-scalars.js';


export interface LoadedYaml {
  /** The Python value `yaml.safe_load` returns (null for an empty stream). */
  value: PyValue;
  /** The parsed document (null for an empty stream), kept so an export can reuse unchanged nodes. */
  document: Document.Parsed | null;
}

class ConstructionError extends Error {
  constructor(
    message: string,
    readonly offset: number | undefined,
  ) {
    super(message);
  }
}

function nodeOffset(node: YamlNode | null | undefined): number | undefined {
  return node?.range?.[0];
}

/** Tag a scalar ends up with: explicit tag, or PyYAML implicit resolution for plain (and `!`) scalars. */
export function scalarTag(node: Scalar): string {
  const tag = node.tag;
  const text = typeof node.value === 'string' ? node.value : '';
  // PyYAML parser: implicit typing applies to plain scalars without a tag, and to any scalar tagged `!`.
  if (tag === '!' || (tag === undefined && (node.type === undefined || node.type === Scalar.PLAIN))) {
    return resolvePlainScalar(text);
  }
  return tag ?? YAML_TAG.str;
}

function isUnhashable(v: PyValue): boolean {
  return Array.isArray(v) || v instanceof Map || v instanceof PySet || v instanceof PyPairs;
}

function numericKey(v: PyValue): number | bigint | null {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  return null;
}

function findEqualKey(dict: PyDict, key: PyValue): PyValue | undefined {
  if (dict.has(key)) return key;
  const n = numericKey(key);
  for (const k of dict.keys()) {
    if (n !== null ? numericKey(k) === n : typeof key === 'object' && key !== null && pyEquals(k, key)) return k;
  }
  return undefined;
}

// An OSSA file holds a few hundred values; PyYAML would build any number, but we also copy the
// value into JSON (pyToJson) and merge keys copy pairs, so following aliases must stay bounded:
// a "billion laughs" document (nine aliases to nine aliases …) took the importer out of memory
// (found by fuzzing). Depth is bounded for the same reason (each level is a stack frame here).
// reader.py: NON_PRINTABLE = '[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]'
// eslint-disable-next-line no-control-regex -- the control characters are what is refused
const NON_PRINTABLE_STREAM = /[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

export const MAX_EXPANDED_VALUES = 100_000;
export const MAX_NESTING_DEPTH = 100;

/** Refuses documents whose aliases expand past MAX_EXPANDED_VALUES, nest too deep, or contain themselves. */
function checkExpansion(doc: Document.Parsed, root: YamlNode | null | undefined): void {
  const sizes = new Map<YamlNode, number>();
  const active = new Set<YamlNode>();
  const size = (node: YamlNode | null | undefined, depth: number): number => {
    if (node === null || node === undefined) return 1;
    if (depth > MAX_NESTING_DEPTH) throw new ConstructionError(`values nested more than ${MAX_NESTING_DEPTH} levels deep`, nodeOffset(node));
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return target ? size(target, depth) : 1;
    }
    const known = sizes.get(node);
    if (known !== undefined) return known;
    // PyYAML builds recursive values; an advisory has no use for them and they cannot be stored as JSON.
    if (active.has(node)) throw new ConstructionError('recursive alias: a value contains itself', nodeOffset(node));
    active.add(node);
    let n = 1;
    if (isMap(node)) for (const pair of node.items as Array<Pair<YamlNode, YamlNode>>) n += size(pair.key, depth + 1) + size(pair.value, depth + 1);
    else if (isSeq(node)) for (const item of node.items as YamlNode[]) n += size(item, depth + 1);
    active.delete(node);
    if (n > MAX_EXPANDED_VALUES) throw new ConstructionError(`aliases expand to more than ${MAX_EXPANDED_VALUES} values`, nodeOffset(node));
    sizes.set(node, n);
    return n;
  };
  size(root, 0);
}

class Constructor {
  private readonly built = new Map<YamlNode, PyValue>();

  constructor(private readonly doc: Document.Parsed) {}

  construct(node: YamlNode | null | undefined): PyValue {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.construct(this.resolveAlias(node));
    const done = this.built.get(node);
    if (done !== undefined) return done;
    if (isScalar(node)) return this.scalar(node);
    if (isMap(node)) return this.mapping(node);
    if (isSeq(node)) return this.sequence(node);
    throw new ConstructionError('unsupported node', nodeOffset(node));
  }

  private resolveAlias(node: Alias): YamlNode {
    const target = node.resolve(this.doc);
    if (!target) throw new ConstructionError(`found undefined alias '${node.source}'`, nodeOffset(node));
    return target;
  }

  private scalar(node: Scalar): PyValue {
    // The failsafe schema leaves every scalar a string (null for an empty node).
    const text = typeof node.value === 'string' ? node.value : '';
    try {
      const value = constructScalar(scalarTag(node), text);
      this.built.set(node, value);
      return value;
    } catch (e) {
      if (e instanceof ScalarConstructionError) throw new ConstructionError(e.message, nodeOffset(node));
      throw e;
    }
  }

  private sequence(node: YAMLSeq): PyValue {
    const tag = node.tag ?? YAML_TAG.seq;
    if (tag === YAML_TAG.omap || tag === YAML_TAG.pairs) {
      const pairs: Array<[PyValue, PyValue]> = [];
      const result = new PyPairs(tag === YAML_TAG.omap ? 'omap' : 'pairs', pairs);
      this.built.set(node, result);
      for (const item of node.items as YamlNode[]) {
        const m = isAlias(item) ? this.resolveAlias(item) : item;
        if (!isMap(m) || m.items.length !== 1) {
          throw new ConstructionError(`expected a single mapping item in !!${result.kind}`, nodeOffset(item));
        }
        const pair = m.items[0] as Pair<YamlNode, YamlNode>;
        pairs.push([this.construct(pair.key), this.construct(pair.value)]);
      }
      return result;
    }
    if (tag !== YAML_TAG.seq) {
      throw new ConstructionError(`could not determine a constructor for the tag '${tag}'`, nodeOffset(node));
    }
    const list: PyValue[] = [];
    this.built.set(node, list);
    for (const item of node.items as YamlNode[]) list.push(this.construct(item));
    return list;
  }

  /** PyYAML SafeConstructor.flatten_mapping: merged pairs first (later sources first), own pairs after. */
  private flatten(node: YAMLMap, seen = new Set<YAMLMap>()): Array<Pair<YamlNode, YamlNode>> {
    if (seen.has(node)) throw new ConstructionError('recursive merge', nodeOffset(node));
    seen.add(node);
    const merged: Array<Pair<YamlNode, YamlNode>> = [];
    const own: Array<Pair<YamlNode, YamlNode>> = [];
    for (const pair of node.items as Array<Pair<YamlNode, YamlNode>>) {
      const key = pair.key;
      const isMerge = isScalar(key) && scalarTag(key) === YAML_TAG.merge;
      if (!isMerge) {
        own.push(pair);
        continue;
      }
      const value = isAlias(pair.value) ? this.resolveAlias(pair.value) : pair.value;
      if (isMap(value)) merged.push(...this.flatten(value, seen));
      else if (isSeq(value)) {
        const subs: Array<Array<Pair<YamlNode, YamlNode>>> = [];
        for (const sub of value.items as YamlNode[]) {
          const m = isAlias(sub) ? this.resolveAlias(sub) : sub;
          if (!isMap(m)) throw new ConstructionError('expected a mapping for merging', nodeOffset(sub));
          subs.push(this.flatten(m, seen));
        }
        for (const s of subs.reverse()) merged.push(...s);
      } else {
        throw new ConstructionError('expected a mapping or list of mappings for merging', nodeOffset(value));
      }
    }
    seen.delete(node);
    return [...merged, ...own];
  }

  private mapping(node: YAMLMap): PyValue {
    const tag = node.tag ?? YAML_TAG.map;
    if (tag !== YAML_TAG.map && tag !== YAML_TAG.set) {
      throw new ConstructionError(`could not determine a constructor for the tag '${tag}'`, nodeOffset(node));
    }
    const dict: PyDict = new Map();
    const set = tag === YAML_TAG.set ? new PySet([]) : null;
    this.built.set(node, set ?? dict);
    for (const pair of this.flatten(node)) {
      // A `=` key is the YAML 1.1 value key; PyYAML turns it into the string '='.
      const keyNode = pair.key;
      let key: PyValue;
      if (isScalar(keyNode) && scalarTag(keyNode) === YAML_TAG.value) key = '=';
      else key = this.construct(keyNode);
      if (isUnhashable(key)) throw new ConstructionError('found unhashable key', nodeOffset(keyNode));
      const value = set ? null : this.construct(pair.value);
      // Python dicts keep the first position of a duplicate key and the last value; keys that
      // compare equal in Python (True == 1 == 1.0, equal dates) are the same key.
      dict.set(findEqualKey(dict, key) ?? key, value);
    }
    if (set) {
      set.members.push(...dict.keys());
      return set;
    }
    return dict;
  }
}

function positionText(counter: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return '';
  const { line, col } = counter.linePos(offset);
  return ` at line ${line}, column ${col}`;
}

/**
 * Loads YAML as PyYAML's `safe_load` would. Throws a validation AppError (field `yaml`) naming
 * `sourceName` and the position when the text is not YAML or PyYAML would refuse it.
 */
export function loadPyYaml(text: string, sourceName: string): LoadedYaml {
  const lineCounter = new LineCounter();
  const fail = (message: string, offset: number | undefined): never => {
    const full = `${sourceName}: not valid YAML${positionText(lineCounter, offset)}: ${message}`;
    throw errors.validation([{ field: 'yaml', message: full }], full);
  };
  // PyYAML's Reader refuses the whole stream when it holds a character outside its printable set
  // (reader.py check_printable): control characters, lone surrogates, U+FFFE/U+FFFF. Found by fuzzing:
  // a lone surrogate was accepted, and the stored copy of the file then differed from the file.
  const bad = NON_PRINTABLE_STREAM.exec(text);
  if (bad) {
    const cp = bad[0].codePointAt(0) ?? 0;
    lineCounter.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0 && i < bad.index; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
    fail(`unacceptable character #x${cp.toString(16).padStart(4, '0')}: special characters are not allowed`, bad.index);
  }
  const docs = parseAllDocuments(text, { ...PYYAML_PARSE_OPTIONS, lineCounter });
  if (!Array.isArray(docs) || docs.length === 0) return { value: null, document: null };
  if (docs.length > 1) fail('expected a single document in the stream, found more', docs[1]?.range[0]);
  const doc = docs[0] as Document.Parsed;
  const first = doc.errors[0];
  if (first) fail(first.message.split('\n')[0] ?? first.message, first.pos[0]);
  try {
    checkExpansion(doc, doc.contents);
    return { value: new Constructor(doc).construct(doc.contents), document: doc };
  } catch (e) {
    if (e instanceof ConstructionError) return fail(e.message, e.offset);
    throw e;
  }
}

/** JSON-safe copy of a Python value, for storage (`AdvisoryRecord.raw`). */
export function pyToJson(v: PyValue): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof PyDate || v instanceof PyDateTime) return v.toString();
  if (v instanceof PyBytes) return Buffer.from(v.bytes).toString('base64');
  if (v instanceof PySet) return v.members.map(pyToJson);
  if (v instanceof PyPairs) return v.pairs.map(([k, x]) => [pyToJson(k), pyToJson(x)]);
  if (Array.isArray(v)) return v.map(pyToJson);
  const out: Record<string, unknown> = {};
  for (const [k, x] of v) out[typeof k === 'string' ? k : String(pyToJson(k))] = pyToJson(x);
  return out;
}
