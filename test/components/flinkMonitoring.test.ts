import { strict as assert } from "assert";
import {
  DASHBOARD_SECTION_WIDGETS,
  DashboardInputs,
  FlinkMonitoring,
  FlinkMonitoringArgs,
  alarmTopicPolicy,
  dashboardBody,
  resourceNameOf,
} from "../../components/flinkMonitoring";
import { SNS_POLICY_MAX_BYTES } from "../../policy/lib/quotas";
import { PlanResult, runProgram } from "../../tools/planRuntime";
import { inputsOf, resourceOf, resourcesOf, statementsOf } from "../helpers";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const APP = "orders-app";

/** Plans a program that holds only the monitoring component. */
function planMonitoring(args: Partial<FlinkMonitoringArgs> = {}): Promise<PlanResult> {
  return runProgram(
    () => {
      const monitoring = new FlinkMonitoring("monitoring", {
        applicationName: APP,
        source: { kind: "kinesis", streamName: "orders-stream.v1" },
        ...args,
      });
      return {
        topicArn: monitoring.topicArn,
        alarmNames: monitoring.alarmNames,
        dashboardName: monitoring.dashboardName,
      };
    },
    { project: "flink-pipeline", stack: "test", config: { "aws:region": "eu-west-1" } },
  );
}

function alarm(result: PlanResult, key: string): Record<string, any> {
  return inputsOf(resourceOf(result, ALARM, `monitoring-${key}`));
}

/** The single metric an alarm watches (plain or the only input of its metric math), as one flat record. */
function watched(inputs: Record<string, any>) {
  if (inputs.metricName !== undefined) {
    return {
      namespace: inputs.namespace,
      metricName: inputs.metricName,
      statistic: inputs.statistic,
      dimensions: inputs.dimensions,
      expression: undefined,
    };
  }
  const queries: Record<string, any>[] = inputs.metricQueries;
  const metrics = queries.filter((q) => q.metric !== undefined);
  assert.equal(metrics.length, 1, "expected metric math over one metric");
  return {
    namespace: metrics[0].metric.namespace,
    metricName: metrics[0].metric.metricName,
    statistic: metrics[0].metric.stat,
    dimensions: metrics[0].metric.dimensions,
    expression: queries.find((q) => q.expression !== undefined)?.expression,
  };
}

interface Expected {
  key: string;
  namespace?: string;
  metricName: string;
  statistic: string;
  expression?: string;
  threshold: number;
  evaluationPeriods: number;
  treatMissingData: string;
  dimensions?: Record<string, string>;
}

const appOnly = { Application: APP };

