// The real Cordon server for the benchmark, in its own process: configuration from the environment as
// `cordon serve` reads it, buildApp, listen on a free loopback port, silent logs, no in-process worker.
// It tells its parent the port over IPC and answers memory questions (peak RSS while under load).
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config/config.js';
import { buildApp } from '../http/app.js';
import { openContext } from '../server.js';
import type { ServerMessage, ParentMessage } from './ipc.js';

const config = { ...loadConfig(process.env), inProcessWorker: false, logLevel: 'silent' as const };
const ctx = await openContext(config, undefined, { migrate: false });
const { app } = await buildApp(ctx);
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as AddressInfo).port;

let peak = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 100);
sampler.unref();

const send = (m: ServerMessage) => process.send?.(m);

process.on('message', (m: ParentMessage) => {
  if (m.type === 'memory') {
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    send({ type: 'memory', rss, peak, heapUsed: process.memoryUsage().heapUsed });
    if (m.resetPeak) peak = rss;
  } else if (m.type === 'stop') {
    // A normal exit, so `node --cpu-prof` writes its profile.
    void app.close().then(async () => {
      await ctx.storage.close();
      process.exit(0);
    });
  }
});

send({ type: 'ready', port });
