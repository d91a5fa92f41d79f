import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The example app is synthesized once per jest run, not once per test file: global-setup.ts starts
 * test/support/synth-example.ts (through bin/run.cjs, with its code cache) as the workers start,
 * and each test file that reads the assembly waits for it. Nine files read it; each took ~3-4 s
 * to compose and synthesize it for itself.
 */
const ROOT = join(__dirname, '..', '..');

/** Where the outcome goes, in the run's temp directory. */
const OUTCOME_FILE = 'example-assembly.json';

export type SynthOutcome = { readonly directory: string } | { readonly error: string };

/** How long a test file waits for the synth: far beyond the ~3-5 s it takes. */
const WAIT_MS = 3 * 60_000;

/** Starts the synth, in the background: its process writes the outcome itself (see `recordOutcome`). */
export function startExampleSynth(runDirectory: string): ChildProcess {
  const script = join(__dirname, 'synth-example.ts');
  return spawn(process.execPath, [join(ROOT, 'bin', 'run.cjs'), script, join(runDirectory, OUTCOME_FILE)], {
    cwd: ROOT,
    stdio: 'ignore',
  });
}

/**
 * Written whole by a rename, by the synth's own process: a test file runs in jest's main process
 * when it runs alone, and waits there without an event loop to hear the process end.
 */
export function recordOutcome(file: string, outcome: SynthOutcome): void {
  writeFileSync(`${file}.partial`, JSON.stringify(outcome));
  renameSync(`${file}.partial`, file);
}

/** The example app's cloud assembly directory, once the synth global-setup.ts started has ended. */
export function exampleAssemblyDirectory(): string {
  const runDirectory = process.env.BERTH_JEST_TMPDIR;
  if (!runDirectory) throw new Error('BERTH_JEST_TMPDIR is not set: jest runs test/support/global-setup.ts first');
  const file = join(runDirectory, OUTCOME_FILE);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + WAIT_MS;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`The example app's synth wrote no outcome within ${WAIT_MS / 1000} s`);
    Atomics.wait(pause, 0, 0, 50);
  }
  const outcome = JSON.parse(readFileSync(file, 'utf8')) as SynthOutcome;
  if ('error' in outcome) throw new Error(`The example app failed to synthesize:\n${outcome.error}`);
  return outcome.directory;
}
