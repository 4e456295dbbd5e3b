// The automatic JSX runtime (tsconfig "jsx": "react-jsx", "jsxImportSource": "cordon"): the compiler
// imports `jsx`, `jsxs` and `Fragment` from `cordon/jsx-runtime` (package.json "exports") in every .tsx
// file by itself, so templates import nothing for their markup. Escaping stays in web/jsx.ts.
import { Fragment, h, type Child } from './jsx.js';

type Props = Record<string, unknown> & { children?: Child };

/** Called for an element with zero or one child; `props.children` already holds it. */
export function jsx(tag: Parameters<typeof h>[0], props: Props): ReturnType<typeof h> {
  return h(tag, props);
}

/** Called for an element with several static children; the same thing, the array is already in props. */
export const jsxs = jsx;

export { Fragment };
