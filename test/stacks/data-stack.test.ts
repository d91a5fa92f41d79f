import { Match, type Template } from 'aws-cdk-lib/assertions';
import { prod } from '../../lib/config/environments';
import { NAT_INSTANCE_BOOT_COMMANDS } from '../../lib/constructs/network';
import { exampleTemplate } from '../support/example-app';

const dataTemplate = (env: string): Template => exampleTemplate(env, 'Data');
const ENVIRONMENTS = ['dev', 'staging', 'prod'];

describe('network', () => {
  test.each([
    ['staging', 2, 1],
    ['prod', 3, 3],
  ])('%s spans %i AZs with %i NAT gateway(s)', (env, azs, nats) => {
    const template = dataTemplate(env);
    template.resourceCountIs('AWS::EC2::NatGateway', nats);
    // Public, private and isolated subnets in every AZ.
    template.resourceCountIs('AWS::EC2::Subnet', azs * 3);
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    const zones = new Set(subnets.map((subnet) => subnet.Properties.AvailabilityZone));
    expect(zones.size).toBe(azs);
  });

  test('dev routes egress through one encrypted t4g.nano NAT instance open to the VPC only', () => {
    const template = dataTemplate('dev');
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Instance', 1);
    template.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      SourceDestCheck: false,
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true }) }],
    });
    const [nat] = Object.values(template.findResources('AWS::EC2::Instance'));
    // The boot script retries the iptables install (aws/aws-cdk#36717) and finds the interface
    // without net-tools.
    expect(nat?.Properties.UserData).toEqual({
      'Fn::Base64': ['#!/bin/bash', ...NAT_INSTANCE_BOOT_COMMANDS].join('\n'),
    });
    expect(NAT_INSTANCE_BOOT_COMMANDS[0]).toMatch(/^for attempt in .*dnf install -y iptables-services && break/);
    expect(NAT_INSTANCE_BOOT_COMMANDS.join('\n')).not.toMatch(/\broute \|/);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Security Group for NAT instances',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.10.0.0/16', IpProtocol: '-1' })],
    });
  });

  test('logs all VPC traffic to an encrypted log group with retention', () => {
    const template = dataTemplate('prod');
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    const flowLogGroup = template.findResources('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 90, KmsKeyId: Match.anyValue() },
    });
    expect(Object.keys(flowLogGroup).some((id) => id.startsWith('NetworkFlowLogs'))).toBe(true);
  });

  test.each([
    [
      'the VPC flow logs',
      'vpc-flow-logs.amazonaws.com',
      'arn:aws:ec2:eu-west-1:333333333333:vpc-flow-log/*',
      ['AWS::EC2::FlowLog', 'DeliverLogsPermissionArn', 'NetworkVpcFlowLogIAMRole'],
    ],
    [
      'RDS Enhanced Monitoring',
      'monitoring.rds.amazonaws.com',
      'arn:aws:rds:eu-west-1:333333333333:db:*',
      ['AWS::RDS::DBInstance', 'MonitoringRoleArn', 'DatabaseInstanceMonitoringRole'],
    ],
  ])(
    'lets %s act only for resources of their own account, in the role CDK made',
    (_, service, sourceArn, [user, property, roleIdPrefix]) => {
      const template = dataTemplate('prod');
      const roles = template.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: service } })] },
        },
      });
      expect(Object.values(roles).map((role) => role.Properties.AssumeRolePolicyDocument.Statement)).toEqual([
        [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: service },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '333333333333' },
              ArnLike: { 'aws:SourceArn': sourceArn },
            },
          },
        ],
      ]);
      const [roleId] = Object.keys(roles);
      // The role CDK created, amended: a new role would replace the flow log, which EC2 refuses.
      expect(roleId?.startsWith(roleIdPrefix as string)).toBe(true);
      template.hasResourceProperties(user as string, { [property as string]: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    },
  );

  test('has an S3 gateway endpoint in every environment', () => {
    for (const env of ENVIRONMENTS) {
      dataTemplate(env).hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }),
      });
    }
  });

  test('creates exactly the configured interface endpoints, reachable from the VPC on 443 only', () => {
    dataTemplate('dev').resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    interface Endpoint {
      readonly VpcEndpointType?: string;
      readonly ServiceName?: unknown;
      readonly PrivateDnsEnabled?: boolean;
      readonly SecurityGroupIds?: { 'Fn::GetAtt': [string, string] }[];
      readonly SecurityGroupIngress?: unknown;
    }
    const resources = dataTemplate('prod').toJSON().Resources as Record<string, { Type: string; Properties: Endpoint }>;
    const endpoints = Object.values(resources).filter(
      (r) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Interface',
    );
    expect(endpoints.map((e) => e.Properties.ServiceName).sort()).toEqual(
      prod.network.interfaceEndpoints.map((name) => `com.amazonaws.${prod.region}.${name}`).sort(),
    );
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      expect(endpoint.Properties.SecurityGroupIds?.length).toBeGreaterThan(0);
      for (const group of endpoint.Properties.SecurityGroupIds ?? []) {
        expect(resources[group['Fn::GetAtt'][0]]?.Properties.SecurityGroupIngress).toEqual([
          { CidrIp: prod.network.cidr, FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: expect.any(String) },
        ]);
      }
    }
  });

  test('admits nothing from 0.0.0.0/0', () => {
    for (const env of ENVIRONMENTS) {
      const template = dataTemplate(env);
      const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup'));
      const inline = groups.flatMap((group) => group.Properties.SecurityGroupIngress ?? []);
      const separate = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(
        (rule) => rule.Properties,
      );
      for (const rule of [...inline, ...separate]) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
        expect(rule.CidrIpv6).not.toBe('::/0');
      }
    }
  });
});

