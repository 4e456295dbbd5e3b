// What the main benchmark process tells a load-runner process, and what it answers.

export interface LoadSpec {
  url: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  method: 'GET' | 'POST';
  paths: string[];
  headers: Record<string, string>;
  /** POST: a new report as JSON per request, filed against one of these projects, from its own address. */
  reportBody?: { projectSlugs: string[] };
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  status: Record<string, number>;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

