/**
 * `npm run bench`: how fast Berth synthesizes and tests on this machine, as medians of several runs
 * in one invocation. Not a test: figures depend on the machine and its load.
 *
 *   (a) `npm run synth` (what the README tells users to run: cdk synth '**' --quiet + summary)
 *   (b) the same CLI path (`npm run synth`, the same script line) on an app with one empty stack
 *       (the floor), built in a temp dir with the same cdk.json settings and app runner,
 *       node_modules symlinked; (a) and (b) take turns
 *   (c) the whole `npm test` (type-check, lint, unit and template tests, cdk-nag, cfn-lint)
 *   (d) the size of each Lambda bundle in cdk.out, mapped to its construct path
 *   (e) the app's own work with everything loaded and compiled (compose + synth + cdk-nag,
 *       repeated in this process): the part of (a) no start-up work can remove
 *
 * Flags: `--runs N` (default 3), `--json [file]` (default .bench/results.json), `--skip-test`.
 * Targets on a 2-core machine: (a)/(b) <= 1.5, (c) <= 90 s, each bundle <= 250 KB.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import cdkJson from '../cdk.json';
import { composeApp } from '../lib/app';
import { environments } from '../lib/config/environments';
import { stacksOf } from '../lib/review/assembly';

const TARGET_RATIO = 1.5;
const TARGET_TEST_S = 90;
const TARGET_BUNDLE_KB = 250;

const args = process.argv.slice(2);
const flag = (name: string) => args.indexOf(name);
const runs = flag('--runs') >= 0 ? Number(args[flag('--runs') + 1]) : 3;
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, got: ${args[flag('--runs') + 1]}`);
const jsonAt = flag('--json');
const jsonFile =
  jsonAt >= 0
    ? ((args[jsonAt + 1]?.startsWith('--') ? undefined : args[jsonAt + 1]) ?? '.bench/results.json')
    : undefined;

interface Timing {
  readonly medianS: number;
  readonly runsS: readonly number[];
}

interface Command {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** One unmeasured run first, so that every measured synth finds what any synth after the first
   * finds: the runner's code cache written and the Lambda bundles in cdk.out. */
  readonly warmUp?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs each command `runs` times and takes each one's median. The commands take turns, in an order
 * that flips every round, so that the machine's drift in speed (up to 50 % within the hour here)
 * falls on all of them alike instead of on whichever ran last.
 */
function timeEach(commands: readonly Command[]): Timing[] {
  for (const command of commands.filter((c) => c.warmUp)) {
    process.stderr.write(`  ${command.label} warm-up: ${run(command).toFixed(2)} s\n`);
  }
  const runsS = commands.map((): number[] => []);
  for (let round = 0; round < runs; round++) {
    const order = commands.map((_, index) => index);
    if (round % 2) order.reverse();
    for (const index of order) {
      const command = commands[index];
      const seconds = run(command);
      runsS[index].push(Math.round(seconds * 100) / 100);
      process.stderr.write(`  ${command.label} run ${round + 1}/${runs}: ${seconds.toFixed(2)} s\n`);
    }
  }
  return runsS.map(timing);
}

/** Runs `command` once; its wall time in seconds. */
function run(command: Command): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command.command, command.args, {
    cwd: command.cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', ...command.env },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(
      `${command.label} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`.slice(-4000),
    );
  }
  return seconds;
}

function timing(runsS: readonly number[]): Timing {
  const sorted = [...runsS].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianS = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { medianS, runsS };
}

/**
 * (e) The app's own work once nothing is left to load or compile: composing and synthesizing every
 * environment, cdk-nag included, repeated in this process after two unmeasured rounds, with the
 * context the CLI gives the app (cdk.json's, plus path and asset metadata and version reporting).
 * (b) + (e) is what (a) would take if the app started in no time.
 */
function warmSynth(): Timing {
  const context = {
    ...cdkJson.context,
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:version-reporting': true,
  };
  // One output directory, as cdk.out: the handler bundles are built in the first round only.
  const outdir = mkdtempSync(join(tmpdir(), 'berth-warm-'));
  const runsS: number[] = [];
  for (let i = -2; i < runs; i++) {
    const start = process.hrtime.bigint();
    const app = new App({ outdir, context, builtinCloudFormationValidation: false });
    composeApp(app, environments);
    app.synth();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (i >= 0) runsS.push(Math.round(seconds * 100) / 100);
  }
  rmSync(outdir, { recursive: true, force: true });
  return timing(runsS);
}

/**
 * An app with one empty stack, run exactly as cdk.json runs bin/app.ts: same cdk.json, same runner
 * (bin/*.cjs and the tsconfig.json it reads), node_modules linked, and package.json's `synth`
 * script, so that (b) starts the CLI exactly as (a) does (`npx cdk` takes ~0.3 s longer than
 * `npm run`).
 */
