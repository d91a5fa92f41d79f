import { failureReport, gate } from '../../lambda/migration-runner/core';
import { preflightMessage } from '../../lambda/secret-preflight/core';
import { deployFailure } from '../../lambda/shared/deploy-failure';

/** CloudFormation refuses a custom resource response larger than this ("Response object is too long"). */
const RESPONSE_LIMIT_BYTES = 4096;

/**
 * The FAILED response CDK's provider framework sends CloudFormation when a handler throws `error`:
 * the Lambda runtime reports `errorMessage` and `trace` (the stack's lines); the framework
 * (custom-resources/lib/provider-framework/runtime/framework.ts) makes the reason the message, a
 * line naming the log group, then the trace without its first line (cfn-response.ts: `e.stack`).
 */
function failedResponse(error: Error): string {
  const trace = (error.stack ?? '').split('\n');
  const functionName = `prod-Service-MigrationsGateCheckFunction${'X'.repeat(24)}`;
  const message = [error.message, '', `Logs: /aws/lambda/${functionName}`, ''].join('\n');
  return JSON.stringify({
    Status: 'FAILED',
    Reason: [message, ...trace.slice(1)].join('\n'),
    StackId: 'arn:aws:cloudformation:eu-west-1:333333333333:stack/prod-Service/0f3c9e20-8f5c-11ef-a3c4-0a1b2c3d4e5f',
    RequestId: '6c1e9a52-3f2b-4c7d-9e8f-0a1b2c3d4e5f',
    PhysicalResourceId: 'berth-migration-gate',
    LogicalResourceId: 'MigrationsGateResource1A2B3C4D',
    NoEcho: false,
  });
}

const worstReport = failureReport({
  headline: 'Migration failed: exit 1',
  taskArn: 'arn:aws:ecs:eu-west-1:333333333333:task/berth-prod/0123456789abcdef0123456789abcdef',
  exitCode: 1,
  reasons: ['Essential container in task exited'],
  lines: Array.from({ length: 20 }, (_, i) => `Traceback line ${i} ${'x'.repeat(400)}`),
  logGroupName: '/berth/prod/migrations',
  logStreamName: 'migrate/migrate/0123456789abcdef0123456789abcdef',
  region: 'eu-west-1',
});

const manyUnsetSecrets = preflightMessage(
  Array.from({ length: 40 }, (_, i) => ({
    secret: {
      Name: `berth/prod/THIRD_PARTY_SECRET_NUMBER_${i}`,
      Arn: `arn:aws:secretsmanager:eu-west-1:333333333333:secret:berth/prod/THIRD_PARTY_SECRET_NUMBER_${i}-AbCdEf`,
    },
    problem: 'still holds the placeholder',
  })),
  'eu-west-1',
);

test.each([
  ['a failed migration with a 20-line log tail', worstReport],
  ['a release blocked by 40 unset secrets', manyUnsetSecrets],
])('the response for %s fits CloudFormation, with the whole message once', (_, message) => {
  const response = failedResponse(deployFailure(message));
  expect(Buffer.byteLength(response)).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
  const reason = JSON.parse(response).Reason as string;
  expect(reason.startsWith(`${message}\n`)).toBe(true);
  expect(reason.split(message.split('\n')[1] ?? '')).toHaveLength(2);
});

test('names as many further unset secrets as fit, and counts the rest even when no name fits', () => {
  const lines = manyUnsetSecrets.split('\n');
  expect(lines.at(-1)).toMatch(
    /^- \.\.\. and \d+ more: berth\/prod\/THIRD_PARTY_SECRET_NUMBER_\d+(, [^,]+)*(, \.\.\.)?$/,
  );
  const longNames = preflightMessage(
    Array.from({ length: 12 }, (_, i) => ({
      secret: {
        Name: `berth/prod/${String(i).padStart(300, 'N')}`,
        Arn: `arn:aws:secretsmanager:eu-west-1:333333333333:secret:${i}`,
      },
      problem: 'is empty',
    })),
    'eu-west-1',
  );
  expect(longNames.split('\n').at(-1)).toMatch(/^- \.\.\. and \d+ more$/);
});

test('a plain Error with the same report would not fit: its stack repeats the message', () => {
  expect(Buffer.byteLength(failedResponse(new Error(worstReport)))).toBeGreaterThan(RESPONSE_LIMIT_BYTES);
});

test('the gate fails the deploy with the report as a deploy failure', () => {
  let thrown: unknown;
  try {
    gate({ RequestType: 'Update', ResourceProperties: { Outcome: 'failed', Report: worstReport } });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as Error).message).toBe(worstReport);
  expect((thrown as Error).stack).toBe(`Error: ${worstReport.split('\n')[0]}`);
});
