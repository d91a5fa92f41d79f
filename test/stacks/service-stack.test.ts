import { Match, Template } from 'aws-cdk-lib/assertions';
import { dev, prod } from '../../lib/config/environments';
import type { EnvironmentConfig } from '../../lib/config/types';
import { exampleStack, exampleTemplate } from '../support/example-app';
import { synthesizeStacks } from '../support/synth-variant';

const serviceTemplate = (env: string): Template => exampleTemplate(env, 'Service');
const ENVIRONMENTS = ['dev', 'staging', 'prod'];

/** One environment's API task definition (the migration task has one of its own). */
function apiTaskDefinition(env: string | Template): { Properties: Record<string, unknown> } {
  const template = typeof env === 'string' ? serviceTemplate(env) : env;
  const found = Object.entries(template.findResources('AWS::ECS::TaskDefinition'));
  const [, taskDefinition] = found.find(([id]) => id.startsWith('ApiTaskDefinition')) ?? [];
  if (!taskDefinition) throw new Error('no API task definition');
  return taskDefinition as { Properties: Record<string, unknown> };
}

/** The JSON of one environment's container definition. */
function container(env: string | Template): Record<string, unknown> {
  return (apiTaskDefinition(env).Properties.ContainerDefinitions as Record<string, unknown>[])[0] ?? {};
}

/** `[{ Key, Value }]` attribute lists as a plain map. */
function attributes(list: { Key: string; Value: unknown }[]): Record<string, unknown> {
  return Object.fromEntries(list.map((attribute) => [attribute.Key, attribute.Value]));
}

/** Synthesizes one environment variant on its own and returns one of its stacks' template. */
function variantTemplate(config: EnvironmentConfig, stack: 'Data' | 'Service', imageTag?: string): Template {
  const stackId = `${config.name}/${stack}`;
  const found = synthesizeStacks([config], undefined, { imageTag }).find((s) => s.stackId === stackId);
  if (!found) throw new Error(`no stack ${stackId}`);
  return Template.fromJSON(found.template as Record<string, unknown>);
}

const variantServiceTemplate = (config: EnvironmentConfig, imageTag?: string): Template =>
  variantTemplate(config, 'Service', imageTag);