describe('PostgreSQL', () => {
  test.each(ENVIRONMENTS)('%s keeps 30 days of encrypted gp3 backups in the 03:00-04:00 window', (env) => {
    dataTemplate(env).hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: '18.3',
      StorageType: 'gp3',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
      BackupRetentionPeriod: 30,
      PreferredBackupWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      CopyTagsToSnapshot: true,
      PubliclyAccessible: false,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: Match.anyValue(),
      MonitoringInterval: Match.anyValue(),
      EnableCloudwatchLogsExports: Match.arrayWith(['postgresql']),
    });
  });

  test('in prod: Multi-AZ, deletion protection, snapshot on delete, automated backups kept', () => {
    dataTemplate('prod').hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({
        MultiAZ: true,
        DeletionProtection: true,
        DeleteAutomatedBackups: false,
        DBInstanceClass: 'db.t4g.medium',
        AllocatedStorage: '100',
        MaxAllocatedStorage: 500,
        MonitoringInterval: 30,
      }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
  });

  test('in dev: single-AZ, small and removable with the stack', () => {
    dataTemplate('dev').hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({
        MultiAZ: false,
        DeletionProtection: false,
        DeleteAutomatedBackups: true,
        DBInstanceClass: 'db.t4g.micro',
        MaxAllocatedStorage: 50,
      }),
      DeletionPolicy: 'Delete',
    });
  });

  test('sits in the isolated subnets', () => {
    const template = dataTemplate('prod');
    const groups = template.findResources('AWS::RDS::DBSubnetGroup');
    const [group] = Object.values(groups);
    const isolated = Object.keys(template.findResources('AWS::EC2::Subnet')).filter((id) => id.includes('Isolated'));
    expect(group.Properties.SubnetIds.map((ref: { Ref: string }) => ref.Ref).sort()).toEqual(isolated.sort());
  });

  test.each([
    ['dev', '112'],
    ['staging', '225'],
    ['prod', '450'],
  ])('%s parameter group forces TLS, logs slow queries, loads pg_stat_statements, max_connections %s', (env, max) => {
    dataTemplate(env).hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres18',
      Parameters: Match.objectLike({
        'rds.force_ssl': '1',
        log_min_duration_statement: '500',
        shared_preload_libraries: 'pg_stat_statements',
        max_connections: max,
      }),
    });
  });

  test('credentials are generated into a KMS-encrypted secret and rotated every 30 days', () => {
    const template = dataTemplate('prod');
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'password',
        SecretStringTemplate: '{"username":"berth_admin"}',
      }),
      KmsKeyId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      MasterUserPassword: { 'Fn::Join': ['', Match.arrayWith([':SecretString:password::}}'])] },
    });
  });

  test('admits nothing but the rotation function', () => {
    const template = dataTemplate('prod');
    // No RDS Proxy in the example (test/stacks/database-proxy.test.ts turns one on).
    template.resourceCountIs('AWS::RDS::DBProxy', 0);
    const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((rule) =>
      JSON.stringify(rule.Properties.GroupId).includes('DatabaseSecurityGroup'),
    );
    expect(rules).toHaveLength(1);
    expect(JSON.stringify(rules[0].Properties.SourceSecurityGroupId)).toContain('RotationSingleUserSecurityGroup');
    const port = { 'Fn::GetAtt': ['DatabaseInstanceAA8A5FDE', 'Endpoint.Port'] };
    expect(rules[0].Properties).toMatchObject({ FromPort: port, ToPort: port });
  });
});

