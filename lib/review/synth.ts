import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCommand } from '../child-process';

export interface SynthOptions {
  /** Checkout holding `cdk.json` and the app. */
  readonly directory: string;
  /** Where the cloud assembly goes. */
  readonly outdir: string;
  /**
   * Context on top of `cdk.json`'s, like `cdk -c key=value`.
   * @default - none
   */
  readonly context?: Readonly<Record<string, string>>;
}

/**
 * Synthesizes the app of a checkout the way `cdk synth` does, without the CLI: runs the `app`
 * command of its `cdk.json` with the context of `cdk.json` (and `cdk.context.json`) in
 * `CDK_CONTEXT_JSON` and the output directory in `CDK_OUTDIR`. About a second faster than
 * `cdk synth '**'` per run. CDK's built-in CloudFormation validation is off (`CDK_VALIDATION=false`):
 * the review compares templates, and `npm test` lints them with cfn-lint.
 */
export async function synthesize(options: SynthOptions): Promise<void> {
  const cdkJson = readJson(join(options.directory, 'cdk.json'));
  const app = cdkJson.app;
  if (typeof app !== 'string') throw new Error(`${options.directory}/cdk.json has no "app" command`);
  const context = {
    ...(cdkJson.context as Record<string, unknown> | undefined),
    ...readJson(join(options.directory, 'cdk.context.json'), {}),
    ...options.context,
  };
  const { status, output } = await runCommand(app, [], {
    cwd: options.directory,
    shell: true,
    env: {
      ...process.env,
      CDK_OUTDIR: options.outdir,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_VALIDATION: 'false',
    },
  });
  if (status !== 0) throw new Error(`synth of ${options.directory} failed (exit ${status}):\n${output}`);
}

function readJson(path: string, fallback?: Record<string, unknown>): Record<string, unknown> {
  if (!existsSync(path) && fallback) return fallback;
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function git(cwd: string, args: readonly string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/**
 * A checkout of `ref` next to the repository at `repository`, with the packages `ref` locks: the
 * repository's own `node_modules` when the lockfiles match, else its own install.
 */
export interface BaseCheckout {
  readonly directory: string;
  /** The commit `ref` resolved to. */
  readonly commit: string;
  /** Removes the worktree. */
  remove(): void;
}

/**
 * Installs the packages a checkout locks (`npm ci`): for a base ref whose lockfile differs from the
 * working tree's, which must be built with what it was built with when it was deployed.
 */
export function installPackages(directory: string): void {
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: directory, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `npm ci in the base checkout failed: its package-lock.json differs from the working tree's, so the review must build it with its own packages:\n${(result.stderr ?? '').slice(-2000)}`,
    );
  }
}

/** The text of `package-lock.json` at `commit`, or undefined if it has none. */
function lockfileAt(repository: string, commit: string): string | undefined {
  const result = spawnSync('git', ['show', `${commit}:package-lock.json`], {
    cwd: repository,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return result.status === 0 ? result.stdout : undefined;
}

/**
 * Checks `ref` out into a temporary git worktree (the working tree stays untouched) with the
 * packages it locks. When its `package-lock.json` is the working tree's, the repository's
 * `node_modules` is linked in (seconds); otherwise `install` installs its own, so that a
 * dependency upgrade (a new aws-cdk-lib that synthesizes a resource differently, say) shows in
 * the review instead of being built into both sides.
 */
export function checkoutRef(
  repository: string,
  ref: string,
  install: (directory: string) => void = installPackages,
): BaseCheckout {
  const commit = git(repository, ['rev-parse', '--verify', `${ref}^{commit}`]);
  const directory = join(mkdtempSync(join(tmpdir(), 'berth-review-')), 'base');
  const remove = () => {
    spawnSync('git', ['worktree', 'remove', '--force', directory], { cwd: repository });
    // The temporary directory that holds the worktree, not only the worktree.
    rmSync(dirname(directory), { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: repository });
  };
  try {
    git(repository, ['worktree', 'add', '--detach', '--quiet', directory, commit]);
    const lockfile = join(repository, 'package-lock.json');
    const workingLockfile = existsSync(lockfile) ? readFileSync(lockfile, 'utf8') : undefined;
    const modules = join(repository, 'node_modules');
    if (lockfileAt(repository, commit) !== workingLockfile) install(directory);
    else if (existsSync(modules)) symlinkSync(realpathSync(modules), join(directory, 'node_modules'), 'dir');
  } catch (error) {
    remove();
    throw error;
  }
  return { directory, commit, remove };
}
