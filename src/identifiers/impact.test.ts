import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import { renderMarkdown } from '../text/markdown.js';
import { formatTitleWithCves, impactDescription, indefiniteArticle, type ImpactFields } from './impact.js';

function fieldErrors(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).fields;
  }
  throw new Error('expected a validation error');
}

describe('formatTitleWithCves', () => {
  it.each([
    ['Unvalidated image data passed to qemu-img', ['CVE-2024-44082'], 'Unvalidated image data passed to qemu-img (CVE-2024-44082)'],
    ['Title', ['cve-2024-1234', 'CVE-2024-5678', 'CVE‑2024‑1234'], 'Title (CVE-2024-1234, CVE-2024-5678)'],
    ['  No CVE yet  ', [], 'No CVE yet'],
    ['Split\r\nSubject: injected', ['CVE-2024-1234'], 'Split Subject: injected (CVE-2024-1234)'],
    ['<b>Bold</b> & "quoted" O\'Brien; DROP TABLE', [], '<b>Bold</b> & "quoted" O\'Brien; DROP TABLE'],
  ])('%j with %j', (title, cves, expected) => {
    expect(formatTitleWithCves(title, cves)).toBe(expected);
  });

  it('names every bad part', () => {
    expect(fieldErrors(() => formatTitleWithCves('', ['CVE-2024-1234', 'Requested', 42]))).toEqual([
      { field: 'title', message: 'The title is required.' },
      { field: 'cves.1', message: expect.stringContaining('"Requested" is not a CVE id') as string },
      { field: 'cves.2', message: 'A CVE id must be text.' },
    ]);
    expect(fieldErrors(() => formatTitleWithCves('x'.repeat(201)))).toEqual([{ field: 'title', message: 'The title is too long (at most 200 characters).' }]);
    expect(fieldErrors(() => formatTitleWithCves('bell\u0007'))).toEqual([{ field: 'title', message: 'The title contains control characters.' }]);
  });
});

const BASE: ImpactFields = {
  reporter: 'Dan Prince from Red Hat',
  project: 'Nova',
  action: 'creating servers with malicious scheduler_hints',
  actor: 'authenticated user',
  impact: 'generate a huge amount of database calls',
  consequence: 'a denial of service of Nova scheduler nodes',
  mode: 'setups exposing the OpenStack API',
};

