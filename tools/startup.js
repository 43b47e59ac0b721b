/**
 * Start-up of the offline plan, the benchmark and the tests (`node -r ./tools/startup.js`): they
 * load only the code they use. Never loaded by the program `pulumi up` runs.
 *
 * 1. Deferred SDK internals. `@pulumi/pulumi` loads on every require what only closure
 *    serialization (the TypeScript compiler through its shim; `@npmcli/arborist` with its npm
 *    client tree, `normalize-package-data` and `fdir` for code paths), the Automation API and the
 *    connections to the engine (gRPC with its generated clients, OpenTelemetry to trace the calls)
 *    use, and `semver` for provider versions registered twice; the plan, whose engine is the
 *    mock runtime, uses none of them. Each is replaced by a stand-in that loads the real module on first
 *    use, so `pulumi.automation.LocalWorkspace` or `pulumi.runtime.serializeFunction` still work.
 *    And the SDK captures a stack trace for every promise it makes (`debuggablePromise`, some 60
 *    per resource), read only when PULUMI_DEBUG_PROMISE_LEAKS asks it to report each promise
 *    left pending at exit: a third of the plan's time per resource. The plan's promises carry
 *    none (pending ones are still counted at exit). Likewise every resource's constructor captures the
 *    whole stack, each frame made a file URL (`Resource.stackTrace`), for the stack trace of its
 *    register request, which only the engine's diagnostics read: the plan's resources carry only
 *    the frame of their source position (the plan names it for a URN registered twice).
 *    test/tools/startup.test.ts fails when an SDK upgrade moves any of these (the deferral would
 *    silently stop working) or loads the deferred code anyway.
 * 2. One SDK copy. A policy pack installed for `pulumi preview --policy-pack policy` has its own
 *    node_modules with a second `@pulumi/pulumi` and `@pulumi/policy`; the plan evaluates the pack
 *    in-process, so the pack resolves them to the project's copies (one load, one runtime state).
 * 3. The project's TypeScript, through the transpile cache of ./register.js, and every module
 *    compiled with the code V8 made for it in an earlier run (./compileCache.js).
 */
require("./compileCache");
const fs = require("fs");
const Module = require("module");
const path = require("path");
const url = require("url");

const projectDir = path.resolve(__dirname, "..");
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [projectDir] }));

/** Modules loaded on first use, by resolved file name. */
const DEFERRED = new Set([
  path.join(pulumiDir, "typescript-shim.js"),
  path.join(pulumiDir, "automation", "index.js"),
  // What only computeCodePaths (closure serialization) uses, loaded by runtime/closure/codePaths.js.
  require.resolve("@npmcli/arborist", { paths: [pulumiDir] }),
  require.resolve("normalize-package-data", { paths: [pulumiDir] }),
  require.resolve("fdir", { paths: [pulumiDir] }),
  // The engine connections: settings.js, errors.js, callbacks.js, provider/server.js and the policy
  // SDK's analyzer server load them; their gRPC clients and servers are made only to connect.
  require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }),
  ...fs
    .readdirSync(path.join(pulumiDir, "proto"))
    .filter((file) => file.endsWith("_grpc_pb.js"))
    .map((file) => path.join(pulumiDir, "proto", file)),
  require.resolve("@opentelemetry/api", { paths: [pulumiDir] }),
  // Compares provider versions only when a package registers twice or a resource reference is read.
  require.resolve("semver", { paths: [pulumiDir] }),
]);

const debuggableFile = path.join(pulumiDir, "runtime", "debuggable.js");
const stateFile = path.join(pulumiDir, "runtime", "state.js");
const resourceFile = path.join(pulumiDir, "resource.js");

const SHARED_PACKAGES = ["@pulumi/pulumi", "@pulumi/policy"];
const policyDir = path.join(projectDir, "policy") + path.sep;

/**
 * A stand-in for a module that loads it on first use. It reports `__esModule`, so TypeScript's
 * `__importStar` takes it as it is instead of copying (and so loading) every export, and answers
 * `default` with the module itself, as `__importStar` would for a CommonJS module.
 */
