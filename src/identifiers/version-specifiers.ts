// The one model of affected-version specifiers (DESIGN.md §2): `<20.2.1, >=21.0.0 <21.2.1, ==22.0.0` —
// comma-separated clauses, each a set of constraints that hold at once. Advisories read each clause into
// OSV events (publication/formats/version-range.ts), notes keep the clauses of `product: ranges` lines
// (notes/formats/affected-services.ts); both build on these types.

/** Comparison operators of the specifier syntax. */
export type VersionOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface VersionConstraint {
  operator: VersionOperator;
  version: string;
}

/** One comma-separated clause as written (trimmed): all its constraints hold at once (`>=21.0.0 <21.2.1`). */
export interface VersionClause {
  text: string;
  constraints: VersionConstraint[];
}

export function isLowerBound(c: VersionConstraint): boolean {
  return c.operator === '>' || c.operator === '>=';
}

export function isUpperBound(c: VersionConstraint): boolean {
  return c.operator === '<' || c.operator === '<=';
}
