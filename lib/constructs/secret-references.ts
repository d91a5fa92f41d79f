import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** One secret to inject: the whole secret string, or one key of a JSON secret. */
export interface SecretSource {
  readonly secret: secretsmanager.ISecret;
  /**
   * JSON key inside the secret.
   * @default - the whole secret string
   */
  readonly jsonKey?: string;
}

export interface SecretReferencesProps {
  /** Environment variable name to the secret that fills it. */
  readonly sources: Readonly<Record<string, SecretSource>>;
  /** The key the secrets are encrypted with. */
  readonly encryptionKey: kms.IKey;
}

/**
 * ECS secrets for secrets that live in another stack. Granting a KMS-encrypted secret directly
 * makes CDK add the reading role to the key policy in the secret's stack, a dependency cycle with
 * the stack of the role. Here the secrets are referenced by ARN, and `grantRead` gives the role
 * `GetSecretValue` on exactly these secrets and `kms:Decrypt` on the key only through Secrets
 * Manager, both in the role's own policy.
 */
export class SecretReferences extends Construct {
  /** Ready for `ContainerDefinitionOptions.secrets`. */
  readonly ecsSecrets: Readonly<Record<string, ecs.Secret>>;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: SecretReferencesProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    const imported = new Map<secretsmanager.ISecret, secretsmanager.ISecret>();
    const reference = (secret: secretsmanager.ISecret): secretsmanager.ISecret => {
      let ref = imported.get(secret);
      if (!ref) {
        ref = secretsmanager.Secret.fromSecretCompleteArn(this, `Secret${imported.size}`, secret.secretArn);
        imported.set(secret, ref);
      }
      return ref;
    };
    this.ecsSecrets = Object.fromEntries(
      Object.entries(props.sources).map(([name, source]) => [
        name,
        ecs.Secret.fromSecretsManager(reference(source.secret), source.jsonKey),
      ]),
    );
  }

  /** Lets `role` decrypt the secrets' key, only when Secrets Manager asks on its behalf. */
  grantDecrypt(role: iam.IGrantable): void {
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}