describe('edge', () => {
  test.each(ENVIRONMENTS)('%s: internet-facing ALB dropping invalid headers, logging to S3', (env) => {
    const [alb] = Object.values(serviceTemplate(env).findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
    expect(alb.Properties.Scheme).toBe('internet-facing');
    expect(attributes(alb.Properties.LoadBalancerAttributes)).toMatchObject({
      'routing.http.drop_invalid_header_fields.enabled': 'true',
      'access_logs.s3.enabled': 'true',
      'access_logs.s3.prefix': 'alb',
      'deletion_protection.enabled': env === 'prod' ? 'true' : 'false',
    });
  });

  test('HTTPS on 443 with TLS 1.3/1.2 and a 404 for unknown hosts; HTTP 80 redirects permanently', () => {
    const template = serviceTemplate('prod');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } },
      ],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
  });

  test('forwards only the configured host names to the service', () => {
    serviceTemplate('prod').hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^ApiTargetGroup') } }],
    });
    serviceTemplate('dev').hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.dev.example.com'] } }],
    });
  });

  test('sets HSTS, nosniff and frame options as listener attributes', () => {
    const [https] = Object.values(
      serviceTemplate('prod').findResources('AWS::ElasticLoadBalancingV2::Listener', { Properties: { Port: 443 } }),
    );
    expect(attributes(https.Properties.ListenerAttributes)).toEqual({
      'routing.http.response.strict_transport_security.header_value': 'max-age=31536000; includeSubDomains',
      'routing.http.response.x_content_type_options.header_value': 'nosniff',
      'routing.http.response.x_frame_options.header_value': 'DENY',
      'routing.http.response.server.enabled': 'false',
    });
  });

  test('gets a DNS-validated certificate and an alias record in the configured zone', () => {
    const template = serviceTemplate('prod');
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'api.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'api.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
      // One host name: no alternative names at all (ACM refuses an empty list).
      SubjectAlternativeNames: Match.absent(),
    });
    serviceTemplate('dev').hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainValidationOptions: [{ DomainName: 'api.dev.example.com', HostedZoneId: 'Z0DEV456789ABCDEFGHIJ' }],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
    });
  });

  test('covers further host names as alternative names of the one certificate', () => {
    const template = variantServiceTemplate({
      ...prod,
      edge: { ...prod.edge, hostNames: ['api.example.com', 'api-v2.example.com'] },
    });
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'api.example.com',
      SubjectAlternativeNames: ['api-v2.example.com'],
    });
  });

  test('uses an existing certificate by ARN and creates no DNS records without a zone', () => {
    const certificateArn = 'arn:aws:acm:eu-west-1:111111111111:certificate/12345678-1234-1234-1234-123456789012';
    const template = variantServiceTemplate({
      ...dev,
      edge: { ...dev.edge, tls: { mode: 'existing-certificate', certificateArn } },
    });
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: certificateArn }],
    });
  });

  test('serves plain HTTP with host routing only when a dev environment opts in', () => {
    const template = variantServiceTemplate({ ...dev, edge: { ...dev.edge, tls: { mode: 'plain-http-dev-only' } } });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
  });

  test('keeps access logs in a private, encrypted, TLS-only bucket that expires them', () => {
    const template = serviceTemplate('prod');
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
      }),
      DeletionPolicy: 'Retain',
    });
    // A stateful resource of the service stack: renaming it would orphan the retained logs.
    expect(Object.keys(template.findResources('AWS::S3::Bucket'))).toEqual(['EdgeAccessLogsC159D9EF']);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('WAF', () => {
  test.each(ENVIRONMENTS)('%s: rate-limits each IP to 100 requests per 60 s with a 429', (env) => {
    serviceTemplate(env).hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RateLimitPerIp',
          Priority: 0,
          Statement: { RateBasedStatement: { Limit: 100, EvaluationWindowSec: 60, AggregateKeyType: 'IP' } },
          Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
        }),
      ]),
    });
  });

  test('applies the common, known-bad-inputs and IP-reputation groups with the configured override', () => {
    const [acl] = Object.values(serviceTemplate('prod').findResources('AWS::WAFv2::WebACL'));
    const groups = acl.Properties.Rules.filter(
      (rule: { Statement: Record<string, unknown> }) => rule.Statement.ManagedRuleGroupStatement,
    );
    expect(
      groups.map(
        (rule: { Statement: { ManagedRuleGroupStatement: { Name: string } } }) =>
          rule.Statement.ManagedRuleGroupStatement.Name,
      ),
    ).toEqual([
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
    ]);
    expect(groups[0]).toMatchObject({
      OverrideAction: { None: {} },
      Statement: {
        ManagedRuleGroupStatement: {
          VendorName: 'AWS',
          RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
        },
      },
      VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true },
    });
  });

  test('is associated with the ALB and logs to an encrypted aws-waf-logs- group, credentials redacted', () => {
    const template = serviceTemplate('prod');
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { Ref: Match.stringLikeRegexp('^EdgeLoadBalancer') },
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WafWebAcl'), 'Arn'] },
    });
    // Unique per stack instance (the stack id's UUID): prod retains the group when the stack goes.
    const stackUuid = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['aws-waf-logs-prod-Service-', stackUuid]] },
      RetentionInDays: 90,
      KmsKeyId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LogDestinationConfigs: [
        { 'Fn::Join': ['', ['arn:aws:logs:eu-west-1:333333333333:log-group:aws-waf-logs-prod-Service-', stackUuid]] },
      ],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
    });
    // Named like its metric, so alarms and the dashboard know the WebACL dimension at synth.
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'prod-Service-WebAcl',
      VisibilityConfig: Match.objectLike({ MetricName: 'prod-Service-WebAcl' }),
    });
  });
});

