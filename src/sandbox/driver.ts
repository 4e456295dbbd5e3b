/**
 * The shell script that runs inside the sandbox (and, unsandboxed, in the temporary copy): it unpacks the tree
 * from stdin, runs the steps in order, and streams the kept artifacts out. Its arguments are positional (never
 * spliced into the script text), so a recipe's command needs no quoting here.
 *
 * Channels: fd 1 is the log (each step's stdout and stderr), fd 3 the artifacts as a ustar stream, fd 4 short
 * status lines (`start NAME`, `end NAME CODE`, `free NAME BYTES`, `copy-failed`). fds 3 and 4 are closed for the steps.
 * They are as trustworthy as the tested code (a step could reach them through /proc): the server parses them
 * defensively and a forged status can only claim what a patched test could claim anyway.
 */
import type { SandboxStep } from './types.js';

/** `tree tmp isolated(1|0) step-count (name command)… artifact…`. */
const DRIVER = String.raw`
tree=$1; tmp=$2; isolated=$3; steps=$4; shift 4
free_bytes() {
  a=$(stat -f -c '%a %S' "$tree" 2>/dev/null) || return
  b=$(stat -f -c '%a %S' "$tmp" 2>/dev/null) || b="$a"
  set -- $a $b
  x=$(($1 * $2)); y=$(($3 * $4))
  if [ "$x" -lt "$y" ]; then echo "$x"; else echo "$y"; fi
}
if ! tar -x -f - -C "$tree" 2>&1; then
  echo "cordon-sandbox: copying the tree in failed (is it larger than the disk limit?)"
  echo copy-failed >&4
  exit 125
fi
exec 0</dev/null
code=0
while [ "$steps" -gt 0 ]; do
  name=$1; command=$2; shift 2; steps=$((steps - 1))
  echo "start $name" >&4
  printf '==> %s: %s\n' "$name" "$command"
  ( cd "$tree" && exec /bin/sh -c "$command" ) 2>&1 3>&- 4>&-
  code=$?
  # echo is a builtin: the end line needs no fork, which a step at the process limit may have left impossible.
  echo "end $name $code" >&4
  if [ "$code" -ne 0 ] || [ "$steps" -eq 0 ]; then
    # The run is over: in the sandbox, end what the steps left in the background (kill -1 spares this shell and
    # pid 1) so the free-space check and the artifacts can fork. Unsandboxed, -1 would be the host's processes.
    if [ "$isolated" = 1 ]; then kill -KILL -1 2>/dev/null; fi
    echo "free $name $(free_bytes)" >&4
    while [ "$steps" -gt 0 ]; do shift 2; steps=$((steps - 1)); done
    break
  fi
done
cd "$tree" || exit 125
kept=0
for p in "$@"; do
  if [ -e "$p" ] || [ -L "$p" ]; then kept=1; else printf 'cordon-sandbox: artifact not found: %s\n' "$p"; fi
done
if [ "$kept" -eq 1 ]; then
  for p in "$@"; do
    if [ -e "$p" ] || [ -L "$p" ]; then set -- "$@" "$p"; fi
    shift
  done
  tar -c -f - --format=ustar -- "$@" >&3 2>/dev/null || echo "cordon-sandbox: some artifacts could not be packed"
fi
exec 3>&- 4>&-
exit "$code"
`;

/** The argv that runs the driver: `/bin/sh -c DRIVER cordon-driver tree tmp isolated n name cmd … artifacts…`. */
export function driverArgv(treeInside: string, tmpInside: string, isolated: boolean, steps: readonly SandboxStep[], artifactPaths: readonly string[]): string[] {
  return ['/bin/sh', '-c', DRIVER, 'cordon-driver', treeInside, tmpInside, isolated ? '1' : '0', String(steps.length), ...steps.flatMap((s) => [s.name, s.command]), ...artifactPaths];
}
