import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentAhead, frame, frameReader, lineReader } from '../../bin/warm-app.cjs';

// `npm run synth` runs the CDK CLI through bin/cdk.cjs, which loads the app while the CLI starts
// (bin/warm-app.cjs). These tests run it with a stand-in for the CLI that runs cdk.json's app
// command as the CLI does (a shell, its own environment variables, output through pipes), on a
// small project in a temp directory.
const BIN = join(__dirname, '..', '..', 'bin');

let dir: string;
let aheadDir: string;

// One project for every test (a test that changes it puts it back); its first run records what
// the app loads, so that the tests' runs find it loaded.
beforeAll(() => {
  dir = createProject([
    "import { outdirAtLoad } from './dependency';",
    "if (process.env.REQUIRE_OPTIONAL) require('./optional');",
    "if (process.env.THROW) throw new Error('app failed');",
    'console.log(JSON.stringify({',
    '  outdirAtLoad,',
    '  outdir: process.env.CDK_OUTDIR,',
    '  socket: process.env.BERTH_APP_SOCKET ?? null,',
    '  args: process.argv.slice(2),',
    '  cwd: process.cwd(),',
    "  big: Object.entries(process.env).filter(([name]) => name.startsWith('BIG_')).map(([, value]) => value.length),",
    '}));',
    "console.error('note on stderr');",
    'if (process.env.EXIT_WITH) process.exitCode = Number(process.env.EXIT_WITH);',
  ]);
  runCli();
  // An app that declares it may run ahead, as bin/app.ts does. It writes what it was run for
  // into its output directory and into the file CDK_ERROR_FILE names, prints where its output
  // went and whether its dependency was loaded ahead, and marks that it ran (in the project, where
  // the stand-in CLI looks).
  aheadDir = createProject([
    "import { existsSync, mkdirSync, writeFileSync } from 'node:fs';",
    "import { join } from 'node:path';",
    `import { mayRunAhead } from ${JSON.stringify(join(BIN, 'warm-app.cjs'))};`,
    "import { outdirAtLoad } from './dependency';",
    'mayRunAhead();',
    'const context = process.env.CDK_CONTEXT_JSON ?? null;',
    "console.error('synthesizing for ' + context);",
    "writeFileSync('app-ran', '');",
    "if (process.env.THROW) throw new Error('app failed');",
    "const outdir = process.env.CDK_OUTDIR ?? '';",
    'mkdirSync(outdir, { recursive: true });',
    "writeFileSync(join(outdir, 'out.json'), JSON.stringify({ context }));",
    "writeFileSync(process.env.CDK_ERROR_FILE ?? '', String(context));",
    // As CDK stages a bundled asset: only when its directory is missing.
    "const bundled = !existsSync(join(outdir, 'asset.1'));",
    "if (bundled) mkdirSync(join(outdir, 'asset.1'));",
    'console.log(JSON.stringify({ outdir, outdirAtLoad, bundled }));',
  ]);
  runCliIn(aheadDir, {});
});

