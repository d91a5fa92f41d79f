/**
 * The secret preflight's logic: read every third-party secret the service needs and refuse the
 * release, in one message, while any is missing, empty or still the placeholder Berth created.
 * Secret values are compared in memory only; they are never logged or returned.
 */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { deployFailure } from '../shared/deploy-failure';

/** One secret to check: the environment variable it becomes and its ARN. */
export interface NamedSecret {
  readonly Name: string;
  readonly Arn: string;
}

/** The custom resource's properties. */
export interface PreflightProperties {
  readonly Secrets: readonly NamedSecret[];
  /** The value Berth creates third-party secrets with (not a secret). */
  readonly Placeholder: string;
  /** Changes with every release so that the check runs again; not read. */
  readonly Trigger?: string;
}

export interface PreflightEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  /** The stack the resource belongs to. */
  readonly StackId: string;
  readonly ResourceProperties: PreflightProperties;
}

/** A secret that is not ready, and why (never its value). */
export interface UnsetSecret {
  readonly secret: NamedSecret;
  readonly problem: string;
}

/** The physical id of the preflight resource, which never changes. */
export const PREFLIGHT_ID = 'berth-secret-preflight';

/**
 * Keeps the message inside CloudFormation's 4096-byte response (with the framework's log line, the
 * response's ids and JSON escaping), however many secrets are unset.
 */
const MESSAGE_BUDGET_CHARS = 3200;

/** Why `secret` is not ready, or undefined when it holds a real value. */
export async function problemOf(
  secret: NamedSecret,
  placeholder: string,
  client: SecretsManagerClient,
): Promise<string | undefined> {
  let value: string | undefined;
  try {
    const result = await client.send(new GetSecretValueCommand({ SecretId: secret.Arn }));
    value = result.SecretString;
    if (value === undefined && result.SecretBinary !== undefined) return undefined;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    if (name === 'ResourceNotFoundException') return 'has no value (or the secret does not exist)';
    return `could not be read (${name})`;
  }
  if (value === undefined || value.trim() === '') return 'is empty';
  if (value.trim() === placeholder) return `still holds the placeholder ${placeholder}`;
  return undefined;
}

/** Every secret that is not ready, in the order given. */
export async function unsetSecrets(
  properties: PreflightProperties,
  client: SecretsManagerClient,
): Promise<UnsetSecret[]> {
  const checked = await Promise.all(
    properties.Secrets.map(async (secret) => ({
      secret,
      problem: await problemOf(secret, properties.Placeholder, client),
    })),
  );
  return checked.filter((c): c is UnsetSecret => c.problem !== undefined);
}

/** The command that sets one secret; `<value>` is for the operator to replace. */
export function putCommand(arn: string, region: string): string {
  return `aws secretsmanager put-secret-value --secret-id ${arn} --secret-string '<value>' --region ${region}`;
}

/** One message naming every unset secret and the exact command to set each. */
export function preflightMessage(unset: readonly UnsetSecret[], region: string): string {
  const lines = [
    `Release blocked: ${unset.length} third-party secret(s) are not set. Nothing was rolled out. Set each one, then deploy again:`,
  ];
  const fits = (more: readonly string[]) => [...lines, ...more].join('\n').length <= MESSAGE_BUDGET_CHARS;
  for (const [i, { secret, problem }] of unset.entries()) {
    const entry = [`- ${secret.Name} ${problem}:`, `    ${putCommand(secret.Arn, region)}`];
    if (fits(entry)) {
      lines.push(...entry);
      continue;
    }
    // The rest by name only, as many as fit.
    const rest = unset.slice(i).map((u) => u.secret.Name);
    let named = rest.length;
    const tail = () =>
      named === 0
        ? `- ... and ${rest.length} more`
        : `- ... and ${rest.length} more: ${rest.slice(0, named).join(', ')}${named < rest.length ? ', ...' : ''}`;
    while (named > 0 && !fits([tail()])) named--;
    lines.push(tail());
    break;
  }
  return lines.join('\n');
}

/**
 * Whether stack `stackId` is rolling back. CloudFormation rolls this resource back with an Update
 * carrying the previous properties, even when it is the resource that failed.
 */
export async function isRollingBack(cloudFormation: CloudFormationClient, stackId: string): Promise<boolean> {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
  return Stacks?.[0]?.StackStatus?.endsWith('ROLLBACK_IN_PROGRESS') ?? false;
}

/**
 * onEvent: checks on Create and Update, does nothing on Delete, nor during a rollback. A check
 * there could only fail the rollback (for a secret unset since, or the very one that failed the
 * deploy) and leave the stack in UPDATE_ROLLBACK_FAILED, while guarding nothing: the previous
 * release is coming back either way.
 */
export async function preflight(
  event: PreflightEvent,
  secrets: SecretsManagerClient,
  cloudFormation: CloudFormationClient,
  region: string,
): Promise<{ PhysicalResourceId: string; Data: { Checked: string } }> {
  const checks =
    event.RequestType === 'Create' ||
    (event.RequestType === 'Update' && !(await isRollingBack(cloudFormation, event.StackId)));
  if (checks) {
    const unset = await unsetSecrets(event.ResourceProperties, secrets);
    if (unset.length > 0) throw deployFailure(preflightMessage(unset, region));
  }
  return {
    PhysicalResourceId: PREFLIGHT_ID,
    Data: { Checked: String(checks ? event.ResourceProperties.Secrets.length : 0) },
  };
}
