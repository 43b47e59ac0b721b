import { strict as assert } from "assert";
import {
  contentHashedName,
  hashDirectory,
  listArtifactFiles,
  zipEntryNames,
} from "../../components/artifactContent";
import { directoryWith, zipOf } from "../helpers";

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
});
