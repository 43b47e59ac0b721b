import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "../../tools/plan";
import { DEFAULT_ASSUMPTIONS } from "../../tools/cost";
import { PlanDocument } from "../../tools/planReport";
import { stackNames } from "../../tools/stackFiles";
import { PROJECT_DIR, planInProcess as plan, projectWith } from "../helpers";

describe("the offline plan", () => {
  describe("arguments", () => {
    const valid: [string[], object][] = [
      [[], { stack: "dev", json: false, program: "index.ts", help: false, assumptions: DEFAULT_ASSUMPTIONS }],
      [
        ["--stack", "prod", "--json"],
        { stack: "prod", json: true, program: "index.ts", help: false, assumptions: DEFAULT_ASSUMPTIONS },
      ],
      [
        ["--program", "other.ts"],
        { stack: "dev", json: false, program: "other.ts", help: false, assumptions: DEFAULT_ASSUMPTIONS },
      ],
    ];
    for (const [argv, expected] of valid) {
      it(`reads ${JSON.stringify(argv)}`, () => assert.deepEqual(parseArgs(argv), expected));
    }
    const invalid: [string[], RegExp][] = [
      [
        ["--stak", "prod"],
        /unknown option "--stak"; allowed: --stack, --json, --program, --policy-config, --now, --help/,
      ],
      [["--stack"], /--stack needs a value/],
      [["--stack", "--json"], /--stack needs a value/],
      [
        ["--stack", "../secrets/prod"],
        /--stack must be a stack name of letters, digits, '-', '_' or '.' \(got "..\/secrets\/prod"\)/,
      ],
    ];
    for (const [argv, message] of invalid) {
      it(`refuses ${JSON.stringify(argv)}`, () => assert.throws(() => parseArgs(argv), message));
    }
  });

  it("prints the resource tree with protect flags and key settings", async () => {
    const { code, stdout } = await plan(["--stack", "prod"]);
    assert.equal(code, 0);
    assert.match(stdout, /^Offline plan of flink-pipeline, stack prod \(us-east-1\): \d+ resources/);
    assert.match(stdout, /aws:kinesis\/stream:Stream {2}source {2}\[protect, retainOnDelete\]/);
    assert.match(stdout, /· mode=PROVISIONED/);
    assert.match(stdout, /· pitr=true/);
    assert.match(stdout, /applicationName +flink-pipeline-prod/);
  });

  it("prints one JSON document with every resource's options, inputs and outputs", async () => {
    const { code, stdout } = await plan(["--stack", "dev", "--json"]);
    assert.equal(code, 0);
    const document: PlanDocument = JSON.parse(stdout);
    assert.equal(document.project, "flink-pipeline");
    assert.equal(document.stack, "dev");
    const app = document.resources.find((r) => r.type === "aws:kinesisanalyticsv2/application:Application")!;
    assert.deepEqual(Object.keys(app), [
      "urn",
      "type",
      "name",
      "parent",
      "protect",
      "retainOnDelete",
      "dependsOn",
      "customTimeouts",
      "inputs",
      "outputs",
    ]);
    assert.equal(
      app.urn,
      "urn:pulumi:dev::flink-pipeline::flink-pipeline:flink:FlinkApplication$aws:kinesisanalyticsv2/application:Application::flink",
    );
    assert.equal(
      app.parent,
      "urn:pulumi:dev::flink-pipeline::flink-pipeline:pipeline:FlinkPipeline$flink-pipeline:flink:FlinkApplication::flink",
    );
    assert.ok(app.dependsOn.length >= 5);
    assert.equal(
      (app.outputs as { arn: string }).arn,
      "arn:aws:kinesisanalytics:us-east-1:123456789012:application/flink-pipeline-dev",
    );
    assert.equal(document.outputs.streamName, "flink-pipeline-dev-events");
  });

  it("keeps stdout for the JSON document, whatever the program prints", () => {
    const result = spawnSync(
      process.execPath,
      ["-r", "./tools/startup.js", "tools/plan.ts", "--json", "--program", "test/fixtures/chattyProgram.ts"],
      { cwd: PROJECT_DIR, encoding: "utf8" },
    );
    assert.match(JSON.parse(result.stdout).outputs.bucket, /^chatty-[0-9a-f]{7}$/);
    for (const line of ["log line", "info line", "debug line", "dir", "table", "raw line"]) {
      assert.ok(!result.stdout.includes(line), `${line} stays off stdout`);
      assert.ok(result.stderr.includes(line), `${line} goes to stderr`);
    }
  });

  it("prints every secret as [secret], in inputs, outputs and stack outputs", async () => {
    const { code, stdout } = await plan(["--json", "--program", "test/fixtures/secretProgram.ts"]);
    assert.equal(code, 0);
    assert.ok(!stdout.includes("hunter2"), "no secret value in the document");
    const document: PlanDocument = JSON.parse(stdout);
    const version = document.resources.find(
      (r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion",
    )!;
    assert.equal((version.inputs as { secretString: string }).secretString, "[secret]");
    assert.equal(document.outputs.password, "[secret]");
    assert.match(
      document.outputs.secretArn as string,
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:/,
    );
  });

  it("exits 2 with one message per problem for bad config, before any resource", async () => {
    const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "flink-plan-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(projectDir, "Pulumi.yaml"));
    fs.writeFileSync(
      path.join(projectDir, "Pulumi.broken.yaml"),
      "config:\n  flink-pipeline:flink:\n    artifact: s3://team/job.zip\n    parallelism: 0\n  flink-pipeline:tabel: {}\n",
    );
    const { code, stdout, stderr } = await plan(
      ["--stack", "broken", "--program", path.join(PROJECT_DIR, "index.ts")],
      projectDir,
    );
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      [
        "Invalid stack configuration:",
        "  - flink-pipeline:tabel is not a known key; did you mean flink-pipeline:table?",
        "  - flink-pipeline:flink.parallelism must be an integer >= 1 (got 0)",
        "",
      ].join("\n"),
    );
  });

  it("exits 2 naming the stacks that exist when a stack has no config file", async () => {
    const { code, stderr } = await plan(["--stack", "qa"]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /no config file Pulumi\.qa\.yaml for stack "qa" .*; stacks with a config file: dev, .*prod, staging/,
    );
  });

  it("exits 1 when the program itself fails", async () => {
    const { code, stderr } = await plan(["--program", "test/fixtures/failingProgram.ts"]);
    assert.equal(code, 1);
    assert.match(stderr, /the program could not find its input file/);
  });

  it("runs from npm with only the JSON document on stdout", () => {
    const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--stack", "staging", "--json"], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).stack, "staging");
  });
});

