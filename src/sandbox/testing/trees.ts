// Small real projects and run requests for the sandbox tests: a Python package with pytest and a Node package with
// `node --test`, written into temporary directories the test removes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { SandboxLimits, SandboxRunRequest } from '../types.js';

export const quickLimits: SandboxLimits = {
  timeLimitMs: 20_000,
  cpuSeconds: 20,
  memoryBytes: 4 * 1024 ** 3,
  maxProcesses: 64,
  outputBytes: 256 * 1024,
  diskBytes: 32 * 1024 * 1024,
};

/** The Python tests need python3 with pytest and pip on the server's PATH (Debian: python3-pytest, python3-pip). */
export const pythonReady = spawnSync('python3', ['-c', 'import pytest, pip'], { stdio: 'ignore' }).status === 0;
export const pythonMissing = 'python3 with pytest and pip is not installed (Debian: apt install python3-pytest python3-pip)';

export class TempDirs {
  private readonly dirs: string[] = [];
  make(prefix = 'cordon-sbtest-'): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }
  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

export function writeTree(root: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

/** A Python package `calc` with pytest tests; `broken` makes add() wrong so one test fails. */
export function pythonProject(root: string, broken = false): string {
  return writeTree(root, {
    'pyproject.toml': '[project]\nname = "calc"\nversion = "0.1.0"\n',
    'calc/__init__.py': `def add(a, b):\n    return a ${broken ? '-' : '+'} b\n\n\ndef mul(a, b):\n    return a * b\n`,
    'tests/test_calc.py': 'from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n',
  });
}

/** A Node package with `node --test` tests; `broken` makes one fail. */
export function nodeProject(root: string, broken = false): string {
  return writeTree(root, {
    'package.json': JSON.stringify({ name: 'calc', version: '0.1.0', type: 'module' }),
    'calc.js': `export const add = (a, b) => a ${broken ? '-' : '+'} b;\n`,
    'test/calc.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../calc.js';\n\ntest('adds two numbers', () => {\n  assert.equal(add(2, 3), 5);\n});\n",
  });
}

export function request(treeDir: string, artifactDir: string, test: string, more: Partial<SandboxRunRequest> = {}): SandboxRunRequest {
  return { treeDir, artifactDir, steps: [{ name: 'test', command: test }], limits: quickLimits, artifactPaths: [], allowUnsandboxed: false, ...more };
}

/** Python that writes a minimal pure-Python wheel `offlinedep` (VALUE = 42) into the folder given as argv[1]. */
export const WHEEL_MAKER = `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1] + "/offlinedep-1.0-py3-none-any.whl", "w") as z:
    z.writestr("offlinedep/__init__.py", "VALUE = 42\\n")
    z.writestr("offlinedep-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: offlinedep\\nVersion: 1.0\\n")
    z.writestr("offlinedep-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: cordon-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr("offlinedep-1.0.dist-info/RECORD", "")
`;

/** A TCP listener on the host that counts the connections it gets: what a run must never reach. */
export class CountingListener {
  received = 0;
  port = 0;
  private readonly server: Server = createServer((socket) => {
    this.received++;
    socket.destroy();
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