/** A project in a temp directory: cdk.json runs `bin/app.ts` (`appLines`) through bin/run.cjs. */
function createProject(appLines: readonly string[]): string {
  const project = mkdtempSync(join(tmpdir(), 'berth-warm-app-'));
  const write = (name: string, text: string) => writeFileSync(join(project, name), text);
  mkdirSync(join(project, 'bin'));
  mkdirSync(join(project, 'tmp'));
  symlinkSync(join(BIN, 'run.cjs'), join(project, 'bin', 'run.cjs'));
  write('cdk.json', JSON.stringify({ app: 'node bin/run.cjs bin/app.ts' }));
  // Records whether the CLI's environment was there when it loaded: not when it was loaded ahead.
  write('bin/dependency.ts', 'export const outdirAtLoad: string | null = process.env.CDK_OUTDIR ?? null;\n');
  // A module the app requires only when told to: it says when it loads, and can make the process
  // that loads it ahead end as the request to run the app arrives.
  write(
    'bin/optional.ts',
    [
      "console.error('optional module loaded');",
      "if (process.env.EXIT_ON_REQUEST) process.on('message', () => process.exit(7));",
    ].join('\n'),
  );
  write('bin/app.ts', appLines.join('\n'));
  // The stand-in CLI: runs the app command `RUNS` times (the CLI runs it again after looking up
  // missing context) and reports what each run printed and left in the output directory, which
  // it then empties (unless told to `KEEP_OUTDIR`). `CONTEXT` is the context it gives the app.
  // Told to `AWAIT_APP`, it waits (up to 10 s) for the app to have run before it runs the app
  // command, and reports whether it had: it can only have run first when it ran ahead.
  write(
    'cli.js',
    [
      "const { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } = require('node:fs');",
      "const { spawnSync } = require('node:child_process');",
      "const { app } = require('./cdk.json');",
      'const context = process.env.CONTEXT ? { CDK_CONTEXT_JSON: process.env.CONTEXT } : {};',
      "const env = { ...process.env, CDK_OUTDIR: 'cdk.out', CDK_ERROR_FILE: 'cdk.out/error.txt', ...context };",
      'const runs = [];',
      'for (let i = 0; i < Number(process.env.RUNS ?? 1); i++) {',
      '  const waitUntil = Date.now() + (process.env.AWAIT_APP ? 10_000 : 0);',
      "  while (!existsSync('app-ran') && Date.now() < waitUntil) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);",
      "  const appRanFirst = existsSync('app-ran');",
      "  rmSync('app-ran', { force: true });",
      // As the CLI does, with its lock file in it.
      "  mkdirSync('cdk.out', { recursive: true });",
      "  const r = spawnSync(app, { shell: true, encoding: 'utf8', env });",
      "  const entries = existsSync('cdk.out') ? readdirSync('cdk.out').map((name) => [name, lstatSync('cdk.out/' + name)]) : [];",
      "  const outdir = Object.fromEntries(entries.filter(([, stat]) => stat.isFile()).map(([name]) => [name, readFileSync('cdk.out/' + name, 'utf8')]));",
      "  const assets = Object.fromEntries(entries.filter(([name]) => name.startsWith('asset.')).map(([name, stat]) => [name, stat.isDirectory() ? 'directory' : 'other']));",
      "  if (!process.env.KEEP_OUTDIR) rmSync('cdk.out', { recursive: true, force: true });",
      '  runs.push({ status: r.status, stdout: r.stdout, stderr: r.stderr, appRanFirst, outdir, assets });',
      '}',
      'console.log(JSON.stringify({ sawSocket: Boolean(process.env.BERTH_APP_SOCKET), args: process.argv.slice(2), runs }));',
      'process.exitCode = runs.at(-1)?.status ?? 0;',
    ].join('\n'),
  );
  return project;
}

afterAll(() => {
  for (const project of [dir, aheadDir]) rmSync(project, { recursive: true, force: true });
});

function write(name: string, text: string): void {
  writeFileSync(join(dir, name), text);
}

interface AppRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the app had run before the CLI ran the app command. */
  readonly appRanFirst: boolean;
  /** What was in the output directory after the app command, file by file. */
  readonly outdir: Record<string, string>;
  /** The `asset.*` entries of the output directory: `directory`, or `other` (a link, a file). */
  readonly assets: Record<string, string>;
}

interface CliReport {
  readonly sawSocket: boolean;
  readonly args: readonly string[];
  readonly runs: readonly AppRun[];
}

/** Runs the stand-in CLI through `runCli` in the first project, as bin/cdk.cjs runs the real one. */
function runCli(env: NodeJS.ProcessEnv = {}, ...args: string[]): { result: unknown; cli: CliReport } {
  return runCliIn(dir, env, args);
}

function runCliIn(
  project: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[] = [],
): { result: unknown; cli: CliReport } {
  rmSync(join(project, 'app-ran'), { force: true });
  const driver = [
    `const { runCli } = require(${JSON.stringify(join(BIN, 'warm-app.cjs'))});`,
    `runCli({ cli: 'cli.js', args: ${JSON.stringify(args)}, projectDir: process.cwd() })`,
    "  .then((result) => console.log('RESULT ' + JSON.stringify(result)));",
  ].join('\n');
  const ran = spawnSync(process.execPath, ['-e', driver], {
    cwd: project,
    encoding: 'utf8',
    // TMPDIR: where the process holding the app makes its private output directory.
    env: { ...process.env, BERTH_CACHE_DIR: join(project, 'cache'), TMPDIR: join(project, 'tmp'), ...env },
  });
  const lines = ran.stdout.trim().split('\n');
  const resultLine = lines.find((line) => line.startsWith('RESULT ')) ?? 'RESULT null';
  return {
    result: JSON.parse(resultLine.slice('RESULT '.length)),
    cli: JSON.parse(lines.find((line) => line.startsWith('{')) ?? 'null'),
  };
}

