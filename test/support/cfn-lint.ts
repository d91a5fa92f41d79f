import { spawnSync } from 'node:child_process';
import { type CommandResult, runCommand } from '../../lib/child-process';

/**
 * The command that installs cfn-lint, shown whenever it is missing, and what CI runs: pinned, so a
 * new release's new warning cannot turn `npm test` red (and block deploys) unannounced.
 */
export const CFN_LINT_INSTALL = 'pip install cfn-lint==1.51.0';

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
 * `command` is what to run as cfn-lint (default `cfn-lint` on PATH; tests pass a stand-in).
 */
export async function runCfnLint(templates: readonly TemplateFile[], command = 'cfn-lint'): Promise<CommandResult> {
  const regions = [...new Set(templates.map((template) => template.region))].sort();
  const results = await Promise.all(
    regions.map((region) =>
      lint(
        command,
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

async function lint(command: string, region: string, paths: readonly string[]): Promise<CommandResult> {
  const result = await runCommand(command, ['--format', 'parseable', '--regions', region, '--', ...paths]);
  // Killed (by the OOM killer, say) is not clean, even with nothing printed.
  if (result.status !== null) return result;
  return { status: 1, output: `${result.output}\ncfn-lint --regions ${region} was killed by a signal`.trim() };
}
