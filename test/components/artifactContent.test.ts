import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deflateRawSync } from "zlib";
import {
  computedFromFiles,
  hashFile,
  contentHashedName,
  hashDirectory,
  listArtifactFiles,
  manifestAttribute,
  zipEntryContent,
  zipEntryNames,
} from "../../components/artifactContent";
import { PROJECT_DIR, directoryWith, zipOf } from "../helpers";

describe("job artifact content", () => {
  it("ships the job's files, not caches, build output or hidden files", () => {
    const dir = directoryWith({
      "main.py": "job",
      "lib/pyflink-dependencies.jar": "jar",
      "__pycache__/main.cpython-311.pyc": "cache",
      "util.pyc": "cache",
      "target/classes/x.class": "build",
      ".env": "secret",
    });
    assert.deepEqual(listArtifactFiles(dir), ["lib/pyflink-dependencies.jar", "main.py"]);
  });

  it("leaves out the excluded top-level entries only (a Kinesis stack's vendored dep/)", () => {
    const dir = directoryWith({ "main.py": "job", "dep/boto3/__init__.py": "", "lib/dep/x.py": "" });
    assert.deepEqual(listArtifactFiles(dir, ["dep"]), ["lib/dep/x.py", "main.py"]);
    assert.deepEqual(listArtifactFiles(dir), ["dep/boto3/__init__.py", "lib/dep/x.py", "main.py"]);
  });

  it("reads a manifest attribute, continuation lines joined, from a stored or deflated entry", () => {
    const manifest = "Manifest-Version: 1.0\r\nFlink-Version: 1.2\r\n 0.0\r\n\r\nName: x\r\nOther: y\r\n";
    const stored = zipOf({ "META-INF/MANIFEST.MF": manifest });
    assert.equal(manifestAttribute(stored, "Flink-Version"), "1.20.0");
    assert.equal(manifestAttribute(stored, "Other"), undefined);
    assert.equal(manifestAttribute(zipOf({ "a.txt": "" }), "Flink-Version"), undefined);
    // The same archive with its one entry deflated (method 8), as Maven writes jars.
    const deflated = deflateRawSync(Buffer.from(manifest));
    const name = Buffer.from("META-INF/MANIFEST.MF");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt16LE(name.length, 28);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(30 + name.length + deflated.length, 16);
    const archive = Buffer.concat([local, name, deflated, central, name, end]);
    assert.equal(zipEntryContent(archive, "META-INF/MANIFEST.MF")?.toString(), manifest);
    assert.equal(manifestAttribute(archive, "Flink-Version"), "1.20.0");
  });

  it("changes the hash, and so the object key, whenever a file's content or name changes", () => {
    const hashOf = (files: Record<string, string>) => {
      const dir = directoryWith(files);
      return hashDirectory(dir, listArtifactFiles(dir));
    };
    const base = hashOf({ "main.py": "v1" });
    assert.equal(hashOf({ "main.py": "v1" }), base);
    assert.notEqual(hashOf({ "main.py": "v2" }), base);
    assert.notEqual(hashOf({ "job.py": "v1" }), base);
    assert.notEqual(hashOf({ "main.py": "v1", "lib/extra.jar": "" }), base);
  });

  it("names uploads after the source with 16 hex digits of its hash", () => {
    const hash = "0123456789abcdef0123456789abcdef";
    assert.equal(
      contentHashedName({ kind: "directory", path: "/src/app" }, hash),
      "app-0123456789abcdef.zip",
    );
    assert.equal(
      contentHashedName({ kind: "file", path: "/build/job-1.0.jar" }, hash),
      "job-1.0-0123456789abcdef.jar",
    );
    assert.equal(
      contentHashedName({ kind: "file", path: "/build/job.zip" }, hash),
      "job-0123456789abcdef.zip",
    );
  });

  it("lists the entries of a zip archive", () => {
    assert.deepEqual(zipEntryNames(zipOf({ "main.py": "x", "lib/pyflink-dependencies.jar": "y" })), [
      "main.py",
      "lib/pyflink-dependencies.jar",
    ]);
    assert.throws(() => zipEntryNames(Buffer.from("not a zip at all, just some text")), /not a zip archive/);
  });

  it("reads files once per process while they are unchanged, again once they change", () => {
    const dir = directoryWith({ "job.jar": "first" });
    const file = path.join(dir, "job.jar");
    let reads = 0;
    const read = () => computedFromFiles("test read", [file], () => (reads++, fs.readFileSync(file, "utf8")));
    assert.deepEqual([read(), read(), reads], ["first", "first", 1]);
    fs.writeFileSync(file, "second, longer");
    assert.deepEqual([read(), reads], ["second, longer", 2]);
    const before = hashFile(file);
    fs.writeFileSync(file, "third, as long!");
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.notEqual(hashFile(file), before);
  });

  it("keeps results across processes once asked to, for the same computation of files not just changed", async function () {
    this.timeout(30000);
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "computed-"));
    const file = path.join(directoryWith({ "job.jar": "first" }), "job.jar");
    /** A fresh process's result, and whether it computed it. */
    const run = (what = "test read") => {
      const child = spawnSync(
        process.execPath,
        [
          "-r",
          "./tools/startup.js",
          "-e",
          `const { computedFromFiles, persistComputedResults } = require("./components/artifactContent.ts");
           persistComputedResults(${JSON.stringify(cacheDir)});
           let computed = false;
           const value = computedFromFiles(${JSON.stringify(what)}, [${JSON.stringify(file)}], () => {
             computed = true;
             return require("fs").readFileSync(${JSON.stringify(file)}, "utf8");
           });
           process.stdout.write(JSON.stringify({ value, computed }));`,
        ],
        { cwd: PROJECT_DIR, encoding: "utf8" },
      );
      assert.equal(child.status, 0, child.stderr);
      return JSON.parse(child.stdout) as { value: string; computed: boolean };
    };
    // Written just now: a change within the file system's timestamp resolution could go unseen.
    assert.deepEqual(run(), { value: "first", computed: true });
    assert.deepEqual(fs.readdirSync(cacheDir), []);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    assert.deepEqual(run(), { value: "first", computed: true });
    assert.deepEqual(run(), { value: "first", computed: false });
    assert.deepEqual(run("another computation"), { value: "first", computed: true });
    // Same size, and the modification time set back: the change time still tells.
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, "frist");
    fs.utimesSync(file, atime, mtime);
    assert.deepEqual(run(), { value: "frist", computed: true });
  });
});
