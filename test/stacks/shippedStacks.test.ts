import { strict as assert } from "assert";
import { PlanResult } from "../../tools/planRuntime";
import { stackNames } from "../../tools/stackFiles";
import { PROJECT_DIR, inputsOf, planStack, resourceOf } from "../helpers";

const STATEFUL = ["aws:kinesis/stream:Stream", "aws:dynamodb/table:Table", "aws:s3/bucket:Bucket"];

function appSettings(plan: PlanResult) {
  const app = inputsOf(resourceOf(plan, "aws:kinesisanalyticsv2/application:Application"));
  return app.applicationConfiguration.flinkApplicationConfiguration.parallelismConfiguration;
}

describe("the shipped stacks, loaded from their YAML", () => {
  const plans: Record<string, PlanResult> = {};
  before(async () => {
    for (const stack of ["dev", "staging", "prod"]) plans[stack] = await planStack(stack);
  });

  it("dev is small and destroyable", () => {
    const plan = plans.dev;
    for (const type of STATEFUL) {
      const resource = resourceOf(plan, type);
      assert.equal(resource.protect, false, type);
      assert.equal(resource.retainOnDelete, false, type);
    }
    assert.equal(inputsOf(resourceOf(plan, "aws:s3/bucket:Bucket")).forceDestroy, true);
    assert.deepEqual(inputsOf(resourceOf(plan, "aws:dynamodb/table:Table")).pointInTimeRecovery, {
      enabled: false,
    });
    assert.equal(appSettings(plan).parallelism, 1);
    assert.equal(inputsOf(resourceOf(plan, "aws:kinesis/stream:Stream")).retentionPeriod, 24);
  });

  it("staging keeps backups at a smaller size than prod", () => {
    const plan = plans.staging;
    assert.deepEqual(inputsOf(resourceOf(plan, "aws:dynamodb/table:Table")).pointInTimeRecovery, {
      enabled: true,
    });
    assert.equal(appSettings(plan).parallelism, 2);
    assert.equal(resourceOf(plan, "aws:dynamodb/table:Table").protect, false);
  });

  it("prod protects and retains its stream, table and bucket", () => {
    for (const type of STATEFUL) {
      const resource = resourceOf(plans.prod, type);
      assert.equal(resource.protect, true, type);
      assert.equal(resource.retainOnDelete, true, type);
    }
    assert.equal(inputsOf(resourceOf(plans.prod, "aws:s3/bucket:Bucket")).forceDestroy, false);
  });

  it("prod has backups, deletion protection, longer retention and higher parallelism", () => {
    const table = inputsOf(resourceOf(plans.prod, "aws:dynamodb/table:Table"));
    assert.deepEqual(table.pointInTimeRecovery, { enabled: true });
    assert.equal(table.deletionProtectionEnabled, true);
    const stream = inputsOf(resourceOf(plans.prod, "aws:kinesis/stream:Stream"));
    assert.equal(stream.retentionPeriod, 168);
    assert.deepEqual(stream.streamModeDetails, { streamMode: "PROVISIONED" });
    assert.equal(stream.shardCount, 4);
    assert.equal(inputsOf(resourceOf(plans.prod, "aws:cloudwatch/logGroup:LogGroup")).retentionInDays, 365);
    assert.equal(appSettings(plans.prod).parallelism, 4);
    const timeouts = inputsOf(resourceOf(plans.prod, "aws:kinesisanalyticsv2/application:Application"));
    assert.equal(timeouts.name, "flink-pipeline-prod");
  });

  it("exports every output the issue lists, for every stack", () => {
    const required = [
      "streamName",
      "streamArn",
      "tableName",
      "artifactBucket",
      "artifactKey",
      "roleArn",
      "applicationName",
      "applicationArn",
      "logGroupName",
      "consoleUrl",
    ];
    for (const [stack, plan] of Object.entries(plans)) {
      assert.deepEqual(
        required.filter((key) => !(key in plan.outputs)),
        [],
        stack,
      );
    }
    assert.equal(
      plans.prod.outputs.consoleUrl.value,
      "https://us-east-1.console.aws.amazon.com/flink/home?region=us-east-1#/applications/dashboard/flink-pipeline-prod/details",
    );
  });

  it("parents every resource of every shipped stack to one of its components", async () => {
    for (const stack of stackNames(PROJECT_DIR)) {
      const plan = plans[stack] ?? (await planStack(stack));
      const components = new Set(plan.resources.filter((r) => !r.custom).map((r) => r.urn));
      const orphans = plan.resources.filter(
        (r) => r.custom && !r.type.startsWith("pulumi:providers:") && !(r.parent && components.has(r.parent)),
      );
      assert.deepEqual(
        orphans.map((r) => r.name),
        [],
        stack,
      );
    }
  });

  it("behaves by its config, not its name: prod's file under another stack name is prod", async () => {
    const renamed = await planStack("prod", {}, { stackName: "team-a-prod" });
    for (const type of STATEFUL) assert.equal(resourceOf(renamed, type).protect, true, type);
    assert.equal(appSettings(renamed).parallelism, 4);
    // Only names derived from the stack name differ.
    assert.equal(
      inputsOf(resourceOf(renamed, "aws:kinesisanalyticsv2/application:Application")).name,
      "flink-pipeline-team-a-prod",
    );
    assert.equal(
      inputsOf(resourceOf(renamed, "aws:kinesis/stream:Stream")).name,
      "flink-pipeline-team-a-prod-events",
    );
  });
});
