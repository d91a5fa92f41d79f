// @ts-check
/**
 * Loads the app while the CDK CLI starts. `npm run synth` runs the CLI through bin/cdk.cjs, which
 * forks a process that loads the modules the app's last run required (aws-cdk-lib, cdk-nag, Berth's
 * own), and waits. When the CLI runs the app command (cdk.json: `node bin/run.cjs bin/app.ts`),
 * that process asks the waiting one to run the app instead, with exactly its own arguments,
 * environment and working directory, and passes its output and exit code on to the CLI.
 *
 * Why: the CLI takes ~1.7 s to start before it runs the app, and the app spends ~1 s of its ~2.2 s
 * loading modules; on two cores both fit side by side (BENCHMARKS.md, 30 November, 20:00).
 *
 * It goes one step further when the CLI's last two requests brought the same environment (the
 * variables the CLI sets: CDK_CONTEXT_JSON, CDK_OUTDIR, ...), which is the case when a user synths
 * again after an edit, and the entry point declared that it `mayRunAhead` (bin/app.ts does): the
 * process then runs the app in that environment right away, with its output directory in a
 * private temp directory (linked to the assets the real one holds, which CDK then does not bundle
 * again), while the CLI starts. When the request comes with exactly that environment, no
 * arguments and the same working directory, the app's output is passed on and what it wrote is
 * copied into the CLI's output directory before the app command ends. Any other request (a
 * context value changed) drops what the run ahead printed and wrote, and the process runs the app
 * again, for that request. An app that fails while it runs ahead leaves the app
 * command to run it, and the next run does not run ahead. What the process prints before the
 * request is held, and dropped when the app command runs the app itself, which prints it again.
 *
 * Why it gives the same result: no module of the app's reads the CLI's environment as it loads
 * (aws-cdk-lib reads context and the output directory in `new App()`), and the app itself runs
 * only in that environment; Berth's output does not depend on where its output directory is (no
 * file in it names the directory). Templates and manifests are byte-identical. `tree.json` can
 * differ in the number of a token inside a construct id of aws-cdk-lib's own (tokens are numbered
 * in the order they are made; two runs of `npx cdk synth` differ there too). Nothing is written
 * into the CLI's output directory before the CLI asks, when the CLI holds its lock on it.
 *
 * Whatever goes wrong before the app runs (no waiting process, one that ended while loading,
 * another entry point or Node options, a second run of the app in one CLI command), the app runs
 * as usual, in its own process.
 *
 * One difference shows: the app's output reaches the terminal through the app command, over two
 * pipes, so its stdout and stderr lines can interleave differently from a run the CLI started, and
 * the app sees no terminal (`process.stdout.isTTY` is false). Berth's app prints no colour, and
 * the CLI prints its own output itself.
 */
'use strict';

const { fork, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

/** Set for the CLI: where the app command finds the process holding the loaded app. */
const SOCKET_ENV = 'BERTH_APP_SOCKET';
/** Set for the forked process: load, then wait for the request to run. */
const PRELOAD_ENV = 'BERTH_APP_PRELOAD';

/**
 * What the app command sends: everything a process the CLI started would have had.
 * @typedef {{ entry: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, execArgv: string[] }} RunRequest
 */

/** What the loaded process tells its parent once it runs the app: from then on its exit code is the app's. */
const STARTED = 'started';

/** Frame kinds from the waiting side to the app command: output, exit code, or "run it yourself". */
const STDOUT = 'o';
const STDERR = 'e';
const EXIT = 'x';
const RUN_YOURSELF = 'r';

/** One frame: its kind (1 byte), the payload's length (4 bytes, little-endian), the payload. */
function frame(/** @type {string} */ kind, /** @type {Buffer} */ payload = Buffer.alloc(0)) {
  const header = Buffer.alloc(5);
  header.write(kind, 0, 'latin1');
  header.writeUInt32LE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/**
 * Splits a byte stream into frames, whatever the chunks it arrives in.
 * @param {(kind: string, payload: Buffer) => void} onFrame
 * @returns {(chunk: Buffer) => void}
 */
function frameReader(onFrame) {
  /** @type {Buffer} */
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 5) {
      const end = 5 + pending.readUInt32LE(1);
      if (pending.length < end) break;
      const kind = pending.toString('latin1', 0, 1);
      const payload = pending.subarray(5, end);
      pending = pending.subarray(end);
      onFrame(kind, payload);
    }
  };
}