/** Per runtime generation: what each single-metric alarm watches. */
const EXPECTED_BY_RUNTIME: Record<string, Expected[]> = {
  "FLINK-1_20": [
    {
      key: "downtime",
      metricName: "downtime",
      statistic: "Average",
      threshold: 0,
      evaluationPeriods: 10,
      treatMissingData: "breaching",
    },
    {
      key: "restarts",
      metricName: "fullRestarts",
      statistic: "Maximum",
      expression: "RATE(m1)",
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
  ],
  "FLINK-2_2": [
    {
      key: "restarts",
      metricName: "numRestarts",
      statistic: "Maximum",
      expression: "RATE(m1)",
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
  ],
};
const EXPECTED_ANY_RUNTIME: Expected[] = [
  {
    key: "failed-checkpoints",
    metricName: "numberOfFailedCheckpoints",
    statistic: "Maximum",
    expression: "RATE(m1)",
    threshold: 0,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  },
  {
    key: "checkpoint-duration",
    metricName: "lastCheckpointDuration",
    statistic: "Maximum",
    threshold: 30000,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  },
  {
    key: "dropped-records",
    metricName: "droppedRecords",
    statistic: "Maximum",
    expression: "RATE(m1) * PERIOD(m1)",
    threshold: 0,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  },
  {
    key: "heap",
    metricName: "heapMemoryUtilization",
    statistic: "Maximum",
    threshold: 90,
    evaluationPeriods: 3,
    treatMissingData: "notBreaching",
  },
  {
    key: "cpu",
    metricName: "cpuUtilization",
    statistic: "Maximum",
    threshold: 80,
    evaluationPeriods: 3,
    treatMissingData: "notBreaching",
  },
];
const EXPECTED_LAG: Record<"kinesis" | "kafka", Expected> = {
  kinesis: {
    key: "source-lag",
    namespace: "AWS/Kinesis",
    metricName: "GetRecords.IteratorAgeMilliseconds",
    statistic: "Maximum",
    threshold: 60000,
    evaluationPeriods: 3,
    treatMissingData: "notBreaching",
    dimensions: { StreamName: "orders-stream.v1" },
  },
  kafka: {
    key: "source-lag",
    metricName: "records_lag_max",
    statistic: "Maximum",
    threshold: 10000,
    evaluationPeriods: 3,
    treatMissingData: "notBreaching",
    dimensions: appOnly,
  },
};

describe("FlinkMonitoring", () => {
  for (const runtime of ["FLINK-1_20", "FLINK-2_2"]) {
    for (const kind of ["kinesis", "kafka"] as const) {
      describe(`on ${runtime} reading ${kind}`, () => {
        let result: PlanResult;
        before(async () => {
          result = await planMonitoring({
            runtime,
            source: kind === "kinesis" ? { kind, streamName: "orders-stream.v1" } : { kind },
          });
        });

        it("creates the eight alarms, named after the application", () => {
          assert.deepEqual(
            resourcesOf(result, ALARM)
              .map((r) => inputsOf(r).name)
              .sort(),
            [
              "checkpoint-duration",
              "cpu",
              "downtime",
              "dropped-records",
              "failed-checkpoints",
              "heap",
              "restarts",
              "source-lag",
            ].map((key) => `${APP}-${key}`),
          );
        });

        for (const expected of [
          ...EXPECTED_BY_RUNTIME[runtime],
          ...EXPECTED_ANY_RUNTIME,
          EXPECTED_LAG[kind],
        ]) {
          it(`alarms on ${expected.expression ? `${expected.expression} of ` : ""}${expected.metricName} > ${expected.threshold} (${expected.key})`, () => {
            const inputs = alarm(result, expected.key);
            assert.deepEqual(watched(inputs), {
              namespace: expected.namespace ?? "AWS/KinesisAnalytics",
              metricName: expected.metricName,
              statistic: expected.statistic,
              dimensions: expected.dimensions ?? appOnly,
              expression: expected.expression,
            });
            assert.equal(inputs.threshold, expected.threshold);
            assert.equal(inputs.comparisonOperator, "GreaterThanThreshold");
            assert.equal(inputs.evaluationPeriods, expected.evaluationPeriods);
            assert.equal(inputs.datapointsToAlarm, expected.evaluationPeriods);
            assert.equal(inputs.treatMissingData, expected.treatMissingData);
          });
        }

        it("notifies the alarm topic on alarm and on recovery", () => {
          const topicArn = `arn:aws:sns:eu-west-1:123456789012:${APP}-alarms`;
          for (const resource of resourcesOf(result, ALARM)) {
            assert.deepEqual(inputsOf(resource).alarmActions, [topicArn]);
            assert.deepEqual(inputsOf(resource).okActions, [topicArn]);
          }
        });

        it("draws the source lag with its dimensions on the dashboard", () => {
          const body = JSON.parse(
            inputsOf(resourceOf(result, "aws:cloudwatch/dashboard:Dashboard")).dashboardBody,
          );
          const lag = EXPECTED_LAG[kind];
          const lagWidget = body.widgets.find(
            (w: any) => w.properties.title === `Source lag (${lag.metricName})`,
          );
          const [namespace, metricName, ...rest] = lagWidget.properties.metrics[0];
          assert.equal(namespace, lag.namespace ?? "AWS/KinesisAnalytics");
          assert.equal(metricName, lag.metricName);
          assert.deepEqual(rest.slice(0, -1), Object.entries(lag.dimensions!).flat());
          assert.deepEqual(lagWidget.properties.annotations.horizontal, [
            { label: "alarm source-lag", value: lag.threshold },
          ]);
        });
      });
    }
  }

  it("on Flink 2.2 counts restarting and failing time as downtime, missing data breaching", async () => {
    const inputs = alarm(await planMonitoring({ runtime: "FLINK-2_2" }), "downtime");
    assert.equal(inputs.metricName, undefined);
    const queries: any[] = inputs.metricQueries;
    assert.deepEqual(
      queries.map((q) => [q.id, q.expression ?? q.metric.metricName, q.returnData]),
      [
        ["e1", "m1 + m2", true],
        ["m1", "restartingTime", false],
        ["m2", "failingTime", false],
      ],
    );
    for (const q of queries.filter((q) => q.metric)) {
      assert.deepEqual(q.metric.dimensions, appOnly);
      assert.equal(q.metric.namespace, "AWS/KinesisAnalytics");
      assert.equal(q.metric.period, 60);
    }
    assert.equal(inputs.threshold, 0);
    assert.equal(inputs.treatMissingData, "breaching");
  });

  it("takes thresholds and periods from its arguments", async () => {
    const result = await planMonitoring({
      checkpointing: { intervalMs: 120000 },
      thresholds: { maxLagMs: 5000, heapPercent: 75, cpuPercent: 60 },
      periodSeconds: 300,
      evaluationPeriods: 5,
    });
    assert.equal(alarm(result, "source-lag").threshold, 5000);
    assert.equal(alarm(result, "heap").threshold, 75);
    assert.equal(alarm(result, "cpu").threshold, 60);
    assert.equal(alarm(result, "checkpoint-duration").threshold, 60000, "half the checkpoint interval");
    assert.equal(alarm(result, "cpu").evaluationPeriods, 5);
    assert.equal(alarm(result, "cpu").period, 300);
    assert.equal(alarm(result, "downtime").evaluationPeriods, 2, "10 minutes of outage in 300 s periods");
  });

  it("leaves out the checkpoint alarms when checkpointing is off", async () => {
    const result = await planMonitoring({ checkpointing: { enabled: false } });
    const keys = resourcesOf(result, ALARM).map((r) => r.name);
    assert.ok(!keys.includes("monitoring-failed-checkpoints"));
    assert.ok(!keys.includes("monitoring-checkpoint-duration"));
    assert.equal(keys.length, 6);
  });

  it("encrypts the topic with a rotating key CloudWatch may use, and lets only this app's alarms publish", async () => {
    const result = await planMonitoring();
    const key = resourceOf(result, "aws:kms/key:Key");
    const topic = inputsOf(resourceOf(result, "aws:sns/topic:Topic"));
    assert.equal(topic.name, `${APP}-alarms`);
    assert.equal(topic.kmsMasterKeyId, (key.outputs as any).arn);
    assert.equal(inputsOf(key).enableKeyRotation, true);
    const cloudwatch = statementsOf(key).find((s) =>
      JSON.stringify(s.Principal).includes("cloudwatch.amazonaws.com"),
    );
    assert.deepEqual(cloudwatch?.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
    assert.equal(inputsOf(resourceOf(result, "aws:kms/alias:Alias")).name, `alias/${APP}-alarms`);

    const [publish] = statementsOf(resourceOf(result, "aws:sns/topicPolicy:TopicPolicy"));
    assert.deepEqual(publish.Principal, { Service: "cloudwatch.amazonaws.com" });
    assert.equal(publish.Action, "sns:Publish");
    assert.equal(publish.Resource, `arn:aws:sns:eu-west-1:123456789012:${APP}-alarms`);
    const { ArnEquals, ...others } = publish.Condition as Record<string, Record<string, string | string[]>>;
    assert.deepEqual(others, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    assert.deepEqual(
      [...ArnEquals["aws:SourceArn"]].sort(),
      resourcesOf(result, ALARM)
        .map((r) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${inputsOf(r).name}`)
        .sort(),
    );
  });

  it("uses a given customer-managed key instead of creating one", async () => {
    const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const result = await planMonitoring({ kmsKeyId: keyArn });
    assert.equal(resourcesOf(result, "aws:kms/key:Key").length, 0);
    assert.equal(inputsOf(resourceOf(result, "aws:sns/topic:Topic")).kmsMasterKeyId, keyArn);
  });

  it("subscribes the configured e-mail address, and none without one", async () => {
    const withEmail = await planMonitoring({ email: "oncall@example.com" });
    const subscription = inputsOf(resourceOf(withEmail, "aws:sns/topicSubscription:TopicSubscription"));
    assert.deepEqual(
      { protocol: subscription.protocol, endpoint: subscription.endpoint, topic: subscription.topic },
      {
        protocol: "email",
        endpoint: "oncall@example.com",
        topic: `arn:aws:sns:eu-west-1:123456789012:${APP}-alarms`,
      },
    );
    assert.equal(
      resourcesOf(await planMonitoring(), "aws:sns/topicSubscription:TopicSubscription").length,
      0,
    );
  });

  it("builds a dashboard body that is valid JSON naming the app and its metrics", async () => {
    const result = await planMonitoring({ runtime: "FLINK-2_2" });
    const dashboard = inputsOf(resourceOf(result, "aws:cloudwatch/dashboard:Dashboard"));
    assert.equal(dashboard.dashboardName, APP);
    const body = JSON.parse(dashboard.dashboardBody);
    const series = body.widgets.flatMap((w: any) => w.properties.metrics ?? []);
    const names = new Set(series.map((m: unknown[]) => m[1]));
    for (const metric of [
      "KPUs",
      "runningTime",
      "restartingTime",
      "failingTime",
      "numRestarts",
      "lastCheckpointDuration",
      "numberOfFailedCheckpoints",
      "GetRecords.IteratorAgeMilliseconds",
      "numRecordsInPerSecond",
      "numRecordsOutPerSecond",
      "cpuUtilization",
      "heapMemoryUtilization",
    ]) {
      assert.ok(names.has(metric), `dashboard lacks ${metric}`);
    }
    for (const m of series.filter((m: unknown[]) => m[0] !== "AWS/Kinesis")) {
      assert.deepEqual(m.slice(0, 4), ["AWS/KinesisAnalytics", m[1], "Application", APP]);
    }
    assert.ok(
      body.widgets.every(
        (w: any) => w.type === "text" || w.type === "alarm" || w.properties.region === "eu-west-1",
      ),
    );
    const alarms = body.widgets.find((w: any) => w.type === "alarm").properties.alarms;
    assert.equal(alarms.length, 8);
    assert.ok(
      alarms.every((arn: string) =>
        arn.startsWith(`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${APP}-`),
      ),
    );
  });

  it("exports the topic, alarm names and dashboard", async () => {
    const { outputs } = await planMonitoring();
    assert.equal(outputs.topicArn.value, `arn:aws:sns:eu-west-1:123456789012:${APP}-alarms`);
    assert.equal((outputs.alarmNames.value as string[]).length, 8);
    assert.equal(outputs.dashboardName.value, APP);
  });

  it("rejects the AWS-managed SNS key, which CloudWatch cannot publish under", async () => {
    await assert.rejects(planMonitoring({ kmsKeyId: "alias/aws/sns" }), /kmsKeyId cannot be alias\/aws\/sns/);
  });

  it("rejects a checkpoint duration limit at or above the interval", async () => {
    await assert.rejects(
      planMonitoring({ checkpointing: { intervalMs: 10000 }, thresholds: { checkpointDurationMs: 10000 } }),
      /thresholds.checkpointDurationMs \(10000\) must be below checkpointing.intervalMs \(10000\)/,
    );
  });

  it("derives resource names the way AWS allows them, distinct for names that differ only in a dot", () => {
    assert.equal(resourceNameOf("team-orders-app_1"), "team-orders-app_1");
    assert.match(resourceNameOf("team.orders-app_1"), /^team-orders-app_1-[0-9a-f]{8}$/);
    assert.notEqual(resourceNameOf("x.a"), resourceNameOf("x-a"));
    assert.notEqual(resourceNameOf("x.a"), resourceNameOf("x_a"));
  });

  it("gives x.a and x-a their own topic, key alias and dashboard", async () => {
    const names = async (applicationName: string) => {
      const result = await planMonitoring({ applicationName });
      return [
        inputsOf(resourceOf(result, "aws:sns/topic:Topic")).name,
        inputsOf(resourceOf(result, "aws:kms/alias:Alias")).name,
        inputsOf(resourceOf(result, "aws:cloudwatch/dashboard:Dashboard")).dashboardName,
      ];
    };
    const [dotted, dashed] = [await names("x.a"), await names("x-a")];
    assert.deepEqual(dashed, ["x-a-alarms", "alias/x-a-alarms", "x-a"]);
    dotted.forEach((name, index) => assert.notEqual(name, dashed[index]));
  });

  it("keeps every derived name within its AWS limit for the longest application name", async () => {
    const applicationName = `${"a.".repeat(63)}ab`;
    assert.equal(applicationName.length, 128, "Managed Flink's limit");
    const result = await planMonitoring({ applicationName });
    const topic = inputsOf(resourceOf(result, "aws:sns/topic:Topic"));
    assert.ok(topic.displayName.length <= 100, `SNS display name of ${topic.displayName.length}`);
    assert.ok(topic.name.length <= 256, "SNS topic name");
    assert.ok(inputsOf(resourceOf(result, "aws:kms/alias:Alias")).name.length <= 256, "KMS alias");
    const dashboard = inputsOf(resourceOf(result, "aws:cloudwatch/dashboard:Dashboard"));
    assert.ok(dashboard.dashboardName.length <= 255, "dashboard name");
    for (const resource of resourcesOf(result, ALARM)) {
      const inputs = inputsOf(resource);
      assert.ok(inputs.name.length <= 255, `alarm name ${inputs.name}`);
      assert.ok(inputs.alarmDescription.length <= 1024, `description of ${inputs.name}`);
    }
  });

  it("watches an enhanced fan-out consumer's own lag, which Kinesis publishes per consumer", async () => {
    const result = await planMonitoring({
      source: { kind: "kinesis", streamName: "orders-stream.v1", consumerName: APP },
    });
    assert.deepEqual(watched(alarm(result, "source-lag")), {
      namespace: "AWS/Kinesis",
      metricName: "SubscribeToShardEvent.MillisBehindLatest",
      statistic: "Maximum",
      dimensions: { StreamName: "orders-stream.v1", ConsumerName: APP },
      expression: undefined,
    });
  });

  it("does not page for a deploy restart: the outage must last longer than a deployment", async () => {
    const result = await planMonitoring({ outageMinutes: 15 });
    const downtime = alarm(result, "downtime");
    assert.equal(downtime.evaluationPeriods, 15);
    assert.equal(downtime.datapointsToAlarm, 15, "every minute of 15 down, not one");
    assert.equal(downtime.period, 60);
  });

  it("keeps the outage window within the day CloudWatch evaluates", async () => {
    const result = await planMonitoring({ outageMinutes: 1430, periodSeconds: 3540 });
    assert.equal(alarm(result, "downtime").evaluationPeriods, 24, "24 x 3540 s <= 86400 s");
  });

  it("has no outage alarm for an application the stack does not start", async () => {
    const result = await planMonitoring({ startApplication: false });
    const keys = resourcesOf(result, ALARM).map((r) => r.name);
    assert.ok(!keys.includes("monitoring-downtime"), keys.join(", "));
    assert.equal(keys.length, 7);
  });
});

describe("the alarm topic's policy and a dashboard section, within their AWS quotas", () => {
  const PREFIX = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:";
  const TOPIC = "arn:aws:sns:eu-west-1:123456789012:alarms";
  /** `count` applications `app-1`, ... of eight alarms each, as a stack's alarm topic admits them. */
  const applications = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      applicationName: `flink-pipeline-prod-app-${i + 1}`,
      alarmNames: [
        "downtime",
        "failed-checkpoints",
        "checkpoint-duration",
        "restarts",
        "heap",
        "cpu",
        "dropped-records",
        "source-lag",
      ].map((key) => `flink-pipeline-prod-app-${i + 1}-${key}`),
    }));
  const conditionOf = (policy: string) => JSON.parse(policy).Statement[0].Condition;

  const table: [number, "ArnEquals" | "ArnLike", number][] = [
    [1, "ArnEquals", 8],
    [3, "ArnEquals", 24],
    [38, "ArnEquals", 304],
    [45, "ArnLike", 45],
    [50, "ArnLike", 50],
    [200, "ArnLike", 200],
  ];
  for (const [count, operator, entries] of table) {
    it(`admits ${count} application(s) by ${operator}, ${entries} entries, within SNS's quota`, () => {
      const policy = alarmTopicPolicy(TOPIC, "123456789012", PREFIX, applications(count));
      assert.ok(Buffer.byteLength(policy) <= SNS_POLICY_MAX_BYTES, `${Buffer.byteLength(policy)} bytes`);
      const condition = conditionOf(policy);
      assert.deepEqual(Object.keys(condition), ["StringEquals", operator]);
      assert.equal(condition.StringEquals["aws:SourceAccount"], "123456789012");
      const admitted: string[] = condition[operator]["aws:SourceArn"];
      assert.equal(admitted.length, entries);
      // Every alarm of every application is admitted, exactly or by its application's pattern.
      const patterns = admitted.map(
        (arn) => new RegExp(`^${arn.replace(/[.$]/g, "\\$&").replace("*", ".*")}$`),
      );
      for (const name of applications(count).flatMap((application) => application.alarmNames)) {
        assert.ok(
          patterns.some((pattern) => pattern.test(`${PREFIX}${name}`)),
          name,
        );
      }
    });
  }

  it("makes a section of DASHBOARD_SECTION_WIDGETS widgets on every runtime and source", () => {
    for (const runtime of ["FLINK-1_18", "FLINK-1_20", "FLINK-2_2"]) {
      const lags: DashboardInputs["lag"][] = [
        { metricName: "millisBehindLatest", statistic: "Maximum", dimensions: { Application: APP } },
        { namespace: "AWS/Kafka", metricName: "records-lag-max", statistic: "Maximum", dimensions: {} },
      ];
      for (const lag of lags) {
        const body = dashboardBody({
          applicationName: APP,
          region: "eu-west-1",
          runtime,
          period: 60,
          lag,
          thresholds: {},
          alarmArns: [],
        });
        assert.equal(body.widgets.length, DASHBOARD_SECTION_WIDGETS, `${runtime} ${lag.metricName}`);
      }
    }
  });
});
