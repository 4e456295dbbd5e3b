#!/usr/bin/env node
// Measures a Cordon server's memory under an abusive intake burst (issue 13, finding 3): starts
// `cordon serve` (from dist/, build first) on SQLite in a temp dir, reads its RSS and peak RSS (VmHWM,
// Linux /proc), sends the burst from many addresses (TRUST_PROXY, X-Forwarded-For), and reads them again.
//   node scripts/intake-abuse.js [cordon checkout, default .] [big bodies, default 3] [cap-size bodies, default 12]
// The burst: N bodies declaring 140 MB (as the review sent) and M bodies of 14.5 MB (just under the JSON
// cap with the default limits), all in parallel, to POST /api/v1/reports. Prints one JSON line.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = path.resolve(process.argv[2] ?? '.');
const bigCount = Number(process.argv[3] ?? 3);
const capCount = Number(process.argv[4] ?? 12);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cordon-abuse-'));
const port = 20000 + Math.floor(Math.random() * 20000);

const server = spawn(process.execPath, [path.join(root, 'bin', 'cordon.js'), 'serve'], {
  env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', TRUST_PROXY: 'true', IN_PROCESS_WORKER: 'false', DATABASE_URL: '' },
  stdio: ['ignore', 'ignore', 'inherit'],
});

function memory() {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: Math.round(kb('VmRSS') / 1024), peakMB: Math.round(kb('VmHWM') / 1024) };
}

async function waitUp() {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise((resolve) => http.get({ host: '127.0.0.1', port, path: '/healthz' }, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false)));
    if (ok) return;
    await sleep(100);
  }
  throw new Error('the server did not start');
}

const chunk = Buffer.alloc(1_048_576, 0x41); // base64 "A"s

/** POST a JSON report whose attachment is `size` bytes of base64, streamed; resolves to the status (or 'reset'). */
function send(size, address) {
  const head = Buffer.from(JSON.stringify({ title: 'x', description: 'x', projects: ['nova'], email: 'a@example.net', stay_anonymous: true, attachments: [{ filename: 'a', content_base64: '' }] }).slice(0, -4));
  const tail = Buffer.from('"}]}');
  const length = head.length + size + tail.length;
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/reports', headers: { 'content-type': 'application/json', 'content-length': length, 'x-forwarded-for': address } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve('reset'));
    let left = size;
    const pump = () => {
      if (req.destroyed) return;
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    req.write(head);
    pump();
  });
}

try {
  await waitUp();
  const before = memory();
  const started = Date.now();
  const statuses = await Promise.all([
    ...Array.from({ length: bigCount }, (_, i) => send(140_000_000 - 200, `198.18.0.${i + 1}`)),
    ...Array.from({ length: capCount }, (_, i) => send(14_500_000, `198.18.1.${i + 1}`)),
  ]);
  const seconds = (Date.now() - started) / 1000;
  const during = memory();
  await sleep(3000);
  const after = memory();
  const tally = {};
  for (const s of statuses) tally[s] = (tally[s] ?? 0) + 1;
  console.log(JSON.stringify({ root, bigCount, capCount, before, afterBurst: during, after3s: after, statuses: tally, seconds }));
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