function appReport(run: AppRun | undefined): Record<string, unknown> {
  return JSON.parse(run?.stdout ?? 'null');
}

describe('runCli', () => {
  test('runs the app in the process that loaded its modules, as the CLI started the app command', () => {
    const { result, cli } = runCli({}, 'synth', '--quiet');
    expect(result).toEqual({ code: 0 });
    expect(cli.sawSocket).toBe(true);
    expect(cli.args).toEqual(['synth', '--quiet']);
    expect(cli.runs[0]).toMatchObject({ status: 0, stderr: 'note on stderr\n' });
    expect(appReport(cli.runs[0])).toEqual({
      outdirAtLoad: null,
      outdir: 'cdk.out',
      socket: null,
      args: [],
      cwd: dir,
      big: [],
    });
  });

  test('passes on an environment of any size and characters whole', () => {
    // The request with the environment arrives in chunks of up to 64 KiB, which end inside one of
    // these 3-byte characters unless the line happens to line up with them at every end.
    const big = { BIG_1: '€'.repeat(40_000), BIG_2: `a${'€'.repeat(40_000)}`, BIG_3: `ab${'€'.repeat(40_000)}` };
    const { cli } = runCli(big);
    expect(cli.runs[0]).toMatchObject({ status: 0, stderr: 'note on stderr\n' });
    const report = appReport(cli.runs[0]);
    expect(report).toMatchObject({ outdirAtLoad: null, big: expect.arrayContaining([40_000, 40_001, 40_002]) });
  });

  test("passes on the app's exit code and its error", () => {
    const exited = runCli({ EXIT_WITH: '3' });
    expect(exited).toMatchObject({ result: { code: 3 }, cli: { runs: [{ status: 3 }] } });
    expect(appReport(exited.cli.runs[0])).toMatchObject({ outdirAtLoad: null });
    const { result, cli } = runCli({ THROW: '1' });
    expect(result).toEqual({ code: 1 });
    expect(cli.runs[0]?.stderr).toContain('Error: app failed');
    expect(cli.runs[0]?.stderr).toContain(`${join(dir, 'bin', 'app.ts')}:3:`);
  });

  test('runs the app in its own process when the CLI runs it a second time', () => {
    const { result, cli } = runCli({ RUNS: '2' });
    expect(result).toEqual({ code: 0 });
    expect(cli.runs.map((run) => ({ status: run.status, outdirAtLoad: appReport(run).outdirAtLoad }))).toEqual([
      { status: 0, outdirAtLoad: null },
      { status: 0, outdirAtLoad: 'cdk.out' },
    ]);
  });

  test('runs the CLI alone for an app command other than bin/run.cjs', () => {
    const cdkJson = join(dir, 'cdk.json');
    const original = readFileSync(cdkJson, 'utf8');
    write('cdk.json', JSON.stringify({ app: 'node bin/run.cjs bin/app.ts --flag' }));
    try {
      const { result, cli } = runCli();
      expect(result).toEqual({ code: 0 });
      expect(cli.sawSocket).toBe(false);
      expect(appReport(cli.runs[0])).toMatchObject({ outdirAtLoad: 'cdk.out', args: ['--flag'] });
    } finally {
      writeFileSync(cdkJson, original);
    }
  });
});

describe('the modules loaded ahead', () => {
  test('are those the last run required: one the app stopped requiring is not loaded again', () => {
    expect(runCli({ REQUIRE_OPTIONAL: '1' }).cli.runs[0]?.stderr).toBe('optional module loaded\nnote on stderr\n');
    // Loaded ahead, as the last run required it; this run does not.
    expect(runCli().cli.runs[0]?.stderr).toBe('optional module loaded\nnote on stderr\n');
    expect(runCli().cli.runs[0]?.stderr).toBe('note on stderr\n');
  });

  test('that end the process holding them before the app runs leave the app command to run it', () => {
    runCli({ REQUIRE_OPTIONAL: '1' });
    const { result, cli } = runCli({ REQUIRE_OPTIONAL: '1', EXIT_ON_REQUEST: '1' });
    expect(result).toEqual({ code: 0 });
    expect(cli.runs[0]?.status).toBe(0);
    expect(appReport(cli.runs[0])).toMatchObject({ outdirAtLoad: 'cdk.out' });
    // What it printed as it loaded them ahead is not passed on: the app command prints it again.
    expect(cli.runs[0]?.stderr).toBe('optional module loaded\nnote on stderr\n');
    // Puts the list back: this run loaded ahead what the last one required, and requires less.
    runCli();
    expect(runCli().cli.runs[0]?.stderr).toBe('note on stderr\n');
  });
});

