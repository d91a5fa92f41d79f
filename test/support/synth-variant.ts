import { type ComposeOptions, composeApp } from '../../lib/app';
import type { EnvironmentConfig } from '../../lib/config/types';
import { type SynthesizedStack, stacksOf } from '../../lib/review/assembly';
import type { EnvironmentStage } from '../../lib/stages/environment-stage';
import { testApp } from './test-app';

/**
 * Synthesizes `environments` exactly as `bin/app.ts` composes them (cdk-nag included: the synth
 * throws on any unacknowledged finding) into a fresh cloud assembly, and returns its directory.
 * `customize` may add to the stages before synth; `options` are `bin/app.ts`'s (an image tag from
 * `-c imageTag`). About half a second per environment once CDK is loaded.
 */
export function synthesizeAssembly(
  environments: readonly EnvironmentConfig[],
  customize?: (stages: readonly EnvironmentStage[]) => void,
  options?: ComposeOptions,
): string {
  const app = testApp();
  const stages = composeApp(app, environments, options);
  customize?.(stages);
  return app.synth().directory;
}

/** The stacks of `synthesizeAssembly`'s assembly, as the release review reads them. */
export function synthesizeStacks(
  environments: readonly EnvironmentConfig[],
  customize?: (stages: readonly EnvironmentStage[]) => void,
  options?: ComposeOptions,
): SynthesizedStack[] {
  return stacksOf(synthesizeAssembly(environments, customize, options));
}
