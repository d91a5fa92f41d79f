/**
 * Prints the per-environment summary of an existing cdk.out (`node bin/run.cjs scripts/summary.ts [outdir]`).
 * `npm run synth` prints the same summary from inside the app, which saves a second process.
 */
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { summarize } from '../lib/summary';

console.log(summarize(new CloudAssembly(process.argv[2] ?? 'cdk.out')).join('\n'));
