import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { HostedZoneConfig, SecurityHeadersConfig, TlsConfig } from '../config/edge';
import { acknowledge } from '../nag';
import { dropProviderRoleDependency } from '../redundant-dependency';

export interface EdgeProps {
  readonly vpc: ec2.IVpc;
  /** Host names forwarded to `targetGroup`; any other Host header gets a fixed 404. */
  readonly hostNames: readonly string[];
  readonly tls: TlsConfig;
  readonly securityHeaders: SecurityHeadersConfig;
  /** The service's target group. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  readonly accessLogRetentionDays: number;
  readonly idleTimeout: Duration;
  /** Production: deletion protection on the ALB, access logs kept after the stack is gone. */
  readonly production: boolean;
}

/** Fixed answer for requests to a host the API does not serve. */
const NOT_FOUND = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' });

/**
 * The public entry: an internet-facing ALB in the public subnets. HTTPS on 443 with TLS 1.2+
 * (TLS 1.3 preferred), HTTP on 80 answering with a permanent redirect; only the configured host
 * names reach the service (the infrastructure twin of a TrustedHost middleware); security
 * response headers set by the ALB; invalid header fields dropped; access logs to a private,
 * encrypted bucket; alias records in Route 53 when a zone is configured.
 */
export class Edge extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that forwards to the service: HTTPS, or HTTP in a plain-HTTP dev environment. */
  readonly listener: elbv2.ApplicationListener;
  readonly accessLogs: s3.Bucket;
  /** `https://<first host name>` (or `http://` without TLS). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const tlsEnabled = props.tls.mode !== 'plain-http-dev-only';

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs support only SSE-S3 (not SSE-KMS) on the destination bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogRetentionDays) }],
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.production,
    });
    dropProviderRoleDependency(this, 'Custom::S3AutoDeleteObjectsCustomResourceProvider');
    acknowledge(
      this.accessLogs,
      'AwsSolutions-S1',
      'This bucket holds the ALB access logs; logging its own access would log the log writes.',
    );

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      deletionProtection: props.production,
      idleTimeout: props.idleTimeout,
    });
    this.loadBalancer.logAccessLogs(this.accessLogs, 'alb');
    acknowledge(
      this.loadBalancer.connections.securityGroups[0],
      'AwsSolutions-EC23',
      'Internet-facing API: clients connect from anywhere on 443 (and 80 for the redirect); the WAF web ACL filters them.',
    );

    const hostedZone = tlsEnabled ? props.tls.hostedZone : undefined;
    const zone = hostedZone ? importZone(this, hostedZone) : undefined;

    if (tlsEnabled) {
      const certificate =
        props.tls.mode === 'existing-certificate'
          ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.tls.certificateArn)
          : new acm.Certificate(this, 'Certificate', {
              domainName: props.hostNames[0],
              // None rather than an empty list, which ACM's API refuses (at least one name).
              subjectAlternativeNames: props.hostNames.length > 1 ? props.hostNames.slice(1) : undefined,
              validation: acm.CertificateValidation.fromDns(zone),
            });
      this.listener = this.loadBalancer.addListener('Https', {
        protocol: elbv2.ApplicationProtocol.HTTPS,
        port: 443,
        certificates: [certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultAction: NOT_FOUND,
      });
      (this.listener.node.defaultChild as elbv2.CfnListener).listenerAttributes = securityHeaderAttributes(
        props.securityHeaders,
      );
      this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    } else {
      this.listener = this.loadBalancer.addListener('Http', {
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: 80,
        defaultAction: NOT_FOUND,
      });
    }

    this.listener.addAction('Forward', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.hostHeaders([...props.hostNames])],
      action: elbv2.ListenerAction.forward([props.targetGroup]),
    });

    if (zone) {
      for (const [index, host] of props.hostNames.entries()) {
        new route53.ARecord(this, index === 0 ? 'Alias' : `Alias${index}`, {
          zone,
          recordName: host,
          target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
        });
      }
    }
    this.url = `${tlsEnabled ? 'https' : 'http'}://${props.hostNames[0]}`;
  }
}

function importZone(scope: Construct, zone: HostedZoneConfig): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(scope, 'Zone', {
    hostedZoneId: zone.id,
    zoneName: zone.name,
  });
}

/** Response headers the ALB adds to every HTTPS response, and its `Server` header removed. */
function securityHeaderAttributes(headers: SecurityHeadersConfig): elbv2.CfnListener.ListenerAttributeProperty[] {
  const attributes = [
    { key: 'routing.http.response.strict_transport_security.header_value', value: headers.strictTransportSecurity },
    { key: 'routing.http.response.x_frame_options.header_value', value: headers.frameOptions },
    { key: 'routing.http.response.server.enabled', value: 'false' },
  ];
  if (headers.contentTypeOptionsNoSniff) {
    attributes.push({ key: 'routing.http.response.x_content_type_options.header_value', value: 'nosniff' });
  }
  return attributes;
}
