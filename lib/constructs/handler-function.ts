import * as path from 'node:path';
import { AssetHashType, Duration, FileSystem, type ILocalBundling, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import * as esbuild from 'esbuild';
import { acknowledge, wildcardFinding } from '../nag';
import { dependOnPolicyOnly } from '../redundant-dependency';
import { encryptedLogGroup } from './log-group';

/** Where the handlers live: `lambda/<name>/index.ts`. */
export const LAMBDA_ROOT = path.join(__dirname, '..', '..', 'lambda');

/** Runtime of every Berth handler. */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_22_X;

/**
 * How every handler is bundled: minified by the local esbuild, without the AWS SDK v3, which the
 * Node.js runtime provides. Bundling the SDK would make each bundle ~0.6 MB instead of a few KB;
 * the handlers only use long-stable operations.
 */
export const HANDLER_BUNDLING = {
  bundle: true,
  minify: true,
  sourcemap: false,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external: ['@aws-sdk/*'],
  logLevel: 'error',
} as const satisfies esbuild.BuildOptions;

/**
 * Bundles a handler with esbuild's JavaScript API inside the synth process. NodejsFunction runs
 * the esbuild binary and fingerprints the whole project for every function (~0.8 s each); this
 * takes milliseconds. Docker is never used: a failed build throws.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(private readonly handlerDir: string) {}

  tryBundle(outputDir: string): boolean {
    esbuild.buildSync({
      ...HANDLER_BUNDLING,
      entryPoints: [path.join(LAMBDA_ROOT, this.handlerDir, 'index.ts')],
      outfile: path.join(outputDir, 'index.js'),
    });
    return true;
  }

  /** What the asset hash includes besides the sources: never a machine-specific path. */
  toJSON(): unknown {
    return { handlerDir: this.handlerDir, esbuild: HANDLER_BUNDLING };
  }
}

/** Code the handlers share: `lambda/shared/`, bundled into each handler that imports it. */
const SHARED_DIR = 'shared';

/**
 * Code of the handler in `lambda/<handlerDir>/`, hashed by its sources, the shared sources and the
 * bundling options: a change to shared code is a new asset for every handler.
 */
function handlerCode(handlerDir: string): lambda.Code {
  return lambda.Code.fromAsset(path.join(LAMBDA_ROOT, handlerDir), {
    assetHashType: AssetHashType.CUSTOM,
    assetHash: [handlerDir, SHARED_DIR].map((dir) => FileSystem.fingerprint(path.join(LAMBDA_ROOT, dir))).join(''),
    bundling: {
      local: new EsbuildBundling(handlerDir),
      // Required by the API, never pulled: local bundling always succeeds or throws.
      image: HANDLER_RUNTIME.bundlingImage,
    },
  });
}

export interface HandlerFunctionProps {
  /** Folder under `lambda/` holding `index.ts`. */
  readonly handlerDir: string;
  /** Export of `index.ts` to invoke. */
  readonly exportName: string;
  readonly description: string;
  /** Encrypts the function's log group. */
  readonly encryptionKey: kms.IKey;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * Run-time limit of one invocation.
   * @default 1 minute
   */
  readonly timeout?: Duration;
  /**
   * Environment variables (never secrets: they are visible in the template).
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/**
 * A Node.js 22 ARM64 function bundled from `lambda/<handlerDir>/index.ts`, with its own role that
 * may only write to its own KMS-encrypted log group. Callers add exactly the permissions it needs.
 */
export class HandlerFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const logGroup = encryptedLogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retentionDays: props.logRetentionDays,
      removalPolicy: props.logRemovalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    logGroup.grantWrite(this.role);
    this.function = new lambda.Function(this, 'Function', {
      code: handlerCode(props.handlerDir),
      handler: `index.${props.exportName}`,
      description: props.description,
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.minutes(1),
      role: this.role,
      logGroup,
      environment: props.environment,
    });
    dependOnPolicyOnly(this.function, this.role);
    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'Pinned to Node.js 22 LTS on purpose: the handlers are tested against its runtime-provided AWS SDK v3; moving on is a one-line change of HANDLER_RUNTIME.',
    );
  }

  /** Adds one statement to the function's role. */
  allow(statement: iam.PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}