describe("the plan's warning about an artifact whose Flink version it cannot read", () => {
  const shipped = (stack: string) => fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
  const s3 = (key: string) =>
    `the artifact is an S3 object (s3://team/${key}), which the program does not download`;
  const unchecked = (users: string, key: string) =>
    `warning: [runtime] the artifact's Flink version is not checked against flink.runtime FLINK-1_20${users}: ${s3(key)}`;

  // The artifacts' bucket is outside the stack: the policy pack must be told.
  const policyConfig = JSON.stringify({
    ...JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policy/config/dev.json"), "utf8")),
    "iam-statements-scoped-to-stack": { enforcementLevel: "mandatory", externalArtifactBuckets: ["team"] },
  });

  /** The warnings of a plan of `stack` whose file is `file`, the k-th `artifact: app` set to `artifacts[k]`. */
  async function warnings(stack: string, file: string, artifacts: string[]): Promise<string[]> {
    let k = 0;
    const content = file.replace(/artifact: app\b/g, () => `artifact: ${artifacts[k++]}`);
    assert.equal(k, artifacts.length, "one artifact per pipeline");
    const warn = console.warn;
    const warned: string[] = [];
    console.warn = (...args: unknown[]) => void warned.push(args.join(" "));
    try {
      const projectDir = projectWith({
        [`Pulumi.${stack}.yaml`]: content,
        "policy/config/dev.json": policyConfig,
      });
      const program = path.join(PROJECT_DIR, "index.ts");
      const { code, stderr } = await plan(["--stack", stack, "--program", program], projectDir);
      assert.equal(code, 0, stderr);
    } finally {
      console.warn = warn;
    }
    return warned.filter((line) => line.includes("Flink version"));
  }

  const cases: [string, string, string[], string[]][] = [
    [
      "pipelines-dev",
      "orders and clicks share one artifact, payments has its own: one warning per artifact, naming its pipelines",
      ["s3://team/features.zip", "s3://team/features.zip", "s3://team/payments.zip"],
      [
        unchecked(" (pipelines orders, clicks)", "features.zip"),
        unchecked(" (pipeline payments)", "payments.zip"),
      ],
    ],
    [
      "pipelines-dev",
      "all three share one artifact: one warning",
      ["s3://team/features.zip", "s3://team/features.zip", "s3://team/features.zip"],
      [unchecked(" (pipelines orders, clicks, payments)", "features.zip")],
    ],
    [
      "dev",
      "a stack of one pipeline: one warning, as before",
      ["s3://team/features.zip"],
      [unchecked("", "features.zip")],
    ],
  ];
  for (const [stack, title, artifacts, expected] of cases) {
    it(`${stack}: ${title}`, async () => {
      assert.deepEqual(await warnings(stack, shipped(stack), artifacts), expected);
    });
  }
});

