// Titles with CVE ids and the impact-description sentence (DESIGN.md §2): "REPORTER reported a
// vulnerability in PROJECT. By doing ACTION an ACTOR may IMPACT resulting in CONSEQUENCE. Only MODE
// are affected." The output is plain text; HTML escaping is the renderer's job.
import { IssueCollector } from '../errors/catalogue.js';
import { collectValid } from './checked.js';
import { checkCveId } from './vulnerability-ids.js';

const MAX_TITLE = 200;
const MAX_PART = 500;

/** One line: whitespace runs (including line breaks) become one space, so the result is safe as a mail subject. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

function checkPart(issues: IssueCollector, field: string, value: unknown, label: string, required: boolean, max: number): string {
  if (value === undefined || value === null) {
    if (required) issues.add(field, `${label} is required.`);
    return '';
  }
  if (typeof value !== 'string') {
    issues.add(field, `${label} must be text.`);
    return '';
  }
  const text = oneLine(value.length > max * 4 ? value.slice(0, max * 4) : value);
  if (required && text === '') issues.add(field, `${label} is required.`);
  else if (text.length > max) issues.add(field, `${label} is too long (at most ${max} characters).`);
  else if (CONTROL_RE.test(text)) issues.add(field, `${label} contains control characters.`);
  return text;
}

/**
 * `TITLE (CVE-…, CVE-…)`, or the title alone without CVEs. Ids are normalised and de-duplicated
 * in order; a bad id or title throws a validation error naming `title` or `cves.N`.
 */
export function formatTitleWithCves(title: unknown, cves: readonly unknown[] = []): string {
  const issues = new IssueCollector();
  const text = checkPart(issues, 'title', title, 'The title', true, MAX_TITLE);
  const ids: string[] = [];
  cves.forEach((cve, index) => {
    const id = collectValid(issues, `cves.${index}`, checkCveId(cve));
    if (id !== undefined && !ids.includes(id)) ids.push(id);
  });
  issues.throwIfAny();
  return ids.length ? `${text} (${ids.join(', ')})` : text;
}

export interface ImpactFields {
  /** Who reported it, e.g. "Jane Doe from Example Corp". */
  reporter: string;
  /** Where, e.g. "Nova". */
  project: string;
  /** What the attacker does: a gerund phrase ("creating servers with …") or a noun phrase ("repeated requests"). */
  action: string;
  /** Who can do it, e.g. "authenticated user" (an article is added, or kept if "the"/"any"…). */
  actor: string;
  /** What they may do, e.g. "exhaust disk space". */
  impact: string;
  /** What that leads to, e.g. "a denial of service". */
  consequence: string;
  /** Which deployments, e.g. "setups using the VMware driver"; empty when all are affected. */
  mode?: string;
}

// Determiners that already make the actor a full noun phrase.
const DETERMINERS = ['the', 'any', 'some', 'every', 'each', 'all', 'one', 'two', 'several', 'many'];
// Words ending in "ing" that are not verbs, so "By doing string manipulation" keeps its "doing".
const NOT_GERUNDS = new Set(['string', 'strings', 'thing', 'things', 'spring', 'ceiling', 'something', 'nothing', 'anything', 'everything', 'evening', 'morning']);
// Verbs that are never nouns: after "resulting in" they need "the ability to" (issue 15 item 8: "resulting
// in impersonate any user"). Words that are also nouns ("access", "crash", "leak", "use") are not listed.
const BARE_VERBS = new Set(['impersonate', 'execute', 'read', 'write', 'gain', 'bypass', 'obtain', 'cause', 'delete', 'modify', 'escalate', 'inject', 'steal', 'exhaust', 'disclose', 'perform', 'get', 'see', 'consume', 'overwrite', 'elevate', 'retrieve', 'hijack', 'forge', 'spoof', 'alter', 'destroy', 'become', 'make', 'create', 'remove', 'trigger', 'reveal', 'expose']);

