// The JSX runtime's output: escaping by default, and the joined-once parts (issue 17) giving the same text
// however deep or shared the elements are.
import { describe, expect, it } from 'vitest';
import { Fragment, h, raw, SafeHtml } from './jsx.js';

describe('the JSX runtime', () => {
  it('escapes text and attributes and keeps raw markup', () => {
    const page = h('p', { title: '"<x>"' }, 'a < b & c', raw('<b>ok</b>'), null, false, 3);
    expect(page.html).toBe('<p title="&quot;&lt;x&gt;&quot;">a &lt; b &amp; c<b>ok</b>3</p>');
  });

  it('gives the same text for nested, fragmented and shared elements', () => {
    const shared = h('em', null, 'x');
    const deep = Array.from({ length: 50 }).reduce<SafeHtml>((inner, _, i) => h('div', { 'data-i': i }, inner, shared), h('span', null, 'core'));
    const expected = Array.from({ length: 50 }, (_, i) => `<div data-i="${49 - i}">`).join('') + '<span>core</span>' + '<em>x</em></div>'.repeat(50);
    expect(deep.html).toBe(expected);
    expect(String(deep)).toBe(expected);
    expect(Fragment({ children: [shared, 'y', [shared]] }).html).toBe('<em>x</em>y<em>x</em>');
    expect(h('div', null, deep).html).toBe(`<div>${expected}</div>`);
  });

  it('refuses inline handlers, styles and bad attribute names every time', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => h('a', { onclick: 'x()' })).toThrow(/inline onclick/);
      expect(() => h('a', { style: 'x' })).toThrow(/inline style/);
      expect(() => h('a', { 'bad name': 'x' })).toThrow(/bad attribute name/);
    }
  });
});
