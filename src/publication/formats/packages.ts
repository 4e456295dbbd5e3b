// Which package an affected product is, per format: the OSV ecosystem and package, its purl (purl-spec
// types), the CVE JSON 5 collectionURL/packageName and versionType, and the vendor. Only what was
// entered (DESIGN.md §3 "Publish only what was entered"): a product with no ecosystem gets no package.
import type { ProductVersions } from './advisory-facts.js';
import type { PublicationSettings } from './settings.js';

/**
 * The OSV ecosystems a project may choose (OSV schema `ecosystemName`, the language package registries)
 * with their purl type (purl-spec PURL-TYPES), CVE `collectionURL` and usual CVE `versionType`.
 */
export const OSV_ECOSYSTEMS = {
  PyPI: { purlType: 'pypi', collectionUrl: 'https://pypi.org', versionType: 'python' },
  npm: { purlType: 'npm', collectionUrl: 'https://www.npmjs.com', versionType: 'semver' },
  'crates.io': { purlType: 'cargo', collectionUrl: 'https://crates.io', versionType: 'semver' },
  Go: { purlType: 'golang', collectionUrl: 'https://pkg.go.dev', versionType: 'semver' },
  Maven: { purlType: 'maven', collectionUrl: 'https://repo.maven.apache.org/maven2', versionType: 'maven' },
  NuGet: { purlType: 'nuget', collectionUrl: 'https://www.nuget.org', versionType: 'custom' },
  RubyGems: { purlType: 'gem', collectionUrl: 'https://rubygems.org', versionType: 'custom' },
  Packagist: { purlType: 'composer', collectionUrl: 'https://packagist.org', versionType: 'custom' },
  Hex: { purlType: 'hex', collectionUrl: 'https://hex.pm', versionType: 'semver' },
  Pub: { purlType: 'pub', collectionUrl: 'https://pub.dev', versionType: 'semver' },
} as const satisfies Record<string, { purlType: string; collectionUrl: string; versionType: string }>;
export type OsvEcosystem = keyof typeof OSV_ECOSYSTEMS;

export function isOsvEcosystem(value: string): value is OsvEcosystem {
  return Object.hasOwn(OSV_ECOSYSTEMS, value);
}

/** CVE JSON 5: "custom" is the schema's word for a version scheme nobody specified. */
export const UNSPECIFIED_VERSION_TYPE = 'custom';

export interface PackageFacts {
  /** '' when nobody entered a vendor. */
  vendor: string;
  /** '' when the product has no ecosystem. */
  ecosystem: string;
  /** '' when there is no package (then no purl and no collectionURL either). */
  packageName: string;
  purl: string;
  collectionUrl: string;
  /** vers/purl type for CSAF ranges: the package's, else `generic`. */
  versType: string;
  cveVersionType: string;
}

/** purl-spec: percent-encode each name segment; PyPI names are lower case with `_` as `-`. */
export function purlOf(type: string, name: string): string {
  if (type === 'pypi') return `pkg:pypi/${name.toLowerCase().replace(/_/g, '-')}`;
  // Maven `group:artifact` → namespace/name.
  const path = type === 'maven' ? name.replace(':', '/') : name;
  return `pkg:${type}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

export function packageFacts(settings: PublicationSettings, entry: ProductVersions): PackageFacts {
  const project = settings.products.find((p) => p.names.includes(entry.packageName));
  const vendor = project?.vendorName || settings.vendorName;
  // Without a project entry, the instance defaults decide (OpenStack's: PyPI, the lower-case name).
  const ecosystem = project ? project.ecosystem : settings.osv.ecosystem;
  const packageName = project ? (project.packages[entry.packageName] ?? '') : ecosystem ? entry.packageName : '';
  const known = isOsvEcosystem(ecosystem) ? OSV_ECOSYSTEMS[ecosystem] : null;
  const purlType = (project?.purlType || known?.purlType) ?? '';
  const hasPackage = ecosystem !== '' && packageName !== '';
  return {
    vendor,
    ecosystem: hasPackage ? ecosystem : '',
    packageName: hasPackage ? packageName : '',
    purl: hasPackage && purlType ? purlOf(purlType, packageName) : '',
    collectionUrl: hasPackage && known ? known.collectionUrl : '',
    versType: hasPackage && purlType ? purlType : 'generic',
    cveVersionType: (project ? project.cveVersionType : settings.cveVersionType) || (known?.versionType ?? '') || UNSPECIFIED_VERSION_TYPE,
  };
}
