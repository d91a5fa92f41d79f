import { type CfnResource, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { InterfaceEndpointName } from '../config/types';
import { acknowledge } from '../nag';
import { dropProviderRoleDependency } from '../redundant-dependency';
import { encryptedLogGroup } from './log-group';
import { trustForOwnResourcesOnly } from './service-role';

export interface NetworkProps {
  /** IPv4 block of the VPC, /16 to /20. */
  readonly cidr: string;
  /** How many AZs of the stack's `availabilityZones` the VPC spans. */
  readonly maxAzs: number;
  /** NAT gateways in the public subnets: one per AZ for zone-independent egress, one to save cost. */
  readonly natGateways: number;
  /**
   * `instance` replaces each NAT gateway by a `t4g.nano` NAT instance: for dev, where ~$30 a month
   * per gateway matters more than failover.
   * @default 'gateway'
   */
  readonly natProvider?: 'gateway' | 'instance';
  readonly flowLogRetentionDays: number;
  /** Interface endpoints to place in the private subnets, open to the VPC on 443 only. */
  readonly interfaceEndpoints: readonly InterfaceEndpointName[];
  /** Encrypts the flow-log group. */
  readonly encryptionKey: kms.IKey;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** Extra bits a subnet tier's mask takes over the VPC's: private subnets get the most room. */
const PRIVATE_SUBNET_BITS = 4;
const EDGE_SUBNET_BITS = 6;

/**
 * The NAT instance's boot script: CDK's default steps, made to survive two failures of its own.
 * CDK installs iptables once, and on Amazon Linux 2023 cloud-init's package clean-up can run at the
 * same moment and fail that install, leaving an instance that runs but forwards nothing
 * (aws/aws-cdk#36717): the install is retried. CDK finds the outbound interface with `route`, from
 * net-tools, which AL2023 need not have: `ip route` is always there. It runs at the instance's
 * first boot only: a change reaches a running instance when the instance is replaced.
 */
export const NAT_INSTANCE_BOOT_COMMANDS: readonly string[] = [
  'for attempt in $(seq 1 10); do dnf install -y iptables-services && break; sleep 6; done',
  'systemctl enable --now iptables',
  'echo "net.ipv4.ip_forward=1" > /etc/sysctl.d/custom-ip-forwarding.conf',
  'sysctl -p /etc/sysctl.d/custom-ip-forwarding.conf',
  `iptables -t nat -A POSTROUTING -o "$(ip route show default | awk '{print $5; exit}')" -j MASQUERADE`,
  'iptables -F FORWARD',
  'service iptables save',
];

/**
 * The VPC: public subnets (ALB, NAT), private subnets with egress (tasks, rotation Lambda) and
 * isolated subnets (database, cache) in every AZ; flow logs of all traffic; an S3 gateway endpoint
 * (free, and ECR image layers come from S3) and the configured interface endpoints.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const prefix = Number(props.cidr.split('/')[1]);
    const natInstances =
      props.natProvider === 'instance'
        ? ec2.NatProvider.instanceV2({
            instanceType: new ec2.InstanceType('t4g.nano'),
            // Resolved from SSM at deploy time, not looked up at synth.
            machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
            associatePublicIpAddress: true,
            userData: ec2.UserData.custom(['#!/bin/bash', ...NAT_INSTANCE_BOOT_COMMANDS].join('\n')),
            // The default would admit all traffic from anywhere; the VPC is enough.
            defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
          })
        : undefined;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      natGatewayProvider: natInstances,
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      maxAzs: props.maxAzs,
      natGateways: props.natGateways,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: prefix + EDGE_SUBNET_BITS },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: prefix + PRIVATE_SUBNET_BITS },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: prefix + EDGE_SUBNET_BITS },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });

    if (natInstances) {
      natInstances.connections.allowFrom(
        ec2.Peer.ipv4(props.cidr),
        ec2.Port.allTraffic(),
        'Traffic to NAT from the VPC',
      );
      for (const instance of natInstances.gatewayInstances) {
        const cfnInstance = instance.node.defaultChild as ec2.CfnInstance;
        allowConfiguredAz(cfnInstance);
        // NatInstanceProps has no block devices; encrypt the AMI's root volume (AL2023: /dev/xvda),
        // at the image's own size.
        cfnInstance.blockDeviceMappings = [
          { deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', deleteOnTermination: true } },
        ];
        acknowledge(
          instance,
          'AwsSolutions-EC28',
          'A dev-only NAT instance (config refuses it in production): detailed monitoring would cost more than the instance.',
        );
        acknowledge(
          instance,
          'AwsSolutions-EC29',
          'A dev-only NAT instance holds no data and is replaced by redeploying; termination protection would block cdk destroy.',
        );
      }
    }

    for (const subnet of [...this.vpc.publicSubnets, ...this.vpc.privateSubnets, ...this.vpc.isolatedSubnets]) {
      allowConfiguredAz(subnet.node.defaultChild as ec2.CfnSubnet);
    }

    dropProviderRoleDependency(this, 'Custom::VpcRestrictDefaultSGCustomResourceProvider');

    const flowLogGroup = encryptedLogGroup(this, 'FlowLogs', {
      encryptionKey: props.encryptionKey,
      retentionDays: props.flowLogRetentionDays,
      removalPolicy: props.logRemovalPolicy,
    });
    const flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    const { account, partition, region } = Stack.of(this);
    trustForOwnResourcesOnly(flowLog.iamRole, `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*`);

    for (const name of props.interfaceEndpoints) {
      const endpoint = this.vpc.addInterfaceEndpoint(endpointId(name), {
        service: new ec2.InterfaceVpcEndpointAwsService(name),
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        privateDnsEnabled: true,
        open: false,
      });
      // The configured CIDR rather than the VPC's CidrBlock attribute: same rule, but a literal
      // that reviewers (and cdk-nag) can read.
      endpoint.connections.allowFrom(ec2.Peer.ipv4(props.cidr), ec2.Port.tcp(443), 'HTTPS from inside the VPC');
    }
  }
}

/** Offline synth needs the AZs spelled out in config (no lookup), so these resources name them. */
function allowConfiguredAz(resource: CfnResource): void {
  resource.addMetadata('cfn-lint', { config: { ignore_checks: ['W3010'] } });
}

/** `ecr.api` becomes `EcrApiEndpoint`: stable construct ids per service. */
function endpointId(name: InterfaceEndpointName): string {
  const words = name.split('.').map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${words.join('')}Endpoint`;
}
