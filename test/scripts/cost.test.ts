import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// scripts/cost.ts acts at load, so its flags are tested by running it as `npm run cost` does.
const ROOT = join(__dirname, '..', '..');

function cost(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'run.cjs'), 'scripts/cost.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, BERTH_CACHE_DIR: mkdtempSync(join(tmpdir(), 'berth-cost-cache-')) },
  });
}

describe('npm run cost', () => {
  test('prints its usage for --help and exits 0', () => {
    const result = cost('--help');
    expect(result.stdout).toBe('usage: npm run -s cost -- [--no-synth] [--json]\n');
    expect(result.status).toBe(0);
  });

  test('refuses an unknown flag with exit 2 instead of ignoring it', () => {
    const result = cost('--josn');
    expect(result.stderr).toContain("Unknown option '--josn'");
    expect(result.stderr).toContain('usage: npm run -s cost');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  });
});
