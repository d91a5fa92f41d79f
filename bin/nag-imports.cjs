// @ts-check
/**
 * Defers the aws-cdk-lib service modules cdk-nag imports until something other than an
 * `instanceof` test needs them. bin/run.cjs installs it for every entry point.
 *
 * Why: cdk-nag's rules import the L1 classes of ~50 services to test `node instanceof CfnX`, and
 * reading those tests at synth loads ~13 MB of generated JavaScript (QuickSight alone is 5 MB)
 * that Berth never instantiates: ~0.16-0.25 s of every `cdk synth` (BENCHMARKS.md, 30 November).
 *
 * Why it is exact: an object is an instance of a jsii class only if that class's prototype is on
 * its prototype chain, and every aws-cdk-lib class records its fully qualified name under
 * `Symbol.for('jsii.rtti')`. So the stand-in for a class of a module nobody has loaded answers
 * `instanceof` by looking for that name on the chain, and only when it is there asks the real
 * class. Anything else cdk-nag reads from such a module (an enum, say) loads it.
 * test/bin/nag-imports.test.ts pins what this relies on: cdk-nag uses its `Cfn*` imports only in
 * `instanceof`, and each of those classes carries the name the stand-in looks for.
 */
'use strict';

const Module = require('node:module');

/** @typedef {{ _load(request: string, parent: NodeJS.Module | null, isMain: boolean): unknown, _resolveFilename(request: string, parent: NodeJS.Module | null, isMain: boolean): string, _cache: Record<string, NodeJS.Module | undefined> }} Loader */
const loader = /** @type {Loader} */ (/** @type {unknown} */ (Module));
const RTTI = Symbol.for('jsii.rtti');
const SERVICE_MODULE = /^aws-cdk-lib\/([a-z0-9-]+)$/;
const CDK_NAG = /[\\/]node_modules[\\/]cdk-nag[\\/]/;

function deferCdkNagServiceImports() {
  const load = loader._load;
  loader._load = function loadDeferringForCdkNag(request, parent, isMain) {
    const service = SERVICE_MODULE.exec(request)?.[1];
    if (service && parent && CDK_NAG.test(parent.filename)) {
      const resolved = loader._resolveFilename(request, parent, isMain);
      if (!loader._cache[resolved])
        return deferredModule(service, resolved, () => load.call(this, request, parent, isMain));
    }
    return load.call(this, request, parent, isMain);
  };
}

/**
 * The exports of `aws-cdk-lib/<service>` as cdk-nag sees them until the module is loaded.
 * @param {string} service e.g. `aws-quicksight`
 * @param {string} resolved the module's file
 * @param {() => any} load loads the real module
 */
function deferredModule(service, resolved, load) {
  const fqnPrefix = `aws-cdk-lib.${service.replace(/-/g, '_')}.`;
  /** @type {any} */
  let real;
  // cdk-nag reads its imports on every rule and resource (tens of thousands of times a synth):
  // once the module is loaded, by anyone, each read is one property lookup.
  const loadModule = () => {
    real ??= load();
    return real;
  };
  /** @type {Map<string, unknown>} */
  const standIns = new Map();
  return new Proxy(Object.create(null), {
    get(_target, name) {
      if (!real && loader._cache[resolved]?.loaded) real = loader._cache[resolved]?.exports;
      if (real || typeof name !== 'string' || !name.startsWith('Cfn')) return loadModule()[name];
      let standIn = standIns.get(name);
      if (!standIn) {
        standIn = l1StandIn(`${fqnPrefix}${name}`, () => loadModule()[name]);
        standIns.set(name, standIn);
      }
      return standIn;
    },
  });
}

/**
 * A stand-in for an L1 class that answers `instanceof` without loading it.
 * @param {string} fqn the class's jsii name, e.g. `aws-cdk-lib.aws_quicksight.CfnDataSource`
 * @param {() => any} realClass
 */
function l1StandIn(fqn, realClass) {
  /** @param {unknown} value */
  const hasInstance = (value) => hasClassNamed(value, fqn) && value instanceof realClass();
  return new Proxy(function deferredL1() {}, {
    get: (_target, property) => (property === Symbol.hasInstance ? hasInstance : Reflect.get(realClass(), property)),
    apply: (_target, self, args) => Reflect.apply(realClass(), self, args),
    construct: (_target, args) => Reflect.construct(realClass(), args),
  });
}

/**
 * Whether a class named `fqn` is on `value`'s prototype chain.
 * @param {unknown} value
 * @param {string} fqn
 */
function hasClassNamed(value, fqn) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, 'constructor') && proto.constructor[RTTI]?.fqn === fqn) return true;
  }
  return false;
}

module.exports = { deferCdkNagServiceImports };
