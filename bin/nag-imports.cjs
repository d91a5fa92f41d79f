// @ts-check
/**
 * Defers the aws-cdk-lib service modules cdk-nag imports until something other than an
 * `instanceof` test needs them. bin/run.cjs installs it for every entry point.
 *
 * Why: cdk-nag's rules import the L1 classes of ~50 services to test `node instanceof CfnX`, and
 * reading those tests at synth loads ~13 MB of generated JavaScript (QuickSight alone is 5 MB)
 * that Berth never instantiates: ~0.16-0.24 s of every `cdk synth` (BENCHMARKS.md, 30 November).
 *
 * Why it is exact: an object is an instance of a class only if the class's prototype is on its
 * prototype chain, so only once the file defining the class has run; and every aws-cdk-lib class
 * records its jsii name under `Symbol.for('jsii.rtti')`. So the stand-in for a class of a service
 * module nobody has loaded answers `instanceof` by looking for that name on the chain, and only
 * when it is there asks the real class (which loads the module). Anything else cdk-nag reads from
 * such a module (an enum, say) loads it. test/bin/nag-imports.test.ts pins what this relies on:
 * cdk-nag uses its `Cfn*` imports only in `instanceof`, and each of those classes carries the name
 * the stand-in looks for.
 */
'use strict';

const Module = require('node:module');

/** @typedef {{ _load(request: string, parent: NodeJS.Module | null, isMain: boolean): unknown, _resolveFilename(request: string, parent: NodeJS.Module | null, isMain: boolean): string, _cache: Record<string, NodeJS.Module | undefined> }} Loader */
const loader = /** @type {Loader} */ (/** @type {unknown} */ (Module));
const RTTI = Symbol.for('jsii.rtti');
const SERVICE_MODULE = /^aws-cdk-lib\/([a-z0-9-]+)$/;
const CDK_NAG = /[\\/]node_modules[\\/]cdk-nag[\\/]/;

/**
 * Makes every `require('aws-cdk-lib/<service>')` from cdk-nag's files return a deferred module
 * while that module is not loaded. Returns Node's own `Module._load`, for loading the entry point:
 * the wrapper would otherwise add a frame to the stack trace CDK records for every construct.
 * @returns {Loader['_load']}
 */
function deferCdkNagServiceImports() {
  const load = loader._load;
  /** @type {Map<string, unknown>} */
  const deferred = new Map();
  loader._load = function loadDeferringForCdkNag(request, parent, isMain) {
    const service = SERVICE_MODULE.exec(request)?.[1];
    if (service && parent && CDK_NAG.test(parent.filename)) {
      const resolved = loader._resolveFilename(request, parent, isMain);
      if (!loader._cache[resolved]) {
        let module = deferred.get(resolved);
        if (!module) {
          module = deferredModule(service, resolved, () => load.call(this, request, parent, isMain));
          deferred.set(resolved, module);
        }
        return module;
      }
    }
    return load.call(this, request, parent, isMain);
  };
  return load;
}

/**
 * The jsii name of class `name` of `aws-cdk-lib/<service>`.
 * @param {string} service e.g. `aws-quicksight`
 * @param {string} name e.g. `CfnDataSource`
 */
function jsiiName(service, name) {
  return `aws-cdk-lib.${service.replace(/-/g, '_')}.${name}`;
}

/**
 * The exports of `aws-cdk-lib/<service>` as cdk-nag sees them until the module is loaded.
 * @param {string} service
 * @param {string} resolved the module's file
 * @param {() => any} load loads the real module
 */
function deferredModule(service, resolved, load) {
  /** @type {any} */
  let real;
  // cdk-nag reads its imports for every rule and resource (~80,000 times a synth): once the
  // module is loaded, by anyone, a read goes straight to it.
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
        standIn = l1StandIn(jsiiName(service, name), () => loadModule()[name]);
        standIns.set(name, standIn);
      }
      return standIn;
    },
  });
}

/**
 * A stand-in for an L1 class that answers `instanceof` without loading it, and otherwise acts as
 * the real class.
 * @param {string} fqn the class's jsii name
 * @param {() => any} realClass
 */
function l1StandIn(fqn, realClass) {
  /** @param {unknown} value */
  const hasInstance = (value) => hasClassNamed(value, fqn) && value instanceof realClass();
  /** @type {object} */
  const standIn = new Proxy(function deferredL1() {}, {
    get: (_target, property) => (property === Symbol.hasInstance ? hasInstance : Reflect.get(realClass(), property)),
    apply: (_target, self, args) => Reflect.apply(realClass(), self, args),
    construct: (_target, args, newTarget) =>
      Reflect.construct(realClass(), args, newTarget === standIn ? realClass() : newTarget),
  });
  return standIn;
}

/**
 * Whether a class named `fqn` is on `value`'s prototype chain.
 * @param {unknown} value
 * @param {string} fqn
 */
function hasClassNamed(value, fqn) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, 'constructor') && proto.constructor?.[RTTI]?.fqn === fqn) return true;
  }
  return false;
}

module.exports = { deferCdkNagServiceImports, jsiiName };