/** Why "resulting in CONSEQUENCE" does not read, or null when it does. */
export function consequenceProblem(consequence: string): string | null {
  const first = consequence.split(/\s+/)[0]?.toLowerCase() ?? '';
  if (first === 'to') return `“resulting in ${consequence}” does not read: drop the “to” and say what it results in, e.g. “the ability ${consequence}”.`;
  if (!BARE_VERBS.has(first)) return null;
  return `“resulting in ${consequence}” does not read: say what it results in, e.g. “the ability to ${consequence}” or “a denial of service”.`;
}

// Initial letters whose spoken name starts with a vowel sound: an LDAP user, an SQL client.
const VOWEL_SOUND_LETTERS = new Set(['a', 'e', 'f', 'h', 'i', 'l', 'm', 'n', 'o', 'r', 's', 'x']);

/** "a" or "an" for a phrase, by its first word's sound: "an attacker", "a user", "an hour", "an LDAP admin". */
export function indefiniteArticle(phrase: string): 'a' | 'an' {
  const word = phrase.trim().split(/[\s-]/)[0] ?? '';
  const lower = word.toLowerCase();
  if (word.length > 1 && word === word.toUpperCase() && /^[A-Z]+$/.test(word)) {
    return VOWEL_SOUND_LETTERS.has(lower[0] ?? '') ? 'an' : 'a'; // acronym read letter by letter
  }
  if (/^(hour|honest|honou?r|heir)/.test(lower)) return 'an';
  // A "you" or "w" sound despite the vowel letter: a user, a unique id, a European, a one-time token.
  if (/^(uni[^nmd]|uni$|use|usu|ura|uri|uro|uti|eu|ewe)/.test(lower) || lower === 'one' || lower === 'once') return 'a';
  return /^[aeiou]/.test(lower) ? 'an' : 'a';
}

function actorPhrase(actor: string): string {
  const bare = actor.replace(/^(a|an)\s+/i, '');
  const first = bare.split(' ')[0]?.toLowerCase() ?? '';
  return DETERMINERS.includes(first) ? bare : `${indefiniteArticle(bare)} ${bare}`;
}

function actionPhrase(action: string): string {
  const first = action.split(' ')[0] ?? '';
  const isGerund = first.length > 4 && /ing$/i.test(first) && !NOT_GERUNDS.has(first.toLowerCase());
  return isGerund ? action : `doing ${action}`;
}

/**
 * Builds the impact description and checks that every required part is there (field errors name
 * `<fieldPrefix>reporter` and so on). Parts are made one line; the sentence's own words and
 * punctuation are not doubled ("an an", "..", "Only only", "are affected are affected").
 */
export function impactDescription(fields: Partial<ImpactFields>, fieldPrefix = ''): string {
  const issues = new IssueCollector();
  const part = (name: keyof ImpactFields, label: string, required = true) =>
    checkPart(issues, `${fieldPrefix}${name}`, fields[name], label, required, MAX_PART);
  const endOfSentence = (text: string) => text.replace(/[\s.]+$/, '');
  const reporter = part('reporter', 'The reporter');
  const project = endOfSentence(part('project', 'The project'));
  const action = part('action', 'The action').replace(/^by\s+/i, '');
  const actor = part('actor', 'The actor');
  const impact = part('impact', 'The impact').replace(/^may\s+/i, '');
  const consequence = endOfSentence(part('consequence', 'The consequence')).replace(/^resulting in\s+/i, '');
  const consequenceIssue = consequence ? consequenceProblem(consequence) : null;
  if (consequenceIssue) issues.add(`${fieldPrefix}consequence`, consequenceIssue);
  const mode = endOfSentence(part('mode', 'The affected mode', false)).replace(/^only\s+/i, '').replace(/\s+(are|is) affected$/i, '');
  issues.throwIfAny('The impact description is incomplete.');

  const sentences = [
    `${reporter} reported a vulnerability in ${project}.`,
    `By ${actionPhrase(action)} ${actorPhrase(actor)} may ${impact} resulting in ${consequence}.`,
  ];
  if (mode) sentences.push(`Only ${mode} are affected.`);
  return sentences.join(' ');
}