describe('service', () => {
  test('prod runs on a cluster with Container Insights and logged, encrypted ECS Exec', () => {
    serviceTemplate('prod').hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      Configuration: {
        ExecuteCommandConfiguration: {
          KmsKeyId: Match.anyValue(),
          Logging: 'OVERRIDE',
          LogConfiguration: { CloudWatchEncryptionEnabled: true, CloudWatchLogGroupName: Match.anyValue() },
        },
      },
    });
  });

  test('leaves ECS Exec out entirely where config turns it off: no shell, no agent paths, no permissions for it', () => {
    const template = variantServiceTemplate({ ...prod, service: { ...prod.service, ecsExec: false } });
    template.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: false });
    template.hasResourceProperties('AWS::ECS::Cluster', { Configuration: Match.absent() });
    expect(container(template).MountPoints).toEqual([{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }]);
    expect(JSON.stringify(template.toJSON())).not.toContain('ssmmessages:');
    // CDK adds CloudWatch Logs to the key's policy along with ECS Exec; the key has it of its own.
    variantTemplate({ ...prod, service: { ...prod.service, ecsExec: false } }, 'Data').hasResourceProperties(
      'AWS::KMS::Key',
      {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
              Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:333333333333:*' } },
            }),
          ]),
        },
      },
    );
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup')).some((id) => id.includes('ExecLogs'))).toBe(
      false,
    );
  });

  test('sizes the task from config: 0.5 vCPU / 1 GiB on ARM64', () => {
    expect(prod.service).toMatchObject({ cpu: 512, memoryMiB: 1024, cpuArchitecture: 'ARM64' });
    expect(apiTaskDefinition('prod').Properties).toMatchObject({
      Cpu: '512',
      Memory: '1024',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    expect(apiTaskDefinition('dev').Properties).toMatchObject({
      Cpu: String(dev.service.cpu),
      Memory: String(dev.service.memoryMiB),
    });
  });

  test('runs the pinned image tag from the Berth repository, never latest', () => {
    const image = JSON.stringify(container('prod').Image);
    expect(image).toContain(':1.0.0');
    expect(image).toContain('ImagesRepository');
    expect(image).not.toContain('latest');
  });

  test('takes the image tag from -c imageTag', () => {
    const template = variantServiceTemplate(prod, 'git-3f2a1b9');
    const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    expect(JSON.stringify(taskDefinition.Properties.ContainerDefinitions[0].Image)).toContain(':git-3f2a1b9');
  });

  test('runs an image from another registry when configured by URI', () => {
    const template = variantServiceTemplate({
      ...dev,
      service: { ...dev.service, image: { uri: 'ghcr.io/acme/api', tag: 'v2.1.0' } },
    });
    const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    expect(taskDefinition.Properties.ContainerDefinitions[0].Image).toBe('ghcr.io/acme/api:v2.1.0');
  });

  test('sets the configured environment and the data-tier endpoints as plain variables', () => {
    const environment = container('prod').Environment as { Name: string; Value: unknown }[];
    const byName = Object.fromEntries(environment.map((variable) => [variable.Name, variable.Value]));
    expect(byName).toMatchObject({
      ENVIRONMENT: 'prod',
      PORT: '8000',
      DEBUG: 'false',
      LOG_LEVEL: 'info',
      CORS_ORIGINS: 'https://app.example.com',
      DB_NAME: 'app',
      DB_POOL_SIZE: '10',
      DB_MAX_OVERFLOW: '20',
      REDIS_PORT: '6379',
    });
    // No RDS Proxy in the example: the tasks and DATABASE_URL use the instance's own endpoint.
    expect(JSON.stringify(byName.DB_HOST)).toContain('DatabaseInstance');
    serviceTemplate('prod').hasResourceProperties('Custom::BerthConnectionStrings', {
      DatabaseHost: Match.absent(),
      // DB_NAME's database, for DATABASE_URL too: the RDS secret has no dbname to take it from.
      DatabaseName: 'app',
    });
    serviceTemplate('prod').hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DATABASE_NAME: 'app', DATABASE_SECRET_ARN: Match.anyValue() }) },
    });
    expect(JSON.stringify(byName.REDIS_HOST)).toContain('CacheReplicationGroup');
    expect(Object.keys(byName).some((name) => /PASSWORD|SECRET|TOKEN|API_KEY|DSN/.test(name))).toBe(false);
  });

  test('without an RDS Proxy: no proxy host, dashboard row or alarm hint (test/stacks/database-proxy.test.ts has them)', () => {
    const template = serviceTemplate('prod');
    // The connection strings' rotation function, the one function given the target secret.
    const rotation = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: Match.objectLike({ TARGET_SECRET_ARN: Match.anyValue() }) } },
      }),
    );
    expect(rotation).toHaveLength(1);
    expect(rotation[0]?.Properties.Environment.Variables).not.toHaveProperty('DATABASE_HOST');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'berth-prod-db-connections',
      AlarmDescription: Match.stringLikeRegexp('Check first: pool size x task count against the connection budget'),
    });
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(JSON.stringify(dashboard?.Properties.DashboardBody)).not.toContain('RDS Proxy');
  });

  test('injects every data-tier secret from Secrets Manager, never as plain values', () => {
    const secrets = container('prod').Secrets as { Name: string; ValueFrom: unknown }[];
    expect(secrets.map((secret) => secret.Name).sort()).toEqual(
      [
        'DATABASE_URL',
        'REDIS_URL',
        'CLERK_SECRET_KEY',
        'DB_PASSWORD',
        'DB_USER',
        'JWT_SECRET_KEY',
        'OPENAI_API_KEY',
        'REDIS_AUTH_TOKEN',
        'SECRET_KEY',
        'SENTRY_DSN',
      ].sort(),
    );
    const password = secrets.find((secret) => secret.Name === 'DB_PASSWORD');
    expect(JSON.stringify(password?.ValueFrom)).toMatch(/ImportValue.*DatabaseInstanceSecretAttachment.*:password::/);
  });

  test('lets the execution role read exactly those secrets and decrypt only through Secrets Manager', () => {
    const template = serviceTemplate('prod');
    const [policy] = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ApiTaskDefinitionExecutionRole') }] },
      }),
    );
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, unknown>[];
    const secretReads = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(secretReads).toHaveLength(1);
    // The database credentials, the cache token, two generated keys, three third-party secrets and
    // the composed connection strings.
    expect(secretReads[0].Resource).toHaveLength(8);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      }),
    );
  });

  test('runs as a non-root user with a read-only root filesystem and writable scratch paths', () => {
    expect(container('prod')).toMatchObject({
      User: '1000:1000',
      ReadonlyRootFilesystem: true,
      MountPoints: [
        { ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false },
        { ContainerPath: '/managed-agents', SourceVolume: 'ecs-exec-agent', ReadOnly: false },
        { ContainerPath: '/var/lib/amazon/ssm', SourceVolume: 'ssm-state', ReadOnly: false },
        { ContainerPath: '/var/log/amazon/ssm', SourceVolume: 'ssm-logs', ReadOnly: false },
      ],
    });
  });

  test('logs to a KMS-encrypted group with the environment retention, without blocking', () => {
    expect(container('prod')).toHaveProperty('LogConfiguration.LogDriver', 'awslogs');
    expect((container('prod').LogConfiguration as { Options: Record<string, string> }).Options).toMatchObject({
      mode: 'non-blocking',
      'awslogs-stream-prefix': 'service',
    });
    const group = (container('prod').LogConfiguration as { Options: Record<string, { Ref: string }> }).Options[
      'awslogs-group'
    ];
    const resources = serviceTemplate('prod').toJSON().Resources as Record<string, { Properties: unknown }>;
    expect(resources[group?.Ref ?? '']?.Properties).toEqual({
      RetentionInDays: prod.logRetentionDays,
      KmsKeyId: { 'Fn::ImportValue': expect.any(String) },
    });
  });

  test('rolls out at 100 % minimum healthy with the circuit breaker rolling back, in private subnets', () => {
    serviceTemplate('prod').hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      HealthCheckGracePeriodSeconds: 60,
      EnableExecuteCommand: true,
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'DISABLED',
          Subnets: Match.arrayWith([{ 'Fn::ImportValue': Match.stringLikeRegexp('PrivateSubnet1') }]),
        }),
      },
      // Autoscaling owns the task count; a deploy must not reset it.
      DesiredCount: Match.absent(),
    });
  });

  test.each([
    ['dev', 'disabled'],
    ['staging', 'enabled'],
    ['prod', 'enabled'],
  ])('%s: Container Insights %s on the cluster, and no alarm depends on it', (env, insights) => {
    const template = serviceTemplate(env);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: insights }],
    });
    const namespaces = Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((alarm) => {
      const p = alarm.Properties as {
        Namespace?: string;
        Metrics?: { MetricStat?: { Metric?: { Namespace?: string } } }[];
      };
      return [p.Namespace, ...(p.Metrics ?? []).map((m) => m.MetricStat?.Metric?.Namespace)];
    });
    expect(namespaces).toContain('AWS/ApplicationELB');
    expect(namespaces).not.toContain('ECS/ContainerInsights');
  });

  test.each(ENVIRONMENTS)('%s: the service is deleted before its capacity provider association', (env) => {
    const template = serviceTemplate(env);
    const associations = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
    expect(associations).toHaveLength(1);
    template.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith(associations) });
  });

  test.each(['X86_64', 'ARM64'] as const)(
    'runs %s tasks on Fargate Spot when the environment allows it, on-demand Fargate otherwise',
    (cpuArchitecture) => {
      const spot = variantServiceTemplate({ ...dev, service: { ...dev.service, spot: true, cpuArchitecture } });
      spot.hasResourceProperties('AWS::ECS::Service', {
        CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
      });
      spot.hasResourceProperties('AWS::ECS::TaskDefinition', {
        RuntimePlatform: Match.objectLike({ CpuArchitecture: cpuArchitecture }),
      });
      serviceTemplate('prod').hasResourceProperties('AWS::ECS::Service', {
        CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      });
    },
  );

  test('health-checks the configured path every 30 seconds', () => {
    serviceTemplate('prod').hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8000,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 30,
      Matcher: { HttpCode: '200' },
    });
  });
});

