import { CloudFormationClient, DescribeStacksCommand, type StackStatus } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { preflight } from '../../lambda/secret-preflight/core';
import { THIRD_PARTY_PLACEHOLDER } from '../../lib/constructs/app-secrets';
import { awsError } from '../support/aws-error';

const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({});
const cfnMock = mockClient(CloudFormationClient);
const cloudFormation = new CloudFormationClient({});
const STACK_ID =
  'arn:aws:cloudformation:eu-west-1:111111111111:stack/prod-Service/0f3c9e20-8f5c-11ef-a3c4-0a1b2c3d4e5f';

/** The stack's status, as DescribeStacks reports it. */
const stackStatus = (status: StackStatus) =>
  cfnMock.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({
    Stacks: [{ StackName: 'prod-Service', StackStatus: status, CreationTime: new Date() }],
  });
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`;
const SECRETS = ['SENTRY_DSN', 'OPENAI_API_KEY', 'CLERK_SECRET_KEY'].map((name) => ({ Name: name, Arn: arn(name) }));
const event = (type: 'Create' | 'Update' | 'Delete' = 'Update') => ({
  RequestType: type,
  StackId: STACK_ID,
  ResourceProperties: { Secrets: SECRETS, Placeholder: THIRD_PARTY_PLACEHOLDER },
});

function secretValues(values: Record<string, string | Error>): void {
  for (const [name, value] of Object.entries(values)) {
    const call = smMock.on(GetSecretValueCommand, { SecretId: arn(name) });
    if (value instanceof Error) call.rejects(value);
    else call.resolves({ SecretString: value });
  }
}

const notFound = (): Error =>
  awsError(
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
  );

beforeEach(() => {
  smMock.reset();
  cfnMock.reset();
  stackStatus('UPDATE_IN_PROGRESS');
});

test('passes when every secret holds a real value', async () => {
  secretValues({ SENTRY_DSN: 'https://k@sentry.io/1', OPENAI_API_KEY: 'sk-real', CLERK_SECRET_KEY: 'sk_live_x' });
  await expect(preflight(event(), client, cloudFormation, 'eu-west-1')).resolves.toEqual({
    PhysicalResourceId: 'berth-secret-preflight',
    Data: { Checked: '3' },
  });
});

test('names every unset secret (placeholder, empty, missing) with the command that sets it', async () => {
  secretValues({ SENTRY_DSN: THIRD_PARTY_PLACEHOLDER, OPENAI_API_KEY: '  ', CLERK_SECRET_KEY: notFound() });
  const failure = preflight(event('Create'), client, cloudFormation, 'eu-west-1');
  await expect(failure).rejects.toThrow(
    [
      'Release blocked: 3 third-party secret(s) are not set. Nothing was rolled out. Set each one, then deploy again:',
      `- SENTRY_DSN still holds the placeholder ${THIRD_PARTY_PLACEHOLDER}:`,
      `    aws secretsmanager put-secret-value --secret-id ${arn('SENTRY_DSN')} --secret-string '<value>' --region eu-west-1`,
      '- OPENAI_API_KEY is empty:',
      `    aws secretsmanager put-secret-value --secret-id ${arn('OPENAI_API_KEY')} --secret-string '<value>' --region eu-west-1`,
      '- CLERK_SECRET_KEY has no value (or the secret does not exist):',
      `    aws secretsmanager put-secret-value --secret-id ${arn('CLERK_SECRET_KEY')} --secret-string '<value>' --region eu-west-1`,
    ].join('\n'),
  );
});

test('never puts a secret value in its message', async () => {
  secretValues({
    SENTRY_DSN: 'sk-very-secret',
    OPENAI_API_KEY: THIRD_PARTY_PLACEHOLDER,
    CLERK_SECRET_KEY: 'also-secret',
  });
  const message = await preflight(event(), client, cloudFormation, 'eu-west-1').then(
    () => '',
    (error: Error) => error.message,
  );
  expect(message).toContain('OPENAI_API_KEY');
  expect(message).not.toMatch(/sk-very-secret|also-secret|SENTRY_DSN|CLERK_SECRET_KEY/);
});

test('reports a secret it may not read instead of passing it', async () => {
  const denied = awsError('AccessDeniedException', 'not authorized');
  secretValues({ SENTRY_DSN: denied, OPENAI_API_KEY: 'x', CLERK_SECRET_KEY: 'y' });
  await expect(preflight(event(), client, cloudFormation, 'eu-west-1')).rejects.toThrow(
    '- SENTRY_DSN could not be read (AccessDeniedException):',
  );
});

test('does nothing on Delete', async () => {
  await preflight(event('Delete'), client, cloudFormation, 'eu-west-1');
  expect(smMock.calls()).toHaveLength(0);
});

test.each<StackStatus>(['UPDATE_ROLLBACK_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'])(
  'checks nothing while the stack is %s: a failed check could only fail the rollback',
  async (status) => {
    stackStatus(status);
    secretValues({ SENTRY_DSN: THIRD_PARTY_PLACEHOLDER, OPENAI_API_KEY: 'x', CLERK_SECRET_KEY: 'y' });
    await expect(preflight(event('Update'), client, cloudFormation, 'eu-west-1')).resolves.toEqual({
      PhysicalResourceId: 'berth-secret-preflight',
      Data: { Checked: '0' },
    });
    expect(smMock.calls()).toHaveLength(0);
  },
);

test('checks a Create without asking for the stack status (a new resource is never rolled back by an Update)', async () => {
  secretValues({ SENTRY_DSN: 'a', OPENAI_API_KEY: 'b', CLERK_SECRET_KEY: 'c' });
  await preflight(event('Create'), client, cloudFormation, 'eu-west-1');
  expect(cfnMock.calls()).toHaveLength(0);
  expect(smMock.calls()).toHaveLength(3);
});
