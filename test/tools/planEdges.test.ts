import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../../stacks/aws";
import { parseArgs } from "../../tools/plan";
import { runProgram } from "../../tools/planRuntime";
import { mapStackTrace } from "../../tools/sourceMaps";
import { UsageError } from "../../tools/stackFiles";
import { PROJECT_DIR, projectWith } from "../helpers";

/** The plan as `npm run plan` runs it: a fresh process under tools/register.js. */
function planProcess(args: string[], cwd = PROJECT_DIR) {
  const result = spawnSync(
    process.execPath,
    ["-r", path.join(PROJECT_DIR, "tools/register.js"), path.join(PROJECT_DIR, "tools/plan.ts"), ...args],
    { cwd, encoding: "utf8" },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const PROD_FILE = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8");

describe("the offline plan's edges", () => {
  it("exits 2 with one line, not a Node trace, for a program file that does not exist", function () {
    this.timeout(30000);
    const { code, stdout, stderr } = planProcess(["--program", "nope.ts"]);
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.equal(stderr, `--program: no such file ${path.join(PROJECT_DIR, "nope.ts")}\n`);
  });

  describe("usage errors are one line", () => {
    const cases: [string[], string][] = [
      [["--stack", "dev", "--stack", "prod"], "--stack is given twice; give it once (see --help)"],
      [["--json", "--json"], "--json is given twice; give it once (see --help)"],
      [
        ["--now", "2026-01-01T00:00:00Z", "--now", "2026-02-01T00:00:00Z"],
        "--now is given twice; give it once (see --help)",
      ],
      [["--stack"], "--stack needs a value (see --help)"],
      [
        ["--stak", "dev"],
        'unknown option "--stak"; allowed: --stack, --json, --program, --policy-config, --now, --help, --diagram, --events-per-second, --event-bytes, --writes-per-second, --dynamodb-gb, --log-gb-per-month',
      ],
    ];
    for (const [args, message] of cases) {
      it(args.join(" "), () =>
        assert.throws(
          () => parseArgs(args),
          (error: Error) => error instanceof UsageError && error.message === message,
        ),
      );
    }
  });

  it("points a failing program's trace at the TypeScript line that threw", function () {
    this.timeout(30000);
    const { code, stderr } = planProcess(["--program", "test/fixtures/typedFailingProgram.ts"]);
    assert.equal(code, 1);
    assert.match(stderr, /the program could not read data\/input\.json/);
    assert.match(stderr, /typedFailingProgram\.ts:11:9\)/);
  });

  it("refuses a URN registered twice with one line naming it and both registrations (exit 1)", function () {
    this.timeout(30000);
    const { code, stdout, stderr } = planProcess(["--program", "test/fixtures/duplicateUrnProgram.ts"]);
    const fixture = path.join(PROJECT_DIR, "test/fixtures/duplicateUrnProgram.ts");
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      `Duplicate resource URN 'urn:pulumi:dev::flink-pipeline::aws:cloudwatch/logGroup:LogGroup::events': registered at ${fixture}:4:1 and again at ${fixture}:5:16; give one of them a unique name\n`,
    );
  });

  it("refuses a URN registered twice even when nothing depends on the second", async () => {
    const program = () => {
      new aws.cloudwatch.LogGroup("events", { retentionInDays: 7 });
      new aws.cloudwatch.LogGroup("events", { retentionInDays: 30 });
    };
    await assert.rejects(
      runProgram(program, { project: "flink-pipeline", stack: "dev", config: {} }),
      (error: Error) =>
        pulumi.RunError.isInstance(error) &&
        /^Duplicate resource URN 'urn:pulumi:dev::flink-pipeline::aws:cloudwatch\/logGroup:LogGroup::events': registered at .*planEdges\.test\.ts:\d+:\d+ and again at .*planEdges\.test\.ts:\d+:\d+; give one of them a unique name$/.test(
          error.message,
        ),
    );
  });

  it("leaves frames of files it did not transpile as they are", () => {
    const trace = "Error: x\n    at f (/somewhere/else.ts:3:4)\n    at g (node:internal/x:1:2)";
    assert.equal(mapStackTrace(trace, new Map()), trace);
    assert.equal(mapStackTrace(trace, undefined), trace);
  });

  describe("namespace typos and type errors in a stack file", () => {
    it("exits 2 on prod's file with a misspelt namespace, instead of planning defaults", function () {
      this.timeout(30000);
      const dir = projectWith({
        "Pulumi.prod.yaml": PROD_FILE.replace("flink-pipeline:flink:", "flink-pipline:flink:"),
      });
      const { code, stderr } = planProcess(
        ["--stack", "prod", "--program", path.join(PROJECT_DIR, "index.ts")],
        dir,
      );
      assert.equal(code, 2, stderr);
      assert.match(
        stderr,
        /flink-pipline:flink is in namespace "flink-pipline", which nothing reads; did you mean flink-pipeline:flink\?/,
      );
    });

    it("lists a declared-type error with every other problem", function () {
      this.timeout(30000);
      const file = PROD_FILE.replace("flink-pipeline:protect: true", 'flink-pipeline:protect: "yes"')
        .replace("aws:region: us-east-1", "aws:regoin: us-east-1")
        .replace("streamMode: PROVISIONED", "streamMode: provisioned");
      const { code, stderr } = planProcess(
        ["--stack", "prod", "--program", path.join(PROJECT_DIR, "index.ts")],
        projectWith({ "Pulumi.prod.yaml": file }),
      );
      assert.equal(code, 2, stderr);
      assert.equal(
        stderr,
        [
          "Invalid stack configuration:",
          `  - Stack 'prod' with configuration key 'flink-pipeline:protect' must be of type 'boolean' (got "yes")`,
          "  - aws:regoin is not a config key of the aws provider (@pulumi/aws); did you mean aws:region?",
          '  - flink-pipeline:source.streamMode must be one of ON_DEMAND, PROVISIONED (got "provisioned"; did you mean PROVISIONED?)',
          "",
        ].join("\n"),
      );
    });
  });

  it("accepts a stack file a user adds, as the README recipe makes one: npm test plans it", function () {
    this.timeout(120000);
    const added = path.join(PROJECT_DIR, "Pulumi.team-a-prod.yaml");
    fs.writeFileSync(added, PROD_FILE.replace("cidrBlock: 10.40.0.0/16", "cidrBlock: 10.41.0.0/16"));
    try {
      const plan = planProcess(["--stack", "team-a-prod", "--json"]);
      assert.equal(plan.code, 0, plan.stderr);
      assert.equal(JSON.parse(plan.stdout).stack, "team-a-prod");
      // The test that reads every stack file against the CI matrices passes with it.
      const suite = spawnSync(
        "npx",
        [
          "mocha",
          "--no-config",
          "-r",
          "ts-node/register/transpile-only",
          "--extension",
          "ts",
          "--timeout",
          "60000",
          "test/ci/workflow.test.ts",
        ],
        { cwd: PROJECT_DIR, encoding: "utf8" },
      );
      assert.equal(suite.status, 0, suite.stdout + suite.stderr);
    } finally {
      fs.rmSync(added, { force: true });
    }
  });
});