export interface HandlerProviderProps {
  readonly onEvent: HandlerFunction;
  /**
   * Polled until it reports completion.
   * @default - none: the resource completes when onEvent returns
   */
  readonly isComplete?: HandlerFunction;
  /**
   * Interval between isComplete calls.
   * @default - the Provider's default (5 s)
   */
  readonly queryInterval?: Duration;
  /**
   * Limit of the whole operation.
   * @default - the Provider's default (30 min)
   */
  readonly totalTimeout?: Duration;
  readonly encryptionKey: kms.IKey;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * A `cr.Provider` whose framework functions and waiter state machine log to KMS-encrypted log
 * groups, with the cdk-nag findings of CDK's own framework acknowledged on it alone.
 */
export class HandlerProvider extends Construct {
  readonly provider: cr.Provider;

  constructor(scope: Construct, id: string, props: HandlerProviderProps) {
    super(scope, id);
    const logs = (logId: string) =>
      encryptedLogGroup(this, logId, {
        encryptionKey: props.encryptionKey,
        retentionDays: props.logRetentionDays,
        removalPolicy: props.logRemovalPolicy,
      });
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: props.onEvent.function,
      isCompleteHandler: props.isComplete?.function,
      queryInterval: props.queryInterval,
      totalTimeout: props.totalTimeout,
      logGroup: logs('FrameworkLogs'),
      waiterStateMachineLogOptions: props.isComplete
        ? { destination: logs('WaiterLogs'), level: sfn.LogLevel.ALL, includeExecutionData: false }
        : undefined,
      disableWaiterStateMachineLogging: props.isComplete ? false : undefined,
    });
    for (const id of [
      'framework-onEvent',
      ...(props.isComplete ? ['framework-isComplete', 'framework-onTimeout'] : []),
    ]) {
      const fn = this.provider.node.findChild(id);
      dependOnPolicyOnly(fn, fn.node.findChild('ServiceRole'));
    }
    if (props.isComplete) {
      const waiter = this.provider.node.findChild('waiter-state-machine');
      dependOnPolicyOnly(waiter, waiter.node.findChild('Role'));
    }
    // Findings name functions by logical id, e.g. `Resource::<HandlerFunctionABC123.Arn>:*`.
    const invokeFinding = (fn: lambda.IFunction) => wildcardFinding(this, `${fn.functionArn}:*`);
    const invoked = [props.onEvent.function, props.isComplete?.function].filter((f): f is lambda.Function => !!f);
    if (props.isComplete) {
      for (const id of ['framework-isComplete', 'framework-onTimeout']) {
        invoked.push(this.provider.node.findChild(id) as lambda.Function);
      }
    }
    for (const fn of invoked) {
      acknowledge(
        this.provider,
        invokeFinding(fn),
        'CDK custom-resource framework: lambda:InvokeFunction on <function>:* covers the versions and aliases of one function.',
      );
    }
    acknowledge(
      this.provider,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK custom-resource framework functions: aws-cdk-lib creates their roles with AWSLambdaBasicExecutionRole, which may create log groups and write log events in any of the account's log groups (not read them); it is the logging grant AWS documents for every Lambda function.",
    );
    acknowledge(
      this.provider,
      'AwsSolutions-L1',
      'CDK custom-resource framework functions: their runtime is chosen by aws-cdk-lib; the Berth handlers run the latest Node.js LTS runtime.',
    );
    if (props.isComplete) {
      acknowledge(
        this.provider,
        'AwsSolutions-IAM5[Resource::*]',
        'CDK waiter state machine: the CloudWatch Logs log-delivery actions (CreateLogDelivery and friends) support no resource-level permissions.',
      );
      acknowledge(
        this.provider,
        'AwsSolutions-SF2',
        'CDK waiter state machine: it only polls isComplete; tracing it in X-Ray adds cost and no insight beyond its own ALL-level logs.',
      );
    }
  }

  get serviceToken(): string {
    return this.provider.serviceToken;
  }
}
