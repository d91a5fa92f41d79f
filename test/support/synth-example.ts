import { environments } from '../../lib/config/environments';
import { recordOutcome } from './example-synth';
import { synthesizeAssembly } from './synth-variant';

// Run by example-synth.ts through bin/run.cjs, once per jest run: composes the example
// configuration exactly as bin/app.ts does, cdk-nag included (the synth throws on any
// unacknowledged finding), and records where the cloud assembly went, or why it failed.
const [outcomeFile] = process.argv.slice(2);
if (!outcomeFile) throw new Error('usage: node bin/run.cjs test/support/synth-example.ts <outcome file>');
try {
  recordOutcome(outcomeFile, { directory: synthesizeAssembly(environments) });
} catch (error) {
  recordOutcome(outcomeFile, { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
}
