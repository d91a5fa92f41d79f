import { spawnSync } from 'node:child_process';

/** The command that installs cfn-lint, shown whenever it is missing. */
export const CFN_LINT_INSTALL = 'pip install cfn-lint';

/** Whether `cfn-lint` is on PATH. */
export function cfnLintAvailable(): boolean {
  return spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Runs cfn-lint over the templates; resolves to its output (empty when clean) and exit status. */
export function runCfnLint(templates: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...templates], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}
