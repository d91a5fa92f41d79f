#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { composeApp } from '../lib/app';
import { environments } from '../lib/config/environments';
import { ConfigError } from '../lib/config/validate';

const app = new App();
try {
  composeApp(app, environments);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the user's to fix: show the list, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
app.synth();
