/**
 * tools/compileCache.js, the V8 code cache of the plan, the bench and these tests: a module is
 * compiled from the code of an earlier run only while its source is the same, and runs as it would
 * without the cache. Fresh processes, as the plan runs.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";

describe("the V8 code cache", function () {
  this.timeout(30000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-"));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Loads `file` in a fresh process: what it exports when called, and whether its code came from the cache. */
  function load(file: string): { value: unknown; fromCache: boolean } {
    const child = spawnSync(
      process.execPath,
      [
        "-r",
        "./tools/startup.js",
        "-e",
        `Promise.resolve(require(${JSON.stringify(file)})()).then((value) => {
           const { fromCache } = require("./tools/compileCache.js");
           process.stdout.write(JSON.stringify({ value, fromCache: fromCache.has(${JSON.stringify(file)}) }));
         });`,
      ],
      { cwd: PROJECT_DIR, encoding: "utf8" },
    );
    assert.equal(child.status, 0, child.stderr);
    return JSON.parse(child.stdout) as { value: unknown; fromCache: boolean };
  }

  it("compiles a module from the code of an earlier run while its source is unchanged", () => {
    const file = path.join(dir, "answer.js");
    fs.writeFileSync(file, "module.exports = () => [40 + 2, __filename, typeof require.resolve];");
    const result = [42, file, "function"];
    assert.deepEqual(load(file), { value: result, fromCache: false });
    assert.deepEqual(load(file), { value: result, fromCache: true });
    // The same length, other code: V8 checks only the length, the cache the source's hash.
    fs.writeFileSync(file, "module.exports = () => [40 - 2, __filename, typeof require.resolve];");
    assert.deepEqual(load(file), { value: [38, file, "function"], fromCache: false });
  });

  it("leaves a module that uses import() to Node.js", () => {
    const file = path.join(dir, "dynamic.js");
    fs.writeFileSync(file, 'module.exports = async () => (await import("path")).sep;');
    assert.deepEqual(load(file), { value: "/", fromCache: false });
    assert.deepEqual(load(file), { value: "/", fromCache: false });
  });
});
