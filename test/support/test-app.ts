import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import cdkJson from '../../cdk.json';

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
