import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { environments } from '../../lib/config/environments';
import type { EnvironmentConfig } from '../../lib/config/types';
import type { TemplateFile } from './cfn-lint';
import { exampleAssemblyDirectory } from './example-synth';

/** The stacks of each environment's stage. */
export type ExampleStackName = 'Data' | 'Service' | 'Uptime';

let assembly: CloudAssembly | undefined;

/**
 * The example configuration's cloud assembly: composed exactly as `bin/app.ts` does and
 * synthesized once per jest run, cdk-nag included, so this throws if any finding is
 * unacknowledged (test/support/example-synth.ts).
 */
export function exampleAssembly(): CloudAssembly {
  assembly ??= new CloudAssembly(exampleAssemblyDirectory());
  return assembly;
}

/** The configuration of the example environment `name`. */
export function exampleConfig(name: string): EnvironmentConfig {
  const config = environments.find((environment) => environment.name === name);
  if (!config) throw new Error(`no example environment '${name}'`);
  return config;
}

/** The stack `stack` of the example environment `environment` (its environment, its template). */
export function exampleStack(environment: string, stack: ExampleStackName): CloudFormationStackArtifact {
  const id = `${exampleConfig(environment).name}/${stack}`;
  const found = exampleAssembly().stacksRecursively.find((artifact) => artifact.hierarchicalId === id);
  if (!found) throw new Error(`no stack '${id}' in the example app`);
  return found;
}

/** The synthesized template of `stack` in the example environment `environment`. */
export function exampleTemplate(environment: string, stack: ExampleStackName): Template {
  return Template.fromJSON(exampleStack(environment, stack).template);
}

/** Every template the example app synthesizes (the stages' and the CI access stacks'), with its region. */
export function allTemplates(): TemplateFile[] {
  return exampleAssembly().stacksRecursively.map((stack) => ({
    path: stack.templateFullPath,
    region: stack.environment.region,
  }));
}