describe('impactDescription', () => {
  it('builds the DESIGN.md sentence', () => {
    expect(impactDescription(BASE)).toBe(
      'Dan Prince from Red Hat reported a vulnerability in Nova. By creating servers with malicious scheduler_hints ' +
        'an authenticated user may generate a huge amount of database calls resulting in a denial of service of Nova ' +
        'scheduler nodes. Only setups exposing the OpenStack API are affected.',
    );
  });

  it('leaves out the last sentence when no mode is given', () => {
    expect(impactDescription({ ...BASE, mode: '' })).toMatch(/scheduler nodes\.$/);
    expect(impactDescription({ ...BASE, mode: undefined })).not.toContain('Only');
  });

  it.each([
    ['repeated requests', 'By doing repeated requests an'], // noun phrase: "doing" added, as in OSSA-2014-003
    ['GET /v3/OS-FEDERATION/projects', 'By doing GET /v3/OS-FEDERATION/projects an'],
    ['sending an extremely long password', 'By sending an extremely long password an'],
    ['doing nothing special', 'By doing nothing special an'],
    ['string manipulation', 'By doing string manipulation an'],
    ['By uploading a crafted image', 'By uploading a crafted image an'],
  ])('action %j reads %j', (action, expected) => {
    expect(impactDescription({ ...BASE, action })).toContain(expected);
  });

  it.each([
    ['authenticated user', 'an authenticated user may'],
    ['remote attacker', 'a remote attacker may'],
    ['user', 'a user may'],
    ['unprivileged user', 'an unprivileged user may'],
    ['a admin', 'an admin may'],
    ['An user', 'a user may'],
    ['LDAP user', 'an LDAP user may'],
    ['VM owner', 'a VM owner may'],
    ['hour-long session holder', 'an hour-long session holder may'],
    ['one-time token holder', 'a one-time token holder may'],
    ['any authenticated user', 'any authenticated user may'],
    ['the project administrator', 'the project administrator may'],
  ])('actor %j reads %j', (actor, expected) => {
    expect(impactDescription({ ...BASE, actor })).toContain(expected);
  });

  it('does not double the sentence words or punctuation', () => {
    const text = impactDescription({
      ...BASE,
      project: 'Nova.',
      impact: 'may exhaust memory',
      consequence: 'resulting in a denial of service...',
      mode: 'Only setups using the libvirt driver are affected.',
    });
    expect(text).toBe(
      'Dan Prince from Red Hat reported a vulnerability in Nova. By creating servers with malicious scheduler_hints an ' +
        'authenticated user may exhaust memory resulting in a denial of service. Only setups using the libvirt driver are affected.',
    );
  });

  it('makes multi-line parts one line and keeps metacharacters verbatim for the renderer to escape', () => {
    const text = impactDescription({
      ...BASE,
      reporter: "Robert'); DROP TABLE reports;--\nfrom <script>alert(1)</script>",
      project: 'Nova & "Friends"',
    });
    expect(text.startsWith(`Robert'); DROP TABLE reports;-- from <script>alert(1)</script> reported a vulnerability in Nova & "Friends".`)).toBe(true);
    expect(renderMarkdown(text)).not.toContain('<script>');
  });

  it('names every missing or bad part at once, with a prefix', () => {
    const issues = fieldErrors(() =>
      impactDescription({ reporter: ' ', project: 'Nova', actor: 'user', impact: 'x'.repeat(501), consequence: 'y', mode: 'ok\u0000' }, 'impact.'),
    );
    expect(issues).toEqual([
      { field: 'impact.reporter', message: 'The reporter is required.' },
      { field: 'impact.action', message: 'The action is required.' },
      { field: 'impact.impact', message: 'The impact is too long (at most 500 characters).' },
      { field: 'impact.mode', message: 'The affected mode contains control characters.' },
    ]);
  });

  it('refuses megabytes of text without building it', () => {
    expect(fieldErrors(() => impactDescription({ ...BASE, consequence: 'z'.repeat(5_000_000) }))).toEqual([
      { field: 'consequence', message: 'The consequence is too long (at most 500 characters).' },
    ]);
  });
});

describe('indefiniteArticle', () => {
  it.each([
    ['attacker', 'an'],
    ['malicious tenant', 'a'],
    ['European operator', 'a'],
    ['honest mistake', 'an'],
    ['unique visitor', 'a'],
    ['uninformed admin', 'an'],
    ['SQL client', 'an'],
    ['URL handler', 'a'],
    ['API consumer', 'an'],
  ])('%j takes %j', (phrase, article) => {
    expect(indefiniteArticle(phrase)).toBe(article);
  });
});

describe('the consequence reads after "resulting in" (issue 15 item 8)', () => {
  it.each([
    ['impersonate any user', '“resulting in impersonate any user” does not read: say what it results in, e.g. “the ability to impersonate any user” or “a denial of service”.'],
    ['Execute code as root', '“resulting in Execute code as root” does not read: say what it results in, e.g. “the ability to Execute code as root” or “a denial of service”.'],
    ['to impersonate any user', '“resulting in to impersonate any user” does not read: drop the “to” and say what it results in, e.g. “the ability to impersonate any user”.'],
  ])('refuses %j with the fix', (consequence, message) => {
    expect(fieldErrors(() => impactDescription({ ...BASE, consequence }, 'impact.'))).toEqual([{ field: 'impact.consequence', message }]);
  });

  it.each(['the ability to impersonate any user', 'a denial of service', 'information disclosure', 'access to other tenants’ data', 'resulting in a crash of the API'])('accepts %j', (consequence) => {
    expect(impactDescription({ ...BASE, consequence })).toContain(`resulting in ${consequence.replace(/^resulting in /, '')}.`);
  });
});
