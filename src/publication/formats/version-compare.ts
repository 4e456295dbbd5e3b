// Version strings of OpenStack deliverables: PEP 440 release segments (`2014.1.3`, `26.1.1`) with
// an optional pre/post/dev suffix (`1.0.0rc1`, `2.0.0.post1`). Enough ordering to validate ranges.

/** A version as accepted in specifiers: digits and dots, optional PEP 440 suffix. */
export const VERSION_PATTERN = '[0-9]+(?:\\.[0-9]+)*(?:[.-]?(?:a|b|rc|c|alpha|beta|pre|preview|dev|post)[.-]?[0-9]*)?';
const VERSION_RE = new RegExp(`^${VERSION_PATTERN}$`, 'i');

export function isVersion(text: string): boolean {
  return VERSION_RE.test(text);
}

// PEP 440 ordering of suffixes: dev < a < b < rc < (release) < post.
const SUFFIX_RANK: Record<string, number> = {
  dev: -4,
  a: -3,
  alpha: -3,
  b: -2,
  beta: -2,
  rc: -1,
  c: -1,
  pre: -1,
  preview: -1,
  post: 1,
};

function parts(v: string): { release: number[]; rank: number; serial: number } {
  const m = /^([0-9]+(?:\.[0-9]+)*)(?:[.-]?([a-z]+)[.-]?([0-9]*))?$/i.exec(v);
  if (!m) return { release: [], rank: 0, serial: 0 };
  return {
    release: (m[1] ?? '').split('.').map(Number),
    rank: m[2] ? (SUFFIX_RANK[m[2].toLowerCase()] ?? 0) : 0,
    serial: m[3] ? Number(m[3]) : 0,
  };
}

/** Negative when a < b, 0 when equal (trailing zeros ignored: 1.0 == 1.0.0), positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  const n = Math.max(pa.release.length, pb.release.length);
  for (let i = 0; i < n; i++) {
    const d = (pa.release[i] ?? 0) - (pb.release[i] ?? 0);
    if (d) return d;
  }
  return pa.rank - pb.rank || pa.serial - pb.serial;
}
