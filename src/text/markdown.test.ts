import { describe, expect, it } from 'vitest';
import { renderMarkdown, sanitizeRenderedHtml } from './markdown.js';

const ALLOWED: Record<string, readonly string[]> = {
  p: [], br: [], hr: [], em: [], strong: [], s: [], del: [], code: ['class'], pre: [], blockquote: [],
  ul: [], ol: ['start'], li: [], h3: [], h4: [], h5: [], h6: [], a: ['href', 'rel'],
  table: [], thead: [], tbody: [], tr: [], th: [], td: [],
};

/**
 * Checks the whole output against the allow-list: every `<` opens an allowed tag with allowed
 * attributes only, every href is http(s)/mailto, every link carries the fixed rel. Anything else
 * (a script, an event handler, an image, a style) fails here, however it was smuggled in.
 */
function expectOnlyAllowedMarkup(html: string): void {
  const tagRe = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+="[^"<>]*")*)\s*(\/?)>/g;
  const leftover = html.replace(tagRe, (_tag, _close: string, name: string, attrs: string) => {
    const allowed = ALLOWED[name];
    expect(allowed, `tag <${name}> in ${html}`).toBeDefined();
    const pairs = [...attrs.matchAll(/([a-zA-Z-]+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? ''] as const);
    for (const [attr, value] of pairs) {
      expect(allowed, `attribute ${attr} on <${name}> in ${html}`).toContain(attr);
      if (attr === 'href') expect(value).toMatch(/^(https?:\/\/|mailto:)/);
      if (attr === 'class') expect(value).toMatch(/^language-[\w-]+$/);
    }
    if (name === 'a' && !_close) {
      expect(Object.fromEntries(pairs)).toMatchObject({ rel: 'nofollow noopener noreferrer' });
    }
    return '';
  });
  // Whatever is left is text: it may mention "script" but can hold no markup.
  expect(leftover, html).not.toMatch(/[<>]/);
}

describe('renderMarkdown: ordinary Markdown', () => {
  it.each([
    ['Hello *world* and **bold** with `a < b`', '<p>Hello <em>world</em> and <strong>bold</strong> with <code>a &lt; b</code></p>\n'],
    ['# Top\n\n## Second\n\n#### Fourth', '<h3>Top</h3>\n<h3>Second</h3>\n<h4>Fourth</h4>\n'],
    ['- one\n- two\n\n3. three\n4. four', '<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'],
    ['> quoted\n\n---', '<blockquote>\n<p>quoted</p>\n</blockquote>\n<hr />\n'],
    ['```python\nprint("<b>")\n```', '<pre><code class="language-python">print("&lt;b&gt;")\n</code></pre>\n'],
    ['~~gone~~ line  \nbreak', '<p><s>gone</s> line<br />\nbreak</p>\n'],
    [
      '| a | b |\n|:--|--:|\n| 1 | 2 |',
      '<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n',
    ],
    [
      '[docs](https://docs.example/a?b=1&c=2 "Title")',
      '<p><a href="https://docs.example/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">docs</a></p>\n',
    ],
    [
      'See https://bugs.example/1234 and mailto:vmt@example.com.',
      '<p>See <a href="https://bugs.example/1234" rel="nofollow noopener noreferrer">https://bugs.example/1234</a> and ' +
        '<a href="mailto:vmt@example.com" rel="nofollow noopener noreferrer">mailto:vmt@example.com</a>.</p>\n',
    ],
    // Issue 15: file names, bare hosts and git addresses stay text; only explicit http(s):// and mailto: link.
    ['Run the attached poc.py against app.example.org', '<p>Run the attached poc.py against app.example.org</p>\n'],
    ['See www.example.org, vmt@example.com and git@github.com:org/repo.git', '<p>See www.example.org, vmt@example.com and git@github.com:org/repo.git</p>\n'],
    ['exploit.sh, setup.py and README.md', '<p>exploit.sh, setup.py and README.md</p>\n'],
    ['[relative](/admin/users) then [ok](https://ok.example/)', '<p>relative then <a href="https://ok.example/" rel="nofollow noopener noreferrer">ok</a></p>\n'],
  ])('%j', (source, expected) => {
    const html = renderMarkdown(source);
    expect(html).toBe(expected);
    expectOnlyAllowedMarkup(html);
  });
});

