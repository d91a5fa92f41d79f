/**
 * Resource types whose replacement or deletion loses data, or drags a data-holding resource with
 * it. One list, used by the release review (which refuses such a change unless it is explicitly
 * allowed) and by the tests that check production keeps these resources on replace and delete.
 *
 * Left out on purpose: `AWS::EC2::VPC` and `AWS::EC2::Subnet`. They hold no data themselves; what a
 * VPC or subnet replacement would really cost (the database and cache moving) is found by following
 * references: a replaced subnet updates the subnet groups, and the review then flags the database
 * and cache that use them. The review still lists every replacement loudly, stateful or not.
 */
export const STATEFUL_RESOURCE_TYPES: ReadonlyMap<string, string> = new Map([
  ['AWS::RDS::DBInstance', 'the database: its storage and point-in-time recovery'],
  ['AWS::RDS::DBCluster', 'the database cluster: its storage and point-in-time recovery'],
  [
    'AWS::RDS::DBSubnetGroup',
    'the database subnet group: changing it can replace the database that uses it (aws/aws-cdk#31426)',
  ],
  [
    'AWS::RDS::DBParameterGroup',
    'the database parameters: a new group can replace the instance, and a restore needs the old one',
  ],
  ['AWS::RDS::DBClusterParameterGroup', 'the cluster parameters: a new group can replace the cluster'],
  ['AWS::ElastiCache::ReplicationGroup', 'the cache: sessions, rate-limit counters and cached data'],
  ['AWS::ElastiCache::SubnetGroup', 'the cache subnet group: a new one replaces the replication group'],
  ['AWS::ElastiCache::ParameterGroup', 'the cache parameters: a new group can disrupt the replication group'],
  [
    'AWS::SecretsManager::Secret',
    'a credential or key: its value (generated, or pasted in by the operator) and its ARN',
  ],
  ['AWS::KMS::Key', 'the encryption key: storage, snapshots, secrets and logs encrypted with it become unreadable'],
  ['AWS::S3::Bucket', 'stored objects (e.g. load balancer access logs)'],
  ['AWS::Logs::LogGroup', 'log history: flow logs, database, cache and service logs are audit evidence'],
  ['AWS::ECR::Repository', 'container images, which every rollback needs'],
  ['AWS::DynamoDB::Table', 'the table: its items'],
  ['AWS::EFS::FileSystem', 'the file system: its files'],
]);

/** Whether a resource of `type` holds data (see `STATEFUL_RESOURCE_TYPES`). */
export function isStateful(type: string | undefined): boolean {
  return type !== undefined && STATEFUL_RESOURCE_TYPES.has(type);
}
