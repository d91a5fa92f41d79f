#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { composeApp } from '../lib/app';
import { environments } from '../lib/config/environments';
import { exitOnConfigError } from '../lib/config/validate';
import { summarize } from '../lib/summary';
import { mayRunAhead } from './warm-app.cjs';

// Under `npm run synth` the app may be synthesized while the CDK CLI starts (bin/warm-app.cjs): it
// writes only into its output directory, prints only the summary, and keeps no state in modules.
mayRunAhead();
// CDK's built-in CloudFormation validation costs ~4 s per stack on every synth; cfn-lint runs the
// same schema checks and more over every template in `npm test` (test/cfn-lint.test.ts).
const app = new App({ builtinCloudFormationValidation: false });
const imageTag: unknown = app.node.tryGetContext('imageTag');
exitOnConfigError(() =>
  composeApp(app, environments, { imageTag: imageTag === undefined ? undefined : String(imageTag) }),
);
const assembly = app.synth();
// `npm run synth` asks for the summary in-process (one process start-up less than a separate script).
if (app.node.tryGetContext('berth:summary') === 'true') console.log(summarize(assembly).join('\n'));
