#!/usr/bin/env node
// @ts-check
/**
 * Runs a TypeScript entry point: `node bin/run.cjs <file.ts> [args...]`. cdk.json runs the CDK app
 * with it, and package.json the scripts behind `npm run review | cost | migrate | bench`.
 *
 * A synth through it takes about half the time it took through tsx (BENCHMARKS.md):
 * - Each `.ts` file is stripped of its types by Sucrase as Node requires it, in-process, and the
 *   result kept in the cache by content. Sucrase keeps every line where it was, so stack traces
 *   (and the file:line cdk-nag findings point at) are right without source maps, which would cost
 *   ~0.3 s a synth: CDK records a stack trace for every resource. Types are checked by
 *   `npm run typecheck`, as with tsx.
 * - V8's code cache. A synth loads ~14 MB of JavaScript, most of it aws-cdk-lib and cdk-nag,
 *   compiles it (~0.8 s on 2 cores), then compiles each function again the first time it runs. When a run
 *   compiled anything new, the compiled code of every module is written to the cache as the
 *   process exits, and the next run hands it back to V8, keyed by each module's content hash.
 *   Node >= 22.8 does this itself (`module.enableCompileCache`); this file does it before that.
 * - cdk-nag's imports of service modules Berth does not use stay unloaded (bin/nag-imports.cjs).
 * - Under `npm run synth`, the modules are loaded while the CDK CLI starts, in a process that then
 *   runs the app for the one the CLI starts, or has already run it when the CLI asks as it did the
 *   last two times (bin/warm-app.cjs).
 *
 * The cache is `node_modules/.cache/berth`, or `BERTH_CACHE_DIR`. Deleting it is always safe.
 */
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/**
 * The parts of Node's CommonJS loader that require hooks use, which @types/node leaves out.
 * @typedef {NodeJS.Module & { _compile(content: string, filename: string, format?: string): unknown }} LoadingModule
 * @typedef {{
 *   _extensions: Record<string, (module: LoadingModule, filename: string) => void>,
 *   _resolveFilename(request: string, parent: NodeJS.Module, isMain: boolean, options?: { paths?: string[] }): string,
 *   _resolveLookupPaths(request: string, parent: NodeJS.Module): string[] | null,
 *   prototype: LoadingModule,
 *   enableCompileCache?: (directory: string) => unknown,
 *   _load(request: string, parent: NodeJS.Module | null, isMain: boolean): unknown,
 * }} Loader
 */
const loader = /** @type {Loader} */ (/** @type {unknown} */ (Module));

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bin/run.cjs <file.ts> [args...]');
  process.exit(2);
}
const entryPath = path.resolve(entry);
const root = path.dirname(__dirname);
const cacheDir = path.resolve(process.env.BERTH_CACHE_DIR || path.join(root, 'node_modules', '.cache', 'berth'));
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
/** What Node wraps a CommonJS module in (`Module.wrapper`). */
const WRAPPER = '(function (exports, require, module, __filename, __dirname) { ';
/**
 * What a code cache holds and which modules may enter it (`cacheable`, the file layout): a change
 * to either needs a new number, or the runner would trust entries written under the old rules.
 */
const CODE_CACHE_FORMAT = 2;

const warmApp = require('./warm-app.cjs');
const socketPath = process.env[warmApp.SOCKET_ENV];
if (socketPath) {
  warmApp.askToRun(socketPath, { entry: entryPath, args, cwd: process.cwd(), execArgv: process.execArgv }, () =>
    runEntry(args, setUp()),
  );
} else if (process.env[warmApp.PRELOAD_ENV]) {
  const load = setUp();
  const modulesFile = moduleListFile(entryPath);
  const modules = readModuleList(modulesFile);
  process.once('exit', () => {
    const required = modulesOfEntry();
    if (required && required.join('\n') !== modules.join('\n')) writeAtomically(modulesFile, JSON.stringify(required));
  });
  const requestFile = path.join(cacheDir, `${cacheName(entryPath)}-request.json`);
  const lastRequest = readIfPresent(requestFile);
  warmApp.loadAndWait(
    {
      modules,
      entryHash: sha256(readIfPresent(entryPath) ?? ''),
      lastRequest: parseLastRequest(lastRequest),
      saveRequest: (request) => {
        const text = JSON.stringify(request);
        if (text !== lastRequest) writeAtomically(requestFile, text, 0o600);
      },
    },
    (entryArgs) => {
      // After a run ahead for another environment, the entry runs again, in a fresh module.
      delete require.cache[entryPath];
      runEntry(entryArgs, load);
    },
  );
} else {
  runEntry(args, setUp());
}

