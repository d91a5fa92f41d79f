import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// bin/run.cjs runs the CDK app (cdk.json) and the scripts. These tests run it as cdk.json does,
// on small projects written to a temp directory, each with its own cache directory.
const RUNNER = join(__dirname, '..', '..', 'bin', 'run.cjs');

let dir: string;
let cacheDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-run-'));
  cacheDir = join(dir, 'cache');
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function run(entry: string, ...args: string[]) {
  return runWith({}, entry, ...args);
}

function runWith(env: NodeJS.ProcessEnv, entry: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [RUNNER, entry, ...args], {
    encoding: 'utf8',
    env: { ...process.env, BERTH_CACHE_DIR: cacheDir, ...env },
  });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe('a TypeScript entry point', () => {
  test('runs as the main module, with its arguments, importing TypeScript', () => {
    write('shapes.ts', 'export enum Shape { Square = "square" }\nexport const sides = (s: Shape): number => 4;\n');
    const entry = write(
      'main.ts',
      [
        "import { Shape, sides } from './shapes';",
        'interface Report { readonly args: readonly string[]; readonly main: boolean; readonly sides: number }',
        'const report: Report = { args: process.argv.slice(2), main: require.main === module, sides: sides(Shape.Square) };',
        'console.log(JSON.stringify(report));',
      ].join('\n'),
    );
    const result = run(entry, '--env', 'dev');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ args: ['--env', 'dev'], main: true, sides: 4 });
    expect(result.status).toBe(0);
  });

  test('fails with the TypeScript line of an error, from the cached transform too', () => {
    const entry = write('fail.ts', "const answer: number = 42;\n\nthrow new Error('failed at ' + answer);\n");
    for (const attempt of ['transformed', 'from the cache']) {
      const result = run(entry);
      expect({ attempt, status: result.status }).toEqual({ attempt, status: 1 });
      expect(result.stderr).toContain('Error: failed at 42');
      expect(result.stderr).toContain(`${entry}:3:7`);
    }
  });

  test('reuses the transform of an unchanged file', () => {
    const entry = write('main.ts', "const word: string = 'aaa';\nconsole.log(word);\n");
    expect(run(entry).stdout).toBe('aaa');
    const [cached] = readdirSync(join(cacheDir, 'ts'));
    const file = join(cacheDir, 'ts', cached ?? '');
    // Edited in the cache only: the next run prints it only if it runs the cached transform.
    writeFileSync(file, readFileSync(file, 'utf8').replace("'aaa'", "'zzz'"));
    expect(run(entry).stdout).toBe('zzz');
  });

  test('never runs the transform of an earlier version of a file', () => {
    const entry = write('main.ts', "const word: string = 'aaa';\nconsole.log(word);\n");
    expect(run(entry).stdout).toBe('aaa');
    write('main.ts', "const word: string = 'bbb';\nconsole.log(word);\n");
    expect(run(entry).stdout).toBe('bbb');
  });

  test('loads ES modules as Node does', () => {
    write('esm/package.json', '{ "type": "module" }');
    write('esm/index.js', "export const kind = 'esm';\n");
    const entry = write('main.ts', "import { kind } from './esm/index.js';\nconsole.log(kind);\n");
    for (const attempt of ['first', 'cached']) {
      expect({ attempt, ...run(entry) }).toMatchObject({ attempt, status: 0, stdout: 'esm' });
    }
  });

  test('runs through the CommonJS loader with --import in NODE_OPTIONS, as tracing agents set it', () => {
    const agent = write('agent.mjs', 'globalThis.agentLoaded = true;\n');
    const entry = write(
      'main.ts',
      'const loaded: boolean = Boolean((globalThis as any).agentLoaded);\nconsole.log(loaded);\n',
    );
    const result = runWith({ NODE_OPTIONS: `--import=${pathToFileURL(agent).href}` }, entry);
    expect(result).toMatchObject({ status: 0, stdout: 'true' });
  });

  test('without an entry, says how to call it', () => {
    const result = spawnSync(process.execPath, [RUNNER], { encoding: 'utf8' });
    expect(result.stderr).toContain('usage: node bin/run.cjs <file.ts> [args...]');
    expect(result.status).toBe(2);
  });
});

