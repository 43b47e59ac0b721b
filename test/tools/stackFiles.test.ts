import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../stacks/validation";
import { SECRET_PLACEHOLDER, UsageError, readStackFiles, withTypeProblems } from "../../tools/stackFiles";

function project(stackYaml: string, extraDeclarations = ""): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flink-stack-files-"));
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [
      "name: demo",
      "runtime: nodejs",
      "config:",
      "  size:",
      "    type: integer",
      "    default: 1",
      "  settings:",
      "    default:",
      "      a: 1",
      "      b: 2",
      "  aws:region:",
      "    value: eu-west-1",
    ].join("\n") + `\n${extraDeclarations}`,
  );
  fs.writeFileSync(path.join(dir, "Pulumi.team-a.yaml"), stackYaml);
  return dir;
}

describe("reading a stack's config files like the CLI", () => {
  it("takes declared defaults, namespaced by the project", () => {
    const files = readStackFiles(project("config: {}\n"), "team-a");
    assert.deepEqual(files.config, {
      "demo:size": "1",
      "demo:settings": '{"a":1,"b":2}',
      "aws:region": "eu-west-1",
    });
    assert.deepEqual(files.secretKeys, []);
  });

  it("replaces a whole value from the stack file, without deep merge", () => {
    const files = readStackFiles(
      project("config:\n  demo:settings:\n    b: 3\n  aws:region: us-west-2\n"),
      "team-a",
    );
    assert.equal(files.config["demo:settings"], '{"b":3}');
    assert.equal(files.config["aws:region"], "us-west-2");
  });

  it("turns secure values, also nested ones, into placeholders under secret keys", () => {
    const files = readStackFiles(
      project(
        "config:\n  demo:token:\n    secure: v1:abc\n  demo:settings:\n    user: me\n    password:\n      secure: v1:def\n",
      ),
      "team-a",
    );
    assert.equal(files.config["demo:token"], SECRET_PLACEHOLDER);
    assert.deepEqual(JSON.parse(files.config["demo:settings"]), { user: "me", password: SECRET_PLACEHOLDER });
    assert.deepEqual(files.secretKeys, ["demo:settings", "demo:token"]);
  });

  it("reports a YAML syntax error with the file and line", () => {
    assert.throws(
      () => readStackFiles(project("config:\n  demo:size: [1, 2\n"), "team-a"),
      (error: Error) =>
        error instanceof UsageError && /Pulumi\.team-a\.yaml: .*at line \d+/s.test(error.message),
    );
  });

  it("reports every value of another type than Pulumi.yaml declares, in the CLI's words", () => {
    const files = readStackFiles(
      project("config:\n  demo:size: large\n  demo:count:\n    - 1\n", "  count:\n    type: integer\n"),
      "team-a",
    );
    assert.deepEqual(files.typeProblems, [
      `Stack 'team-a' with configuration key 'demo:size' must be of type 'integer' (got "large")`,
      `Stack 'team-a' with configuration key 'demo:count' must be of type 'integer' (got [1])`,
    ]);
  });

  it("lists type problems before the program's own, without repeating a key", () => {
    const files = readStackFiles(project("config:\n  demo:size: large\n"), "team-a");
    const combined = withTypeProblems(
      files,
      new ConfigError(['demo:size must be an integer (got "large")', "demo:other is not a known key"]),
    );
    assert.ok(combined instanceof ConfigError);
    assert.deepEqual(combined.problems, [files.typeProblems[0], "demo:other is not a known key"]);
    assert.equal(withTypeProblems({ ...files, typeProblems: [] }, undefined), undefined);
  });
});
