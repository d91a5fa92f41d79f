import { dev } from '../../lib/config/environments';
import type { ReleaseConfig } from '../../lib/config/release';
import { problemsOf } from '../support/variant';

const releaseProblems = (release: ReleaseConfig): readonly string[] => problemsOf({ ...dev, release });

describe('release config', () => {
  test('accepts a command with the default timeout', () => {
    expect(releaseProblems({ migrationCommand: ['npm', 'run', 'migrate'] })).toEqual([]);
  });

  test.each([[[]], [['alembic', '']]])('throws when the migration command is %j', (command) => {
    expect(releaseProblems({ migrationCommand: command })).toEqual([
      `[dev] release.migrationCommand must be a non-empty list of non-empty strings, e.g. ['alembic', 'upgrade', 'head'], got: ${JSON.stringify(command)}`,
    ]);
  });

  test.each([0, 56, 120, 2.5])('throws when the timeout is %p minutes', (minutes) => {
    expect(releaseProblems({ migrationCommand: ['migrate'], migrationTimeoutMinutes: minutes })).toEqual([
      `[dev] release.migrationTimeoutMinutes must be an integer in 1..55, got: ${minutes}`,
    ]);
  });
});