/**
 * Makes Node load TypeScript, defer cdk-nag's unused imports and use the code cache. Returns the
 * loader to run the entry with.
 */
function setUp() {
  registerTypeScript();
  const loadWithoutDeferral = require('./nag-imports.cjs').deferCdkNagServiceImports();
  if (loader.enableCompileCache) loader.enableCompileCache(cacheDir);
  else useCodeCache(codeCacheFile(entryPath));
  return loadWithoutDeferral;
}

function runEntry(/** @type {string[]} */ entryArgs, /** @type {Loader['_load']} */ load) {
  process.argv = [process.argv[0] ?? 'node', entryPath, ...entryArgs];
  // Loads the entry as the main module (`require.main === module` in it, as under `node`), always
  // through the CommonJS loader: `Module.runMain` would hand it to the ES module loader whenever
  // NODE_OPTIONS has `--import` (as tracing agents do), which does not know `.ts`.
  load.call(loader, entryPath, null, true);
}

/**
 * Strips the types of each `.ts` file as Node requires it. The output is kept in the cache
 * directory, one file per source file, under a key of the source and the options: an unchanged
 * file costs a file read, and Sucrase is not even loaded.
 */
function registerTypeScript() {
  /** @type {import('sucrase').Options} */
  const options = { transforms: ['typescript', 'imports'], disableESTransforms: true };
  const salt = JSON.stringify([require('sucrase/package.json').version, options]);
  loader._extensions['.ts'] = (/** @type {LoadingModule} */ module, /** @type {string} */ filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    // Last, so that lines stay where they are in the source.
    const key = `\n// ${sha256(salt + path.relative(root, filename) + source)}\n`;
    const file = path.join(cacheDir, 'ts', `${cacheName(filename)}.js`);
    let code = readIfPresent(file);
    if (!code?.endsWith(key)) {
      code = require('sucrase').transform(source, { ...options, filePath: filename }).code + key;
      writeAtomically(file, code);
    }
    module._compile(code, filename);
  };
}

/**
 * A file name for `file` in the cache directory, from its path in the project: the same in every
 * checkout (`npm run review` synthesizes a base ref in a git worktree sharing node_modules).
 */
function cacheName(/** @type {string} */ file) {
  return `${path.basename(file)}-${sha256(path.relative(root, file)).slice(0, 12)}`;
}

