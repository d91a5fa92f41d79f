/**
 * `npm run bench`: how fast Berth synthesizes and tests on this machine, as medians of several runs
 * in one invocation. Not a test: figures depend on the machine and its load.
 *
 *   (a) `npm run synth` (what the README tells users to run: cdk synth '**' --quiet + summary)
 *   (b) the same CLI path on an app with one empty stack (the floor), built in a temp dir with the
 *       same cdk.json settings and app runner, node_modules symlinked
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

/**
 * Runs a command `runs` times and takes the median. With `warmUp`, one unmeasured run goes first, so
 * every measured synth finds what any synth after the first finds: the runner's code cache written
 * and the Lambda bundles in cdk.out.
 */
function time(
  label: string,
  command: string,
  commandArgs: readonly string[],
  cwd: string,
  warmUp = false,
  env: NodeJS.ProcessEnv = {},
): Timing {
  const runsS: number[] = [];
  for (let i = warmUp ? -1 : 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, commandArgs, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', ...env },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) {
      throw new Error(`${label} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`.slice(-4000));
    }
    if (i < 0) {
      process.stderr.write(`  ${label} warm-up: ${seconds.toFixed(2)} s\n`);
      continue;
    }
    runsS.push(Math.round(seconds * 100) / 100);
    process.stderr.write(`  ${label} run ${i + 1}/${runs}: ${seconds.toFixed(2)} s\n`);
  }
  return timing(runsS);
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
 * (bin/*.cjs and the tsconfig.json it reads), node_modules linked.
 */
function floorApp(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-floor-'));
  symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'bin'));
  const runner = readdirSync(join(root, 'bin')).filter((name) => name.endsWith('.cjs'));
  for (const file of ['cdk.json', 'tsconfig.json', ...runner.map((name) => `bin/${name}`)]) {
    copyFileSync(join(root, file), join(dir, file));
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'berth-floor', private: true }));
  // Same App options as bin/app.ts: the floor is the cheapest synth the CLI can do.
  writeFileSync(
    join(dir, 'bin', 'app.ts'),
    "import { App, Stack } from 'aws-cdk-lib';\nconst app = new App({ builtinCloudFormationValidation: false });\nnew Stack(app, 'Empty');\napp.synth();\n",
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
const synth = time('(a) npm run synth', 'npm', ['run', 'synth'], root, true);
const floorDir = floorApp(root);
// The floor's bin/app.ts would share Berth's cache entries (they are named by path in the project).
const floor = time(
  '(b) floor: cdk synth of one empty stack',
  'npx',
  ['cdk', 'synth', '**', '--quiet'],
  floorDir,
  true,
  {
    BERTH_CACHE_DIR: join(floorDir, 'cache'),
  },
);
rmSync(floorDir, { recursive: true, force: true });
const test = args.includes('--skip-test') ? undefined : time('(c) npm test', 'npm', ['test'], root);
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
