import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface ContainerRepositoryProps {
  readonly encryptionKey: kms.IKey;
  /** Production keeps the repository (and every released image) when the stack is deleted. */
  readonly production: boolean;
  /**
   * Tagged images kept; older ones expire. Rollback needs the previous releases, so keep plenty.
   * @default 50
   */
  readonly maxTaggedImages?: number;
}

/**
 * The ECR repository the environment's image is pushed to: immutable tags (a tag always means
 * the same image, so a rollback to it is exact), scan on push, KMS encryption and a lifecycle
 * that drops untagged layers after a week and keeps the last `maxTaggedImages` releases.
 */
export class ContainerRepository extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: ContainerRepositoryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      emptyOnDelete: !props.production,
      lifecycleRules: [
        {
          description: 'Drop untagged layers',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(7),
          rulePriority: 1,
        },
        {
          description: 'Keep the last releases',
          tagStatus: ecr.TagStatus.ANY,
          maxImageCount: props.maxTaggedImages ?? 50,
          rulePriority: 2,
        },
      ],
    });
  }
}