function floorApp(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-floor-'));
  symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'bin'));
  const runner = readdirSync(join(root, 'bin')).filter((name) => name.endsWith('.cjs'));
  for (const file of ['cdk.json', 'tsconfig.json', ...runner.map((name) => `bin/${name}`)]) {
    copyFileSync(join(root, file), join(dir, file));
  }
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { synth: string } };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'berth-floor', private: true, scripts: { synth: scripts.synth } }),
  );
  // Same App options as bin/app.ts, and like it synthesized ahead of the CLI's request when it can
  // be (bin/warm-app.cjs): the floor is the cheapest synth the CLI can do.
  writeFileSync(
    join(dir, 'bin', 'app.ts'),
    [
      "import { App, Stack } from 'aws-cdk-lib';",
      "import { mayRunAhead } from './warm-app.cjs';",
      'mayRunAhead();',
      'const app = new App({ builtinCloudFormationValidation: false });',
      "new Stack(app, 'Empty');",
      'app.synth();',
      '',
    ].join('\n'),
  );
  return dir;
}

interface Bundle {
  readonly constructPath: string;
  readonly asset: string;
  readonly bytes: number;
}

/**
 * Every `asset.*` directory in cdk.out holding an index.js that a current template uses, with the
 * construct that uses it (cdk.out keeps assets of earlier synths too).
 */
function bundles(outdir: string): Bundle[] {
  const users = new Map<string, string>();
  for (const { template } of stacksOf(outdir)) {
    for (const resource of Object.values(template.Resources ?? {})) {
      const metadata = resource.Metadata as Record<string, unknown> | undefined;
      const asset = metadata?.['aws:asset:path'];
      const path = metadata?.['aws:cdk:path'];
      if (typeof asset === 'string' && typeof path === 'string') {
        const name = asset.split('/').pop() ?? asset;
        if (!users.has(name)) users.set(name, path.replace(/\/Resource$/, ''));
      }
    }
  }
  return readdirSync(outdir)
    .filter((name) => users.has(name) && existsSync(join(outdir, name, 'index.js')))
    .map((asset) => ({
      asset,
      constructPath: users.get(asset) ?? asset,
      bytes: statSync(join(outdir, asset, 'index.js')).size,
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

const root = process.cwd();
process.stderr.write(`Benchmarking with ${runs} run(s) each ...\n`);
const floorDir = floorApp(root);
const [synth, floor] = timeEach([
  { label: '(a) npm run synth', command: 'npm', args: ['run', 'synth'], cwd: root, warmUp: true },
  {
    label: '(b) floor: npm run synth of one empty stack',
    command: 'npm',
    args: ['run', 'synth'],
    cwd: floorDir,
    warmUp: true,
    // The floor's bin/app.ts would share Berth's cache entries (they are named by path in the project).
    env: { BERTH_CACHE_DIR: join(floorDir, 'cache') },
  },
]);
rmSync(floorDir, { recursive: true, force: true });
const test = args.includes('--skip-test')
  ? undefined
  : timeEach([{ label: '(c) npm test', command: 'npm', args: ['test'], cwd: root }])[0];
const warm = warmSynth();
const lambda = bundles(join(root, 'cdk.out'));
const ratio = synth.medianS / floor.medianS;
const bestRatio = (floor.medianS + warm.medianS) / floor.medianS;

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cores: cpus().length,
  runs,
  synthS: synth,
  floorS: floor,
  ratio: Math.round(ratio * 100) / 100,
  warmSynthS: warm,
  bestRatio: Math.round(bestRatio * 100) / 100,
  testS: test,
  bundles: lambda,
};

const ok = (pass: boolean) => (pass ? 'ok' : 'OVER TARGET');
const runsOf = (t: Timing) => `(runs: ${t.runsS.join(', ')})`;
console.log(
  `Berth benchmark, ${results.date.slice(0, 10)}, Node ${results.node}, ${results.cores} cores, median of ${runs}`,
);
console.log(`  (a) npm run synth (every environment) ${synth.medianS.toFixed(2)} s ${runsOf(synth)}`);
console.log(`  (b) floor: one empty stack, same CLI  ${floor.medianS.toFixed(2)} s ${runsOf(floor)}`);
console.log(
  `      ratio (a)/(b)                     ${ratio.toFixed(2)}  target <= ${TARGET_RATIO}: ${ok(ratio <= TARGET_RATIO)}`,
);
console.log(`  (e) the app's work, warm, in-process  ${warm.medianS.toFixed(2)} s ${runsOf(warm)}`);
console.log(`      ratio with no app start-up ((b)+(e))/(b) ${bestRatio.toFixed(2)}`);
if (test) {
  console.log(
    `  (c) npm test                          ${test.medianS.toFixed(2)} s ${runsOf(test)}  target <= ${TARGET_TEST_S} s: ${ok(test.medianS <= TARGET_TEST_S)}`,
  );
}
console.log(`  (d) Lambda bundles (index.js, minified where Berth bundles it), target <= ${TARGET_BUNDLE_KB} KB each:`);
for (const bundle of lambda) {
  const kb = bundle.bytes / 1024;
  console.log(`      ${kb.toFixed(1).padStart(7)} KB  ${bundle.constructPath}  ${ok(kb <= TARGET_BUNDLE_KB)}`);
}
if (lambda.length === 0) console.log('      (none in cdk.out)');
if (jsonFile) {
  mkdirSync(dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Results written to ${jsonFile}`);
}
