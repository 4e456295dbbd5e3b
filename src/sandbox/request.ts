/**
 * The shape checks of a run request. A bad request is a programmer error in the caller (private CI validates the
 * recipe an admin typed before it gets here), so it throws; a run that fails never does.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { safeMemberName } from './artifacts.js';
import { TREE_INSIDE } from './command.js';
import type { SandboxRunRequest } from './types.js';

const STEP_NAMES = new Set(['setup', 'test']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Inside paths a read-only bind must not cover or shadow. */
const RESERVED = [TREE_INSIDE, '/proc', '/dev'];

function bad(message: string): never {
  throw new TypeError(`runInSandbox: ${message}`);
}

function isDirectory(dir: string): boolean {
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function absoluteDir(value: unknown, what: string): string {
  if (typeof value !== 'string' || !path.isAbsolute(value) || path.resolve(value) !== value || value === '/') bad(`${what} must be an absolute, normalised path other than / (got ${JSON.stringify(value)})`);
  if (!isDirectory(value)) bad(`${what} ${value} is not an existing directory`);
  return value;
}

function positiveInteger(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) bad(`limits.${what} must be a positive integer (got ${JSON.stringify(value)})`);
}

export function checkRequest(req: SandboxRunRequest): void {
  if (typeof req !== 'object' || req === null) bad('the request must be an object');
  absoluteDir(req.treeDir, 'treeDir');
  absoluteDir(req.artifactDir, 'artifactDir');
  if (!Array.isArray(req.steps) || req.steps.length === 0) bad('steps must be a non-empty list');
  for (const step of req.steps) {
    if (!STEP_NAMES.has(step?.name)) bad(`a step's name must be setup or test (got ${JSON.stringify(step?.name)})`);
    if (typeof step.command !== 'string' || step.command.trim() === '' || step.command.includes('\0')) bad(`the ${step.name} step needs a command`);
  }
  if (typeof req.limits !== 'object' || req.limits === null) bad('limits are required');
  for (const key of ['timeLimitMs', 'cpuSeconds', 'memoryBytes', 'maxProcesses', 'outputBytes', 'diskBytes'] as const) positiveInteger(req.limits[key], key);
  if (!Array.isArray(req.artifactPaths)) bad('artifactPaths must be a list');
  for (const p of req.artifactPaths) {
    if (typeof p !== 'string' || safeMemberName(p) === null || p.startsWith('-')) bad(`artifact path ${JSON.stringify(p)} must be relative to the tree, without ..`);
  }
  for (const dir of req.readOnlyPaths ?? []) {
    absoluteDir(dir, 'a read-only path');
    if (RESERVED.some((r) => dir === r || dir.startsWith(`${r}/`) || r.startsWith(`${dir}/`))) bad(`read-only path ${dir} would cover the run's own ${RESERVED.join(', ')}`);
  }
  for (const [key, value] of Object.entries(req.env ?? {})) {
    if (!ENV_NAME.test(key) || typeof value !== 'string' || value.includes('\0')) bad(`environment variable ${JSON.stringify(key)} has a bad name or value`);
  }
  if (typeof req.allowUnsandboxed !== 'boolean') bad('allowUnsandboxed must be true or false');
}
