import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type CommandResult, runCommand } from '../../lib/child-process';

/**
 * The command that installs cfn-lint, shown whenever it is missing, and what CI runs: pinned, so a
 * new release's new warning cannot turn `npm test` red (and block deploys) unannounced.
 */
export const CFN_LINT_INSTALL = 'pip install cfn-lint==1.51.0';

/**
 * Whether an executable `cfn-lint` is on PATH. Looked up, not run: cfn-lint takes ~2 s to start,
 * and three test files ask. One that is there but broken fails the lint tests with its error.
 */
export function cfnLintAvailable(): boolean {
  const names =
    process.platform === 'win32'
      ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((extension) => `cfn-lint${extension}`)
      : ['cfn-lint'];
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && names.some((name) => isExecutableFile(join(dir, name))));
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
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
