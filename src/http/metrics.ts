// A small Prometheus text exposition (no client library needed for a handful of series).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../context.js';
import { jobCounts } from '../jobs/queue.js';
import type { RouteDef } from './route.js';

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, { sum: number; count: number }>();
  readonly startedAt = Date.now();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${route.replace(/"/g, '')}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const dk = `method="${method}",route="${route.replace(/"/g, '')}"`;
    const d = this.durations.get(dk) ?? { sum: 0, count: 0 };
    d.sum += seconds;
    d.count += 1;
    this.durations.set(dk, d);
  }

  render(extra: Record<string, number>): string {
    const lines: string[] = [];
    lines.push('# HELP cordon_http_requests_total HTTP requests by route and status.', '# TYPE cordon_http_requests_total counter');
    for (const [k, v] of this.requests) lines.push(`cordon_http_requests_total{${k}} ${v}`);
    lines.push('# HELP cordon_http_request_duration_seconds Time spent answering requests.', '# TYPE cordon_http_request_duration_seconds summary');
    for (const [k, v] of this.durations) {
      lines.push(`cordon_http_request_duration_seconds_sum{${k}} ${v.sum.toFixed(6)}`, `cordon_http_request_duration_seconds_count{${k}} ${v.count}`);
    }
    for (const [name, value] of Object.entries(extra)) lines.push(`# TYPE ${name} gauge`, `${name} ${value}`);
    lines.push('# TYPE cordon_process_resident_memory_bytes gauge', `cordon_process_resident_memory_bytes ${process.memoryUsage().rss}`);
    lines.push('# TYPE cordon_uptime_seconds gauge', `cordon_uptime_seconds ${((Date.now() - this.startedAt) / 1000).toFixed(0)}`);
    return lines.join('\n') + '\n';
  }
}

/** The whole exposition: request counters plus the job queue's depth, read fresh. */
export async function metricsText(ctx: AppContext, metrics: Metrics): Promise<string> {
  const counts = await jobCounts(ctx.storage.db);
  const gauges: Record<string, number> = {};
  for (const status of ['queued', 'running', 'done', 'dead', 'cancelled']) gauges[`cordon_jobs_${status}`] = counts[status] ?? 0;
  return metrics.render(gauges);
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4';

/**
 * `/metrics` on the main port is for admins only (a session or an admin-scoped token): per-route counts let
 * an outsider watch new private reports and disclosure widenings (issue 13, finding 7). Unmatched paths
 * share one series, so the counts never carry a report ref.
 */
export function metricsRoutes(ctx: AppContext, metrics: Metrics): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/metrics',
      audience: 'admin.read',
      handler: async (_req, reply) => reply.header('content-type', METRICS_CONTENT_TYPE).header('cache-control', 'no-store').send(await metricsText(ctx, metrics)),
    },
  ];
}

export interface MetricsListener {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A separate listener for scrapers that carry no token (METRICS_LISTEN): only GET /metrics, bound where
 * the operator says (loopback in the documented example), never on the public port.
 */
export async function startMetricsListener(ctx: AppContext, metrics: Metrics, where: { host: string; port: number }): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here.\n');
      return;
    }
    metricsText(ctx, metrics).then(
      (text) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        ctx.log.error({ err: error }, 'metrics failed');
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics are unavailable: the database did not answer.\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
