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
    walk(value, (target, via) => {
      if (ids.has(target) && !found.some((r) => r.property === property && r.target === target && r.via === via)) {
        found.push({ property, target, via });
      }
    });
  }
  return found;
}

function walk(value: unknown, visit: (target: string, via: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    if (key === 'Ref' && typeof item === 'string') {
      visit(item, 'Ref');
    } else if (key === 'Fn::GetAtt') {
      const [target, attribute] = Array.isArray(item) ? item : String(item).split(/\.(.*)/);
      if (typeof target === 'string') visit(target, String(attribute));
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(item) ? item[0] : item;
      if (typeof text === 'string') {
        for (const match of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}/g)) {
          visit(match[1] ?? '', match[2] ?? 'Ref');
        }
      }
    }
    walk(item, visit);
  }
}
