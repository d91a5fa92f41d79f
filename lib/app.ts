import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { EnvironmentConfig } from './config/types';
import { validateEnvironments } from './config/validate';
import { addCiAccessStacks } from './stacks/ci-access-stack';
import { EnvironmentStage } from './stages/environment-stage';

/**
 * Composes Berth into `app`: validates every environment once (throwing one `ConfigError` with
 * every problem), adds one stage per environment and one CI access stack per account (outside
 * the stages, see `CiAccessStack`) and runs cdk-nag's AWS Solutions pack over all
 * of them at synth. `bin/app.ts` and the tests share this, so tests check what users deploy.
 */
export function composeApp(app: App, environments: readonly EnvironmentConfig[]): EnvironmentStage[] {
  const valid = validateEnvironments(environments);
  const stages = valid.map((config) => new EnvironmentStage(app, { config }));
  addCiAccessStacks(app, valid);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stages;
}
