#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { composeApp } from '../lib/app';
import { environments } from '../lib/config/environments';
import { ConfigError } from '../lib/config/validate';
import { summarize } from '../lib/summary';

// cfn-lint (in npm test) covers CloudFormation's schema checks and more; the built-in WASM validation
// would add ~4-6 s to every synth.
const app = new App({ builtinCloudFormationValidation: false });
try {
  composeApp(app, environments);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the user's to fix: show the list, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
const assembly = app.synth();
// `npm run synth` asks for the summary in-process (one tsx start-up less than a separate script).
if (app.node.tryGetContext('berth:summary') === 'true') console.log(summarize(assembly.directory).join('\n'));
