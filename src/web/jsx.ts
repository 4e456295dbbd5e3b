// A tiny server-side JSX runtime. Every string child and attribute is HTML-escaped unless it is wrapped
// in `raw()` (used only for sanitised Markdown output), so templates are safe by default.
// Templates reach it through the automatic runtime (web/jsx-runtime.ts).

/**
 * Markup that is safe to send. An element keeps its parts (strings and child elements) and joins them once,
 * when the whole page is read: joining at every level copied each subtree's text once per ancestor
 * (issue 17: 12% of the VMT queue's time).
 */
export class SafeHtml {
  #text: string | undefined;
  #parts: (string | SafeHtml)[] | undefined;

  constructor(html: string | (string | SafeHtml)[]) {
    if (typeof html === 'string') this.#text = html;
    else this.#parts = html;
  }

  get html(): string {
    if (this.#text === undefined) {
      const out: string[] = [];
      SafeHtml.#flatten(this, out);
      this.#text = out.join('');
      this.#parts = undefined;
    }
    return this.#text;
  }

  toString(): string {
    return this.html;
  }

  static #flatten(node: SafeHtml, out: string[]): void {
    if (node.#text !== undefined) out.push(node.#text);
    else for (const part of node.#parts!) if (typeof part === 'string') out.push(part);
    else SafeHtml.#flatten(part, out);
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

function renderChildren(children: Child, out: (string | SafeHtml)[]): void {
  if (children === null || children === undefined || children === false || children === true) return;
  if (Array.isArray(children)) {
    for (const c of children) renderChildren(c, out);
  } else if (children instanceof SafeHtml) {
    out.push(children);
  } else {
    out.push(escapeHtml(String(children)));
  }
}

// Attribute names already checked (templates use a few dozen; the check ran for every attribute of every element).
const CHECKED_NAMES = new Set<string>();

function renderAttrs(props: Props): string {
  let s = '';
  for (const key in props) {
    const value = props[key];
    if (key === 'children' || value === undefined || value === null || value === false) continue;
    const name = key === 'className' ? 'class' : key === 'htmlFor' ? 'for' : key;
    if (!CHECKED_NAMES.has(name)) {
      if (/^on/i.test(key) || key === 'style') throw new Error(`inline ${key} is not allowed (strict CSP)`);
      if (!ATTR_NAME.test(name)) throw new Error(`bad attribute name ${name}`);
      if (CHECKED_NAMES.size < 1_000) CHECKED_NAMES.add(name);
    }
    if (value !== true && typeof value !== 'string' && typeof value !== 'number') throw new Error(`attribute ${name} must be a string, number or boolean`);
    s += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  return s;
}

export function h(tag: string | Component<never>, props: Props | null, ...children: Child[]): SafeHtml {
  // The automatic runtime passes children inside props (a fresh object); direct callers may still pass them as arguments.
  const allProps: Props = children.length ? { ...(props ?? {}), children: children.length === 1 ? children[0] : children } : (props ?? {});
  if (typeof tag === 'function') return (tag as Component)(allProps);
  const open = `<${tag}${renderAttrs(allProps)}>`;
  if (VOID.has(tag)) return new SafeHtml(open);
  const out: (string | SafeHtml)[] = [open];
  renderChildren(allProps.children, out);
  out.push(`</${tag}>`);
  return new SafeHtml(out);
}

export function Fragment(props: { children?: Child }): SafeHtml {
  const out: (string | SafeHtml)[] = [];
  renderChildren(props.children, out);
  return new SafeHtml(out);
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