function sha256(/** @type {string} */ text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** One code cache per entry point, so the app and the scripts do not evict each other. */
function codeCacheFile(/** @type {string} */ entryFile) {
  return path.join(
    cacheDir,
    `${cacheName(entryFile)}-${process.version}-${process.arch}-format${CODE_CACHE_FORMAT}.v8cache`,
  );
}

/** What bin/warm-app.cjs loads before this entry point runs: the modules its last run required. */
function moduleListFile(/** @type {string} */ entryFile) {
  return path.join(cacheDir, `${cacheName(entryFile)}-modules.json`);
}

/**
 * The app's last request as bin/warm-app.cjs saved it, or undefined if there is none or it is not
 * one (written by another version).
 * @returns {import('./warm-app.cjs').LastRequest | undefined}
 */
function parseLastRequest(/** @type {string | undefined} */ text) {
  try {
    const request = text === undefined ? undefined : JSON.parse(text);
    const valid =
      typeof request?.stable === 'boolean' &&
      (request.aheadEntry === null || typeof request.aheadEntry === 'string') &&
      typeof request.changes === 'object' &&
      request.changes !== null &&
      Object.values(request.changes).every((value) => value === null || typeof value === 'string');
    return valid ? request : undefined;
  } catch {
    return undefined;
  }
}

/** @returns {string[]} */
function readModuleList(/** @type {string} */ file) {
  const list = readIfPresent(file);
  try {
    const modules = list === undefined ? [] : JSON.parse(list);
    return Array.isArray(modules) ? modules.filter((m) => typeof m === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The modules the entry required, itself or through others, in the order each started loading
 * (Node caches a module first): what a run in a fresh process would load. Not all this process
 * loaded: a module loaded ahead that the app no longer requires would stay on the list for good.
 * Node records a module as its requirer's child even when it was already loaded. Undefined when
 * the entry threw as it loaded (Node then forgets it): what it required until then may be a part.
 * @returns {string[] | undefined}
 */
function modulesOfEntry() {
  const entryModule = require.cache[entryPath];
  if (!entryModule) return undefined;
  /** @type {Set<string>} */
  const required = new Set();
  const pending = [entryModule];
  for (let current = pending.pop(); current; current = pending.pop()) {
    if (required.has(current.filename)) continue;
    required.add(current.filename);
    pending.push(...current.children);
  }
  required.delete(entryPath);
  return Object.keys(require.cache).filter((file) => required.has(file));
}

/**
 * Compiles every JavaScript module with the code V8 produced for it in an earlier run, and saves
 * the code of this run at exit if anything had to be compiled afresh.
 * File layout: 4-byte index length, JSON index `{ [filename]: [hash, offset, length] }`, data.
 */
function useCodeCache(/** @type {string} */ file) {
  const cached = readCodeCache(file);
  /** @type {Map<string, { script: vm.Script, hash: string }>} */
  const scripts = new Map();
  let stale = false;
  const compile = loader.prototype._compile;
  loader.prototype._compile = function compileWithCache(content, filename, format) {
    // ES modules, which Node 20.19+ also loads through here, take Node's own path.
    if (format === 'module') return compile.call(this, content, filename, format);
    const hash = sha256(content);
    const hit = cached.get(filename);
    const cachedData = hit?.hash === hash ? hit.data : undefined;
    // So does what is not cacheable; only cacheable modules have entries, so one that matches its
    // entry needs no second look.
    if (!cachedData && !cacheable(content)) return compile.call(this, content, filename, format);
    let script;
    try {
      script = new vm.Script(`${WRAPPER}${content}\n})`, {
        filename,
        // Columns on the first line as in the file itself (minified packages are one line).
        columnOffset: -WRAPPER.length,
        cachedData,
      });
    } catch {
      // A syntax error: Node's own path tells ES module syntax apart and reports it as usual.
      return compile.call(this, content, filename, format);
    }
    if (!cachedData || script.cachedDataRejected) stale = true;
    scripts.set(filename, { script, hash });
    return script
      .runInThisContext({ displayErrors: true })
      .call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    if (stale) writeCodeCache(file, scripts, cached);
  });
}

/**
 * Whether a module can take the cached path. A hashbang is only valid at the start of a script,
 * not inside the wrapper. Code compiled by `vm.Script` gets no `import()` unless a callback is
 * given, and the only one that works with cached code prints an ExperimentalWarning on Node 20,
 * so modules that may call `import()` compile as usual: 3 of the ~900 a synth loads.
 */
function cacheable(/** @type {string} */ content) {
  return !content.startsWith('#!') && !/\bimport\s*(?:\/\*[\s\S]*?\*\/\s*)*\(/.test(content);
}

/** The `require` Node gives a module (lib/internal/modules/helpers.js `makeRequireFunction`). */
function requireFor(/** @type {NodeJS.Module} */ module) {
  /** @type {NodeJS.Require} */
  const moduleRequire = Object.assign((/** @type {string} */ id) => module.require(id), {
    resolve: Object.assign(
      (/** @type {string} */ request, /** @type {{ paths?: string[] } | undefined} */ options) =>
        loader._resolveFilename(request, module, false, options),
      { paths: (/** @type {string} */ request) => loader._resolveLookupPaths(request, module) },
    ),
    main: process.mainModule,
    // The loader's own tables, as every module's `require` shares them.
    extensions: require.extensions,
    cache: require.cache,
  });
  return moduleRequire;
}

/** @returns {Map<string, { hash: string, data: Buffer }>} */
function readCodeCache(/** @type {string} */ file) {
  const entries = new Map();
  try {
    const raw = fs.readFileSync(file);
    const indexLength = raw.readUInt32LE(0);
    /** @type {Record<string, [string, number, number]>} */
    const index = JSON.parse(raw.subarray(4, 4 + indexLength).toString('utf8'));
    const data = raw.subarray(4 + indexLength);
    for (const [filename, [hash, offset, length]] of Object.entries(index)) {
      if (offset + length <= data.length) entries.set(filename, { hash, data: data.subarray(offset, offset + length) });
    }
  } catch {
    // No cache yet, or an unreadable one: compile from source and write a new one at exit.
  }
  return entries;
}

/**
 * Writes the code of every module this run compiled, and keeps the entries of an earlier run for
 * the project's own modules this one did not load while their files exist (`npm run review` loads
 * two checkouts, which share node_modules). An earlier run's node_modules entries go: a package
 * module this run did not load would otherwise stay in the cache, and be read on every run, for as
 * long as its file exists.
 */
function writeCodeCache(
  /** @type {string} */ file,
  /** @type {Map<string, { script: vm.Script, hash: string }>} */ scripts,
  /** @type {Map<string, { hash: string, data: Buffer }>} */ earlier,
) {
  /** @type {Record<string, [string, number, number]>} */
  const index = {};
  /** @type {Buffer[]} */
  const parts = [];
  let offset = 0;
  const add = (/** @type {string} */ filename, /** @type {string} */ hash, /** @type {Buffer} */ data) => {
    index[filename] = [hash, offset, data.length];
    parts.push(data);
    offset += data.length;
  };
  for (const [filename, { script, hash }] of scripts) add(filename, hash, script.createCachedData());
  for (const [filename, { hash, data }] of earlier) {
    if (!scripts.has(filename) && !filename.includes(NODE_MODULES) && fs.existsSync(filename))
      add(filename, hash, data);
  }
  const indexBytes = Buffer.from(JSON.stringify(index));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(indexBytes.length);
  if (writeAtomically(file, Buffer.concat([header, indexBytes, ...parts]))) removeOtherCodeCaches(file);
}

/**
 * Deletes this entry point's other code caches (another Node version or architecture, or an older
 * format: V8 or the runner would reject them), so switching Node leaves no ~15 MB file behind.
 */
function removeOtherCodeCaches(/** @type {string} */ file) {
  const name = path.basename(file);
  const prefix = `${cacheName(entryPath)}-`;
  try {
    for (const other of fs.readdirSync(path.dirname(file))) {
      if (other !== name && other.startsWith(prefix) && other.endsWith('.v8cache')) {
        fs.rmSync(path.join(path.dirname(file), other), { force: true });
      }
    }
  } catch (error) {
    process.stderr.write(`bin/run.cjs: old caches left in ${path.dirname(file)}: ${messageOf(error)}\n`);
  }
}

/** @returns {string | undefined} */
function readIfPresent(/** @type {string} */ file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Written aside and renamed: two runs at once (`npm run review` runs two synths) never read a torn
 * file. Returns whether the file was written.
 */
function writeAtomically(
  /** @type {string} */ file,
  /** @type {string | Buffer} */ data,
  /** @type {number | undefined} */ mode = undefined,
) {
  const partial = `${file}.${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(partial, data, { mode });
    fs.renameSync(partial, file);
    return true;
  } catch (error) {
    try {
      fs.rmSync(partial, { force: true });
    } catch {
      // A partial file left behind is harmless (never read), and a throw here, at exit, would
      // change the exit code; the line below reports the failed write.
    }
    // A cache that cannot be written (a read-only node_modules) only costs speed. Written directly:
    // the code cache is written as the process exits, when process.emitWarning prints nothing.
    process.stderr.write(`bin/run.cjs: ${file} not cached: ${messageOf(error)}\n`);
    return false;
  }
}

function messageOf(/** @type {unknown} */ error) {
  return error instanceof Error ? error.message : String(error);
}
