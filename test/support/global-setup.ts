import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExampleSynth } from './example-synth';
import { runState } from './run-state';

/**
 * Gives the whole jest run one temporary directory, as TMPDIR: every temp dir the tests, the code
 * under test and the commands they start make goes in it (template tests alone leave ~30 MB of
 * cloud assemblies a run), and global-teardown.ts deletes it. Workers inherit the environment.
 * Starts the example app's synth, which test files share (example-synth.ts).
 */
export default function globalSetup(): void {
  const directory = mkdtempSync(join(tmpdir(), 'berth-jest-'));
  process.env.BERTH_JEST_TMPDIR = directory;
  process.env.TMPDIR = directory;
  runState().exampleSynth = startExampleSynth(directory);
}