describe("the offline plan as a policy check", () => {
  it("passes the shipped stacks with no mandatory violation", async () => {
    for (const stack of stackNames(PROJECT_DIR)) {
      const { code, stdout } = await plan(["--stack", stack, "--json"]);
      assert.equal(code, 0, stack);
      const { violations } = JSON.parse(stdout);
      assert.deepEqual(
        violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory"),
        [],
        stack,
      );
    }
  });

  it("reports prod-only rules as advisory in dev", async () => {
    const { stdout } = await plan(["--stack", "dev", "--json"]);
    const { violations } = JSON.parse(stdout);
    assert.deepEqual(
      violations
        .map((v: { policy: string; enforcementLevel: string }) => `${v.policy}:${v.enforcementLevel}`)
        .sort(),
      ["dynamodb-deletion-protection:advisory", "dynamodb-point-in-time-recovery:advisory"],
    );
  });

  it("fails a deliberately bad program with every expected violation", async () => {
    const { code, stdout } = await plan([
      "--stack",
      "prod",
      "--json",
      "--program",
      "test/fixtures/badProgram.ts",
    ]);
    assert.equal(code, 1);
    const violations: { policy: string; enforcementLevel: string; urn?: string; message: string }[] =
      JSON.parse(stdout).violations;
    const found = (policy: string, resourceName: string) =>
      violations.find(
        (v) =>
          v.policy === policy && v.enforcementLevel === "mandatory" && v.urn?.endsWith(`::${resourceName}`),
      );
    const expected: [string, string][] = [
      ["s3-bucket-public-access-block", "public-artifacts"],
      ["s3-bucket-encryption", "public-artifacts"],
      ["s3-bucket-tls-only", "public-artifacts"],
      ["iam-no-wildcard-actions", "everything-kinesis"],
      ["iam-service-trust-confused-deputy", "job"],
      ["kinesis-stream-encryption", "plain-events"],
      ["dynamodb-point-in-time-recovery", "no-backups"],
      ["dynamodb-deletion-protection", "no-backups"],
      ["flink-no-plaintext-secrets", "leaky"],
      ["flink-cloudwatch-logging", "leaky"],
    ];
    for (const [policy, resource] of expected) {
      assert.ok(
        found(policy, resource),
        `${policy} on ${resource}; got ${JSON.stringify(violations.map((v) => [v.policy, v.urn]))}`,
      );
    }
    assert.ok(
      !JSON.stringify(violations).includes("hunter2"),
      "a violation message never repeats the secret",
    );
  });

  it("groups violations by policy in the tree output and exits 1", async () => {
    const { code, stdout } = await plan(["--stack", "prod", "--program", "test/fixtures/badProgram.ts"]);
    assert.equal(code, 1);
    assert.match(stdout, /Policy violations: \d+ mandatory, \d+ advisory/);
    assert.match(
      stdout,
      /\n {2}iam-no-wildcard-actions \(mandatory\)\n {4}urn:pulumi:prod::flink-pipeline::aws:iam\/rolePolicy:RolePolicy::everything-kinesis\n {6}.*kinesis:\*/,
    );
  });

  it("exits 2 for a policy config that names an unknown policy", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "flink-policy-")), "bad.json");
    fs.writeFileSync(file, JSON.stringify({ "s3-bucket-pubilc-access": "mandatory" }));
    const { code, stderr } = await plan(["--policy-config", file]);
    assert.equal(code, 2);
    assert.match(stderr, /s3-bucket-pubilc-access/);
  });
});
