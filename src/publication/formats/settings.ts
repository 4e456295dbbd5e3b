// Instance settings for the machine-readable advisory records (DESIGN.md §2: the prefixes, the vendor
// name in CVE and CSAF records and the publisher are instance settings; the defaults are OpenStack's),
// so any project family can run its own Cordon and publish under its own name.
import { errors, type FieldIssue } from '../../errors/catalogue.js';

export interface PublicationSettings {
  /** Vendor in CVE `affected[].vendor` and the top branch of the CSAF product tree. */
  vendorName: string;
  /** Advisory id prefix (`OSSA` → `OSSA-2026-012`); builders refuse records with another prefix. */
  advisoryIdPrefix: string;
  /** Public site root without a trailing slash; advisory pages live at `${baseUrl}/ossa/<id>.html`. */
  baseUrl: string;
  /** Path of an advisory page under baseUrl; `{id}` is replaced by the advisory id. */
  advisoryPathTemplate: string;
  /** CSAF `document.publisher` (CSAF 2.0 §3.2.1.8). */
  publisher: {
    name: string;
    /** A URL that identifies the publisher (CSAF 2.0 §3.2.1.8.4). */
    namespace: string;
    /** Optional contact line, e.g. a mail address; omitted from CSAF when empty. */
    contactDetails: string;
  };
  /** The CVE Numbering Authority that assigns the CVE ids and provides the CNA container. */
  cna: {
    /** CVE Services organisation UUID (a version 4 UUID, CVE JSON 5 `uuidType`). */
    orgId: string;
    shortName: string;
  };
  osv: {
    /** OSV ecosystem of the packages (see osv.ts for why OpenStack uses PyPI). */
    ecosystem: string;
    /**
     * Prefix put before the advisory id to form the OSV `id`. The OSV schema only accepts ids of
     * registered databases or ids starting `x_`; `OSSA` is not registered, so the default is `x_`.
     * Set it to '' once the prefix is registered with ossf/osv-schema.
     */
    idPrefix: string;
  };
  /** CVE JSON 5 `versions[].versionType`: `python` (PEP 440) for OpenStack's Python projects. */
  cveVersionType: string;
  /** Atom `rights` of the feeds; '' leaves it out (nobody entered one). */
  feedRights: string;
  /**
   * Per-project facts (project publication settings): an affected product named here takes its
   * vendor, ecosystem, package and version type from the project, never from the defaults above.
   */
  products: ProductPublication[];
}

/** What one project entered for its products (all optional: '' means not entered). */
export interface ProductPublication {
  /** Lower-case product names advisories use for this project (slug, name and entered names). */
  names: string[];
  /** Overrides the instance vendor in CVE and CSAF records. */
  vendorName: string;
  /** An OSV ecosystem from OSV_ECOSYSTEMS, or '' for none. */
  ecosystem: string;
  /** Lower-case product name → package name in the ecosystem. */
  packages: Record<string, string>;
  /** purl type; '' means the ecosystem's own. */
  purlType: string;
  cveVersionType: string;
}

export type PublicationSettingsInput = Partial<Omit<PublicationSettings, 'publisher' | 'cna' | 'osv'>> & {
  publisher?: Partial<PublicationSettings['publisher']>;
  cna?: Partial<PublicationSettings['cna']>;
  osv?: Partial<PublicationSettings['osv']>;
};

/**
 * OpenStack's values, the defaults of records imported from OpenStack only (DESIGN.md §3 "Publish only
 * what was entered"). OpenStack is not a CNA: the VMT requests its CVE ids from MITRE, so the CVE
 * records are prepared for MITRE's CNA container (MITRE's CVE Services org id).
 */
export const openStackPublicationSettings: PublicationSettings = {
  vendorName: 'OpenStack',
  advisoryIdPrefix: 'OSSA',
  baseUrl: 'https://security.openstack.org',
  advisoryPathTemplate: '/ossa/{id}.html',
  publisher: {
    name: 'OpenStack Vulnerability Management Team',
    namespace: 'https://security.openstack.org',
    contactDetails: '',
  },
  cna: { orgId: '8254265b-2729-46b6-b9e3-3dfca2d5bfca', shortName: 'mitre' },
  osv: { ecosystem: 'PyPI', idPrefix: 'x_' },
  cveVersionType: 'python',
  feedRights: 'OpenStack Vulnerability Management Team',
  products: [],
};

