// The vitest runner with one addition: a suite whose title carries SKIP_MARK is skipped with everything
// in it. `describe.each(testDialects())` cannot be told to skip one of its cases, so testDialects() names
// the PostgreSQL case with the reason when no database is configured, and this turns that case into a
// skipped describe before anything of it runs (no beforeAll, no afterAll). See src/testing/skips.ts.
import { TestRunner, type RunnerTask as Task, type RunnerTestFile as File } from 'vitest';
import { SKIP_MARK } from './skips.js';

function skipAll(task: Task): void {
  task.mode = 'skip';
  if (task.type === 'suite') task.tasks.forEach(skipAll);
}

function markSkipped(task: Task): void {
  if (task.type !== 'suite') return;
  if (task.mode === 'run' && task.name.includes(SKIP_MARK)) skipAll(task);
  else task.tasks.forEach(markSkipped);
}

type OnCollected = (files: File[]) => unknown;

export default class CordonTestRunner extends TestRunner {
  constructor(...args: ConstructorParameters<typeof TestRunner>) {
    super(...args);
    // The worker wraps onCollected (it reads ours, installs its own that reports the collected tasks to
    // the main process and then calls ours). The modes must be set before that report, so the installed
    // wrapper is called after the marking; the one it wrapped only marks (idempotent).
    const mark = (files: File[]): void => files.forEach(markSkipped);
    let wrapper: OnCollected | undefined;
    Object.defineProperty(this, 'onCollected', {
      configurable: true,
      get: (): OnCollected => (wrapper ? (files) => (mark(files), wrapper?.(files)) : mark),
      set: (fn: OnCollected) => {
        wrapper = fn;
      },
    });
  }
}
