/**
 * A V8 code cache for the plan, the benchmark and the tests (loaded by ./startup.js; Node 20 has no
 * `module.enableCompileCache`). Compiling the ~340 modules of a plan is a sixth of its time: each
 * CommonJS module is compiled with the code V8 made for it in an earlier run, found by the
 * module's file name and a hash of its source, and at exit the code of the modules compiled anew
 * (every function that ran, not only the top level) is added to the entry point's file under
 * node_modules/.cache, one entry per module. V8 refuses code made by another Node.js version
 * or with other flags; the module is then compiled as usual.
 */
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");
const vm = require("vm");

/** Node.js's own flags (V8 refuses code made under other V8 flags), not the modules it preloads. */
const nodeFlags = process.execArgv.filter(
  (flag, index, all) => !["-r", "--require"].includes(flag) && !["-r", "--require"].includes(all[index - 1]),
);
const entryPoint = process.argv[1] === undefined ? "eval" : path.resolve(process.argv[1]);
const cacheFile = path.join(
  __dirname,
  "..",
  "node_modules",
  ".cache",
  "flink-pipeline-v8",
  // One file per entry point (the plan, the bench, mocha, ... of this checkout: node_modules may be
  // shared) and flags: each reads only the code it uses.
  `${process.version}-${process.arch}-${path.basename(entryPoint)}-${crypto
    .createHash("sha1")
    .update(JSON.stringify([entryPoint, nodeFlags]))
    .digest("hex")
    .slice(0, 8)}.bin`,
);

/** file name -> { hash, data }: the code V8 made for the source with that hash. */
const entries = readEntries();
/** The scripts compiled without usable code this run, by file name: their code is kept at exit. */
const compiledAnew = new Map();
/** The modules compiled with their cached code this run (read by test/tools/compileCache.test.ts). */
const fromCache = new Set();

/** The cache file: a 4-byte length, a JSON index `[file, hash, length][]`, then the code, in order. */
function readEntries() {
  const read = new Map();
  let blob;
  try {
    blob = fs.readFileSync(cacheFile);
  } catch {
    return read;
  }
  try {
    const indexLength = blob.readUInt32LE(0);
    let offset = 4 + indexLength;
    for (const [file, hash, length] of JSON.parse(blob.toString("utf8", 4, offset))) {
      read.set(file, { hash, data: blob.subarray(offset, offset + length) });
      offset += length;
    }
  } catch {
    // A cache file cut short (or from another layout): start afresh.
    read.clear();
  }
  return read;
}

function writeEntries() {
  for (const [file, { hash, script }] of compiledAnew)
    entries.set(file, { hash, data: script.createCachedData() });
  for (const file of entries.keys()) if (!fs.existsSync(file)) entries.delete(file);
  const index = Buffer.from(
    JSON.stringify([...entries].map(([file, { hash, data }]) => [file, hash, data.length])),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(index.length);
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  // Written whole, then renamed: a process starting meanwhile reads the old file or the new one.
  const partial = `${cacheFile}.${process.pid}`;
  fs.writeFileSync(partial, Buffer.concat([length, index, ...[...entries.values()].map((e) => e.data)]));
  fs.renameSync(partial, cacheFile);
}

/** The `require` Node.js gives a module (lib/internal/modules/helpers.js makeRequireFunction). */
function requireFor(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  // A script compiled here has no loader for import(): such a module is compiled as usual.
  if (content.includes("import(")) return compile.call(this, content, filename);
  const hash = crypto.createHash("sha1").update(content).digest("base64");
  const cached = entries.get(filename);
  let script;
  try {
    script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData: cached?.hash === hash ? cached.data : undefined,
    });
  } catch {
    // A syntax error: the usual compile reports it as Node.js does.
    return compile.call(this, content, filename);
  }
  if (cached?.hash !== hash || script.cachedDataRejected) compiledAnew.set(filename, { hash, script });
  else fromCache.add(filename);
  const wrapper = script.runInThisContext({ displayErrors: true });
  return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
};

process.on("exit", () => {
  if (compiledAnew.size === 0) return;
  try {
    writeEntries();
  } catch {
    // No cache this time (a read-only node_modules): the next run compiles as usual.
  }
});

module.exports = { fromCache };
