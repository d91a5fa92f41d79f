import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { composeApp } from '../../lib/app';
import type { EnvironmentConfig } from '../../lib/config/types';
import { type SynthesizedStack, stacksOf } from '../../lib/review/assembly';
import type { EnvironmentStage } from '../../lib/stages/environment-stage';

/**
 * Synthesizes `environments` exactly as `bin/app.ts` composes them (cdk-nag included) into a
 * fresh cloud assembly and returns its stacks, as the release review reads them. `customize` may
 * add to the stages before synth. About half a second per environment once CDK is loaded.
 */
export function synthesizeStacks(
  environments: readonly EnvironmentConfig[],
  customize?: (stages: readonly EnvironmentStage[]) => void,
): SynthesizedStack[] {
  const outdir = mkdtempSync(join(tmpdir(), 'berth-variant-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stages = composeApp(app, environments);
  customize?.(stages);
  app.synth();
  return stacksOf(outdir);
}