/**
 * Reads the first line of a byte stream, whatever the chunks it arrives in, and decodes it whole
 * (a chunk can end inside a character, and the request carries the environment, up to ~128 KiB
 * of it in CDK_CONTEXT_JSON). Calls `onLine` once; what follows the line is ignored.
 * @param {(line: string) => void} onLine
 * @returns {(chunk: Buffer) => void}
 */
function lineReader(onLine) {
  /** @type {Buffer[] | undefined} */
  let chunks = [];
  return (chunk) => {
    if (!chunks) return;
    const newline = chunk.indexOf(0x0a);
    if (newline < 0) {
      chunks.push(chunk);
      return;
    }
    chunks.push(chunk.subarray(0, newline));
    const line = Buffer.concat(chunks).toString('utf8');
    chunks = undefined;
    onLine(line);
  };
}

/**
 * The entry point cdk.json's app command runs through bin/run.cjs, or undefined for any other
 * app command (which then runs as usual).
 * @returns {string | undefined}
 */
function appEntry(/** @type {string} */ projectDir) {
  try {
    const { app } = JSON.parse(fs.readFileSync(path.join(projectDir, 'cdk.json'), 'utf8'));
    const entry = /^node bin\/run\.cjs (\S+\.ts)$/.exec(typeof app === 'string' ? app.trim() : '')?.[1];
    return entry === undefined ? undefined : path.resolve(projectDir, entry);
  } catch {
    return undefined;
  }
}

/**
 * Runs the CDK CLI with `args`, with the app of cdk.json loading meanwhile. Resolves to the exit
 * code to exit with, or the signal that ended the CLI.
 * @param {{ cli: string, args: readonly string[], projectDir: string, env?: NodeJS.ProcessEnv }} options
 *   `cli` is the CLI's JavaScript entry point, run with this Node; `env` the environment to run
 *   it in (default: this process's).
 * @returns {Promise<{ code: number } | { signal: NodeJS.Signals }>}
 */
function runCli({ cli, args, projectDir, env = process.env }) {
  const entry = appEntry(projectDir);
  // Windows has no Unix sockets in a temp directory (named pipes would need their own access rules).
  if (entry === undefined || process.platform === 'win32') return runProcess(cli, args, env);
  let dir;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-app-'));
  } catch {
    return runProcess(cli, args, env);
  }
  const socketDir = dir;
  const loaded = loadApp(entry, projectDir, env);
  return new Promise((resolve) => {
    let started = false;
    const run = (/** @type {NodeJS.ProcessEnv} */ cliEnv) => {
      started = true;
      runProcess(cli, args, cliEnv).then((result) => {
        loaded.stop();
        server.close();
        fs.rmSync(socketDir, { recursive: true, force: true });
        resolve(result);
      });
    };
    const server = net.createServer((socket) => loaded.serve(socket));
    // A socket it cannot listen at only costs the head start.
    server.on('error', () => {
      if (!started) run(env);
    });
    const socketPath = path.join(socketDir, 'app.sock');
    server.listen(socketPath, () => run({ ...env, [SOCKET_ENV]: socketPath }));
  });
}

/**
 * Forks the process that loads the app of `entry`. `serve` answers an app command's connection;
 * `stop`, once the CLI has ended, signals the process to end if it still runs, without waiting.
 */
