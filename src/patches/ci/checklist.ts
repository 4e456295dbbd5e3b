// "Tests pass on every branch" for the pre-notice checklist (issue 20): asked by the disclosure page, which
// sits above patches. Null when no project of the report has a test recipe (the item is not shown then).
import type { Scope } from '../../context.js';
import { loadReportPatches } from '../loaders.js';
import { runLabel, runPath } from './present.js';

export interface TestsChecklistItem {
  ok: boolean;
  branches: { label: string; text: string; passed: boolean; url: string | null }[];
}

export async function testsOnEveryBranch(scope: Scope, ref: string): Promise<TestsChecklistItem | null> {
  const data = await loadReportPatches(scope, ref);
  const tested = data.rows.filter((row) => row.tests?.hasRecipe && row.series.length);
  if (!data.rows.some((row) => row.tests?.hasRecipe)) return null;
  const branches = tested.map((row) => {
    const run = row.tests?.run ?? null;
    return {
      label: `${row.target.projectName} ${row.target.branch}`,
      text: run ? runLabel(run.status).text : 'tests not run yet',
      passed: run?.status === 'passed',
      url: run ? runPath(data.report.row.ref, run.id) : null,
    };
  });
  return { ok: branches.length > 0 && branches.every((b) => b.passed), branches };
}
