// A small Prometheus text exposition (no client library needed for a handful of series).
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