// Payloads in Markdown form and in raw-HTML form; entity- and case-encoded variants; SVG/MathML.
const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<IMG SRC="x" ONERROR="alert(1)">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">click</a>',
  '<iframe src="https://evil.example/"></iframe>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<p onclick="alert(1)">x</p>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](&#106;avascript:alert(1))',
  '[click](&#x6A;&#x61;vascript:alert(1))',
  '[click](java&#x09;script:alert(1))',
  '[click](javascript&colon;alert(1))',
  '[click](%6Aavascript:alert(1))',
  '[click](<javascript:alert(1)>)',
  '[click](vbscript:msgbox(1))',
  '[click](file:///etc/passwd)',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![img](https://evil.example/pixel.png)',
  '![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '![x" onerror="alert(1)](https://evil.example/x.png)',
  '[x](https://ok.example/" onmouseover="alert(1))',
  '<https://ok.example/"onmouseover="alert(1)>',
  '[ref][1]\n\n[1]: javascript:alert(1)',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#60;img src=x onerror=alert(1)&#62;',
  '`<script>alert(1)</script>`',
  '```\n</code></pre><script>alert(1)</script>\n```',
  '> <script>alert(1)</script>\n> [x](javascript:alert(1))',
  '| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |\n|---|---|\n| a | b |',
];

describe('renderMarkdown: XSS payloads', () => {
  it.each(PAYLOADS)('%j leaves no live markup', (payload) => {
    const html = renderMarkdown(payload);
    expectOnlyAllowedMarkup(html);
    expect(html).not.toMatch(/<(script|img|svg|iframe|style|math|div)\b/i);
    expect(html).not.toMatch(/<a\b[^>]*href="(?!https?:\/\/|mailto:)/);
  });

  it('shows raw HTML as text instead of dropping what the author typed', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
    expect(renderMarkdown('[click](javascript:alert(1))')).toBe('<p>[click](javascript:alert(1))</p>\n');
  });

  it('drops a title attribute and keeps only the safe href', () => {
    expect(renderMarkdown('[x](https://ok.example/ "a\\" onmouseover=\\"alert(1)")')).toBe(
      '<p><a href="https://ok.example/" rel="nofollow noopener noreferrer">x</a></p>\n',
    );
  });
});

describe('sanitizeRenderedHtml: the allow-list alone, on raw HTML', () => {
  it.each([
    ['<a href="javascript:alert(1)">x</a>', 'x'],
    ['<a href="jav&#x09;ascript:alert(1)">x</a>', 'x'],
    ['<a href=" javascript:alert(1)">x</a>', 'x'],
    ['<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>', 'x'],
    ['<a href="//evil.example/">x</a>', 'x'],
    ['<a href="/relative">x</a>', 'x'],
    ['<a href="https://ok.example/" target="_blank" rel="opener" onclick="alert(1)">x</a>', '<a href="https://ok.example/" rel="nofollow noopener noreferrer">x</a>'],
    ['<img src=x onerror=alert(1)>', ''],
    ['<p style="color:red" onclick="alert(1)" class="x">t</p>', '<p>t</p>'],
    ['<script>alert(1)</script>after', 'after'],
    ['<style>p{}</style><p>t</p>', '<p>t</p>'],
    ['<svg><a xlink:href="javascript:alert(1)">x</a></svg>', 'x'],
    ['<h1>Big</h1><h2>Less</h2><h6>Small</h6>', '<h3>Big</h3><h3>Less</h3><h6>Small</h6>'],
    ['<code class="language-js evil">x</code>', '<code class="language-js">x</code>'],
    ['<a href="mailto:vmt@example.com">mail</a>', '<a href="mailto:vmt@example.com" rel="nofollow noopener noreferrer">mail</a>'],
  ])('%j → %j', (input, expected) => {
    const html = sanitizeRenderedHtml(input);
    expect(html).toBe(expected);
    expectOnlyAllowedMarkup(html);
  });
});

describe('the allow-list checker used above', () => {
  it.each([
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)">x</p>',
    '<a href="javascript:alert(1)" rel="nofollow noopener noreferrer">x</a>',
    '<a href="https://ok.example/">no rel</a>',
    '<p>x</p><script>',
    '<p>text with a stray < bracket</p>',
  ])('rejects %j', (html) => {
    expect(() => expectOnlyAllowedMarkup(html)).toThrow();
  });
});
