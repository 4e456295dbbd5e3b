// The YAML dialect settings shared by load and export, and the one custom scalar style we need.
import type { DocumentOptions, ParseOptions, ScalarTag, SchemaOptions } from 'yaml';

/**
 * A str that must be written double-quoted with every awkward character escaped. eemeli/yaml
 * leaves U+0085/U+2028/U+2029 and C1 controls raw inside double quotes, but PyYAML reads the
 * first three as line breaks (folding them away) and refuses the C1 controls outright.
 */
export class EscapedText {
  constructor(readonly text: string) {}
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\0': '\\0', '\x07': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\x0b': '\\v', '\f': '\\f', '\r': '\\r',
  '\x1b': '\\e', '"': '\\"', '\\': '\\\\', '\x85': '\\N', '\u2028': '\\L', '\u2029': '\\P',
};

// PyYAML Reader's printable set: \t \n \r, 0x20–0x7E, 0x85, 0xA0–0xD7FF, 0xE000–0xFFFD, astral.
const PRINTABLE = /[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** A one-line YAML double-quoted scalar (YAML 1.1 §5.7 escapes) PyYAML reads back exactly. */
export function doubleQuoteEscaped(text: string): string {
  let out = '"';
  for (const ch of text) {
    const simple = SIMPLE_ESCAPES[ch];
    if (simple) out += simple;
    else if (ch !== '\ufeff' && PRINTABLE.test(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0) ?? 0;
      out += cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

const escapedTextTag: ScalarTag = {
  tag: 'tag:cordon.invalid,2026:escaped-str',
  default: true,
  identify: (value) => value instanceof EscapedText,
  resolve: (value) => value,
  stringify: (item) => doubleQuoteEscaped((item.value as EscapedText).text),
};

/** Options for every parse and new document, so load and export agree on the YAML dialect. */
export const PYYAML_PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  schema: 'failsafe',
  uniqueKeys: false,
  customTags: [escapedTextTag],
};
