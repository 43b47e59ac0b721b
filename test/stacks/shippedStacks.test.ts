import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hashFile } from "../../components/artifactContent";
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
    for (const stack of ["dev", "staging", "prod", "java-dev"]) plans[stack] = await planStack(stack);
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

  describe("java-dev, the Java DataStream job", () => {
    const JAR = path.join(PROJECT_DIR, "app-java", "target", "flink-pipeline-java.jar");
    const codeKey = (plan: PlanResult) => inputsOf(resourceOf(plan, "aws:s3/bucketObject:BucketObject")).key;
    const groupIds = (plan: PlanResult) =>
      inputsOf(
        resourceOf(plan, "aws:kinesisanalyticsv2/application:Application"),
      ).applicationConfiguration.environmentProperties.propertyGroups.map(
        (group: { propertyGroupId: string }) => group.propertyGroupId,
      );

    it("runs the jar as a Java application with the generated groups and its job group", () => {
      const app = inputsOf(resourceOf(plans["java-dev"], "aws:kinesisanalyticsv2/application:Application"));
      assert.equal(app.name, "flink-pipeline-java-dev");
      assert.equal(app.runtimeEnvironment, "FLINK-1_20");
      assert.deepEqual(groupIds(plans["java-dev"]), ["job", "sink", "source"]);
      // Built or not (a fresh clone plans before `npm run build:java`), the key names what is shipped.
      const expected = fs.existsSync(JAR) ? hashFile(JAR).slice(0, 16) : "unbuilt";
      assert.equal(codeKey(plans["java-dev"]), `flink-pipeline-java-dev/flink-pipeline-java-${expected}.jar`);
    });

    it("keys a built jar by its content hash", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flink-java-"));
      const jar = path.join(dir, "job.jar");
      fs.writeFileSync(jar, "a jar's bytes");
      const flink = { language: "java", artifact: jar };
      const plan = await planStack("java-dev", { flink }, { dryRun: false });
      assert.equal(codeKey(plan), `flink-pipeline-java-dev/job-${hashFile(jar).slice(0, 16)}.jar`);
      fs.writeFileSync(jar, "another build");
      assert.notEqual(codeKey(await planStack("java-dev", { flink }, { dryRun: false })), codeKey(plan));
    });

    it("plans a jar that is not built yet, and refuses to deploy it with the build command", async () => {
      const missing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "flink-java-")), "job.jar");
      const flink = { language: "java", artifact: missing };
      const preview = await planStack("java-dev", { flink });
      assert.equal(codeKey(preview), "flink-pipeline-java-dev/job-unbuilt.jar");
      await assert.rejects(planStack("java-dev", { flink }, { dryRun: false }), (error: Error) =>
        error.message.includes(`${missing} does not exist); build it first: npm run build:java`),
      );
    });
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
      // What awsx creates hangs, as awsx parents it, under the VPC, subnet or route table it creates.
      const createdInComponent = new Set(plan.resources.filter((r) => r.createdBy).map((r) => r.urn));
      const orphans = plan.resources.filter(
        (r) =>
          r.custom &&
          !r.type.startsWith("pulumi:providers:") &&
          !(r.parent && (components.has(r.parent) || (r.createdBy && createdInComponent.has(r.parent)))),
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
