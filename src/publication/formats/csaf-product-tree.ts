// The CSAF 2.0 product tree of an advisory (CSAF 2.0 §3.1.2 branches): vendor → product_name →
// one `product_version_range` per affected clause and one `product_version` per fixed release.
// Ranges use the `vers` syntax (purl-spec VERS), as §3.1.2.3 recommends for product_version_range;
// plain product_version names never hold range words (mandatory test 6.1.31).
import type { VersionRange } from '../record.js';
import type { ProductVersions } from './advisory-facts.js';
import { packageFacts } from './packages.js';
import type { PublicationSettings } from './settings.js';

export interface CsafFullProductName {
  name: string;
  product_id: string;
}

export interface CsafBranch {
  category: 'vendor' | 'product_name' | 'product_version' | 'product_version_range';
  name: string;
  branches?: CsafBranch[];
  product?: CsafFullProductName;
}

export interface CsafProductRefs {
  /** Product ids of the affected ranges (product_status.known_affected). */
  affected: string[];
  /** Product ids of the fixed releases (product_status.fixed). */
  fixed: string[];
  /** Upgrade advice: the affected range id and the release that fixes it. */
  upgrades: { affectedId: string; product: string; fixedVersion: string }[];
}

export interface CsafProductTree {
  tree: { branches: CsafBranch[] };
  refs: CsafProductRefs;
}

/** `vers:<type>/<constraints>` for a parsed clause, e.g. `vers:pypi/>=21.0.0|<21.2.1`. */
export function versRange(range: VersionRange, versType: string): string {
  const parts: string[] = [];
  if (range.introduced !== null && range.introduced === range.lastAffected && range.fixed === null) {
    parts.push(range.introduced);
  } else {
    if (range.introduced !== null) parts.push(`${range.introducedExclusive ? '>' : '>='}${range.introduced}`);
    if (range.fixed !== null) parts.push(`<${range.fixed}`);
    else if (range.lastAffected !== null) parts.push(`<=${range.lastAffected}`);
  }
  return `vers:${versType}/${parts.length ? parts.join('|') : '*'}`;
}

/** Product ids are stable within a document: `<package>:affected:<n>` and `<package>:fixed:<version>`. */
export function buildProductTree(products: ProductVersions[], settings: PublicationSettings): CsafProductTree {
  const refs: CsafProductRefs = { affected: [], fixed: [], upgrades: [] };
  const byVendor = new Map<string, CsafBranch[]>();
  for (const entry of products) {
    const facts = packageFacts(settings, entry);
    // vers types are purl types (OpenStack's PyPI packages are `pypi`); without a package, `generic`.
    const versType = facts.versType;
    const versions: CsafBranch[] = [];
    const fullName = (suffix: string): string => [facts.vendor, entry.product, suffix].filter(Boolean).join(' ');
    let n = 0;
    const affected = (name: string): string => {
      const id = `${entry.packageName}:affected:${++n}`;
      versions.push({ category: 'product_version_range', name, product: { product_id: id, name: fullName(name) } });
      refs.affected.push(id);
      return id;
    };
    const fixedIds = new Map<string, string>();
    for (const range of entry.ranges) {
      const id = affected(versRange(range, versType));
      if (range.fixed !== null) {
        refs.upgrades.push({ affectedId: id, product: entry.product, fixedVersion: range.fixed });
        if (!fixedIds.has(range.fixed)) fixedIds.set(range.fixed, `${entry.packageName}:fixed:${range.fixed}`);
      }
    }
    if (entry.allVersions) affected(`vers:${versType}/*`);
    // Prose the importer could not read ("Essex", "Folsom series") stays as written.
    for (const text of entry.unparsed) affected(text);
    if (n === 0) affected(entry.versionText.trim() || 'unspecified versions');
    for (const [version, id] of fixedIds) {
      versions.push({ category: 'product_version', name: version, product: { product_id: id, name: fullName(version) } });
      refs.fixed.push(id);
    }
    const list = byVendor.get(facts.vendor) ?? [];
    list.push({ category: 'product_name', name: entry.product, branches: versions });
    byVendor.set(facts.vendor, list);
  }
  // A vendor branch only where a vendor was entered; other products sit at the top of the tree.
  const branches = [...byVendor].flatMap(([vendor, list]): CsafBranch[] => (vendor ? [{ category: 'vendor', name: vendor, branches: list }] : list));
  return { tree: { branches }, refs };
}
