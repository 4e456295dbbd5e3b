// The production path of the sandbox (issue 20): a self-hoster runs Cordon as an unprivileged system user, so
// bubblewrap starts without setpriv and without root's bind mounts. unprivileged.test.ts starts this script (under
// dist/) as such a user; it reads run requests as JSON on stdin, runs them one after the other with the product's
// runInSandbox, and prints one JSON line: what this process itself could do (so the test shows that plain
// permissions would have allowed what the run could not) and the results.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { detectSandbox } from '../detect.js';
import { runInSandbox } from '../run.js';
import type { SandboxRunRequest } from '../types.js';

interface Input {
  requests: SandboxRunRequest[];
  /** Files this process reads itself, to show it may. */
  readable: string[];
  /** A port on 127.0.0.1 this process connects to itself. */
  port: number;
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const input = JSON.parse(readFileSync(0, 'utf8')) as Input;
const outside = {
  uid: process.getuid?.() ?? null,
  read: input.readable.map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      return `unreadable: ${(error as Error).message}`;
    }
  }),
  env: Object.keys(process.env),
  connected: await connects(input.port),
};
const availability = await detectSandbox();
const results = [];
for (const request of input.requests) results.push(await runInSandbox(request));
process.stdout.write(`${JSON.stringify({ outside, availability, results })}\n`);
