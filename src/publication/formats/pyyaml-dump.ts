// Python values → YAML nodes that PyYAML's safe_load reads back to the same values (YAML 1.1).
// Scalar styles are chosen here, not by eemeli/yaml's schema: a str that PyYAML would read as
// another type when plain (`2014.1`, `yes`, `2011-12-13`, `~`) is quoted; ints, floats, dates and
// booleans are written plain in the spellings PyYAML's resolver recognises.
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, visit, type Node as YamlNode } from 'yaml';
import { PyBytes, PyDate, PyDateTime, PyPairs, PySet, pyFloatRepr, type PyValue } from './py-value.js';
import { YAML_TAG, resolvePlainScalar } from './pyyaml-scalars.js';
import { EscapedText, PYYAML_PARSE_OPTIONS } from './pyyaml-options.js';

/** Float spelling PyYAML's float resolver accepts (it needs a `.` and a signed exponent). */
export function yamlFloatText(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Infinity) return '.inf';
  if (x === -Infinity) return '-.inf';
  const repr = pyFloatRepr(x);
  return repr.includes('.') ? repr : repr.replace('e', '.0e');
}

function plain(text: string): Scalar {
  const s = new Scalar(text);
  s.type = Scalar.PLAIN;
  return s;
}

// Characters PyYAML cannot read back from eemeli/yaml's output unescaped: tab and CR (plain and
// block scalars), C0/C1 controls, U+0085/U+2028/U+2029 (line breaks in YAML 1.1), lone surrogates,
// BOM and non-characters.
// eslint-disable-next-line no-control-regex -- the control characters are exactly what must be escaped
const NEEDS_ESCAPES = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|\p{Cs}/u;

function stringNode(s: string): Scalar {
  if (NEEDS_ESCAPES.test(s)) return new Scalar(new EscapedText(s));
  const node = new Scalar(s);
  if (resolvePlainScalar(s) !== YAML_TAG.str) node.type = Scalar.QUOTE_SINGLE;
  // Otherwise eemeli/yaml picks plain, quoted or block style by syntax alone, which is safe
  // because no implicit type applies.
  return node;
}

/** Builds a YAML node for a Python value. */
export function pyToYamlNode(v: PyValue): YamlNode {
  if (v === null) return plain('null');
  if (v === true) return plain('true');
  if (v === false) return plain('false');
  if (typeof v === 'bigint') return plain(v.toString());
  if (typeof v === 'number') return plain(yamlFloatText(v));
  if (typeof v === 'string') return stringNode(v);
  if (v instanceof PyDate || v instanceof PyDateTime) return plain(v.toString());
  if (v instanceof PyBytes) {
    const node = plain(Buffer.from(v.bytes).toString('base64'));
    node.tag = YAML_TAG.binary;
    return node;
  }
  if (v instanceof PySet) {
    const map = new YAMLMap();
    map.tag = YAML_TAG.set;
    for (const m of v.members) map.items.push(new Pair(pyToYamlNode(m), null));
    return map;
  }
  if (v instanceof PyPairs) {
    const seq = new YAMLSeq();
    seq.tag = v.kind === 'omap' ? YAML_TAG.omap : YAML_TAG.pairs;
    for (const [k, x] of v.pairs) {
      const item = new YAMLMap();
      item.items.push(new Pair(pyToYamlNode(k), pyToYamlNode(x)));
      seq.items.push(item);
    }
    return seq;
  }
  if (Array.isArray(v)) {
    const seq = new YAMLSeq();
    for (const item of v) seq.items.push(pyToYamlNode(item));
    return seq;
  }
  const map = new YAMLMap();
  for (const [k, x] of v) map.items.push(new Pair(pyToYamlNode(k), pyToYamlNode(x)));
  return map;
}

/**
 * Re-stringifying a parsed document would write escaped characters of double-quoted scalars raw
 * (see EscapedText); switch such scalars to the escaping style first.
 */
export function protectAwkwardScalars(doc: Document): void {
  visit(doc, {
    Scalar: (_key, node) => {
      if (typeof node.value === 'string' && NEEDS_ESCAPES.test(node.value)) {
        if (node.tag === YAML_TAG.str) node.tag = undefined;
        node.value = new EscapedText(node.value);
      }
    },
  });
}

/** Stringify options used for every export (block style, as the OSSA files are written). */
export const PYYAML_STRINGIFY_OPTIONS = { indentSeq: true, lineWidth: 80, directives: false } as const;

/**
 * A new YAML document holding `v`; top-level mapping keys are separated by a blank line, the
 * layout of the OpenStack OSSA files.
 */
export function dumpPyYaml(v: PyValue): string {
  const doc = new Document(null, PYYAML_PARSE_OPTIONS);
  const node = pyToYamlNode(v);
  if (node instanceof YAMLMap) {
    node.items.forEach((pair, i) => {
      if (i > 0 && pair.key instanceof Scalar) pair.key.spaceBefore = true;
    });
  }
  doc.contents = node;
  return doc.toString(PYYAML_STRINGIFY_OPTIONS);
}