describe('security groups', () => {
  test('only the ALB reaches the container port', () => {
    const template = serviceTemplate('prod');
    const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((rule) =>
      JSON.stringify(rule.Properties.GroupId).includes('ApiSecurityGroup'),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties).toMatchObject({
      FromPort: 8000,
      ToPort: 8000,
      SourceSecurityGroupId: { 'Fn::GetAtt': ['EdgeLoadBalancerSecurityGroup6BF8A7D2', 'GroupId'] },
    });
  });

  test('the service security group is the only one admitted to the database and cache ports', () => {
    const template = serviceTemplate('prod');
    const toData = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((rule) =>
      JSON.stringify(rule.Properties.GroupId).includes('ImportValue'),
    );
    expect(toData.map((rule) => rule.Properties.FromPort).sort()).toEqual([5432, 6379]);
    for (const rule of toData) {
      expect(rule.Properties.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': ['ApiSecurityGroup2D7B9747', 'GroupId'] });
    }
  });
});

describe('exposure', () => {
  interface IngressRule {
    readonly CidrIp?: string;
    readonly CidrIpv6?: string;
    readonly FromPort?: number;
  }

  test.each(ENVIRONMENTS)('%s: only the ALB admits the internet, and only on 80 and 443', (env) => {
    const open = (['Data', 'Service', 'Uptime'] as const).flatMap((stack) => {
      const template = exampleTemplate(env, stack);
      const groups = Object.entries(template.findResources('AWS::EC2::SecurityGroup'));
      const rules: [string, IngressRule][] = [
        ...groups.flatMap(([id, group]) =>
          (group.Properties.SecurityGroupIngress ?? []).map((rule: IngressRule): [string, IngressRule] => [id, rule]),
        ),
        ...Object.entries(template.findResources('AWS::EC2::SecurityGroupIngress')).map(
          ([id, rule]): [string, IngressRule] => [id, rule.Properties],
        ),
      ];
      return rules
        .filter(([, rule]) => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 !== undefined)
        .map(([id, rule]) => `${id}:${rule.FromPort}`);
    });
    expect(open.sort()).toEqual([
      'EdgeLoadBalancerSecurityGroup6BF8A7D2:443',
      'EdgeLoadBalancerSecurityGroup6BF8A7D2:80',
    ]);
  });
});

describe('autoscaling', () => {
  test.each([
    ['dev', 1, 2],
    ['staging', 1, 4],
    ['prod', 2, 10],
  ])('%s scales between %i and %i tasks', (env, min, max) => {
    serviceTemplate(env).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: min,
      MaxCapacity: max,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
  });

  test('tracks CPU at 70 %, memory and ALB requests per target, with cooldowns', () => {
    const template = serviceTemplate('prod');
    const policy = (metric: string, target: number) =>
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: metric }),
          TargetValue: target,
          ScaleInCooldown: 300,
          ScaleOutCooldown: 60,
        }),
      });
    policy('ECSServiceAverageCPUUtilization', 70);
    policy('ECSServiceAverageMemoryUtilization', 80);
    policy('ALBRequestCountPerTarget', 1000);
  });
});

