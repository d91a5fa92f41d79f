import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { type Database, type DatabaseEndpoint, POSTGRES_PORT } from './database';

export interface DatabaseProxyProps {
  readonly vpc: ec2.IVpc;
  /** The instance behind the proxy; the proxy signs in with its master secret. */
  readonly database: Database;
  /** Share of the instance's `max_connections` the proxy may open, 1..100. */
  readonly maxConnectionsPercent: number;
}

/**
 * An RDS Proxy in the isolated subnets in front of `database`: clients must use TLS, and the
 * proxy shares a capped pool of database connections among them, queueing the rest. Nothing can
 * connect until `allowFrom` is called; the instance admits the proxy and its rotation function.
 */
export class DatabaseProxy extends Construct implements DatabaseEndpoint {
  readonly proxy: rds.DatabaseProxy;
  readonly securityGroup: ec2.SecurityGroup;
  readonly host: string;
  readonly port: string;

  constructor(scope: Construct, id: string, props: DatabaseProxyProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'RDS Proxy: ingress only from what is granted explicitly',
      allowAllOutbound: false,
    });
    this.proxy = new rds.DatabaseProxy(this, 'Proxy', {
      proxyTarget: rds.ProxyTarget.fromInstance(props.database.instance),
      secrets: [props.database.secret],
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      requireTLS: true,
      clientPasswordAuthType: rds.ClientPasswordAuthType.POSTGRES_SCRAM_SHA_256,
      maxConnectionsPercent: props.maxConnectionsPercent,
    });
    // ProxyTarget.fromInstance has admitted the proxy's group to the instance.
    this.host = this.proxy.endpoint;
    this.port = String(POSTGRES_PORT);
  }

  /**
   * Admits `peer` to the proxy's port. The rule is created from the peer's side, so it lives in
   * the peer's stack, under the peer's security group: the data stack never references a
   * stateless stack, and what depends on that group (the first migration) waits for the rule.
   */
  allowFrom(peer: ec2.IConnectable, description: string): void {
    peer.connections.allowTo(this.securityGroup, ec2.Port.tcp(POSTGRES_PORT), description);
  }
}
