import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/catalogue.js';
import { fixturePath } from '../../testing/fixture-files.js';
import type { ImportWarningKind } from './import-warnings.js';
import { resolveSections, type NoteRecord } from './note-record.js';
import { parseOssnText, renderOssnText, type ParsedNote } from './ossn-text.js';
import { normaliseWhitespace } from './text-blocks.js';

const corpusDir = fixturePath('ossn');
const files = readdirSync(corpusDir).filter((f) => /^OSSN-\d{4}$/.test(f)).sort();
const parsed = new Map<string, ParsedNote>(
  files.map((f) => [f, parseOssnText(new Uint8Array(readFileSync(path.join(corpusDir, f))), { id: f })]),
);

function note(id: string): ParsedNote {
  const p = parsed.get(id);
  if (!p) throw new Error(`corpus note ${id} missing`);
  return p;
}

function kindsOf(n: NoteRecord): string[] {
  return n.sectionLayout.map((s) => (s.kind === 'extra' ? `extra:${s.heading}` : s.kind));
}

function warningKinds(p: ParsedNote): ImportWarningKind[] {
  return p.warnings.map((w) => w.kind);
}

/** Sections as a reader sees them, whitespace collapsed: what a round trip must preserve. */
function comparable(n: NoteRecord): [string, string][] {
  return resolveSections(n).map((s) => [s.kind === 'extra' ? `extra:${s.heading}` : s.kind, normaliseWhitespace(s.text)]);
}

const FIVE = ['summary', 'affected', 'discussion', 'recommended_actions', 'contacts'];
const SIX = ['summary', 'affected', 'discussion', 'recommended_actions', 'credits', 'contacts'];

