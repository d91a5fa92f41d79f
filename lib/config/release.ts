import type { ProblemList } from './problems';

/** How a release of the application image is gated: the migration task that runs before rollout. */
export interface ReleaseConfig {
  /**
   * Command the migration task runs with the service's image, as an argv list
   * (e.g. `['alembic', 'upgrade', 'head']` or `['npm', 'run', 'migrate']`).
   */
  readonly migrationCommand: readonly string[];
  /**
   * Minutes a migration may run before the deploy stops it and fails, 1..55.
   * @default 30
   */
  readonly migrationTimeoutMinutes?: number;
}

/** Default of `release.migrationTimeoutMinutes`. */
export const DEFAULT_MIGRATION_TIMEOUT_MINUTES = 30;

/**
 * Upper bound of `release.migrationTimeoutMinutes`. CloudFormation waits at most one hour for a
 * custom resource (`ServiceTimeout` is 1..3600 s), and the runner needs a few minutes around the
 * migration itself: starting the task, polling, and reporting the outcome.
 */
export const MAX_MIGRATION_TIMEOUT_MINUTES = 55;

/** The timeout an environment's migrations run with. */
export function migrationTimeoutMinutes(release: ReleaseConfig): number {
  return release.migrationTimeoutMinutes ?? DEFAULT_MIGRATION_TIMEOUT_MINUTES;
}

/** Checks `release` of one environment, recording problems in `problems`. */
export function checkRelease(release: ReleaseConfig, problems: ProblemList): void {
  const command = release.migrationCommand;
  problems.check(
    Array.isArray(command) && command.length > 0 && command.every((part) => typeof part === 'string' && part !== ''),
    'release.migrationCommand',
    "a non-empty list of non-empty strings, e.g. ['alembic', 'upgrade', 'head']",
    command,
  );
  if (release.migrationTimeoutMinutes !== undefined) {
    problems.integer(
      'release.migrationTimeoutMinutes',
      release.migrationTimeoutMinutes,
      1,
      MAX_MIGRATION_TIMEOUT_MINUTES,
    );
  }
}
