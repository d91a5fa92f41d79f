import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/types';

export interface EnvironmentStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * A stack of one Berth environment. It answers `availabilityZones` from config: without this,
 * constructs ask the stack and the CLI performs a context lookup, which breaks offline synth.
 */
export class EnvironmentStack extends Stack {
  readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);
    this.config = props.config;
  }

  override get availabilityZones(): string[] {
    return [...this.config.availabilityZones];
  }
}
