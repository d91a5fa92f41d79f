import { rmSync } from 'node:fs';
import { runState } from './run-state';

/**
 * Stops the example app's synth if no test waited for it (a run of a few files), and deletes the
 * run's temporary directory (see global-setup.ts).
 */
export default function globalTeardown(): void {
  const { exampleSynth } = runState();
  if (exampleSynth && exampleSynth.exitCode === null && exampleSynth.signalCode === null) exampleSynth.kill();
  const directory = process.env.BERTH_JEST_TMPDIR;
  if (directory) rmSync(directory, { recursive: true, force: true });
}
