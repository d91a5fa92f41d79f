/**
 * Lambda entry points of the migration runner (see core.ts): `onEvent` and `isComplete` for the
 * run resource's `cr.Provider`, `onGate` for the gate resource's.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  type CompletionEvent,
  type CompletionResult,
  checkMigration,
  type GateEvent,
  gate,
  type OnEventResult,
  type RunnerEvent,
  settingsFromEnv,
  startMigration,
} from './core';

const ecs = new ECSClient({});
const logs = new CloudWatchLogsClient({});
const now = () => new Date();

export async function onEvent(event: RunnerEvent): Promise<OnEventResult> {
  return startMigration(event, settingsFromEnv(process.env), ecs, now);
}

export async function isComplete(event: CompletionEvent): Promise<CompletionResult> {
  return checkMigration(event, settingsFromEnv(process.env), ecs, logs, now);
}

export async function onGate(event: GateEvent): Promise<{ PhysicalResourceId: string }> {
  return gate(event);
}
