// Where a run's kept artifacts live: DATA_DIR/ci-artifacts/<run id>/, outside every sandbox, served only
// through the run's access check (run-routes.tsx).
import path from 'node:path';

export function artifactDirFor(dataDir: string, runId: number): string {
  return path.join(dataDir, 'ci-artifacts', String(runId));
}