describe('an app that may run ahead', () => {
  const contextA = JSON.stringify({ imageTag: 'a' });
  const contextB = JSON.stringify({ imageTag: 'b' });
  /** Runs the stand-in CLI on the project whose app may run ahead. */
  const run = (context: string, env: NodeJS.ProcessEnv = {}) => runCliIn(aheadDir, { CONTEXT: context, ...env });
  /** Runs it, waiting for the app to have run ahead first. */
  const runAhead = (context: string, env: NodeJS.ProcessEnv = {}) => run(context, { AWAIT_APP: '1', ...env });
  /** What the app leaves in the output directory the CLI gave it. */
  const outdirFor = (context: string) => ({ 'out.json': JSON.stringify({ context }), 'error.txt': context });
  const leftInTmp = () => readdirSync(join(aheadDir, 'tmp'));
  /** Whether the app ran ahead, as it says: it wrote into its private directory, not cdk.out. */
  const ranAhead = (run: AppRun | undefined) => appReport(run).outdir !== 'cdk.out';

  const cache = () => join(aheadDir, 'cache');
  const records = () => readdirSync(cache()).filter((name) => name.endsWith('-request.json'));
  const forgetRequests = () => {
    for (const name of records()) rmSync(join(cache(), name));
  };
  /** The record after two requests with contextA: the next request with it runs ahead. */
  let stableRecord: { name: string; text: string };

  beforeAll(() => {
    forgetRequests();
    run(contextA);
    run(contextA);
    const [name = ''] = records();
    stableRecord = { name, text: readFileSync(join(cache(), name), 'utf8') };
  });

  // Each test starts from that record.
  beforeEach(() => {
    forgetRequests();
    writeFileSync(join(cache(), stableRecord.name), stableRecord.text, { mode: 0o600 });
  });

  test("runs ahead once the last two requests brought the same environment, its output the CLI's", () => {
    forgetRequests();
    for (const nth of ['first', 'second']) {
      const { result, cli } = run(contextA);
      expect({ nth, result, ranAhead: ranAhead(cli.runs[0]), outdir: cli.runs[0]?.outdir }).toEqual({
        nth,
        result: { code: 0 },
        ranAhead: false,
        outdir: outdirFor(contextA),
      });
    }
    const { result, cli } = runAhead(contextA);
    expect(result).toEqual({ code: 0 });
    expect(cli.runs[0]).toMatchObject({ status: 0, appRanFirst: true, stderr: `synthesizing for ${contextA}\n` });
    // Written to a private directory while the CLI started, and copied into the CLI's.
    expect(appReport(cli.runs[0])).toEqual({
      outdir: expect.stringContaining(join(aheadDir, 'tmp', 'berth-synth-')),
      outdirAtLoad: null,
      bundled: true,
    });
    expect(cli.runs[0]?.assets).toEqual({ 'asset.1': 'directory' });
    expect(cli.runs[0]?.outdir).toEqual(outdirFor(contextA));
    expect(leftInTmp()).toEqual([]);
  });

  test('run ahead for another environment, runs again in the same process for the request, printing once', () => {
    const { result, cli } = runAhead(contextB);
    expect(result).toEqual({ code: 0 });
    // It ran ahead for contextA: what that printed is not passed on, nor its output kept. It ran
    // again where its modules were loaded ahead, not in the app command.
    expect(cli.runs[0]).toMatchObject({
      status: 0,
      appRanFirst: true,
      stderr: `synthesizing for ${contextB}\n`,
      stdout: `${JSON.stringify({ outdir: 'cdk.out', outdirAtLoad: null, bundled: true })}\n`,
      outdir: outdirFor(contextB),
    });
    expect(leftInTmp()).toEqual([]);
    // The last two requests differ: not ahead; then the last two agree again.
    expect(ranAhead(run(contextB).cli.runs[0])).toBe(false);
    expect(runAhead(contextB).cli.runs[0]).toMatchObject({ appRanFirst: true, status: 0, outdir: outdirFor(contextB) });
  });

  test('finds the assets the output directory holds, and copies back only what it wrote', () => {
    const keep = { KEEP_OUTDIR: '1' };
    try {
      // Runs ahead into an empty cdk.out: the asset is made, and copied.
      run(contextA, keep);
      const { cli } = runAhead(contextA, keep);
      expect(cli.runs[0]).toMatchObject({
        status: 0,
        appRanFirst: true,
        assets: { 'asset.1': 'directory' },
        outdir: outdirFor(contextA),
      });
      expect(appReport(cli.runs[0])).toMatchObject({ bundled: false });
      expect(leftInTmp()).toEqual([]);
    } finally {
      rmSync(join(aheadDir, 'cdk.out'), { recursive: true, force: true });
    }
  });

  test('copies into an output directory that is a link, through the link', () => {
    const target = join(aheadDir, 'real-out');
    mkdirSync(target);
    symlinkSync(target, join(aheadDir, 'cdk.out'));
    try {
      const { result, cli } = runAhead(contextA, { KEEP_OUTDIR: '1' });
      expect(result).toEqual({ code: 0 });
      expect(cli.runs[0]).toMatchObject({ appRanFirst: true, outdir: outdirFor(contextA) });
      expect(lstatSync(join(aheadDir, 'cdk.out')).isSymbolicLink()).toBe(true);
      expect(readFileSync(join(target, 'out.json'), 'utf8')).toBe(JSON.stringify({ context: contextA }));
    } finally {
      for (const path of ['cdk.out', 'real-out']) rmSync(join(aheadDir, path), { recursive: true, force: true });
    }
  });

  test('does not run ahead an entry point changed since it declared it may', () => {
    const entry = join(aheadDir, 'bin', 'app.ts');
    const source = readFileSync(entry, 'utf8');
    try {
      // It might no longer declare it: only its run, not the record, can say.
      writeFileSync(entry, `${source}\n// changed\n`);
      expect(ranAhead(run(contextA).cli.runs[0])).toBe(false);
      expect(runAhead(contextA).cli.runs[0]).toMatchObject({ appRanFirst: true, status: 0 });
    } finally {
      writeFileSync(entry, source);
    }
  });

  test('removes its directory when the CLI ends without running the app, and runs ahead next time', () => {
    runCliIn(aheadDir, { CONTEXT: contextA, RUNS: '0' });
    // The CLI's end does not wait for the process that runs ahead to end.
    const deadline = Date.now() + 10_000;
    while (leftInTmp().length > 0 && Date.now() < deadline)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    expect(leftInTmp()).toEqual([]);
    const { cli } = runAhead(contextA);
    expect({ ranAhead: ranAhead(cli.runs[0]), status: cli.runs[0]?.status }).toEqual({ ranAhead: true, status: 0 });
  });

  test('failing ahead, fails in the app command, reported once, and does not run ahead next time', () => {
    const { result, cli } = runAhead(contextA, { THROW: '1' });
    expect(result).toEqual({ code: 1 });
    expect(cli.runs[0]).toMatchObject({ appRanFirst: true, outdir: {} });
    expect(cli.runs[0]?.stderr.match(/Error: app failed/g)).toHaveLength(1);
    expect(cli.runs[0]?.stderr.match(/synthesizing for/g)).toHaveLength(1);
    expect(leftInTmp()).toEqual([]);
    expect(ranAhead(run(contextA).cli.runs[0])).toBe(false);
  });

  test('keeps its record of the requests readable by its owner only (it holds the CLI context)', () => {
    forgetRequests();
    run(contextA);
    const [record = ''] = records();
    expect(records()).toHaveLength(1);
    expect(statSync(join(cache(), record)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(cache(), record), 'utf8'))).toMatchObject({
      changes: { CDK_OUTDIR: 'cdk.out', CDK_CONTEXT_JSON: contextA },
      stable: false,
      aheadEntry: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});

describe('environmentAhead', () => {
  const launchEnv = { HOME: '/home/u', KEPT: 'k', GONE: 'g' };
  const cliChanges = {
    CDK_OUTDIR: 'cdk.out',
    CDK_ERROR_FILE: 'cdk.out/error.txt',
    CDK_CONTEXT_JSON: JSON.stringify({ outdir: 'cdk.out/x' }),
    CDK_DEFAULT_REGION: 'eu-west-1',
    GONE: null,
  };

  test('moves the output directory and the files the CLI named in it, and nothing else', () => {
    // Paths into the output directory the CLI would not write (it joins them): left as they are.
    const notTheCli = { FROM_HERE: './cdk.out/x', UP_AND_DOWN: 'cdk.out/../cdk.out/x' };
    expect(environmentAhead(launchEnv, { ...cliChanges, ...notTheCli }, '/tmp/ahead')).toEqual({
      outdir: join(process.cwd(), 'cdk.out'),
      env: {
        HOME: '/home/u',
        KEPT: 'k',
        CDK_OUTDIR: '/tmp/ahead',
        CDK_ERROR_FILE: join('/tmp/ahead', 'error.txt'),
        CDK_CONTEXT_JSON: JSON.stringify({ outdir: 'cdk.out/x' }),
        CDK_DEFAULT_REGION: 'eu-west-1',
        ...notTheCli,
      },
    });
  });

  test('finds the files the CLI named in an output directory given as `out/` or `./out`', () => {
    for (const outdir of ['out/', './out']) {
      const changes = { CDK_OUTDIR: outdir, CDK_ERROR_FILE: join(outdir, 'error.txt') };
      expect({ outdir, ahead: environmentAhead(launchEnv, changes, '/tmp/ahead')?.env }).toEqual({
        outdir,
        ahead: { ...launchEnv, CDK_OUTDIR: '/tmp/ahead', CDK_ERROR_FILE: join('/tmp/ahead', 'error.txt') },
      });
    }
  });

  test('declines without an output directory, or with one holding the working directory', () => {
    for (const outdir of [undefined, '', '.', process.cwd(), '..']) {
      const changes = { ...cliChanges, CDK_OUTDIR: outdir ?? null };
      expect({ outdir, ahead: environmentAhead(launchEnv, changes, '/tmp/ahead') }).toEqual({
        outdir,
        ahead: undefined,
      });
    }
    expect(environmentAhead(launchEnv, { ...cliChanges, CDK_OUTDIR: '/elsewhere/out' }, '/tmp/ahead')).toMatchObject({
      outdir: '/elsewhere/out',
    });
  });
});

describe('the app command', () => {
  test('runs the app itself when nothing waits at the socket', () => {
    const ran = spawnSync(process.execPath, [join(BIN, 'run.cjs'), join(dir, 'bin', 'app.ts'), 'x'], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        BERTH_CACHE_DIR: join(dir, 'cache'),
        BERTH_APP_SOCKET: join(dir, 'nothing.sock'),
        CDK_OUTDIR: 'out',
      },
    });
    expect(ran.status).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ outdirAtLoad: 'out', socket: null, args: ['x'] });
  });
});

