import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Change, ReviewResource, diffPlans, hasDanger } from "../../tools/review/diff";
import { REPLACE_FIELDS_FILE, replaceFields, replacingChanges } from "../../tools/review/replacement";
import { headResources, main } from "../../tools/review";
import { PROJECT_DIR, planStack } from "../helpers";

const TABLE = "aws:dynamodb/table:Table";
const APPLICATION = "aws:kinesisanalyticsv2/application:Application";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

/** A deep copy of a plan's resources, so a test can change one side. */
function copy(resources: ReviewResource[]): ReviewResource[] {
  return JSON.parse(JSON.stringify(resources));
}

function only(changes: Change[], type: string): Change {
  const found = changes.filter((c) => c.type === type);
  assert.equal(found.length, 1, `one ${type} change in ${JSON.stringify(changes.map((c) => c.urn))}`);
  return found[0];
}

describe("review: diff of two plans", function () {
  this.timeout(60000);
  let prod: ReviewResource[];
  before(async () => {
    prod = headResources(await planStack("prod"));
  });

  it("nothing changed: no changes at all", async () => {
    const again = headResources(await planStack("prod"));
    assert.deepEqual(diffPlans(prod, again), []);
  });

  it("sort key changed: the table is replaced because of rangeKey, and its data is named as lost", async () => {
    const head = headResources(
      await planStack("prod", {
        table: { sortKey: "featureId", pointInTimeRecovery: true, deletionProtection: true },
      }),
    );
    const changes = diffPlans(prod, head);
    const replaced = only(changes, TABLE);
    assert.equal(replaced.action, "replace");
    assert.deepEqual(replaced.replaceBecause, ["rangeKey"]);
    assert.ok(
      replaced.inputs.some((i) => i.path === "rangeKey" && i.old === "featureName" && i.new === "featureId"),
    );
    assert.match(
      replaced.danger.join("\n"),
      /DynamoDB table flink-pipeline-prod-features: the new table starts empty; every item/,
    );
    assert.match(replaced.danger.join("\n"), /while protected/);
    // The job is told the new key: an in-place update, not a danger by itself.
    assert.equal(only(changes, APPLICATION).action, "update");
    assert.ok(hasDanger(changes));
  });

  it("application renamed: replaced, its state lost", async () => {
    const head = headResources(await planStack("prod", { flink: renamedFlink() }));
    const change = only(diffPlans(prod, head), APPLICATION);
    assert.equal(change.action, "replace");
    assert.deepEqual(change.replaceBecause, ["name"]);
    assert.match(
      change.danger.join("\n"),
      /application renamed flink-pipeline-prod -> flink-pipeline-prod-v2/,
    );
    assert.match(change.danger.join("\n"), /snapshots and running state .* are lost/);
  });

  for (const [from, to, expected] of [
    [
      "FLINK-1_20",
      "FLINK-1_19",
      /runtime downgraded FLINK-1_20 -> FLINK-1_19: a snapshot taken by the newer Flink/,
    ],
    ["FLINK-1_20", "FLINK-2_2", /runtime upgraded FLINK-1_20 -> FLINK-2_2: one-way/],
  ] as const) {
    it(`runtime ${from} -> ${to}: an in-place update flagged as dangerous`, () => {
      const base = copy(prod);
      const head = copy(prod);
      base.find((r) => r.type === APPLICATION)!.inputs.runtimeEnvironment = from;
      head.find((r) => r.type === APPLICATION)!.inputs.runtimeEnvironment = to;
      const change = only(diffPlans(base, head), APPLICATION);
      assert.equal(change.action, "update");
      assert.match(change.danger.join("\n"), expected);
    });
  }

  it("runtime upgrade short of 2.2 is no danger", () => {
    const base = copy(prod);
    base.find((r) => r.type === APPLICATION)!.inputs.runtimeEnvironment = "FLINK-1_19";
    const change = only(diffPlans(base, prod), APPLICATION);
    assert.deepEqual(change.danger, []);
  });

  it("job code changed while allowNonRestoredState is false: says why the restart may fail", () => {
    const head = copy(prod);
    const app = head.find((r) => r.type === APPLICATION)!;
    app.inputs.applicationConfiguration.applicationCodeConfiguration.codeContent.s3ContentLocation.fileKey =
      "flink-pipeline-prod/app-0000000000000000.zip";
    const change = only(diffPlans(prod, head), APPLICATION);
    assert.match(
      change.danger.join("\n"),
      /allowNonRestoredState is false: .*dropped or renamed an operator/,
    );
    app.inputs.applicationConfiguration.runConfiguration.flinkRunConfiguration.allowNonRestoredState = true;
    assert.doesNotMatch(only(diffPlans(prod, head), APPLICATION).danger.join("\n"), /allowNonRestoredState/);
  });

  it("a grant widened: lists the new action and resource", () => {
    const head = copy(prod);
    const policy = head.find((r) => r.type === ROLE_POLICY)!;
    const document = JSON.parse(policy.inputs.policy);
    document.Statement.push({ Effect: "Allow", Action: ["dynamodb:DeleteTable"], Resource: "*" });
    policy.inputs.policy = JSON.stringify(document);
    const change = diffPlans(prod, head).find((c) => c.urn === policy.urn)!;
    assert.equal(change.action, "update");
    assert.match(change.danger.join("\n"), /IAM grants widened for role .*: dynamodb:DeleteTable on \*$/);
  });

  it("a bucket made public: the lifted public access block and the open policy are flagged", () => {
    const head = copy(prod);
    const block = head.find((r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")!;
    block.inputs.blockPublicPolicy = false;
    block.inputs.restrictPublicBuckets = false;
    const policy = head.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy")!;
    const document = JSON.parse(policy.inputs.policy);
    document.Statement.push({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::x/*",
    });
    policy.inputs.policy = JSON.stringify(document);
    const changes = diffPlans(prod, head);
    assert.match(
      changes.find((c) => c.urn === block.urn)!.danger.join("\n"),
      /public access block no longer sets blockPublicPolicy, restrictPublicBuckets/,
    );
    assert.match(
      changes.find((c) => c.urn === policy.urn)!.danger.join("\n"),
      /allows s3:GetObject for everyone/,
    );
  });

  it("ingress from the internet is public exposure", () => {
    const head = copy(prod);
    const rule = head.find((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")!;
    delete rule.inputs.referencedSecurityGroupId;
    rule.inputs.cidrIpv4 = "0.0.0.0/0";
    const change = diffPlans(prod, head).find((c) => c.urn === rule.urn)!;
    assert.match(change.danger.join("\n"), /public exposure: ingress tcp 443-443 from 0.0.0.0\/0/);
  });

  it("follows aliases: a resource moved under an alias is an update, not a delete and a create", () => {
    const head = copy(prod);
    const dashboard = head.find((r) => r.type === "aws:cloudwatch/dashboard:Dashboard")!;
    const oldUrn = dashboard.urn;
    dashboard.urn = oldUrn.replace(/::[^:]+$/, "::renamed");
    dashboard.aliases = [oldUrn];
    assert.deepEqual(diffPlans(prod, head), [
      {
        urn: dashboard.urn,
        type: dashboard.type,
        action: "update",
        previousUrn: oldUrn,
        inputs: [],
        replaceBecause: [],
        danger: [],
      },
    ]);
    dashboard.aliases = [];
    assert.deepEqual(
      diffPlans(prod, head)
        .map((c) => c.action)
        .sort(),
      ["create", "delete"],
    );
  });

  it("deleting the stream names the records it loses", () => {
    const head = copy(prod).filter((r) => r.type !== "aws:kinesis/stream:Stream");
    const stream = prod.find((r) => r.type === "aws:kinesis/stream:Stream")!;
    const change = diffPlans(prod, head).find((c) => c.urn === stream.urn)!;
    assert.equal(change.action, "delete");
    assert.match(
      change.danger.join("\n"),
      /deleted: Kinesis stream flink-pipeline-prod-events: every record still retained/,
    );
  });
});

function renamedFlink(): Record<string, unknown> {
  const stackFile = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const flink = require("yaml").parse(stackFile).config["flink-pipeline:flink"];
  return { ...flink, applicationName: "flink-pipeline-prod-v2" };
}

describe("review: replacing inputs from the provider schemas", () => {
  it("covers every resource type the shipped stacks register, from the installed provider versions", async function () {
    this.timeout(60000);
    const file = replaceFields();
    for (const [provider, entry] of Object.entries(file.providers)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const installed = require(`@pulumi/${provider}/package.json`).version;
      assert.equal(
        entry.version,
        installed,
        `${path.basename(REPLACE_FIELDS_FILE)} was made for @pulumi/${provider} ${entry.version}; ${installed} is installed: regenerate it (README, "Review")`,
      );
    }
    const stacks = fs
      .readdirSync(PROJECT_DIR)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter(Boolean) as string[];
    for (const stack of stacks) {
      for (const resource of (await planStack(stack)).resources) {
        const pkg = resource.type.split(":")[0];
        if (!resource.custom || resource.type.startsWith("pulumi:providers:") || !(pkg in file.providers))
          continue;
        assert.ok(
          resource.type in file.types,
          `${resource.type} (stack ${stack}) is not in ${path.basename(REPLACE_FIELDS_FILE)}`,
        );
      }
    }
  });

  it("matches nested and array paths", () => {
    assert.deepEqual(replacingChanges(TABLE, ["rangeKey", "billingMode"]), ["rangeKey"]);
    assert.deepEqual(
      replacingChanges("confluentcloud:index/apiKey:ApiKey", ["managedResource.id", "displayName"]),
      ["managedResource.id"],
    );
    assert.deepEqual(replacingChanges(TABLE, ["localSecondaryIndexes[0].name"]), [
      "localSecondaryIndexes[0].name",
    ]);
    assert.deepEqual(replacingChanges(TABLE, ["nameSuffix"]), []);
    assert.deepEqual(replacingChanges(TABLE, ["tags.owner"], ["tags"]), ["tags.owner"]);
  });
});

describe("review: the command", function () {
  this.timeout(120000);
  async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const write = process.stdout.write;
    const error = console.error;
    process.stdout.write = ((text: string) => (out.push(String(text)), true)) as typeof process.stdout.write;
    console.error = (...parts: unknown[]) => err.push(parts.join(" "));
    try {
      const code = await main(argv, PROJECT_DIR);
      return { code, stdout: out.join(""), stderr: err.join("\n") };
    } finally {
      process.stdout.write = write;
      console.error = error;
    }
  }

  it("exits 2 on usage errors: no base, a bad ref, an unknown stack", async () => {
    assert.equal((await run([])).code, 2);
    const badRef = await run(["--base", "no-such-ref-anywhere"]);
    assert.equal(badRef.code, 2);
    assert.match(badRef.stderr, /--base no-such-ref-anywhere: not a commit/);
    const unknown = await run(["--base", "HEAD", "--stack", "nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown stack "nope"; stacks: dev, /);
    assert.equal((await run(["--base", "HEAD", "--json", "--markdown"])).code, 2);
  });

  it("--markdown: a summary table, then details and the head's diagram", async () => {
    const { stdout } = await run(["--base", "HEAD", "--stack", "prod", "--markdown"]);
    assert.match(stdout, /^<!-- flink-pipeline-review -->\n## Offline review/);
    assert.match(
      stdout,
      /\| stack \| create \| update \| replace \| delete \| dangers \| monthly cost \| mandatory violations \|/,
    );
    assert.match(
      stdout,
      /\| prod \| \d+ \| \d+ \| \d+ \| \d+ \| .* \| \$819\.68 -> \$819\.68 \(\+\$0\.00\/month\) \| 0 → 0 \|/,
    );
    assert.match(stdout, /```mermaid\nflowchart LR\n {2}source0\[\("Kinesis flink-pipeline-prod-events"\)\]/);
    assert.match(stdout, /source0 --> app0\n {2}app0 --> table0/);
  });

  it("--json: the documented shape, against HEAD in a temporary worktree that is removed afterwards", async () => {
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("flink-pipeline-review-"));
    const { code, stdout } = await run(["--base", "HEAD", "--stack", "dev", "--json"]);
    const document = JSON.parse(stdout);
    assert.deepEqual(Object.keys(document), ["base", "head", "stacks"]);
    assert.equal(document.base, "HEAD");
    assert.deepEqual(Object.keys(document.stacks[0]), ["stack", "changes", "cost", "violations"]);
    assert.deepEqual(Object.keys(document.stacks[0].cost), ["base", "head"]);
    assert.deepEqual(Object.keys(document.stacks[0].violations), ["base", "head"]);
    assert.equal(code, document.stacks[0].changes.some((c: Change) => c.danger.length > 0) ? 1 : 0);
    const after = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("flink-pipeline-review-"));
    assert.deepEqual(after, before, "the worktree is cleaned up");
  });
});
