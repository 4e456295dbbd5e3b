// What this process's worker found out about the sandbox at start (issue 20): kept so pages can say why CI
// runs wait, without the web layer probing the system itself.
import type { SandboxAvailability } from '../../sandbox/types.js';

let known: SandboxAvailability | undefined;

export function rememberSandboxAvailability(availability: SandboxAvailability): void {
  known = availability;
}

/** undefined until a worker in this process has looked. */
export function sandboxAvailability(): SandboxAvailability | undefined {
  return known;
}

/** In words, when runs cannot start here; null when they can (or nobody looked yet). */
export function sandboxNote(allowUnsandboxed: boolean): string | null {
  if (!known || known.kind !== 'none') return null;
  const why = known.reason ? ` (${known.reason})` : '';
  return allowUnsandboxed
    ? `The worker of this server cannot sandbox${why}: it runs this project’s tests unsandboxed, as an administrator allowed.`
    : `The worker of this server cannot sandbox${why}: test runs wait for a worker that can.`;
}
