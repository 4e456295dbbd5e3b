// Deterministic synthetic data for the benchmark: a seeded random generator (so two runs seed the same
// instance) and report text built from a vocabulary, so full-text search meets realistic word counts
// (some words in many reports, most in few) instead of random strings.

/** mulberry32: a small, fast, seeded generator; quality is ample for picking test data. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Pick by weight: `[[value, weight], …]`. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, weight] of choices) {
      r -= weight;
      if (r < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }

  /** A report reference in the app's alphabet (R-XXXXXXXX, letters and digits without look-alikes). */
  reportRef(): string {
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    let s = 'R-';
    for (let i = 0; i < 8; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  hex(chars: number): string {
    let s = '';
    for (let i = 0; i < chars; i++) s += Math.floor(this.next() * 16).toString(16);
    return s;
  }
}

export const PROJECT_NAMES = [
  'nova', 'neutron', 'glance', 'keystone', 'cinder', 'swift', 'horizon', 'heat', 'ironic', 'octavia',
  'barbican', 'designate', 'manila', 'placement', 'magnum', 'trove', 'zaqar', 'aodh', 'watcher', 'masakari',
];

const COMPONENTS = [
  'API', 'scheduler', 'image importer', 'token middleware', 'metadata service', 'console proxy', 'volume driver',
  'network agent', 'dashboard', 'identity backend', 'object server', 'quota engine', 'template parser',
  'load balancer', 'secret store', 'DNS sink', 'share manager', 'placement API', 'cluster driver', 'message queue',
];

const FLAWS = [
  'path traversal', 'SQL injection', 'cross-site scripting', 'denial of service', 'privilege escalation',
  'information disclosure', 'race condition', 'authentication bypass', 'server-side request forgery',
  'XML external entity expansion', 'command injection', 'insecure default permissions', 'memory exhaustion',
  'open redirect', 'timing side channel', 'policy bypass', 'credential leak in logs', 'unsafe deserialization',
];

const ACTORS = ['an authenticated user', 'a remote attacker', 'a tenant administrator', 'a malicious image owner', 'an unprivileged project member', 'a network neighbour'];
const ACTIONS = [
  'uploading a crafted image', 'sending a malformed request', 'creating a resource with an overlong name',
  'replaying an expired token', 'submitting a specially crafted template', 'attaching a volume twice',
  'requesting a console for another instance', 'listing objects with a crafted marker', 'setting a hostile metadata key',
];
const IMPACTS = ['read arbitrary files', 'exhaust memory', 'run commands as the service user', 'see other tenants’ data', 'bypass quota', 'escalate to admin', 'crash the service'];
const MODES = ['deployments using the default policy', 'setups with the legacy driver enabled', 'clouds exposing the public endpoint', 'installations with debug logging on'];
const FILLER = [
  'The issue was found during a code audit of the request handling path.',
  'A proof of concept is attached to the first comment.',
  'The reporter confirmed the problem on the current release and on master.',
  'Logs show the unexpected access in the service journal.',
  'The fix needs a change to the validation layer and a backport to every supported branch.',
  'Operators can mitigate the issue by restricting the endpoint with a firewall rule.',
  'The behaviour was introduced when the caching layer was rewritten.',
  'Other drivers appear to be unaffected.',
  'The default configuration of packaged distributions enables the affected code.',
  'A regression test reproduces the failure reliably.',
];
const COMMENTS = [
  'Confirmed on master; working on a patch.',
  'Adding the project security reviewers.',
  'Could you share the exact request you sent?',
  'Patch attached for review, please test on the stable branches too.',
  'The impact description looks right to me.',
  'We requested a CVE for this.',
  'Stable backports apply cleanly.',
  'Is the debug mode required to trigger it?',
];

export const SEARCH_QUERIES = ['traversal', 'denial of service', 'token', 'scheduler race', 'metadata', 'injection', 'crafted image', 'privilege escalation', 'quota', 'console proxy', 'deserialization', 'volume'];

export interface ReportText {
  title: string;
  description: string;
}

export function reportText(r: Random, projectName: string, reporterName: string): ReportText {
  const flaw = r.pick(FLAWS);
  const component = r.pick(COMPONENTS);
  const title = `${capitalize(flaw)} in ${projectName} ${component}`;
  const lines = [
    `${reporterName} reported a vulnerability in ${projectName}. By ${r.pick(ACTIONS)} ${r.pick(ACTORS)} may ${r.pick(IMPACTS)} resulting in ${flaw}. Only ${r.pick(MODES)} are affected.`,
  ];
  const extra = r.int(1, 4);
  for (let i = 0; i < extra; i++) lines.push(r.pick(FILLER));
  lines.push(`Affected code: ${component.replace(/\s+/g, '_').toLowerCase()}.handle_${r.pick(['request', 'upload', 'update', 'list', 'create'])}() in ${projectName} ${r.int(10, 30)}.${r.int(0, 9)}.${r.int(0, 5)}.`);
  return { title, description: lines.join('\n\n') };
}

export function commentText(r: Random): string {
  return r.chance(0.3) ? `${r.pick(COMMENTS)} ${r.pick(FILLER)}` : r.pick(COMMENTS);
}

export const FIRST_NAMES = ['Ada', 'Bo', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Goran', 'Hana', 'Ines', 'Jonas', 'Kiri', 'Lena', 'Mateo', 'Nia', 'Olav', 'Priya'];
export const LAST_NAMES = ['Okafor', 'Lindqvist', 'Tanaka', 'Moreau', 'Novak', 'Haddad', 'Silva', 'Kowalski', 'Ferreira', 'Nguyen', 'Schmidt', 'Rossi'];

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
