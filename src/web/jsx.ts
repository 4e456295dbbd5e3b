// A tiny server-side JSX runtime. Every string child and attribute is HTML-escaped unless it is wrapped
// in `raw()` (used only for sanitised Markdown output), so templates are safe by default.
// Templates reach it through the automatic runtime (web/jsx-runtime.ts).

export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type Child = SafeHtml | string | number | boolean | null | undefined | Child[];
type Props = Record<string, unknown> & { children?: Child };
type Component<P = Props> = (props: P) => SafeHtml;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Mark already-safe HTML (sanitised Markdown, our own SVG). Never pass user input here. */
export function raw(html: string): SafeHtml {
  return new SafeHtml(html);
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const ATTR_NAME = /^[a-zA-Z_:][a-zA-Z0-9_.:-]*$/;

function renderChildren(children: Child, out: string[]): void {
  if (children === null || children === undefined || children === false || children === true) return;
  if (Array.isArray(children)) {
    for (const c of children) renderChildren(c, out);
  } else if (children instanceof SafeHtml) {
    out.push(children.html);
  } else {
    out.push(escapeHtml(String(children)));
  }
}

function renderAttrs(props: Props): string {
  let s = '';
  for (const [key, value] of Object.entries(props)) {
    if (key === 'children' || value === undefined || value === null || value === false) continue;
    if (/^on/i.test(key) || key === 'style') throw new Error(`inline ${key} is not allowed (strict CSP)`);
    const name = key === 'className' ? 'class' : key === 'htmlFor' ? 'for' : key;
    if (!ATTR_NAME.test(name)) throw new Error(`bad attribute name ${name}`);
    if (value !== true && typeof value !== 'string' && typeof value !== 'number') throw new Error(`attribute ${name} must be a string, number or boolean`);
    s += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  return s;
}

export function h(tag: string | Component<never>, props: Props | null, ...children: Child[]): SafeHtml {
  const allProps: Props = { ...(props ?? {}) };
  // The automatic runtime passes children inside props; direct callers may still pass them as arguments.
  if (children.length) allProps.children = children.length === 1 ? children[0] : children;
  if (typeof tag === 'function') return (tag as Component)(allProps);
  const out: string[] = [`<${tag}${renderAttrs(allProps)}>`];
  if (VOID.has(tag)) return new SafeHtml(out[0]!);
  renderChildren(allProps.children, out);
  out.push(`</${tag}>`);
  return new SafeHtml(out.join(''));
}

export function Fragment(props: { children?: Child }): SafeHtml {
  const out: string[] = [];
  renderChildren(props.children, out);
  return new SafeHtml(out.join(''));
}

/* eslint-disable @typescript-eslint/no-namespace */
declare global {
  namespace JSX {
    type Element = SafeHtml;
    interface IntrinsicElements {
      [tag: string]: Record<string, unknown>;
    }
    interface ElementChildrenAttribute {
      children: unknown;
    }
  }
}
