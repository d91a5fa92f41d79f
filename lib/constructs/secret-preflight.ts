import { CustomResource, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { THIRD_PARTY_PLACEHOLDER } from './app-secrets';
import { HandlerFunction, HandlerProvider } from './handler-function';

export interface SecretPreflightProps {
  /** Third-party secrets by the environment variable they become (e.g. `AppSecrets.thirdParty`). */
  readonly secrets: ReadonlyMap<string, secretsmanager.ISecret>;
  /** The key the secrets are encrypted with. */
  readonly encryptionKey: kms.IKey;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * A value that changes with every release (e.g. the image name), so that the check runs again
   * on each release and not only when the list of secrets changes.
   * @default - the check runs when the stack is created and when the list of secrets changes
   */
  readonly trigger?: string;
}

/**
 * Refuses a release while a third-party secret is missing, empty or still holds the placeholder
 * Berth created it with: the deploy fails before anything rolls out, with one message naming
 * every unset secret and the `aws secretsmanager put-secret-value` command that sets it. Make the
 * migration runner (and through it the service) depend on `resource`.
 */
export class SecretPreflight extends Construct {
  readonly resource: CustomResource;
  readonly checkFunction: HandlerFunction;

  constructor(scope: Construct, id: string, props: SecretPreflightProps) {
    super(scope, id);
    const common = {
      encryptionKey: props.encryptionKey,
      logRetentionDays: props.logRetentionDays,
      logRemovalPolicy: props.logRemovalPolicy,
    };
    const secrets = [...props.secrets.entries()].map(([name, secret]) => ({ Name: name, Arn: secret.secretArn }));
    this.checkFunction = new HandlerFunction(this, 'Check', {
      ...common,
      handlerDir: 'secret-preflight',
      exportName: 'handler',
      description: 'Berth secret preflight: refuses a release while a third-party secret is unset',
    });
    // To tell a rollback apart (see lambda/secret-preflight/core.ts): this stack only.
    this.checkFunction.allow(
      new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Stack.of(this).stackId] }),
    );
    if (secrets.length > 0) {
      this.checkFunction.allow(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secrets.map((s) => s.Arn) }),
      );
      this.checkFunction.allow(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [props.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    const provider = new HandlerProvider(this, 'Provider', { ...common, onEvent: this.checkFunction });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::BerthSecretPreflight',
      properties: {
        Secrets: secrets,
        Placeholder: THIRD_PARTY_PLACEHOLDER,
        ...(props.trigger === undefined ? {} : { Trigger: props.trigger }),
      },
    });
  }
}
