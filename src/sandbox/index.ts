/**
 * The sandbox for private CI (issue 20): detect whether this machine can confine a run, and run a recipe's steps on
 * a copy of a tree with no network, only the toolchain and its own tree visible, as an unprivileged user, under
 * limits. The contract is types.ts; docs/private-ci.md ("The sandbox") says what a run can and cannot see.
 */
export { detectSandbox, type SandboxOptions } from './detect.js';
export { runInSandbox } from './run.js';
export type * from './types.js';
