import {
  CloudAssembly as Assembly,
  type CloudAssembly,
  CloudFormationStackArtifact,
  NestedCloudAssemblyArtifact,
} from 'aws-cdk-lib/cx-api';
import type { CfnTemplate } from './analyze';

/** One stack of a synthesized app. */
export interface SynthesizedStack {
  /** The stage (environment) that holds it, or the stack's own id outside any stage. */
  readonly environment: string;
  /** `<stage>/<stack>`, the id `cdk deploy` selects it by. */
  readonly stackId: string;
  readonly template: CfnTemplate;
}

/**
 * Every stack of the cloud assembly in `directory`, stages (nested assemblies) included, in the
 * order the app defines them (the manifest's order; `CloudAssembly.stacks` sorts by dependency).
 */
export function stacksOf(directory: string): SynthesizedStack[] {
  return collect(new Assembly(directory), undefined);
}

function collect(assembly: CloudAssembly, stage: string | undefined): SynthesizedStack[] {
  return Object.keys(assembly.manifest.artifacts ?? {}).flatMap((id) => {
    const artifact = assembly.tryGetArtifact(id);
    if (artifact instanceof CloudFormationStackArtifact) {
      const stackId = artifact.hierarchicalId;
      return [{ environment: stage ?? stackId, stackId, template: artifact.template as CfnTemplate }];
    }
    if (artifact instanceof NestedCloudAssemblyArtifact) {
      return collect(artifact.nestedAssembly, stage ?? artifact.displayName);
    }
    return [];
  });
}
