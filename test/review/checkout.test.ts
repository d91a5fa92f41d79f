import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkoutRef } from '../../lib/review/synth';

// `npm run review` synthesizes the base ref in a temporary worktree next to the working tree.
let repository: string;

function git(...args: string[]): string {
  const result = spawnSync('git', args, { cwd: repository, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

beforeEach(() => {
  repository = mkdtempSync(join(tmpdir(), 'berth-checkout-'));
  git('init', '--quiet');
  writeFileSync(join(repository, 'cdk.json'), '{"app": "base"}\n');
  git('add', 'cdk.json');
  git('-c', 'user.name=Berth', '-c', 'user.email=berth@example.com', 'commit', '--quiet', '-m', 'base');
  writeFileSync(join(repository, 'cdk.json'), '{"app": "working tree"}\n');
  mkdirSync(join(repository, 'node_modules'));
});

afterEach(() => rmSync(repository, { recursive: true, force: true }));

describe('checkoutRef', () => {
  test('checks the ref out with the repository node_modules, leaving the working tree alone', () => {
    const base = checkoutRef(repository, 'HEAD');
    try {
      expect(base.commit).toBe(git('rev-parse', 'HEAD'));
      expect(readFileSync(join(base.directory, 'cdk.json'), 'utf8')).toBe('{"app": "base"}\n');
      expect(realpathSync(join(base.directory, 'node_modules'))).toBe(realpathSync(join(repository, 'node_modules')));
      expect(readFileSync(join(repository, 'cdk.json'), 'utf8')).toBe('{"app": "working tree"}\n');
    } finally {
      base.remove();
    }
  });

  test('leaves neither the worktree nor its temporary directory behind', () => {
    const base = checkoutRef(repository, 'HEAD');
    base.remove();
    expect(existsSync(dirname(base.directory))).toBe(false);
    expect(git('worktree', 'list').split('\n')).toHaveLength(1);
    // The link goes, not what it points at.
    expect(existsSync(join(repository, 'node_modules'))).toBe(true);
  });

  test('installs the packages of a base whose package-lock.json differs, instead of linking the working tree', () => {
    writeFileSync(join(repository, 'package-lock.json'), '{"lockfileVersion": 3, "packages": {"": {}}}\n');
    git('add', 'package-lock.json');
    git('-c', 'user.name=Berth', '-c', 'user.email=berth@example.com', 'commit', '--quiet', '-m', 'lock');
    const installed: string[] = [];
    const same = checkoutRef(repository, 'HEAD', (directory) => installed.push(directory));
    same.remove();
    expect(installed).toEqual([]);

    // A dependency upgrade in the working tree: the base must be built with what it locked.
    writeFileSync(join(repository, 'package-lock.json'), '{"lockfileVersion": 3, "packages": {"": {"x": 1}}}\n');
    const upgraded = checkoutRef(repository, 'HEAD', (directory) => installed.push(directory));
    try {
      expect(installed).toEqual([upgraded.directory]);
      expect(existsSync(join(upgraded.directory, 'node_modules'))).toBe(false);
    } finally {
      upgraded.remove();
    }
  });

  test('removes the worktree when installing fails', () => {
    writeFileSync(join(repository, 'package-lock.json'), '{}\n');
    let directory = '';
    expect(() =>
      checkoutRef(repository, 'HEAD', (where) => {
        directory = where;
        throw new Error('npm ci failed');
      }),
    ).toThrow('npm ci failed');
    expect(existsSync(dirname(directory))).toBe(false);
    expect(git('worktree', 'list').split('\n')).toHaveLength(1);
  });

  test('names a ref that does not exist', () => {
    expect(() => checkoutRef(repository, 'no-such-ref')).toThrow(
      /git rev-parse --verify no-such-ref\^\{commit\} failed/,
    );
  });
});