describe('OSSN corpus import', () => {
  it('finds the 96 real notes, numbered up to 0108 with gaps', () => {
    expect(files).toHaveLength(96);
    expect(files.at(-1)).toBe('OSSN-0108');
    expect(files).not.toContain('OSSN-0040');
  });

  it('parses every note with a title, an id and at least four sections, keeping the raw text', () => {
    for (const file of files) {
      const { note: n } = note(file);
      expect(n.id, file).toBe(file);
      expect(n.title.length, file).toBeGreaterThan(10);
      expect(n.title, file).not.toMatch(/\n|OSSN-\d/);
      expect(n.sectionLayout.length, file).toBeGreaterThanOrEqual(4);
      expect(n.summary, file).not.toBeNull();
      expect(n.discussion, file).not.toBeNull();
      expect(n.contacts, file).not.toBeNull();
      expect(n.raw, file).toBe(readFileSync(path.join(corpusDir, file), 'utf8'));
    }
  });

  it.each([
    ['OSSN-0001', FIVE],
    ['OSSN-0002', FIVE],
    ['OSSN-0042', FIVE],
    ['OSSN-0065', FIVE],
    ['OSSN-0068', ['summary', 'affected', 'discussion', 'recommended_actions', 'extra:Other possible solutions', 'contacts']],
    ['OSSN-0073', ['summary', 'affected', 'discussion', 'contacts']],
    ['OSSN-0084', FIVE],
    ['OSSN-0086', FIVE],
    ['OSSN-0087', ['summary', 'affected', 'discussion', 'recommended_actions', 'extra:Patches', 'contacts']],
    ['OSSN-0090', ['summary', 'affected', 'discussion', 'recommended_actions', 'extra:Notes / References', 'contacts']],
    ['OSSN-0091', SIX],
    ['OSSN-0094', FIVE],
    ['OSSN-0100', SIX],
    ['OSSN-0108', SIX],
  ])('%s has the sections %j', (id, kinds) => {
    expect(kindsOf(note(id).note)).toEqual(kinds);
  });

  it('reads a clean template note without warnings', () => {
    expect(note('OSSN-0002').warnings).toEqual([]);
    expect(note('OSSN-0002').note.title).toBe('HTTP POST limiting advised to avoid Essex/Folsom Keystone DoS');
  });

  it('joins wrapped titles and reports them', () => {
    const p = note('OSSN-0004');
    expect(p.note.title).toBe('Authenticated users are able to update passwords without providing their current password');
    expect(warningKinds(p)).toContain('title_wrapped');
    const wrapped = files.filter((f) => warningKinds(note(f)).includes('title_wrapped'));
    expect(wrapped).toEqual(['OSSN-0004', 'OSSN-0005', 'OSSN-0006', 'OSSN-0017', 'OSSN-0020', 'OSSN-0022', 'OSSN-0077', 'OSSN-0089', 'OSSN-0095', 'OSSN-0097']);
  });

  it('moves an id out of the title (OSSN-0108) and checks it against the given id', () => {
    const p = note('OSSN-0108');
    expect(p.note.title).toBe('Multiple authentication vulnerabilities in Ceph');
    expect(p.warnings).toContainEqual({ kind: 'title_carries_id', detail: 'the title starts with "OSSN-0108"', line: 1 });
    const noId = parseOssnText(p.note.raw ?? '');
    expect(noId.note.id).toBe('OSSN-0108');
  });

  it('reports heading spellings: missing space, singular name, "and", non-breaking spaces', () => {
    expect(note('OSSN-0001').warnings).toEqual([{ kind: 'heading_spelling', detail: '"### Summary###" read as "### Summary ###"', line: 4 }]);
    expect(note('OSSN-0019').warnings.map((w) => w.detail)).toEqual(['"### Summary###" read as "### Summary ###"']);
    expect(note('OSSN-0042').warnings.map((w) => w.detail)).toEqual([
      '"### Recommended Action ###" read as "### Recommended Actions ###"',
    ]);
    const nbsp = note('OSSN-0046').warnings;
    expect(nbsp.map((w) => [w.kind, w.line])).toEqual([
      ['heading_spelling', 12],
      ['heading_spelling', 27],
      ['heading_spelling', 35],
    ]);
    expect(nbsp[0]?.detail).toContain('non-breaking space');
    expect(note('OSSN-0046').note.recommendedActions).not.toBeNull();
  });

  it('reads OSSN-0073: renamed Affected heading, no Recommended Actions, non-breaking spaces in text', () => {
    const p = note('OSSN-0073');
    expect(warningKinds(p)).toEqual([
      'heading_spelling',
      'non_breaking_space',
      'non_breaking_space',
      'non_breaking_space',
      'non_breaking_space',
      'missing_section',
    ]);
    expect(p.note.affected?.text).toBe('horizon');
    expect(p.note.recommendedActions).toBeNull();
    expect(p.note.contacts?.text).not.toContain('\u00a0');
    expect(p.note.contacts?.entries[2]).toEqual({ label: 'Original LaunchPad Bug', values: ['https://bugs.launchpad.net/ossn/+bug/1585831'] });
  });

  it('recovers the Affected section written without ### markers (OSSN-0065)', () => {
    const p = note('OSSN-0065');
    expect(p.warnings).toEqual([{ kind: 'heading_without_markers', detail: '"Affected Services / Software" has no ### markers', line: 10 }]);
    expect(p.note.affected?.text).toBe('Glance, Havana, Icehouse, Juno, Kilo, Liberty, Mitaka, Newton, Ocata');
    expect(p.note.summary).not.toContain('Affected');
  });

  it('takes a standard section headed at level 4 as a section (OSSN-0084), sub-headings stay in the text', () => {
    expect(warningKinds(note('OSSN-0084'))).toEqual(['heading_level']);
    expect(note('OSSN-0084').note.recommendedActions).toMatch(/^Operators can use the following two workarounds/);
    expect(note('OSSN-0086').note.recommendedActions).toContain('#### Patches ####');
    expect(note('OSSN-0108').note.recommendedActions).toContain('#### Manila with Native CephFS ####');
    expect(note('OSSN-0108').note.recommendedActions).toContain('~~~\n# ceph mon dump | grep allowed_ciphers');
  });

  it('reads the note written in wiki syntax (OSSN-0094)', () => {
    const p = note('OSSN-0094');
    expect(warningKinds(p)).toEqual(['wiki_syntax', 'title_carries_id']);
    expect(p.note.title).toBe('Ensuring Volume Safety with Nova and Watcher');
    expect(p.note.discussion).toContain('=== Required Access ===');
    expect(p.note.contacts?.authors).toEqual(['Sean Mooney <smooney@redhat.com>, Jay Faulkner <jay@jvf.cc>']);
    expect(p.note.contacts?.cveText).toBe('None');
  });

  it('reports underlines instead of "---", a wrong "This OSSN" link, and extra sections', () => {
    const underlined = files.filter((f) => warningKinds(note(f)).includes('separator_style'));
    expect(underlined).toEqual(['OSSN-0078', 'OSSN-0079', 'OSSN-0081', 'OSSN-0082', 'OSSN-0087']);
    expect(note('OSSN-0070').warnings).toEqual([
      { kind: 'id_mismatch', detail: 'the "This OSSN" link points at OSSN-0063, the note is OSSN-0070' },
    ]);
    const extras = files.filter((f) => warningKinds(note(f)).includes('extra_section'));
    expect(extras).toEqual(['OSSN-0068', 'OSSN-0087', 'OSSN-0090']);
  });

  it('parses product version ranges where the note gives them', () => {
    const affected = note('OSSN-0092').note.affected;
    expect(affected?.products.map((p) => p.product)).toEqual(['cinder', 'glance_store', 'nova', 'os-brick']);
    expect(affected?.products[0]?.ranges.map((r) => r.text)).toEqual(['<20.2.1', '>=21.0.0 <21.2.1', '==22.0.0']);
    expect(note('OSSN-0001').note.affected?.products).toEqual([]);
    expect(note('OSSN-0099').note.affected?.products[0]?.ranges).toEqual([
      { text: '>=32.0.0 <37.0.0', constraints: [{ operator: '>=', version: '32.0.0' }, { operator: '<', version: '37.0.0' }] },
    ]);
    expect(warningKinds(note('OSSN-0099'))).toEqual(['version_range_sloppy']);
  });
});

