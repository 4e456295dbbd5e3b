// `node dist/bench/profile-summary.js FILE.cpuprofile [N]`: the functions and files that took the most CPU
// in a V8 CPU profile (written by `node --cpu-prof`, e.g. `npm run bench -- --cpu-prof DIR`), as text for
// bench/results/PROFILE.md. Self time is time spent in the function itself; total includes its callees.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function shortUrl(url: string): string {
  const i = url.indexOf('/node_modules/');
  if (i >= 0) return url.slice(i + 1);
  const d = url.indexOf('/dist/');
  if (d >= 0) return url.slice(d + 1);
  return url.replace(/^file:\/\//, '') || '(native)';
}

export function summarize(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per sample from the deltas (µs); fall back to hit counts × the mean interval.
  const selfUs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas![i] ?? 0)));
  }
  const totalUs = profile.endTime - profile.startTime;
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    self.set(key(node), (self.get(key(node)) ?? 0) + us);
    const file = node.callFrame.url ? shortUrl(node.callFrame.url).split(':')[0]! : node.callFrame.functionName || '(native)';
    files.set(file, (files.get(file) ?? 0) + us);
    // Inclusive time: once per distinct function on the sample's stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + us);
    }
  }
  const pct = (us: number) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`)
      .join('\n');
  return [
    `profile: ${(totalUs / 1e6).toFixed(1)} s`,
    '',
    'self time by function:',
    list(self),
    '',
    'self time by file:',
    list(files),
    '',
    'total (inclusive) time by function:',
    list(total),
  ].join('\n');
}

const file = process.argv[2];
if (file) process.stdout.write(`${summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(process.argv[3] ?? 25))}\n`);