function deferredModule(load) {
  let loaded;
  const real = () => (loaded ??= load());
  const get = (key) => {
    if (key === "__esModule") return true;
    const module = real();
    return key === "default" && !module.__esModule ? module : module[key];
  };
  return new Proxy(
    {},
    {
      get: (_, key) => get(key),
      has: (_, key) => key === "__esModule" || key in real(),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_, key) =>
        key in real()
          ? { value: get(key), writable: false, enumerable: true, configurable: true }
          : undefined,
    },
  );
}

/**
 * The SDK's `Resource.stackTrace(skip)` (resource.js), cut after its first frame, the source
 * position: the stack is captured only that deep. Called where the SDK's is, so the frames line up
 * (this function, then the constructor that asks).
 */
function sourcePositionOnly(Resource) {
  return function stackTrace(skip) {
    const limit = Error.stackTraceLimit;
    // Line 0 reads "Error", line 1 is this function (the SDK's callsites() and stackTrace() in
    // one), so the SDK's first reported frame, callsites()[skip + 1], is line skip + 1 here.
    Error.stackTraceLimit = skip + 1;
    let lines;
    try {
      lines = new Error().stack.split("\n");
    } finally {
      Error.stackTraceLimit = limit;
    }
    if (lines.length < skip + 2) return [];
    const { file, line, column } = Resource.framePositionRegExp.exec(lines[skip + 1])?.groups || {};
    const [lineNumber, columnNumber] = [parseInt(line, 10), parseInt(column, 10)];
    if (!file || file.startsWith("node:") || Number.isNaN(lineNumber) || Number.isNaN(columnNumber))
      return [undefined];
    return [{ uri: url.pathToFileURL(file).toString(), line: lineNumber, column: columnNumber }];
  };
}

/**
 * The SDK's `debuggablePromise` (the SDK calls it through its exports), unless
 * PULUMI_DEBUG_PROMISE_LEAKS asks for its report of each pending promise: the promise is still a
 * leak candidate of the SDK's store, chained in the same two steps (so registrations reach the
 * monitor in the same order), without the stack trace and context only that report reads. The
 * SDK's own function runs once, on a settled promise, to schedule its count of those left pending.
 */
function untraced(debuggable, getStore) {
  const debuggablePromise = debuggable.debuggablePromise;
  debuggablePromise(Promise.resolve(), "the offline plan's leak report (tools/startup.js)");
  return (promise, context) => {
    if (debuggable.debugPromiseLeaks) return debuggablePromise(promise, context);
    const candidates = getStore().leakCandidates;
    candidates.add(promise);
    return promise
      .then((value) => {
        candidates.delete(promise);
        return value;
      })
      .catch((error) => {
        candidates.delete(promise);
        error.promise = promise;
        throw error;
      });
  };
}

const standIns = new Map();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (
    parent?.filename?.startsWith(policyDir) &&
    SHARED_PACKAGES.some((p) => request === p || request.startsWith(`${p}/`))
  ) {
    return load.call(this, require.resolve(request, { paths: [projectDir] }), parent, isMain);
  }
  if (
    !/typescript-shim|automation|arborist|normalize-package-data|fdir|grpc|opentelemetry|semver|debuggable|resource/.test(
      request,
    )
  )
    return load.call(this, request, parent, isMain);
  const filename = Module._resolveFilename(request, parent, isMain);
  if (filename === resourceFile && !Module._cache[filename]) {
    const resource = load.call(this, request, parent, isMain);
    if (typeof resource.Resource?.stackTrace === "function")
      resource.Resource.stackTrace = sourcePositionOnly(resource.Resource);
    return resource;
  }
  if (filename === debuggableFile && !Module._cache[filename]) {
    const debuggable = load.call(this, request, parent, isMain);
    const state = require(stateFile);
    if (typeof debuggable.debuggablePromise === "function" && typeof state.getStore === "function") {
      debuggable.debuggablePromise = untraced(debuggable, state.getStore);
    }
    return debuggable;
  }
  if (!DEFERRED.has(filename) || Module._cache[filename]) return load.call(this, request, parent, isMain);
  if (!standIns.has(filename))
    standIns.set(
      filename,
      deferredModule(() => load.call(this, filename, parent, isMain)),
    );
  return standIns.get(filename);
};

/** What this module relies on in the SDK, for test/tools/startup.test.ts. */
module.exports = {
  DEFERRED,
  SDK_FILES: [...DEFERRED, debuggableFile, stateFile, resourceFile],
};

require("./register");