describe('OSSN export round trip', () => {
  it('renders every corpus note back to the same sections with the same text', () => {
    for (const file of files) {
      const original = note(file).note;
      const text = renderOssnText(original);
      const back = parseOssnText(text, { id: file });
      expect(back.note.title, file).toBe(original.title);
      expect(comparable(back.note), file).toEqual(comparable(original));
    }
  });

  it('reads its own output without layout warnings: only what the content itself says remains', () => {
    const contentKinds: ImportWarningKind[] = ['missing_section', 'extra_section', 'id_mismatch', 'version_range_sloppy'];
    for (const file of files) {
      const back = parseOssnText(renderOssnText(note(file).note), { id: file });
      const expected = note(file).warnings.filter((w) => contentKinds.includes(w.kind));
      expect(back.warnings.map((w) => [w.kind, w.detail]), file).toEqual(expected.map((w) => [w.kind, w.detail]));
    }
  });

  it('is stable: rendering a re-imported note gives the same text', () => {
    for (const file of files) {
      const once = renderOssnText(note(file).note);
      expect(renderOssnText(parseOssnText(once, { id: file }).note), file).toBe(once);
    }
  });

  it('writes the template layout: title, ---, ### headings, body lines of at most 72 columns unless unbreakable', () => {
    for (const file of files) {
      const original = note(file);
      const text = renderOssnText(original.note);
      const lines = text.split('\n');
      expect(lines[1], file).toBe('---');
      expect(text.endsWith('\n') && !text.endsWith('\n\n'), file).toBe(true);
      for (const heading of lines.filter((l) => /^###[^#]/.test(l))) expect(heading, file).toMatch(/^### \S.*\S ###$/);
      const sourceLines = new Set((original.note.raw ?? '').split('\n').map((l) => l.replace(/\u00a0/g, ' ').trimEnd()));
      for (const line of lines.slice(1).filter((l) => l.length > 72)) {
        // Too long only when kept verbatim (preformatted) or when it is one word such as a URL.
        const oneWord = !/\S\s+\S/.test(line.replace(/^\s*(\S+\s)?/, ''));
        expect(sourceLines.has(line) || oneWord, `${file}: ${line}`).toBe(true);
      }
    }
  });

  it('renders canonical headings, keeps extra headings, and writes the title on one line', () => {
    const text = renderOssnText(note('OSSN-0073').note);
    expect(text).toContain('### Affected Services / Software ###\nhorizon\n');
    expect(text).not.toContain('### Recommended Actions ###');
    expect(renderOssnText(note('OSSN-0090').note)).toContain('### Notes / References ###\n[0] https://docs.openstack.org/');
    expect(renderOssnText(note('OSSN-0022').note).split('\n').slice(0, 3)).toEqual([
      'Nova Networking does not enforce security group rules following a soft reboot of an instance',
      '---',
      '',
    ]);
  });
});

describe('rendering a note written in Cordon', () => {
  const draft: NoteRecord = {
    id: 'XSN-0001',
    title: 'Widget service leaks tokens in debug logs',
    summary: 'Widget logs tokens when debug logging is on.',
    affected: { text: '- widget: <2.0.1', products: [] },
    discussion: 'Operators who enable debug logging expose tokens to anyone who can read the logs.',
    recommendedActions: 'Turn debug logging off:\n\n    [DEFAULT]\n    debug = False',
    credits: null,
    contacts: null,
    sectionLayout: [{ kind: 'extra', heading: 'Patches', text: 'https://review.example.org/1' }],
    raw: null,
  };

  it('puts standard sections the layout does not list where the template puts them, skipping empty ones', () => {
    const contacts = { text: 'Author: A', authors: ['A'], noteUrl: null, originalBugs: [], mailingList: null, cves: [], cveText: null, entries: [] };
    expect(resolveSections(draft).map((s) => s.heading)).toEqual([
      'Summary',
      'Affected Services / Software',
      'Discussion',
      'Recommended Actions',
      'Patches',
    ]);
    expect(resolveSections({ ...draft, contacts }).map((s) => s.heading)).toEqual([
      'Summary',
      'Affected Services / Software',
      'Discussion',
      'Recommended Actions',
      'Patches',
      'Contacts / References',
    ]);
    const listed = { ...draft, contacts, sectionLayout: [{ kind: 'discussion' as const, heading: 'Discussion' }, ...draft.sectionLayout] };
    expect(resolveSections(listed).map((s) => s.heading)).toEqual([
      'Summary',
      'Affected Services / Software',
      'Discussion',
      'Patches',
      'Recommended Actions',
      'Contacts / References',
    ]);
  });

  it('renders the template layout and reads back with an instance prefix', () => {
    const text = renderOssnText(draft);
    expect(text).toBe(
      [
        'Widget service leaks tokens in debug logs',
        '---',
        '',
        '### Summary ###',
        'Widget logs tokens when debug logging is on.',
        '',
        '### Affected Services / Software ###',
        '- widget: <2.0.1',
        '',
        '### Discussion ###',
        'Operators who enable debug logging expose tokens to anyone who can read',
        'the logs.',
        '',
        '### Recommended Actions ###',
        'Turn debug logging off:',
        '',
        '    [DEFAULT]',
        '    debug = False',
        '',
        '### Patches ###',
        'https://review.example.org/1',
        '',
      ].join('\n'),
    );
    const back = parseOssnText(`XSN-0001: ${text}`, { prefix: 'XSN' });
    expect(back.note.id).toBe('XSN-0001');
    expect(back.note.affected?.products.map((p) => p.product)).toEqual(['widget']);
    expect(comparable(back.note)).toEqual(comparable(draft));
  });
});

describe('OSSN import of odd and bad input', () => {
  const minimal = [
    'A minimal note',
    '---',
    '',
    '### Summary ###',
    'Short summary.',
    '',
    '### Affected Services / Software ###',
    '- nova: <25.1.2',
    '',
    '### Discussion ###',
    'Why it matters.',
    '',
    '### Recommended Actions ###',
    'Upgrade.',
    '',
    '### Contacts / References ###',
    'Author: Someone, Somewhere',
    'This OSSN : https://wiki.openstack.org/wiki/OSSN/OSSN-0200',
    '',
  ].join('\n');

  function refusal(input: string | Uint8Array, options = {}): AppError {
    try {
      parseOssnText(input, options);
    } catch (e) {
      if (e instanceof AppError) return e;
      throw e;
    }
    throw new Error('expected the input to be refused');
  }

  it('takes the id from the "This OSSN" link when nothing else names it', () => {
    const p = parseOssnText(minimal);
    expect(p.note.id).toBe('OSSN-0200');
    expect(p.warnings).toEqual([]);
  });

  it.each([
    ['empty text', '', 'text: is empty'],
    ['only blank lines', '\n  \n\t\n', 'text: is empty'],
    ['a letter', 'Dear team,\nplease find attached.\n---\nBest regards', 'text: is not a security note'],
    ['markdown without note sections', '# README\n\n## Install\nrun it\n', 'text: is not a security note'],
    ['binary text', 'PK\u0003\u0004 zip data', 'text: contains the control character U+0003'],
  ])('refuses %s', (_label, input, message) => {
    const error = refusal(input);
    expect(error.code).toBe('validation_failed');
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.fields[0]?.field).toBe('text');
  });

  it('refuses binary and non-UTF-8 bytes, and oversized input', () => {
    expect(refusal(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])).message).toBe('text: is a binary file, not a text note');
    expect(refusal(new Uint8Array([0x54, 0x69, 0x74, 0x6c, 0x65, 0xff, 0xfe, 0x0a])).message).toBe('text: is not UTF-8 text');
    expect(refusal(new Uint8Array(0)).message).toBe('text: is empty');
    expect(refusal('x'.repeat(1_000_001)).message).toMatch(/^text: is larger than/);
  });

  it('refuses a note without an id, or with a malformed given id', () => {
    const withoutLink = minimal.replace(/This OSSN.*\n/, '');
    expect(refusal(withoutLink).fields).toEqual([{ field: 'id', message: 'the note names no OSSN id in its title or its "This OSSN" link; give one' }]);
    expect(refusal(minimal, { id: 'OSSN-12' }).fields[0]?.field).toBe('id');
    expect(parseOssnText(withoutLink, { id: 'OSSN-0201' }).note.id).toBe('OSSN-0201');
  });

  it('reads CRLF line endings and a byte-order mark like the plain text', () => {
    const crlf = parseOssnText(`\ufeff${minimal.replace(/\n/g, '\r\n')}`);
    expect(warningKinds(crlf)).toEqual(['byte_order_mark', 'line_endings']);
    expect(comparable(crlf.note)).toEqual(comparable(parseOssnText(minimal).note));
  });

  it('keeps text before the first section, duplicate sections and odd order, with warnings', () => {
    const odd = minimal
      .replace('---\n\n', '---\nA stray line.\n\n')
      .replace('### Discussion ###', '### Summary ###\nSecond summary.\n\n### Discussion ###')
      .replace('### Recommended Actions ###\nUpgrade.\n\n### Contacts / References ###', '### Contacts / References ###')
      .concat('\n### Recommended Actions ###\nUpgrade.\n');
    const p = parseOssnText(odd);
    expect(warningKinds(p)).toEqual(['text_before_first_section', 'duplicate_section', 'section_order']);
    expect(kindsOf(p.note)).toEqual(['extra:', 'summary', 'affected', 'extra:Summary', 'discussion', 'contacts', 'recommended_actions']);
    const back = parseOssnText(renderOssnText(p.note));
    expect(comparable(back.note)).toEqual(comparable(p.note));
  });

  it('keeps a fence that never closes as text and still finds the sections after it', () => {
    const p = parseOssnText(minimal.replace('Why it matters.', 'Why it matters.\n~~~\nunclosed code'));
    expect(warningKinds(p)).toEqual(['unterminated_block']);
    expect(p.note.recommendedActions).toBe('Upgrade.');
    expect(p.note.discussion).toBe('Why it matters.\n~~~\nunclosed code');
  });

  it('does not take headings inside a fence as sections', () => {
    const p = parseOssnText(minimal.replace('Why it matters.', 'Why it matters.\n~~~\n### Credits ###\n~~~'));
    expect(p.note.credits).toBeNull();
    expect(p.note.discussion).toContain('### Credits ###');
  });

  it('refuses, without choking, a file made of nothing but unclosed fences', () => {
    const hostile = 'Title\n---\n' + '~~~~ open\n---- begin x ----\n'.repeat(20_000);
    expect(refusal(hostile).message).toBe('text: is not a security note: no "### Summary ###"-style section headings were found');
  });

  it('accepts a note without the --- line when it has the template sections', () => {
    const p = parseOssnText(minimal.replace('---\n', ''));
    expect(warningKinds(p)).toEqual(['missing_separator']);
    expect(p.note.title).toBe('A minimal note');
  });
});
