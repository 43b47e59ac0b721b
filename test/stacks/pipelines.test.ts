/**
 * A stack of several pipelines (the shipped Pulumi.pipelines-dev.yaml: two Kinesis, one
 * Confluent): what they share, what each has of its own, and the stack's outputs.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { MANY_PIPELINES, pipelinesStackFile } from "../../tools/bench";
import { PlanDocument } from "../../tools/planReport";
import { checkPolicies, defaultPolicyConfig } from "../../tools/planPolicies";
import { PlanResult } from "../../tools/planRuntime";
import { readStackFiles } from "../../tools/stackFiles";
import {
  DASHBOARD_MAX_WIDGETS,
  SNS_POLICY_MAX_BYTES,
  VPC_ENDPOINT_POLICY_MAX_CHARS,
} from "../../policy/lib/quotas";
import {
  PROGRAM,
  PROJECT_DIR,
  inputsOf,
  planInProcess,
  projectWith,
  pipelineOf,
  planStack,
  resourceOf,
  resourcesOf,
  statementsOf,
} from "../helpers";

const PIPELINES = ["orders", "clicks", "payments"];
const APP = (pipeline: string) => `flink-pipeline-pipelines-dev-${pipeline}`;

describe("a stack of three pipelines", () => {
  let plan: PlanResult;
  before(async () => {
    plan = await planStack("pipelines-dev");
  });
  const count = (type: string) => resourcesOf(plan, type).length;

  it("plans three applications, tables and roles, each under its pipeline's node", () => {
    for (const type of [
      "aws:kinesisanalyticsv2/application:Application",
      "aws:dynamodb/table:Table",
      "aws:iam/role:Role",
    ]) {
      assert.deepEqual(
        resourcesOf(plan, type)
          .map((r) => pipelineOf(plan, r))
          .sort(),
        [...PIPELINES].sort(),
        type,
      );
    }
    assert.deepEqual(
      resourcesOf(plan, "aws:kinesisanalyticsv2/application:Application")
        .map((r) => inputsOf(r).name)
        .sort(),
      PIPELINES.map(APP).sort(),
    );
    assert.equal(count("aws:kinesis/stream:Stream"), 2);
  });

  it("gives each table its own keys", () => {
    const keys = Object.fromEntries(
      resourcesOf(plan, "aws:dynamodb/table:Table").map((table) => [
        pipelineOf(plan, table),
        [inputsOf(table).hashKey, inputsOf(table).rangeKey],
      ]),
    );
    assert.deepEqual(keys, {
      orders: ["orderId", "featureName"],
      clicks: ["sessionId", "metric"],
      payments: ["accountId", "feature"],
    });
  });

  it("shares one bucket, one alarm topic and key, one dashboard, one VPC and one Confluent manager", () => {
    assert.equal(count("aws:s3/bucket:Bucket"), 1);
    assert.equal(count("aws:s3/bucketObject:BucketObject"), 3);
    assert.equal(count("aws:sns/topic:Topic"), 1);
    assert.equal(count("aws:sns/topicSubscription:TopicSubscription"), 1);
    assert.equal(count("aws:kms/key:Key"), 1);
    assert.equal(count("aws:cloudwatch/dashboard:Dashboard"), 1);
    assert.equal(count("awsx:ec2:Vpc"), 1);
    assert.equal(count("pulumi:providers:confluentcloud"), 1);
    const accounts = resourcesOf(plan, "confluentcloud:index/serviceAccount:ServiceAccount");
    assert.deepEqual(accounts.map((r) => inputsOf(r).displayName).sort(), [
      "flink-pipeline-pipelines-dev-lkc-abc123-manager",
      APP("payments"),
    ]);
    for (const shared of [
      resourceOf(plan, "aws:s3/bucket:Bucket"),
      resourceOf(plan, "aws:sns/topic:Topic"),
      resourceOf(plan, "awsx:ec2:Vpc"),
    ]) {
      assert.equal(pipelineOf(plan, shared), undefined, shared.name);
    }
  });

  it("lets exactly every pipeline's alarms publish to the topic, each alarm notifying it", () => {
    const alarms = resourcesOf(plan, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepEqual(
      [...new Set(alarms.map((alarm) => pipelineOf(plan, alarm)))].sort(),
      [...PIPELINES].sort(),
    );
    const topicArn = resourceOf(plan, "aws:sns/topic:Topic").outputs.arn;
    for (const alarm of alarms) assert.deepEqual(inputsOf(alarm).alarmActions, [topicArn]);
    const [statement] = statementsOf(resourceOf(plan, "aws:sns/topicPolicy:TopicPolicy"));
    const admitted = (statement.Condition!.ArnEquals["aws:SourceArn"] as unknown as string[]).map((arn) =>
      arn.replace(/^.*:alarm:/, ""),
    );
    assert.deepEqual(admitted.sort(), alarms.map((alarm) => inputsOf(alarm).name).sort());
  });

  it("draws a dashboard section per pipeline, one below the other", () => {
    const body = JSON.parse(inputsOf(resourceOf(plan, "aws:cloudwatch/dashboard:Dashboard")).dashboardBody);
    const headings = body.widgets.filter((w: { type: string }) => w.type === "text");
    assert.deepEqual(
      headings.map((w: { properties: { markdown: string } }) => w.properties.markdown.split(" ")[1]),
      PIPELINES.map(APP),
    );
    assert.deepEqual(
      headings.map((w: { y: number }) => w.y),
      [0, 22, 44],
    );
  });

  it("admits every pipeline's table, stream and secrets at the shared VPC endpoints", () => {
    const endpoint = (service: string) =>
      resourcesOf(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").find((r) => r.name === `network-${service}`)!;
    const resourcesAt = (service: string) => statementsOf(endpoint(service))[0].Resource as string[];
    for (const table of resourcesOf(plan, "aws:dynamodb/table:Table")) {
      assert.ok(resourcesAt("dynamodb").includes(table.outputs.arn as string), table.name);
    }
    for (const stream of resourcesOf(plan, "aws:kinesis/stream:Stream")) {
      assert.ok(resourcesAt("kinesis").includes(stream.outputs.arn as string), stream.name);
    }
    assert.equal(resourcesAt("secretsManager").length, 1);
    assert.equal(resourcesAt("logs").length, 2 * PIPELINES.length);
  });

  it("exports each pipeline's outputs under pipelines, and the shared pieces once", () => {
    const outputs = Object.fromEntries(Object.entries(plan.outputs).map(([key, { value }]) => [key, value]));
    const pipelines = outputs.pipelines as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(pipelines), PIPELINES);
    for (const name of PIPELINES) {
      assert.equal(pipelines[name].applicationName, APP(name));
      assert.equal(pipelines[name].artifactBucket, outputs.artifactBucket);
      assert.equal(pipelines[name].alarmTopicArn, outputs.alarmTopicArn);
      assert.equal(pipelines[name].vpcId, outputs.vpcId);
    }
    assert.equal(pipelines.orders.streamName, `${APP("orders")}-events`);
    assert.deepEqual(pipelines.payments.topics, ["payment-events"]);
    assert.equal(outputs.dashboardName, "flink-pipeline-pipelines-dev");
    for (const name of PIPELINES) {
      assert.equal(pipelines[name].dashboardName, outputs.dashboardName);
      assert.equal(pipelines[name].dashboardUrl, outputs.dashboardUrl);
    }
  });

  describe("under the policy pack", () => {
    const files = readStackFiles(PROJECT_DIR, "pipelines-dev");
    const check = (resources = plan.resources) => checkPolicies(resources, files, defaultPolicyConfig(files));

    it("violates no mandatory policy; the advisories are dev's (no backups, no deletion protection), per table", async () => {
      const violations = await check();
      assert.deepEqual(
        violations.filter((v) => v.enforcementLevel === "mandatory"),
        [],
      );
      assert.deepEqual(
        violations.map((v) => `${v.policy} ${(v.urn ?? "").replace(/^.*::/, "")}`).sort(),
        PIPELINES.flatMap((name) => [
          `dynamodb-deletion-protection ${name}-table`,
          `dynamodb-point-in-time-recovery ${name}-table`,
        ]).sort(),
      );
    });

    it("judges every pipeline's grants with iam-statements-scoped-to-stack", async () => {
      // Each pipeline's table grant, pointed at a table of no pipeline of this stack, is refused.
      for (const name of PIPELINES) {
        const resources = plan.resources.map((r) =>
          r.name === `${name}-table-write`
            ? {
                ...r,
                inputs: {
                  ...r.inputs,
                  policy: (r.inputs.policy as string).replace(/table\/[^"]+/, "table/elsewhere"),
                },
              }
            : r,
        );
        const found = (await check(resources)).filter((v) => v.policy === "iam-statements-scoped-to-stack");
        assert.equal(found.length, 1, name);
        assert.match(
          found[0].message,
          new RegExp(`^${name}-table-write: .*table/elsewhere, which is not a resource of this stack`),
        );
      }
    });
  });
});

describe(`a stack of ${MANY_PIPELINES} pipelines (the bench's) in a VPC, within CloudWatch's, SNS's and the VPC's quotas`, () => {
  let document: PlanDocument & { violations: { enforcementLevel: string }[] };
  let code: number;
  before(async function () {
    this.timeout(60000);
    // The bench's stack, with pipelines-dev's VPC: its restricted endpoint policies list every pipeline's resources.
    const network = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.pipelines-dev.yaml"), "utf8"))
      .config["flink-pipeline:network"];
    const stack = parse(pipelinesStackFile(MANY_PIPELINES));
    stack.config["flink-pipeline:network"] = network;
    const dir = projectWith({ "Pulumi.pipelines-50.yaml": stringify(stack) });
    try {
      const planned = await planInProcess(
        [
          ...["--stack", "pipelines-50", "--json", "--program", PROGRAM],
          ...["--policy-config", path.join(PROJECT_DIR, "policy", "config", "dev.json")],
        ],
        dir,
      );
      code = planned.code;
      assert.ok(planned.stdout.startsWith("{"), planned.stderr);
      document = JSON.parse(planned.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  const ofType = (type: string) => document.resources.filter((r) => r.type === type);
  const app = (index: number) => `flink-pipeline-pipelines-50-p${String(index).padStart(3, "0")}`;

  it("violates no mandatory policy, the quota policies among them", () => {
    assert.equal(code, 0);
    assert.deepEqual(
      document.violations.filter((v) => v.enforcementLevel === "mandatory"),
      [],
    );
  });

  it("spreads the sections over dashboards of at most 500 widgets: 45 pipelines, then the next page", () => {
    const dashboards = ofType("aws:cloudwatch/dashboard:Dashboard").map(
      (r) => r.inputs as Record<string, string>,
    );
    assert.deepEqual(
      dashboards.map((d) => d.dashboardName),
      ["flink-pipeline-pipelines-50", "flink-pipeline-pipelines-50-page-2"],
    );
    const headings = dashboards.map((d) =>
      (JSON.parse(d.dashboardBody).widgets as { type: string; properties: { markdown?: string } }[])
        .filter((w) => w.type === "text")
        .map((w) => w.properties.markdown!.split(" ")[1]),
    );
    assert.deepEqual(headings, [
      Array.from({ length: 45 }, (_, i) => app(i + 1)),
      Array.from({ length: 5 }, (_, i) => app(i + 46)),
    ]);
    for (const d of dashboards)
      assert.ok(JSON.parse(d.dashboardBody).widgets.length <= DASHBOARD_MAX_WIDGETS);
    const pipelines = document.outputs.pipelines as Record<string, Record<string, string>>;
    assert.equal(pipelines.p045.dashboardName, "flink-pipeline-pipelines-50");
    assert.equal(pipelines.p046.dashboardName, "flink-pipeline-pipelines-50-page-2");
    assert.match(pipelines.p046.dashboardUrl, /#dashboards\/dashboard\/flink-pipeline-pipelines-50-page-2$/);
  });

  it("admits the alarms at the topic by one pattern per pipeline, the exact ARNs being past SNS's 30 KB", () => {
    const [policyResource] = ofType("aws:sns/topicPolicy:TopicPolicy");
    const policy = (policyResource.inputs as { policy: string }).policy;
    assert.ok(Buffer.byteLength(policy) <= SNS_POLICY_MAX_BYTES, `${Buffer.byteLength(policy)} bytes`);
    const admitted: string[] = JSON.parse(policy).Statement[0].Condition.ArnLike["aws:SourceArn"];
    assert.deepEqual(
      admitted,
      Array.from(
        { length: MANY_PIPELINES },
        (_, i) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${app(i + 1)}-*`,
      ),
    );
    assert.equal(ofType("aws:cloudwatch/metricAlarm:MetricAlarm").length, 8 * MANY_PIPELINES);
  });

  it("keeps every restricted endpoint policy, each listing every pipeline's resources, within the VPC's quota", () => {
    const endpoints = ofType("aws:ec2/vpcEndpoint:VpcEndpoint").map((r) => r.inputs as { policy?: string });
    const listing = endpoints.filter((e) => e.policy?.includes(app(MANY_PIPELINES)));
    assert.ok(listing.length >= 3, `${listing.length} endpoint policies name the last pipeline`);
    for (const { policy } of listing)
      assert.ok(policy!.length <= VPC_ENDPOINT_POLICY_MAX_CHARS, `${policy!.length}`);
  });
});
