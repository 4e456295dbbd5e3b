import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import { fillText, wrapText, type WrapOptions } from './wrap.js';

type PythonOptions = Partial<{
  width: number;
  initial_indent: string;
  subsequent_indent: string;
  expand_tabs: boolean;
  tabsize: number;
  replace_whitespace: boolean;
  drop_whitespace: boolean;
  break_long_words: boolean;
  break_on_hyphens: boolean;
}>;

function fromPython(o: PythonOptions): WrapOptions {
  return {
    width: o.width,
    initialIndent: o.initial_indent,
    subsequentIndent: o.subsequent_indent,
    expandTabs: o.expand_tabs,
    tabSize: o.tabsize,
    replaceWhitespace: o.replace_whitespace,
    dropWhitespace: o.drop_whitespace,
    breakLongWords: o.break_long_words,
    breakOnHyphens: o.break_on_hyphens,
  };
}

// Produced once by `python3 src/text/wrap.reference.py` (CPython 3.11.7 textwrap.fill); each row is
// [text, TextWrapper keyword arguments, expected output]. Regenerate with that script, do not hand-edit.
const WRAP_CASES: [string, PythonOptions, string][] = [
  ["Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud.", {}, "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do\neiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad\nminim veniam, quis nostrud."],
  ["This fix was included in the kilo-1 development milestone and will be included in future 2014.2.2 (juno) and 2014.1.4 (icehouse) releases.", {"width": 70, "subsequent_indent": "  "}, "This fix was included in the kilo-1 development milestone and will be\n  included in future 2014.2.2 (juno) and 2014.1.4 (icehouse) releases."],
  ["The OpenStack VMT recommends revoking all credentials stored in files accessible by Glance as a precautionary measure.", {"width": 70, "subsequent_indent": "  "}, "The OpenStack VMT recommends revoking all credentials stored in files\n  accessible by Glance as a precautionary measure."],
  ["Look, goof-ball -- use the -b option!", {"width": 10}, "Look,\ngoof-ball\n-- use the\n-b option!"],
  ["Look, goof-ball -- use the -b option!", {"width": 10, "break_on_hyphens": false}, "Look,\ngoof-ball\n-- use the\n-b option!"],
  ["well--known and a---b and --option and x--", {"width": 8}, "well--\nknown\nand a---\nb and\n--option\nand x--"],
  ["CVE-2014-1234 fixed on 2014-01-01 in nova-api and ab-cd x-1 a-b-c", {"width": 9}, "CVE-2014-\n1234\nfixed on \n2014-01-\n01 in\nnova-api\nand ab-cd\nx-1 a-b-c"],
  ["super-cali-fragilistic-expialidocious", {"width": 12}, "super-cali-\nfragilistic-\nexpialidocio\nus"],
  ["super-cali-fragilistic-expialidocious", {"width": 12, "break_on_hyphens": false}, "super-cali-f\nragilistic-e\nxpialidociou\ns"],
  ["---------- hyphens only ----------", {"width": 6}, "------\n---- h\nyphens\nonly -\n------\n---"],
  ["See https://review.opendev.org/c/openstack/nova/+/123456789/abcdefghijklmnopqrstuvwxyz/0123456789 for details.", {"width": 40}, "See https://review.opendev.org/c/opensta\nck/nova/+/123456789/abcdefghijklmnopqrst\nuvwxyz/0123456789 for details."],
  ["See https://review.opendev.org/c/openstack/nova/+/123456789/abcdefghijklmnopqrstuvwxyz/0123456789 for details.", {"width": 40, "break_long_words": false}, "See\nhttps://review.opendev.org/c/openstack/nova/+/123456789/abcdefghijklmnopqrstuvwxyz/0123456789\nfor details."],
  ["See https://review.opendev.org/c/openstack/nova/+/123456789/abcdefghijklmnopqrstuvwxyz/0123456789 for details.", {"width": 40, "subsequent_indent": "  "}, "See https://review.opendev.org/c/opensta\n  ck/nova/+/123456789/abcdefghijklmnopqr\n  stuvwxyz/0123456789 for details."],
  ["   leading  and   inner   spaces   and trailing   ", {"width": 12}, "   leading\nand   inner\nspaces   and\ntrailing"],
  ["   leading  and   inner   spaces   and trailing   ", {"width": 12, "drop_whitespace": false}, "   leading  \nand   inner\n   spaces   \nand trailing\n   "],
  ["tabs\tin\tthe\ttext\tand a\ttab", {"width": 20}, "tabs    in      the\ntext    and a   tab"],
  ["tabs\tin\tthe\ttext", {"width": 20, "tabsize": 4}, "tabs    in  the text"],
  ["col\nreset\tafter newline\r\nand CRLF\u000bvertical\fform feed", {"width": 15}, "col reset\nafter newline\nand CRLF\nvertical form\nfeed"],
  ["tabs\tkept", {"width": 20, "expand_tabs": false}, "tabs kept"],
  ["lines\nkept", {"width": 20, "replace_whitespace": false}, "lines\nkept"],
  ["", {}, ""],
  ["     ", {}, ""],
  ["one", {"width": 1}, "o\nn\ne"],
  ["na\u00efve caf\u00e9 \u2014 r\u00e9sum\u00e9 \u00fcn\u00efc\u00f6d\u00e9-w\u00f6rds \u00fcber-stra\u00dfe", {"width": 14}, "na\u00efve caf\u00e9 \u2014\nr\u00e9sum\u00e9\n\u00fcn\u00efc\u00f6d\u00e9-w\u00f6rds\n\u00fcber-stra\u00dfe"],
  ["\u00fcn\u00efc\u00f6d\u00e9-w\u00f6rds \u00fcn\u00efc\u00f6d\u00e9-w\u00f6rds", {"width": 10}, "\u00fcn\u00efc\u00f6d\u00e9-\nw\u00f6rds\n\u00fcn\u00efc\u00f6d\u00e9-\nw\u00f6rds"],
  ["x_y-z_w 1-2-3 a1-b2 \u00bd-\u00bd\u00bd", {"width": 5}, "x_y-\nz_w\n1-2-3\na1-b2\n\u00bd-\u00bd\u00bd"],
  ["emoji \ud83d\ude00\ud83d\ude00\ud83d\ude00\ud83d\ude00 astral \ud835\udc9c\ud835\udc9c-\ud835\udc9c\ud835\udc9c end", {"width": 7}, "emoji\n\ud83d\ude00\ud83d\ude00\ud83d\ude00\ud83d\ude00\nastral\n\ud835\udc9c\ud835\udc9c-\ud835\udc9c\ud835\udc9c\nend"],
  ["non\u00a0breaking\u00a0space and \u00a0 alone", {"width": 10}, "non\u00a0breaki\nng\u00a0space\nand \u00a0\nalone"],
  ["indent wider than the width itself", {"width": 5, "subsequent_indent": "      "}, "inden\n      t\n      w\n      i\n      d\n      e\n      r\n      t\n      h\n      a\n      n\n      t\n      h\n      e\n      w\n      i\n      d\n      t\n      h\n      i\n      t\n      s\n      e\n      l\n      f"],
  ["first line gets its own indent here", {"width": 16, "initial_indent": "* ", "subsequent_indent": "  "}, "* first line\n  gets its own\n  indent here"],
  ["xxxxxxxxxxxxxxxxxxxxxxxxx", {"width": 10, "initial_indent": "> ", "subsequent_indent": ">> "}, "> xxxxxxxx\n>> xxxxxxx\n>> xxxxxxx\n>> xxx"],
  ["<script>alert('x')</script> O'Brien; DROP TABLE notes;--", {"width": 20}, "<script>alert('x')</\nscript> O'Brien;\nDROP TABLE notes;--"],
  ["end with hyphen- and -start and mid-dle", {"width": 11}, "end with\nhyphen- and\n-start and\nmid-dle"],
  ["Hello there -- you goof-ball, use the -b option!", {"width": 15}, "Hello there --\nyou goof-ball,\nuse the -b\noption!"],
];

describe('fillText matches Python textwrap.fill', () => {
  it.each(WRAP_CASES)('%j with %j', (text, options, expected) => {
    expect(fillText(text, fromPython(options))).toBe(expected);
  });
});

describe('wrapText', () => {
  it('returns the lines that fillText joins', () => {
    expect(wrapText('aaa bbb ccc', { width: 7 })).toEqual(['aaa bbb', 'ccc']);
    expect(wrapText('', {})).toEqual([]);
  });

  it('refuses a width that Python refuses, with a field error', () => {
    for (const width of [0, -3, 2.5]) {
      expect(() => wrapText('text', { width })).toThrow(AppError);
    }
  });

  it('wraps a megabyte of text without breaking a line limit', () => {
    const text = 'word '.repeat(200_000);
    const lines = wrapText(text, { width: 70, subsequentIndent: '  ' });
    expect(lines.every((line) => line.length <= 70)).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ').trim()).toBe(text.trim());
  });
});
