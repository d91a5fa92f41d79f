import { spawnSync } from 'node:child_process';
import { type CommandResult, runCommand } from '../../lib/child-process';

/** The command that installs cfn-lint, shown whenever it is missing. */
export const CFN_LINT_INSTALL = 'pip install cfn-lint';

/** Whether `cfn-lint` is on PATH. */
export function cfnLintAvailable(): boolean {
  return spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** A synthesized template and the region it deploys to. */
export interface TemplateFile {
  readonly path: string;
  readonly region: string;
}

/**
 * Runs cfn-lint over the templates, each against the region it deploys to (which instance classes
 * and engine versions are orderable differs by region), one cfn-lint per region, side by side.
 */
export async function runCfnLint(templates: readonly TemplateFile[]): Promise<CommandResult> {
  const regions = [...new Set(templates.map((template) => template.region))].sort();
  const results = await Promise.all(
    regions.map((region) =>
      lint(
        region,
        templates.filter((template) => template.region === region).map((template) => template.path),
      ),
    ),
  );
  return {
    status: results.find((result) => result.status !== 0)?.status ?? 0,
    output: results
      .map((result) => result.output)
      .filter(Boolean)
      .join('\n'),
  };
}

function lint(region: string, paths: readonly string[]): Promise<CommandResult> {
  return runCommand('cfn-lint', ['--format', 'parseable', '--regions', region, '--', ...paths]);
}
