/**
 * `npm run cost`: an itemized monthly estimate per environment, computed from the templates in
 * cdk.out (what would really be deployed). Synthesizes first when cdk.out is missing or older than
 * the code and config; `--no-synth` prices cdk.out as it is, `--json` prints the estimates as JSON.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { environments } from '../lib/config/environments';
import { exitOnConfigError, validateEnvironments } from '../lib/config/validate';
import { estimateAssembly, formatStage, pricesFooter } from '../lib/cost/report';

const OUTDIR = 'cdk.out';
const SOURCES = ['bin', 'lib', 'lambda', 'cdk.json', 'package.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

const USAGE = 'usage: npm run -s cost -- [--no-synth] [--json]';

/** The script's flags; an unknown one exits 2 with the usage rather than being ignored. */
function flags(): { readonly synth: boolean; readonly json: boolean } {
  try {
    const { values } = parseArgs({
      options: {
        'no-synth': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    return { synth: !values['no-synth'], json: values.json };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const options = flags();
const manifest = join(OUTDIR, 'manifest.json');
const stale = !existsSync(manifest) || Math.max(...SOURCES.map(newestMtime)) > statSync(manifest).mtimeMs;
if (stale && options.synth) {
  console.error('cdk.out is missing or older than the code: running cdk synth first ...');
  execFileSync('npx', ['cdk', 'synth', '**', '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// Checked here too: with --no-synth no synth has checked the config (its usage assumptions, say).
const stages = estimateAssembly(
  new CloudAssembly(OUTDIR),
  exitOnConfigError(() => validateEnvironments(environments)),
);
if (options.json) {
  console.log(JSON.stringify(stages, null, 2));
} else {
  for (const stage of stages) console.log(`${formatStage(stage).join('\n')}\n`);
  console.log(pricesFooter(stages.find((s) => s.estimate)?.estimate).join('\n'));
}
if (stages.some((stage) => stage.error)) process.exitCode = 1;
