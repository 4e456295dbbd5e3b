// Test support only (never imported by product code): the 183 real OpenStack advisories of
// test-fixtures/ossa loaded through the OSSA importer, and the official schema validators.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { emptyAdvisoryRecord, type AdvisoryRecord, type VersionRange } from '../record.js';
import { importOssaYaml } from '../formats/ossa-yaml.js';
import { fixturePath } from '../../testing/fixture-files.js';

let cached: AdvisoryRecord[] | undefined;

/** Every corpus advisory, in file-name order. */
export function corpusAdvisories(): AdvisoryRecord[] {
  if (!cached) {
    const dir = fixturePath('ossa');
    cached = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => importOssaYaml(readFileSync(path.join(dir, f), 'utf8'), f).record);
  }
  return cached;
}

export function corpusAdvisory(id: string): AdvisoryRecord {
  const found = corpusAdvisories().find((r) => r.id === id);
  if (!found) throw new Error(`no corpus advisory ${id}`);
  return found;
}

// ajv-formats is CommonJS; its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv | Ajv2020) => void;

function readSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(fixturePath('schemas', file), 'utf8')) as Record<string, unknown>;
}

/** The OSV schema (JSON Schema draft 2020-12) with format checks. */
export function osvValidator(): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(readSchema('osv.schema.json'));
}

/** The CVE Record Format 5.1 bundled schema (draft-07) with format checks. */
export function cveValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(readSchema('cve-record-5.bundled.schema.json'));
}

/** Validator errors as short lines, for readable test failures. */
export function schemaErrors(validate: ValidateFunction, doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/**
 * A hand-written advisory with what the corpus lacks: CVSS 3.1 and 4.0 vectors, a product-qualified
 * version text, an exclusive lower bound, a CVE placeholder and an erratum.
 */
export function handWrittenAdvisory(): AdvisoryRecord {
  const record = emptyAdvisoryRecord('OSSA-2030-007');
  return {
    ...record,
    date: '2030-03-04',
    dateText: '2030-03-04',
    title: 'Token leak in example service',
    description: 'Jane Doe reported a vulnerability in Examplesvc. By sending a crafted request an authenticated user may read other users\' tokens.',
    affectedProducts: [
      {
        product: 'Examplesvc',
        versions: {
          text: '<20.2.1, >=21.0.0 <21.2.1, ==22.0.0',
          allVersions: false,
          unparsed: [],
          ranges: [
            range('<20.2.1', null, '20.2.1', null),
            range('>=21.0.0 <21.2.1', '21.0.0', '21.2.1', null),
            range('==22.0.0', '22.0.0', null, '22.0.0'),
          ],
        },
      },
      {
        product: 'python-exampleclient',
        versions: { text: '>1.0.0', allVersions: false, unparsed: [], ranges: [{ ...range('>1.0.0', '1.0.0', null, null), introducedExclusive: true }] },
      },
    ],
    vulnerabilities: [
      {
        cveId: 'CVE-2030-1234',
        note: null,
        idAnnotation: null,
        impactAssessments: [
          { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, source: 'Example VMT', rating: null },
          { version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3, source: null, rating: null },
        ],
        classifications: [{ type: 'CWE', detail: 'CWE-200', cweIds: ['CWE-200'], source: null }],
      },
      { cveId: 'Requested', note: 'second issue', idAnnotation: null, impactAssessments: [], classifications: [] },
    ],
    reporters: [
      { name: 'Jane Doe', affiliation: 'Example Corp', reported: ['CVE-2030-1234'] },
      { name: 'Anon', affiliation: 'UNKNOWN', reported: [] },
    ],
    issues: { links: ['https://bugs.example.org/+bug/42 (main report)'], type: 'launchpad' },
    reviews: [
      { branch: 'master', links: ['https://review.example.org/c/1001'] },
      { branch: '2029.2/zebra', links: ['https://review.example.org/c/1002 - errata'] },
    ],
    notes: ['Release 2029.1 is unmaintained.'],
    errata: { text: 'The first patch missed the client.', history: ['2030-03-20 - Errata 1', '2030-03-04 - Original Version'] },
    references: ['https://lists.example.org/archive/2030-March/000123.html'],
  };
}

function range(text: string, introduced: string | null, fixed: string | null, lastAffected: string | null): VersionRange {
  return { text, product: null, constraints: [], introduced, introducedExclusive: false, fixed, lastAffected, fromProse: false };
}
