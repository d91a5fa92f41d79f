import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import cdkJson from '../../cdk.json';
import { composeApp } from '../../lib/app';
import { environments } from '../../lib/config/environments';
import type { EnvironmentStage } from '../../lib/stages/environment-stage';
import type { TemplateFile } from './cfn-lint';

export interface ExampleApp {
  readonly stages: ReadonlyMap<string, EnvironmentStage>;
  readonly assembly: CloudAssembly;
}

let example: ExampleApp | undefined;

/** Context key that lists the stacks whose assets CDK bundles (`[]`: none). */
const BUNDLING_STACKS = 'aws:cdk:bundling-stacks';

/**
 * A fresh App configured as the CLI configures it: cdk.json's feature flags as context, and
 * CloudFormation schema checks left to cfn-lint (test/cfn-lint.test.ts), which covers them.
 */
export function testApp(extraContext: Record<string, unknown> = {}): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), 'berth-test-')),
    builtinCloudFormationValidation: false,
    // Handler bundling (esbuild) is left out of template tests, where only the template counts;
    // test/constructs/release-gate.test.ts bundles for real and checks the bundles.
    context: { ...cdkJson.context, [BUNDLING_STACKS]: [], ...extraContext },
  });
}

/**
 * The example configuration composed exactly as `bin/app.ts` does and synthesized once per test
 * file, cdk-nag included: the synth throws if any finding is unacknowledged.
 */
export function exampleApp(): ExampleApp {
  if (!example) {
    const app = testApp();
    const stages = composeApp(app, environments);
    const assembly = app.synth();
    example = { stages: new Map(stages.map((stage) => [stage.stageName, stage])), assembly };
  }
  return example;
}

/** The stage of the example environment `name`. */
export function exampleStage(name: string): EnvironmentStage {
  const stage = exampleApp().stages.get(name);
  if (!stage) throw new Error(`no example environment '${name}'`);
  return stage;
}

/** The synthesized template of `stack`, read from the assembly (no second synth). */
export function templateOf(stack: Stack): Template {
  const assembly = exampleApp().assembly.getNestedAssembly(`assembly-${stack.node.scope?.node.id}`);
  return Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
}

/** Every template the example app synthesizes (the stages' and the CI access stacks'), with its region. */
export function allTemplates(): TemplateFile[] {
  return exampleApp().assembly.stacksRecursively.map((stack) => ({
    path: stack.templateFullPath,
    region: stack.environment.region,
  }));
}
