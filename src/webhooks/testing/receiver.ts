// Test support only: a real HTTP server on 127.0.0.1 that receives webhook deliveries and answers as the
// test scripts it (a status, or no answer at all), keeping every request it got.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the receiver does with the next request on a path: answer with a status (and headers), or never answer. */
export type Reaction = number | 'hang' | { status: number; headers: Record<string, string> };

export class Receiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, Reaction[]>();
  private readonly hanging: http.ServerResponse[] = [];
  private server: http.Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const reaction = this.scripts.get(path)?.shift() ?? 204;
        if (reaction === 'hang') {
          this.hanging.push(res);
          return;
        }
        if (typeof reaction === 'number') res.writeHead(reaction).end();
        else res.writeHead(reaction.status, reaction.headers).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The next requests on `path` get these reactions in order; then 204. */
  script(path: string, ...reactions: Reaction[]): void {
    this.scripts.set(path, [...(this.scripts.get(path) ?? []), ...reactions]);
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