function loadApp(/** @type {string} */ entry, /** @type {string} */ projectDir, /** @type {NodeJS.ProcessEnv} */ env) {
  const loaded = fork(path.join(__dirname, 'run.cjs'), [entry], {
    cwd: projectDir,
    env: { ...env, [PRELOAD_ENV]: '1' },
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  /** @type {net.Socket | undefined} */
  let appCommand;
  /** @type {number | undefined} */
  let exitCode;
  // Until it says so, the app has not run there: if it ends first (a module it loaded ahead exits,
  // the app failed while it ran ahead), its exit code is not the app's, and the app command runs
  // the app itself.
  let started = false;
  /**
   * Output from before the app ran there (warnings while loading, an error that ended a run
   * ahead): passed on once it runs, dropped if the app command runs the app itself (which prints
   * it again).
   * @type {Buffer[]}
   */
  const held = [];
  loaded.on('message', (message) => {
    if (message !== STARTED) return;
    started = true;
    for (const bytes of held.splice(0)) appCommand?.write(bytes);
  });
  const pass = (/** @type {Buffer} */ bytes) => (started && appCommand ? appCommand.write(bytes) : held.push(bytes));
  loaded.stdout?.on('data', (chunk) => pass(frame(STDOUT, chunk)));
  loaded.stderr?.on('data', (chunk) => pass(frame(STDERR, chunk)));
  // After its output and messages: 'close' waits for both pipes and the IPC channel to end.
  loaded.on('close', (code, signal) => {
    // As a shell reports a process a signal ended.
    exitCode = code ?? 128 + (signal ? os.constants.signals[signal] : 0);
    appCommand?.end(started ? frame(EXIT, Buffer.from(String(exitCode))) : frame(RUN_YOURSELF));
  });
  // A fork that failed leaves the app command to run the app itself.
  loaded.on('error', () => {});

  /** Whether the app command asking can have the loaded app: see the module comment. */
  const usableFor = (/** @type {RunRequest} */ request) =>
    appCommand === undefined &&
    exitCode === undefined &&
    loaded.connected &&
    request.entry === entry &&
    request.execArgv.length === 0 &&
    request.env.NODE_OPTIONS === env.NODE_OPTIONS;

  return {
    serve(/** @type {net.Socket} */ socket) {
      socket.on('error', () => {});
      socket.on(
        'data',
        lineReader((line) => {
          /** @type {RunRequest | undefined} */
          let request;
          try {
            request = JSON.parse(line);
          } catch {
            request = undefined;
          }
          // Already used (the CLI runs the app again after looking up missing context), gone, or
          // loaded for another entry point or Node options: the app command runs the app itself.
          if (!request || !usableFor(request)) {
            socket.end(frame(RUN_YOURSELF));
            return;
          }
          appCommand = socket;
          loaded.send(request);
        }),
      );
    },
    stop() {
      if (exitCode !== undefined) return;
      // A run ahead handles the signal once its synchronous work ends (to remove its directory):
      // the CLI's exit need not wait for that.
      loaded.kill();
      if (loaded.connected) loaded.disconnect();
      loaded.stdout?.destroy();
      loaded.stderr?.destroy();
      loaded.unref();
    },
  };
}

/**
 * Runs `node <script> ...args`, its output the terminal's, passing on Ctrl-C and termination.
 * @returns {Promise<{ code: number } | { signal: NodeJS.Signals }>}
 */
function runProcess(
  /** @type {string} */ script,
  /** @type {readonly string[]} */ args,
  /** @type {NodeJS.ProcessEnv} */ env,
) {
  const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit', env });
  /** @type {NodeJS.Signals[]} */
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (/** @type {NodeJS.Signals} */ signal) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(signal ? { signal } : { code: code ?? 1 });
    });
  });
}

/**
 * In the process the CLI started: asks the process holding the loaded app to run it, and passes
 * on its output and exit code. Calls `runHere` instead when there is none to ask or it declines.
 * @param {string} socketPath
 * @param {Omit<RunRequest, 'env'>} request
 * @param {() => void} runHere
 */
