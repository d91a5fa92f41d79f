import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { EnvironmentConfig } from './config/types';
import { validateEnvironments } from './config/validate';
import { addCiAccessStacks } from './stacks/ci-access-stack';
import { EnvironmentStage } from './stages/environment-stage';

export interface ComposeOptions {
  /**
   * Image tag to deploy in every environment instead of the pinned one (`cdk deploy -c imageTag=...`).
   * @default - each environment's `service.image.tag`
   */
  readonly imageTag?: string;
}

/**
 * Composes Berth into `app`: validates every environment once (throwing one `ConfigError` with
 * every problem), adds one stage per environment and one CI access stack per account (outside
 * the stages, see `CiAccessStack`) and runs cdk-nag's AWS Solutions pack over all
 * of them at synth. `bin/app.ts` and the tests share this, so tests check what users deploy.
 */
export function composeApp(
  app: App,
  environments: readonly EnvironmentConfig[],
  options: ComposeOptions = {},
): EnvironmentStage[] {
  const { imageTag } = options;
  const configured =
    imageTag === undefined
      ? environments
      : environments.map((env) =>
          // Synth does not check types: a missing section is for validateEnvironments to name.
          env.service?.image === undefined
            ? env
            : { ...env, service: { ...env.service, image: { ...env.service.image, tag: imageTag } } },
        );
  const valid = validateEnvironments(configured);
  const stages = valid.map((config) => new EnvironmentStage(app, { config }));
  addCiAccessStacks(app, valid);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stages;
}