// Node >= 22.8 has its own compile cache, which the runner uses instead (module.enableCompileCache).
const ownCodeCache = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache !== 'function';

(ownCodeCache ? describe : describe.skip)('the V8 code cache (Node 20)', () => {
  function codeCache(): string {
    const files = readdirSync(cacheDir).filter((name) => name.endsWith('.v8cache'));
    expect(files).toHaveLength(1);
    return join(cacheDir, files[0] ?? '');
  }

  function indexOf(file: string): Record<string, [string, number, number]> {
    const raw = readFileSync(file);
    return JSON.parse(raw.subarray(4, 4 + raw.readUInt32LE(0)).toString('utf8'));
  }

  let entry: string;
  let dependency: string;
  let importer: string;

  beforeEach(() => {
    write('lib/other.js', 'module.exports = 1;\n');
    dependency = write(
      'lib/dependency.js',
      [
        "const path = require('node:path');",
        'module.exports = {',
        "  word: 'aaa',",
        "  resolves: require.resolve('./other') === path.join(__dirname, 'other.js') && require('./other') === 1,",
        '  sharesCache: require.cache[__filename] === module,',
        '};',
      ].join('\n'),
    );
    importer = write(
      'lib/importer.js',
      "exports.load = () => import('node:path').then((loaded) => typeof loaded.join);\n",
    );
    entry = write(
      'main.ts',
      [
        "import * as dependency from './lib/dependency';",
        "import { load } from './lib/importer';",
        'void load().then((join) =>',
        '  console.log(JSON.stringify({ word: dependency.word, resolves: dependency.resolves, sharesCache: dependency.sharesCache, join })),',
        ');',
      ].join('\n'),
    );
  });

  test("holds every JavaScript module's code after a run, and gives modules a working require", () => {
    const result = run(entry);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ word: 'aaa', resolves: true, sharesCache: true, join: 'function' });
    expect(Object.keys(indexOf(codeCache()))).toEqual(expect.arrayContaining([dependency, join(dir, 'lib/other.js')]));
  });

  test('leaves out modules that may call import(), which vm.Script cannot give them quietly', () => {
    run(entry);
    expect(Object.keys(indexOf(codeCache()))).not.toContain(importer);
    expect(JSON.parse(run(entry).stdout)).toMatchObject({ join: 'function' });
  });

  test('is not rewritten by a run that found everything in it', () => {
    run(entry);
    // Every write renames a new file into place, so the inode tells a rewrite.
    const written = statSync(codeCache()).ino;
    expect(run(entry).status).toBe(0);
    expect(statSync(codeCache()).ino).toBe(written);
  });

  test('keeps, when rewritten, what an earlier run loaded while its file exists', () => {
    const extra = write('lib/extra.js', 'module.exports = 2;\n');
    const flagged = write(
      'flagged.ts',
      "import './lib/dependency';\nif (process.argv.includes('--extra')) require('./lib/extra');\n",
    );
    const editDependency = (from: string, to: string) =>
      writeFileSync(dependency, readFileSync(dependency, 'utf8').replace(from, to));
    run(flagged, '--extra');
    editDependency("'aaa'", "'bbb'");
    run(flagged);
    expect(Object.keys(indexOf(codeCache()))).toEqual(expect.arrayContaining([dependency, extra]));
    rmSync(extra);
    editDependency("'bbb'", "'ccc'");
    run(flagged);
    expect(Object.keys(indexOf(codeCache()))).not.toContain(extra);
  });

  test("drops, when rewritten, an earlier run's package modules this run did not load, not its own", () => {
    const packaged = write('node_modules/extra-package/index.js', 'module.exports = 3;\n');
    const extra = write('lib/extra.js', 'module.exports = 2;\n');
    const flagged = write(
      'flagged.ts',
      "import './lib/dependency';\nif (process.argv.includes('--extra')) { require('extra-package'); require('./lib/extra'); }\n",
    );
    run(flagged, '--extra');
    expect(Object.keys(indexOf(codeCache()))).toEqual(expect.arrayContaining([packaged, extra]));
    writeFileSync(dependency, readFileSync(dependency, 'utf8').replace("'aaa'", "'bbb'"));
    run(flagged);
    const kept = Object.keys(indexOf(codeCache()));
    expect(kept).toContain(extra);
    expect(kept).not.toContain(packaged);
  });

  test('keeps the exit code of a run that writes it', () => {
    const exits = write('exits.ts', "import './lib/dependency';\nprocess.exit(3);\n");
    expect(run(exits).status).toBe(3);
    expect(readdirSync(cacheDir).some((name) => name.startsWith('exits.ts'))).toBe(true);
  });

  test('costs only speed when it cannot be written', () => {
    cacheDir = write('not-a-directory', '');
    const result = run(entry);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ word: 'aaa' });
    expect(result.stderr).toContain('not cached');
  });

  test('never runs the code of an earlier version of a module, even one of the same length', () => {
    run(entry);
    const before = indexOf(codeCache())[dependency];
    writeFileSync(dependency, readFileSync(dependency, 'utf8').replace("'aaa'", "'bbb'"));
    expect(JSON.parse(run(entry).stdout)).toMatchObject({ word: 'bbb' });
    expect(indexOf(codeCache())[dependency]?.[0]).not.toBe(before?.[0]);
  });

  test("deletes, when it writes, this entry point's caches for other Node builds and formats only", () => {
    run(entry);
    const name = basename(codeCache());
    const otherArch = process.arch === 'x64' ? 'arm64' : 'x64';
    const stale = [
      name.replace(process.version, 'v18.20.0'),
      name.replace(`-${process.arch}-`, `-${otherArch}-`),
      name.replace(/format\d+/, 'format1'),
    ].map((other) => write(`cache/${other}`, 'stale'));
    const kept = [
      // Another entry point with the same file name elsewhere, and a write in progress.
      name.replace(/^main\.ts-[0-9a-f]{12}-/, 'main.ts-0123456789ab-').replace(process.version, 'v18.20.0'),
      `${name}.12345`,
    ].map((other) => write(`cache/${other}`, 'kept'));
    writeFileSync(dependency, readFileSync(dependency, 'utf8').replace("'aaa'", "'bbb'"));
    run(entry);
    expect(stale.filter(existsSync)).toEqual([]);
    expect(kept.filter(existsSync)).toEqual(kept);
  });

  test('replaces a damaged cache instead of failing', () => {
    run(entry);
    const file = codeCache();
    writeFileSync(file, 'not a cache');
    const result = run(entry);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ word: 'aaa' });
    expect(Object.keys(indexOf(file))).toContain(dependency);
  });
});

(ownCodeCache ? describe.skip : describe)("Node's compile cache (Node >= 22.8)", () => {
  test('is kept in the cache directory', () => {
    write('lib/dependency.js', "module.exports = 'aaa';\n");
    const entry = write('main.ts', "import word = require('./lib/dependency');\nconsole.log(word);\n");
    expect(run(entry).stdout).toBe('aaa');
    // Node names its directory after the Node version and architecture, among other things.
    const nodeCaches = readdirSync(cacheDir).filter((name) => name.startsWith(`${process.version}-${process.arch}-`));
    expect(nodeCaches).toHaveLength(1);
    expect(readdirSync(join(cacheDir, nodeCaches[0] ?? '')).length).toBeGreaterThan(0);
    expect(run(entry).stdout).toBe('aaa');
  });
});
