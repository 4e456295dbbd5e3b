// Fuzz target (issue 13): Markdown rendering of untrusted text. Invariants: rendering never throws;
// the output only has allow-listed tags and attributes, no <script, no on*= handler, no style
// attribute, and every link is an absolute http(s)/mailto URL (never javascript:, data:, vbscript:).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileText, mutatedText, replayRegressions, runFuzz, type FuzzTarget } from '../testing/fuzz.js';
import { renderMarkdown, sanitizeRenderedHtml } from './markdown.js';

const ALLOWED: Record<string, readonly string[]> = {
  p: [], br: [], hr: [], em: [], strong: [], s: [], del: [], code: ['class'], pre: [], blockquote: [],
  ul: [], ol: ['start'], li: [], h3: [], h4: [], h5: [], h6: [], a: ['href', 'rel'],
  table: [], thead: [], tbody: [], tr: [], th: [], td: [],
};

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16) % 0x110000))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number(dec) % 0x110000))
    .replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** Checks the rendered HTML like a browser would read it: every `<` starts a tag. */
function assertSafeHtml(html: string): void {
  expect(html).not.toMatch(/<\s*script/i);
  expect(html).not.toMatch(/<\s*(style|iframe|object|embed|svg|math|img|form|input|base|meta|link)\b/i);
  // A literal "<" in text is always escaped, so each "<" here opens or closes an allowed tag.
  const tag = /<(\/?)([a-zA-Z0-9]+)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g;
  const stripped = html.replace(tag, (_whole, _close: string, name: string, attrs: string) => {
    const allowed = ALLOWED[name.toLowerCase()];
    expect(allowed, `tag <${name}>`).toBeDefined();
    for (const [, attr, , value] of attrs.matchAll(/\s+([^\s=>/]+)(="([^"]*)")?/g)) {
      const key = (attr ?? '').toLowerCase();
      expect(allowed, `attribute ${key} on <${name}> in ${html}`).toContain(key);
      expect(key.startsWith('on')).toBe(false);
      expect(key).not.toBe('style');
      if (key === 'href') {
        // eslint-disable-next-line no-control-regex -- browsers drop these inside a scheme
        const href = decodeEntities(value ?? '').replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
        expect(href, `href in ${html}`).toMatch(/^(https?:\/\/|mailto:)/i);
      }
      if (key === 'class') expect(value ?? '').toMatch(/^(language-[^\s"]*\s*)*$/);
    }
    return '';
  });
  expect(stripped, `stray "<" in ${html}`).not.toContain('<');
}

const SEEDS = [
  '# Heading\n\nSome *text* with `code` and a [link](https://example.org "title").\n\n- one\n- two\n\n1. first\n2. second\n',
  '```python\nimport os\nos.system("id")\n```\n\n> quoted\n> text\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
  'Visit https://example.org/path?x=1 or mail <mailto:vmt@example.org> and see <https://example.org/a>.\n\n---\n\n~~gone~~ **bold**',
  '[click](javascript:alert(1)) [x](JaVaScRiPt&#58;alert(1)) ![img](https://e/x.png "t") <script>alert(1)</script>\n<a href="javascript:x" onclick="y">z</a>',
  '[ref][1]\n\n[1]: java\tscript:alert(1)\n\n<img src=x onerror=alert(1)>\n<div style="color:red">x</div>',
];

const TOKENS = [
  '[', ']', '(', ')', '<', '>', '!', '`', '```', '*', '_', '~~', '#', '> ', '- ', '1. ', '|', '---', '\n', '\n\n', '    ', '"', "'",
  'javascript:', 'JAVASCRIPT:', 'java\tscript:', 'java&#x09;script:', '&#106;avascript:', 'data:text/html,', 'vbscript:', 'http://', 'https://',
  'mailto:', '//evil.example', 'onerror=', 'onclick="x"', 'style=', '<script>', '</script>', '<svg onload=alert(1)>', '<a href="', '<img src=x ',
  '&lt;', '&amp;', '&#0;', '\u0000', '\u2028', '\\', '[x]: ', 'www.example.org', 'a@b.c', '<https://x/y>', '<mailto:a@b>', '%6a%61vascript:',
];

const tokenText = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })), { maxLength: 60 }).map((t) => t.join(''));

const renderTarget: FuzzTarget<string> = {
  name: 'markdown-render',
  testFile: import.meta.url,
  arbitrary: fc.oneof(tokenText, mutatedText(SEEDS, { fragments: TOKENS }), hostileText),
  runs: 1500,
  check: (text) => {
    assertSafeHtml(renderMarkdown(text));
  },
};

// HTML from imports only goes through the sanitiser, so it gets raw HTML directly.
const sanitizeTarget: FuzzTarget<string> = {
  name: 'markdown-sanitize',
  testFile: import.meta.url,
  arbitrary: fc.oneof(tokenText, mutatedText(SEEDS.map((s) => s.replace(/\n/g, '<br>')), { fragments: TOKENS })),
  runs: 1000,
  check: (html) => {
    assertSafeHtml(sanitizeRenderedHtml(html));
  },
};

describe('fuzz: Markdown rendering', () => {
  for (const target of [renderTarget, sanitizeTarget]) {
    it(`${target.name}: committed regression inputs still pass`, async () => {
      await replayRegressions(target);
    });
    it(`${target.name}: generated inputs keep the invariants`, async () => {
      expect((await runFuzz(target)).runs).toBeGreaterThan(0);
    });
  }
  it('the checker itself refuses what it must refuse', () => {
    for (const bad of ['<script>x</script>', '<a href="javascript:x">y</a>', '<p onclick="x">y</p>', '<p style="x">y</p>', '<img src=x>']) {
      expect(() => assertSafeHtml(bad)).toThrow();
    }
  });
});