function askToRun(socketPath, request, runHere) {
  const env = { ...process.env };
  delete env[SOCKET_ENV];
  delete process.env[SOCKET_ENV];
  let connected = false;
  // An exit code came, or the app runs here.
  let ended = false;
  const socket = net.connect(socketPath);
  socket.on('connect', () => {
    connected = true;
    socket.write(`${JSON.stringify({ ...request, env })}\n`);
  });
  socket.on(
    'data',
    frameReader((kind, payload) => {
      if (kind === STDOUT) process.stdout.write(payload);
      else if (kind === STDERR) process.stderr.write(payload);
      else if (kind === EXIT) {
        ended = true;
        process.exitCode = Number(payload.toString('latin1'));
      } else if (kind === RUN_YOURSELF) {
        ended = true;
        socket.destroy();
        runHere();
      }
    }),
  );
  // Nothing listens (the CLI was started some other way): nothing ran yet.
  socket.on('error', () => {
    if (!connected && !ended) {
      ended = true;
      runHere();
    }
  });
  socket.on('close', () => {
    if (!ended) {
      process.stderr.write('bin/run.cjs: the process running the app stopped before it ended\n');
      process.exitCode = 1;
    }
  });
}

/**
 * What the forked process keeps of the app's last request, in the cache directory (readable by its
 * owner only: CDK_CONTEXT_JSON holds what `-c` was given).
 * @typedef {{
 *   changes: Record<string, string | null>,
 *   stable: boolean,
 *   aheadEntry: string | null,
 * }} LastRequest
 *   `changes`: the variables the CLI set for the app (null: removed) against the environment the
 *   CLI itself was started with; `stable`: whether the request before brought the same;
 *   `aheadEntry`: the hash of the entry point's source when it called `mayRunAhead` (null if it
 *   did not), so that an entry point changed since runs ahead only once it declares it again.
 */

let entryMayRunAhead = false;

/**
 * For the app's entry point: declares that it may run before the CLI asks for it (see
 * `loadAndWait`), because it writes only into its output directory (CDK_OUTDIR) and to stdout and
 * stderr through `process.stdout` and `process.stderr`; what it writes depends only on its
 * modules, environment, arguments and working directory, not on where the output directory is;
 * it synthesizes before it returns (calls `app.synth()`, rather than leave it to CDK as the process
 * ends); and it can run a second time in the same process (its modules keep no state from one run
 * to the next).
 */
function mayRunAhead() {
  entryMayRunAhead = true;
}

/** @returns {Record<string, string | null>} */
function changesFrom(/** @type {NodeJS.ProcessEnv} */ base, /** @type {NodeJS.ProcessEnv} */ env) {
  /** @type {Record<string, string | null>} */
  const changes = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && base[name] !== value) changes[name] = value;
  }
  for (const name of Object.keys(base)) {
    if (env[name] === undefined) changes[name] = null;
  }
  return changes;
}

function sameChanges(
  /** @type {Record<string, string | null>} */ a,
  /** @type {Record<string, string | null> | undefined} */ b,
) {
  const names = Object.keys(a);
  return b !== undefined && names.length === Object.keys(b).length && names.every((name) => b[name] === a[name]);
}

/** Makes `env` this process's environment, in place: modules may hold on to `process.env`. */
function replaceEnv(/** @type {NodeJS.ProcessEnv} */ env) {
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, env);
}

/**
 * The environment the CLI will most likely run the app in (the one it was started with, changed
 * as in the last request), with the output directory moved to `directory`, and with it every file
 * the CLI named inside it (CDK_ERROR_FILE, CDK_PERF_COUNTERS_FILE: `<CDK_OUTDIR>/<name>`, joined).
 * Undefined without an output directory, or with one that holds the working directory (`-o .`),
 * which could not be told apart from the app's other files.
 * @returns {{ env: NodeJS.ProcessEnv, outdir: string } | undefined}
 */
function environmentAhead(
  /** @type {NodeJS.ProcessEnv} */ launchEnv,
  /** @type {Record<string, string | null>} */ changes,
  /** @type {string} */ directory,
) {
  const outdirValue = changes.CDK_OUTDIR;
  if (typeof outdirValue !== 'string' || outdirValue === '') return undefined;
  const outdir = path.resolve(outdirValue);
  const fromOutdir = path.relative(outdir, process.cwd());
  if (fromOutdir !== '..' && !fromOutdir.startsWith(`..${path.sep}`) && !path.isAbsolute(fromOutdir)) return undefined;
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...launchEnv };
  // The CLI names its files with path.join(outdir, name), which normalizes `out/` and `./out`.
  const normalized = path.join(outdirValue);
  const prefix = path.join(normalized, path.sep);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete env[name];
    else if (value === outdirValue || value === normalized) env[name] = directory;
    else if (value.startsWith(prefix) && path.join(value) === value)
      env[name] = path.join(directory, value.slice(prefix.length));
    else env[name] = value;
  }
  return { env, outdir };
}