describe('image repository', () => {
  test('is created in the Data stack with immutable tags, scan on push, KMS and a lifecycle', () => {
    const template = exampleTemplate('prod', 'Data');
    template.hasResource('AWS::ECR::Repository', {
      Properties: Match.objectLike({
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: Match.anyValue() },
        LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('untagged') },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('publishes its URI for docker push', () => {
    const data = exampleTemplate('prod', 'Data');
    const [repository] = Object.keys(data.findResources('AWS::ECR::Repository'));
    const arnPart = (index: number) => ({
      'Fn::Select': [index, { 'Fn::Split': [':', { 'Fn::GetAtt': [repository, 'Arn'] }] }],
    });
    // <account>.dkr.ecr.<region>.<url suffix>/<repository name>
    data.hasOutput('RepositoryUri', {
      Value: {
        'Fn::Join': [
          '',
          [arnPart(4), '.dkr.ecr.', arnPart(3), '.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: repository }],
        ],
      },
    });
  });

  test('is not created when the config names an existing repository', () => {
    const data = variantTemplate(
      { ...dev, service: { ...dev.service, image: { repositoryName: 'acme/api', tag: '1.0.0' } } },
      'Data',
    );
    data.resourceCountIs('AWS::ECR::Repository', 0);
  });
});

describe('release gate', () => {
  test('the service rolls out only after the migration gate, which follows the run, preflight and URLs', () => {
    const template = serviceTemplate('prod');
    template.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith(['MigrationsGate89BCC11C']) });
    template.hasResource('Custom::BerthMigration', {
      DependsOn: Match.arrayWith(['ConnectionStrings227A0AA5', 'SecretPreflightEF7AFE76']),
    });
    // The first migration waits for the rules that admit the tasks to the database and cache.
    const [run] = Object.values(template.findResources('Custom::BerthMigration'));
    expect(run.DependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ApiSecurityGroup.*5432/),
        expect.stringMatching(/^ApiSecurityGroup.*6379/),
      ]),
    );
    template.hasResourceProperties('Custom::BerthMigrationGate', {
      Outcome: { 'Fn::GetAtt': ['MigrationsRunAA72812B', 'Outcome'] },
    });
  });

  test('migrates with the service image, the configured command, environment and secrets', () => {
    const template = serviceTemplate('prod');
    const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map(
      (definition) => definition.Properties.ContainerDefinitions[0],
    );
    const api = definitions.find((definition) => definition.Name === 'api');
    const migrate = definitions.find((definition) => definition.Name === 'migrate');
    expect(migrate.Command).toEqual(['alembic', 'upgrade', 'head']);
    expect(migrate.Image).toEqual(api.Image);
    expect(migrate.Environment).toEqual(api.Environment);
    expect(migrate.Secrets).toEqual(api.Secrets);
    expect(migrate.User).toBe('1000:1000');
    expect(migrate.LogConfiguration.Options['awslogs-stream-prefix']).toBe('migrate');
    template.hasResourceProperties('Custom::BerthMigration', { Command: ['alembic', 'upgrade', 'head'] });
  });

  test('recomposes the connection strings and rechecks the secrets for every new image', () => {
    const template = serviceTemplate('prod');
    const [migrate] = Object.values(template.findResources('AWS::ECS::TaskDefinition'))
      .map((definition) => definition.Properties.ContainerDefinitions[0])
      .filter((definition) => definition.Name === 'migrate');
    // An undefined Image would match a property that is absent.
    expect(migrate?.Image).toEqual(expect.objectContaining({ 'Fn::Join': expect.any(Array) }));
    template.hasResourceProperties('Custom::BerthConnectionStrings', { Release: migrate.Image });
    template.hasResourceProperties('Custom::BerthSecretPreflight', { Trigger: migrate.Image });
  });

  test('checks every third-party secret before migrating', () => {
    const [preflight] = Object.values(serviceTemplate('prod').findResources('Custom::BerthSecretPreflight'));
    expect(preflight.Properties.Placeholder).toBe('BERTH_PLACEHOLDER_SET_ME');
    expect(preflight.Properties.Secrets.map((secret: { Name: string }) => secret.Name).sort()).toEqual([
      'CLERK_SECRET_KEY',
      'OPENAI_API_KEY',
      'SENTRY_DSN',
    ]);
  });

  test('tells npm run migrate where the task runs', () => {
    const output = serviceTemplate('prod').findOutputs('BerthMigrationTask');
    expect(JSON.stringify(output)).toContain('ApiServiceD5B4A50A');
  });
});