describe('frames', () => {
  test('are read back whole and in order, however the stream splits them', () => {
    const sent: [string, string][] = [
      ['o', 'out'],
      ['e', ''],
      ['e', 'é'.repeat(300)],
      ['x', '0'],
    ];
    const bytes = Buffer.concat(sent.map(([kind, text]) => frame(kind, Buffer.from(text))));
    for (const split of [1, 2, 5, 7, 64, bytes.length]) {
      const received: [string, string][] = [];
      const read = frameReader((kind, payload) => received.push([kind, payload.toString()]));
      for (let at = 0; at < bytes.length; at += split) read(bytes.subarray(at, at + split));
      expect({ split, received }).toEqual({ split, received: sent });
    }
  });
});

describe('the request line', () => {
  test('is decoded whole once, however the stream splits it, even inside a character', () => {
    const line = JSON.stringify({ env: { TEXT: 'aé€😀'.repeat(50) } });
    const bytes = Buffer.from(`${line}\nignored after the line`);
    for (let split = 1; split <= 9; split++) {
      const lines: string[] = [];
      const read = lineReader((received) => lines.push(received));
      for (let at = 0; at < bytes.length; at += split) read(bytes.subarray(at, at + split));
      expect({ split, lines }).toEqual({ split, lines: [line] });
    }
  });
});
