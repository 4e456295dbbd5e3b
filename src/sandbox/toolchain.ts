/**
 * What of the host a run may see read-only: the system toolchain under /usr, a few pieces of /etc the dynamic
 * linker and runtimes read, and the Node and Python installations this server uses when they live elsewhere
 * (nvm or pyenv under a home directory): exactly their install prefixes, nothing else of that home.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** /etc files a toolchain reads; nothing with host names, users or secrets. */
const ETC_PIECES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives', '/etc/localtime'];

export interface Toolchain {
  /** bwrap arguments for /usr, the top-level links into it and the /etc pieces. */
  systemArgs: string[];
  /** Install prefixes outside /usr, bound read-only at the same path. */
  prefixes: string[];
  /** PATH inside the run. */
  path: string;
}

function underUsr(dir: string): boolean {
  return dir === '/usr' || dir.startsWith('/usr/');
}

/** /bin, /lib, … are links into /usr on merged-/usr systems (Debian 12): recreate the link, else bind the directory. */
function topLevelArgs(): string[] {
  const args: string[] = [];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    const stat = lstatSync(top, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(top), top);
    else if (stat.isDirectory()) args.push('--ro-bind', top, top);
  }
  return args;
}

function pythonPrefixes(): string[] {
  try {
    const out = execFileSync('python3', ['-c', 'import sys; print(sys.base_prefix); print(sys.prefix)'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('/') && existsSync(line)).map((dir) => realpathSync(dir));
  } catch {
    return [];
  }
}

let cached: Toolchain | null = null;

/** Found once per process: the toolchain does not move while the server runs. */
export function hostToolchain(): Toolchain {
  if (cached) return cached;
  const nodePrefix = path.dirname(path.dirname(realpathSync(process.execPath)));
  const prefixes = [...new Set([nodePrefix, ...pythonPrefixes()])].filter((dir) => !underUsr(dir) && dir !== '/');
  const systemArgs = ['--ro-bind', '/usr', '/usr', ...topLevelArgs()];
  for (const piece of ETC_PIECES) if (existsSync(piece)) systemArgs.push('--ro-bind', piece, piece);
  const bins = prefixes.map((dir) => path.join(dir, 'bin')).filter((dir) => existsSync(dir));
  cached = { systemArgs, prefixes, path: [...bins, '/usr/local/bin', '/usr/bin', '/bin'].join(':') };
  return cached;
}