describe('budget', () => {
  test.each([
    ['dev', 100],
    ['staging', 250],
    ['prod', 700],
  ])('%s alerts the notification topic at 80 %% actual and 100 %% forecast of $%i', (env, amount) => {
    const template = serviceTemplate(env);
    const topic = { Ref: Match.stringLikeRegexp('^NotificationsTopic') };
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetLimit: { Amount: amount, Unit: 'USD' }, BudgetName: `berth-${env}`, TimeUnit: 'MONTHLY' },
      NotificationsWithSubscribers: [
        {
          Notification: Match.objectLike({ NotificationType: 'ACTUAL', Threshold: 80 }),
          Subscribers: [{ Address: topic, SubscriptionType: 'SNS' }],
        },
        {
          Notification: Match.objectLike({ NotificationType: 'FORECASTED', Threshold: 100 }),
          Subscribers: [{ Address: topic, SubscriptionType: 'SNS' }],
        },
      ],
    });
    // The topic lets Budgets publish (alarms.test.ts pins its policy); the environment key, which
    // encrypts the topic, lets Budgets use it, for this account only.
    exampleTemplate(env, 'Data').hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowBudgetsUseForSns',
            Effect: 'Allow',
            Principal: { Service: 'budgets.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': exampleStack(env, 'Data').environment.account } },
          },
        ]),
      },
    });
  });

  test('counts the whole account by default, and leaves resources untagged', () => {
    serviceTemplate('dev').hasResourceProperties('AWS::Budgets::Budget', {
      Budget: Match.objectLike({ CostFilters: Match.absent() }),
    });
    expect(JSON.stringify(serviceTemplate('dev').toJSON())).not.toContain('berth:environment');
  });

  test('scoped to the environment: counts its tag, which every resource of the environment carries', () => {
    const config: EnvironmentConfig = { ...dev, cost: { ...dev.cost, budgetScope: 'environment' } };
    const stacks = synthesizeStacks([config]).filter((s) => s.stackId.startsWith('dev/'));
    const service = stacks.find((s) => s.stackId === 'dev/Service');
    if (!service) throw new Error('no dev/Service stack');
    Template.fromJSON(service.template as Record<string, unknown>).hasResourceProperties('AWS::Budgets::Budget', {
      Budget: Match.objectLike({ CostFilters: { TagKeyValue: ['user:berth:environment$dev'] } }),
    });
    const tag = { Key: 'berth:environment', Value: 'dev' };
    let checked = 0;
    for (const { stackId, template } of stacks) {
      const data = Template.fromJSON(template as Record<string, unknown>);
      for (const type of ['AWS::EC2::VPC', 'AWS::ECS::Cluster', 'AWS::Route53::HealthCheck']) {
        for (const [id, resource] of Object.entries(data.findResources(type))) {
          const props = resource.Properties as { Tags?: unknown[]; HealthCheckTags?: unknown[] };
          checked += 1;
          expect([stackId, id, props.Tags ?? props.HealthCheckTags]).toEqual([
            stackId,
            id,
            expect.arrayContaining([tag]),
          ]);
        }
      }
    }
    // The VPC (Data), the cluster (Service) and the health check (Uptime): one of each stack.
    expect(checked).toBe(3);
  });
});
