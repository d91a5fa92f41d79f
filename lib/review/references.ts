import { visitReferences } from '../template-references';

/** A reference from one resource's property to another resource of the same template. */
export interface PropertyReference {
  /** Top-level property of the referring resource, e.g. `DBSubnetGroupName`. */
  readonly property: string;
  /** Logical id of the resource referred to. */
  readonly target: string;
  /** `Ref` (the physical id or name) or the attribute read with `Fn::GetAtt` / `Fn::Sub`. */
  readonly via: string;
}

/** Every `Ref`, `Fn::GetAtt` and `${Id}`/`${Id.Attr}` in `Fn::Sub` to a logical id in `ids`. */
export function referencesIn(properties: Record<string, unknown>, ids: ReadonlySet<string>): PropertyReference[] {
  const found: PropertyReference[] = [];
  for (const [property, value] of Object.entries(properties)) {
    visitReferences(value, (target, via) => {
      if (ids.has(target) && !found.some((r) => r.property === property && r.target === target && r.via === via)) {
        found.push({ property, target, via });
      }
    });
  }
  return found;
}