/**
 * Links each asset the output directory already holds (`asset.<content hash>`) into `directory`,
 * where the app runs ahead: CDK bundles an asset only when its directory is missing, as it does
 * in the output directory itself. Returns the links, which are not copied back.
 * @returns {Set<string>}
 */
function linkAssets(/** @type {string} */ outdir, /** @type {string} */ directory) {
  const links = new Set();
  let names;
  try {
    names = fs.readdirSync(outdir);
  } catch {
    return links;
  }
  for (const name of names.filter((entry) => entry.startsWith('asset.'))) {
    const link = path.join(directory, name);
    try {
      fs.symlinkSync(path.join(outdir, name), link);
      links.add(link);
    } catch {
      // Not linked (no symbolic links here): CDK bundles it again.
    }
  }
  return links;
}

/**
 * Copies what the app wrote into `directory` (all but the `linked` assets) into the output
 * directory, through the link when it is one. Returns whether it did; if not, says why and fails
 * the app's run.
 */
function copyInto(/** @type {string} */ outdir, /** @type {string} */ directory, /** @type {Set<string>} */ linked) {
  const written = (/** @type {string} */ source) => !linked.has(source);
  try {
    fs.mkdirSync(outdir, { recursive: true });
    fs.cpSync(directory, fs.realpathSync(outdir), { recursive: true, filter: written });
    return true;
  } catch (error) {
    process.stderr.write(`bin/run.cjs: could not copy the synthesized app into ${outdir}: ${error}\n`);
    process.exitCode = 1;
    return false;
  }
}

function removeDirectory(/** @type {string} */ directory) {
  try {
    fs.rmSync(directory, { recursive: true, force: true });
  } catch {
    // Left in the temp directory, where the system clears it.
  }
}

/**
 * Holds what this process writes to stdout and stderr through its streams (console.log and
 * console.error do) until the returned function is called: with `pass`, it is written then;
 * without, dropped.
 * @returns {(pass: boolean) => void}
 */
function holdOutput() {
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  /** @type {(() => void)[]} */
  const held = [];
  for (const stream of streams) {
    stream.write = /** @type {typeof stream.write} */ (
      (/** @type {unknown[]} */ ...args) => {
        held.push(() => Reflect.apply(stream.write, stream, args));
        return true;
      }
    );
  }
  return (pass) => {
    streams.forEach((stream, index) => {
      stream.write = writes[index] ?? stream.write;
    });
    if (pass) for (const write of held) write();
  };
}

/**
 * In the forked process: loads `modules` (what the app required last time), then waits for the
 * request from the app command and runs the entry point with this process set up as the CLI set
 * up the app command's.
 *
 * When the last two requests brought the same environment, and the entry point declared that it
 * `mayRunAhead`, it runs the entry point right away, in that environment but with the output
 * directory in a private temp directory: the app is composed and synthesized while the CLI
 * starts. When the request brings exactly that environment (and no arguments, the same working
 * directory), what the app printed is passed on, and what it wrote is copied into the output
 * directory as this process exits: the CLI reads it once the app command has ended, which is after
 * that. Any other request (the user changed a context value) drops what the run ahead printed and
 * wrote, and runs the entry point again, as for a request with no run ahead. An app that ends
 * before the request (it failed) leaves the app command to run it, and the next run does not run
 * ahead.
 * @param {{
 *   modules: readonly string[],
 *   entryHash: string,
 *   lastRequest: LastRequest | undefined,
 *   saveRequest: (request: LastRequest) => void,
 * }} memory `entryHash`: of the entry point's source, as it is now
 * @param {(args: string[]) => void} runEntry runs the entry point, again if it ran already
 */
