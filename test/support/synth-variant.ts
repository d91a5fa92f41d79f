import { type ComposeOptions, composeApp } from '../../lib/app';
import type { EnvironmentConfig } from '../../lib/config/types';
import { type SynthesizedStack, stacksOf } from '../../lib/review/assembly';
import type { EnvironmentStage } from '../../lib/stages/environment-stage';
import { testApp } from './test-app';

/**
 * Synthesizes `environments` exactly as `bin/app.ts` composes them (cdk-nag included) into a
 * fresh cloud assembly and returns its stacks, as the release review reads them. `customize` may
 * add to the stages before synth; `options` are `bin/app.ts`'s (an image tag from `-c imageTag`).
 * About half a second per environment once CDK is loaded.
 */
export function synthesizeStacks(
  environments: readonly EnvironmentConfig[],
  customize?: (stages: readonly EnvironmentStage[]) => void,
  options?: ComposeOptions,
): SynthesizedStack[] {
  const app = testApp();
  const stages = composeApp(app, environments, options);
  customize?.(stages);
  return stacksOf(app.synth().directory);
}