describe('cache', () => {
  test.each(ENVIRONMENTS)('%s encrypts in transit and at rest with an AUTH token by dynamic reference', (env) => {
    dataTemplate(env).hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'valkey',
      EngineVersion: '8.0',
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      KmsKeyId: Match.anyValue(),
      AuthToken: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', Match.anyValue(), ':SecretString:token::}}']] },
      LogDeliveryConfigurations: [
        Match.objectLike({ LogType: 'slow-log', DestinationType: 'cloudwatch-logs' }),
        Match.objectLike({ LogType: 'engine-log', DestinationType: 'cloudwatch-logs' }),
      ],
    });
  });

  test('in prod: a replica with automatic failover, Multi-AZ, a week of snapshots and a final one', () => {
    dataTemplate('prod').hasResource('AWS::ElastiCache::ReplicationGroup', {
      Properties: Match.objectLike({
        NumCacheClusters: 2,
        AutomaticFailoverEnabled: true,
        MultiAZEnabled: true,
        SnapshotRetentionLimit: 7,
      }),
      DeletionPolicy: 'Snapshot',
    });
  });

  test('in dev: one node, no failover', () => {
    dataTemplate('dev').hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      NumCacheClusters: 1,
      AutomaticFailoverEnabled: false,
      MultiAZEnabled: false,
    });
  });

  test('evicts least-recently-used keys with a TTL, suiting a cache, session and rate-limit store', () => {
    dataTemplate('prod').hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      CacheParameterGroupFamily: 'valkey8',
      Properties: { 'maxmemory-policy': 'volatile-lru' },
    });
  });

  test('admits nothing until the service tier grants it', () => {
    dataTemplate('prod').hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'valkey: ingress only from what is granted explicitly',
      SecurityGroupIngress: Match.absent(),
    });
  });
});

describe('secrets', () => {
  test('generates each app key and creates each third-party secret as a placeholder, all KMS-encrypted', () => {
    const template = dataTemplate('prod');
    for (const key of ['SECRET_KEY', 'JWT_SECRET_KEY']) {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Description: `${key}: generated by Berth`,
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
        KmsKeyId: Match.anyValue(),
      });
    }
    for (const key of ['CLERK_SECRET_KEY', 'OPENAI_API_KEY', 'SENTRY_DSN']) {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Description: `${key}: third-party credential, set by the operator`,
        SecretString: 'BERTH_PLACEHOLDER_SET_ME',
        KmsKeyId: Match.anyValue(),
      });
    }
    // Database credentials, cache token, two generated keys, three third-party secrets.
    template.resourceCountIs('AWS::SecretsManager::Secret', 7);
  });

  test('publishes the ARN of each third-party secret for the operator', () => {
    const outputs = dataTemplate('prod').findOutputs('*');
    expect(outputs.CLERKSECRETKEYSecretArn).toMatchObject({
      Value: { Ref: 'AppSecretsCLERKSECRETKEYB6884282' },
      Description: expect.stringContaining('CLERK_SECRET_KEY'),
    });
    expect(
      Object.keys(outputs)
        .filter((key) => key.endsWith('SecretArn'))
        .sort(),
    ).toEqual(['CLERKSECRETKEYSecretArn', 'OPENAIAPIKEYSecretArn', 'SENTRYDSNSecretArn']);
  });

  test('are retained with a prod stack and removed with a dev stack', () => {
    expect(
      Object.values(dataTemplate('prod').findResources('AWS::SecretsManager::Secret')).map((s) => s.DeletionPolicy),
    ).toEqual(Array(7).fill('Retain'));
    expect(
      Object.values(dataTemplate('dev').findResources('AWS::SecretsManager::Secret')).map((s) => s.DeletionPolicy),
    ).toEqual(Array(7).fill('Delete'));
  });
});

describe('stateful resources', () => {
  test('the KMS key rotates and is retained in prod', () => {
    dataTemplate('prod').hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
  });

  // Renaming a construct changes these ids and makes CloudFormation replace the resource: data
  // loss for the database and cache. Update this list only as a reviewed decision.
  test('keep their logical ids', () => {
    const template = dataTemplate('prod');
    const idsOf = (type: string) => Object.keys(template.findResources(type)).sort();
    expect(idsOf('AWS::EC2::VPC')).toEqual(['NetworkVpc7FB7348F']);
    expect(idsOf('AWS::KMS::Key')).toEqual(['EncryptionKey3A692D6E']);
    expect(idsOf('AWS::RDS::DBInstance')).toEqual(['DatabaseInstanceAA8A5FDE']);
    expect(idsOf('AWS::RDS::DBSubnetGroup')).toEqual(['DatabaseInstanceSubnetGroupDE121BB6']);
    expect(idsOf('AWS::RDS::DBParameterGroup')).toEqual(['DatabaseParametersB8AC9B07']);
    expect(idsOf('AWS::ElastiCache::ReplicationGroup')).toEqual(['CacheReplicationGroupBFE59FF3']);
    expect(idsOf('AWS::ElastiCache::SubnetGroup')).toEqual(['CacheSubnets75A36213']);
    expect(idsOf('AWS::ElastiCache::ParameterGroup')).toEqual(['CacheParameters9A38CCC4']);
    expect(idsOf('AWS::ECR::Repository')).toEqual(['ImagesRepository2D0F5B9C']);
    expect(idsOf('AWS::SecretsManager::Secret')).toEqual([
      'AppSecretsCLERKSECRETKEYB6884282',
      'AppSecretsJWTSECRETKEY48589176',
      'AppSecretsOPENAIAPIKEY6B2BF368',
      'AppSecretsSECRETKEY5D840BE4',
      'AppSecretsSENTRYDSNEB321569',
      'CacheAuthToken04672416',
      'prodDataDatabaseInstanceSecretBEE523B83fdaad7efa858a3daf9490cf0a702aeb',
    ]);
  });
});