function loadAndWait({ modules, entryHash, lastRequest, saveRequest }, runEntry) {
  // Ended from outside (the CLI gone, a signal): no run ahead to save or deliver.
  let leaving = false;
  // Gone before it was asked (the CLI failed, or ran no app): nothing to do.
  const leave = () => {
    leaving = true;
    process.exit(0);
  };
  process.on('disconnect', leave);
  for (const file of modules) {
    try {
      require(file);
    } catch {
      // Gone since, or failing: the app loads it (and reports its error) as it would anyway.
    }
  }
  // What the CLI was started with, and so what the app command's environment is made from.
  const launchEnv = { ...process.env };
  delete launchEnv[PRELOAD_ENV];
  /** @type {Record<string, string | null> | undefined} */
  let changes;
  /**
   * The run ahead: where it wrote, where that goes, and the assets linked in.
   * @type {{ outdir: string, directory: string, linked: Set<string> } | undefined}
   */
  let ahead;
  /** Passes on or drops what the run ahead printed. */
  let release = (/** @type {boolean} */ _pass) => {};
  // Set once the request matched the run ahead: its output directory is the CLI's.
  let delivered = false;
  let copied = true;
  process.once('exit', () => {
    if (ahead) {
      // An interrupted synth leaves the output directory as it was, as the CLI would.
      if (delivered && !leaving) copied = copyInto(ahead.outdir, ahead.directory, ahead.linked);
      removeDirectory(ahead.directory);
    }
    if (changes) {
      saveRequest({
        changes,
        // A failed copy fails this synth; the next one does not run ahead.
        stable: copied && sameChanges(changes, lastRequest?.changes),
        aheadEntry: entryMayRunAhead ? entryHash : null,
      });
    } else if (ahead && !leaving && lastRequest) {
      // The run ahead ended this process (a configuration error, say): not next time.
      saveRequest({ ...lastRequest, stable: false });
    }
  });
  // Ended by bin/cdk.cjs once the CLI has ended without asking, or by Ctrl-C or a closed terminal
  // (sent to the whole process group), a run ahead still removes its directory.
  /** @type {NodeJS.Signals[]} */
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  const endOn = (/** @type {NodeJS.Signals} */ signal) => {
    leaving = true;
    process.exit(128 + os.constants.signals[signal]);
  };
  if (lastRequest?.stable && lastRequest.aheadEntry === entryHash) {
    /** @type {string | undefined} */
    let directory;
    try {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-synth-'));
      const predicted = environmentAhead(launchEnv, lastRequest.changes, directory);
      if (predicted) {
        ahead = { outdir: predicted.outdir, directory, linked: linkAssets(predicted.outdir, directory) };
        replaceEnv(predicted.env);
      }
    } catch {
      // No temp directory to be had: no run ahead.
    }
    if (ahead) {
      for (const signal of signals) process.on(signal, endOn);
      release = holdOutput();
      runEntry([]);
    } else if (directory) {
      removeDirectory(directory);
    }
  }
  process.once('message', (/** @type {RunRequest} */ request) => {
    process.off('disconnect', leave);
    changes = changesFrom(launchEnv, request.env);
    const asPredicted =
      sameChanges(changes, lastRequest?.changes) && request.args.length === 0 && request.cwd === process.cwd();
    if (ahead && !asPredicted) {
      // Ran ahead for another environment: forgotten, and the entry point runs again below, as
      // with no run ahead (signals included).
      release(false);
      removeDirectory(ahead.directory);
      ahead = undefined;
      for (const signal of signals) process.off(signal, endOn);
      process.exitCode = undefined;
    }
    // Runs the app only once the parent knows: see STARTED. A parent gone meanwhile has nobody
    // to run it for.
    process.send?.(STARTED, (/** @type {Error | null} */ error) => {
      if (error) return leave();
      process.disconnect();
      replaceEnv(request.env);
      process.chdir(request.cwd);
      if (ahead) {
        delivered = true;
        release(true);
      } else {
        runEntry(request.args);
      }
    });
  });
}

module.exports = {
  SOCKET_ENV,
  PRELOAD_ENV,
  runCli,
  askToRun,
  loadAndWait,
  mayRunAhead,
  environmentAhead,
  frame,
  frameReader,
  lineReader,
};
