import { dev } from '../../lib/config/environments';
import type { ReleaseConfig } from '../../lib/config/release';
import type { EnvironmentConfig } from '../../lib/config/types';
import { ConfigError, validateEnvironments } from '../../lib/config/validate';

function problemsOf(release: ReleaseConfig): readonly string[] {
  const env: EnvironmentConfig = { ...dev, release };
  try {
    validateEnvironments([env]);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('release config', () => {
  test('accepts a command with the default timeout', () => {
    expect(problemsOf({ migrationCommand: ['npm', 'run', 'migrate'] })).toEqual([]);
  });

  test.each([[[]], [['alembic', '']]])('throws when the migration command is %j', (command) => {
    expect(problemsOf({ migrationCommand: command })).toEqual([
      `[dev] release.migrationCommand must be a non-empty list of non-empty strings, e.g. ['alembic', 'upgrade', 'head'], got: ${JSON.stringify(command)}`,
    ]);
  });

  test.each([0, 56, 120, 2.5])('throws when the timeout is %p minutes', (minutes) => {
    expect(problemsOf({ migrationCommand: ['migrate'], migrationTimeoutMinutes: minutes })).toEqual([
      `[dev] release.migrationTimeoutMinutes must be an integer in 1..55, got: ${minutes}`,
    ]);
  });
});
