/** Calls `visit` with every key and value of every object in a template value, at any depth. */
function visitEntries(value: unknown, visit: (key: string, item: unknown) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visitEntries(item, visit);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    visit(key, item);
    visitEntries(item, visit);
  }
}

/**
 * Calls `visit` with the logical id and the attribute (`Ref` for a plain reference) of every
 * `Ref`, `Fn::GetAtt` and `${Id}`/`${Id.Attr}` in `Fn::Sub` in a template value, at any depth.
 * The release review and the cost estimate both follow references through it.
 */
export function visitReferences(value: unknown, visit: (target: string, via: string) => void): void {
  visitEntries(value, (key, item) => {
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
  });
}

/** Calls `visit` with the name of every `Fn::ImportValue` of a literal name in a template value. */
export function visitImports(value: unknown, visit: (exportName: string) => void): void {
  visitEntries(value, (key, item) => {
    if (key === 'Fn::ImportValue' && typeof item === 'string') visit(item);
  });
}
