// Messages between the benchmark's main process and the server processes it starts (Node IPC channel),
// and a helper to start such a process and wait for its port.
import { fork, type ChildProcess } from 'node:child_process';

export type ParentMessage = { type: 'memory'; resetPeak?: boolean } | { type: 'stop' };
export type ServerMessage = { type: 'ready'; port: number } | { type: 'memory'; rss: number; peak: number; heapUsed: number };

export interface ServerHandle {
  child: ChildProcess;
  port: number;
  url: string;
  /** Current and peak RSS (bytes) since the last reset. */
  memory(resetPeak?: boolean): Promise<{ rss: number; peak: number; heapUsed: number }>;
  stop(): Promise<void>;
  /** The child's stderr so far (for error messages). */
  stderr(): string;
}

export function startServerProcess(script: string, env: NodeJS.ProcessEnv, execArgv: string[] = [], timeoutMs = 120_000): Promise<ServerHandle> {
  const child = fork(script, [], { env, execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${timeoutMs / 1000} s\n${err}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready\n${err}`));
    });
    const onMessage = (m: ServerMessage) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.removeAllListeners('exit');
      resolve({
        child,
        port: m.port,
        url: `http://127.0.0.1:${m.port}`,
        stderr: () => err,
        memory: (resetPeak = false) =>
          new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error('no memory answer')), 10_000);
            const listener = (x: ServerMessage) => {
              if (x.type !== 'memory') return;
              clearTimeout(t);
              child.off('message', listener);
              res({ rss: x.rss, peak: x.peak, heapUsed: x.heapUsed });
            };
            child.on('message', listener);
            child.send({ type: 'memory', resetPeak } satisfies ParentMessage);
          }),
        stop: () =>
          new Promise((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
            child.once('exit', () => {
              clearTimeout(t);
              res();
            });
            child.send({ type: 'stop' } satisfies ParentMessage);
          }),
      });
    };
    child.on('message', onMessage);
  });
}