const UUID_V4 = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-4[0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;
const ID_PREFIX = /^[A-Z][A-Z0-9]*$/;
// CVE JSON 5 shortName: 2–32 characters.
const SHORT_NAME = /^[A-Za-z0-9_-]{2,32}$/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.host !== '';
  } catch {
    return false;
  }
}

/** Merges overrides onto the OpenStack defaults and checks every value; throws a validation error. */
export function resolvePublicationSettings(input: PublicationSettingsInput = {}): PublicationSettings {
  return checked(merge(openStackPublicationSettings, input), true);
}

const NOTHING_ENTERED: PublicationSettings = {
  vendorName: '',
  advisoryIdPrefix: 'OSSA',
  baseUrl: 'http://localhost',
  advisoryPathTemplate: '/advisories/{id}',
  publisher: { name: '', namespace: 'http://localhost', contactDetails: '' },
  cna: { orgId: '', shortName: '' },
  osv: { ecosystem: '', idPrefix: 'x_' },
  cveVersionType: '',
  feedRights: '',
  products: [],
};

/**
 * Settings of a record created in Cordon: only what was entered, with '' where nothing was (vendor,
 * CNA, ecosystem, version type, rights); the builders leave those fields out or refuse the format.
 */
export function enteredPublicationSettings(input: PublicationSettingsInput = {}): PublicationSettings {
  return checked(merge(NOTHING_ENTERED, input), false);
}

function merge(d: PublicationSettings, input: PublicationSettingsInput): PublicationSettings {
  return {
    ...d,
    ...input,
    publisher: { ...d.publisher, ...input.publisher },
    cna: { ...d.cna, ...input.cna },
    osv: { ...d.osv, ...input.osv },
  };
}

/** `required`: the OpenStack path, where every value must be present; else '' means "not entered". */
function checked(settings: PublicationSettings, required: boolean): PublicationSettings {
  const issues: FieldIssue[] = [];
  const add = (field: string, message: string): void => void issues.push({ field, message });
  const optional = (value: string): boolean => !required && value === '';
  if (!settings.vendorName.trim() && required) add('vendorName', 'must not be empty');
  if (!ID_PREFIX.test(settings.advisoryIdPrefix)) add('advisoryIdPrefix', 'must be upper-case letters and digits, starting with a letter (e.g. OSSA)');
  if (!isHttpUrl(settings.baseUrl) || settings.baseUrl.endsWith('/')) add('baseUrl', 'must be an http(s) URL without a trailing slash');
  if (!settings.advisoryPathTemplate.startsWith('/') || !settings.advisoryPathTemplate.includes('{id}')) {
    add('advisoryPathTemplate', 'must start with "/" and contain {id}');
  }
  if (!settings.publisher.name.trim()) add('publisher.name', 'must not be empty');
  if (!isHttpUrl(settings.publisher.namespace)) add('publisher.namespace', 'must be an http(s) URL');
  if (!optional(settings.cna.orgId) && !UUID_V4.test(settings.cna.orgId)) add('cna.orgId', 'must be a version 4 UUID (the CVE Services organisation id)');
  if (!optional(settings.cna.shortName) && !SHORT_NAME.test(settings.cna.shortName)) add('cna.shortName', 'must be 2–32 letters, digits, "_" or "-"');
  if ((settings.cna.orgId === '') !== (settings.cna.shortName === '')) add('cna', 'needs both the organisation id and the short name, or neither');
  if (!settings.osv.ecosystem.trim() && required) add('osv.ecosystem', 'must not be empty');
  if (!/^(x_)?$/.test(settings.osv.idPrefix)) add('osv.idPrefix', 'must be "x_" (unregistered OSV database) or empty (registered prefix)');
  if (!settings.cveVersionType.trim() && required) add('cveVersionType', 'must not be empty');
  if (issues.length) throw errors.validation(issues, `Publication settings need fixing: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}.`);
  return settings;
}

/** Public URL of an advisory page. */
export function advisoryUrl(settings: PublicationSettings, id: string): string {
  return settings.baseUrl + settings.advisoryPathTemplate.replace('{id}', encodeURIComponent(id));
}
