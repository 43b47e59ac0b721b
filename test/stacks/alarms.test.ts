import { strict as assert } from "assert";
import { ConfigError } from "../../stacks/validation";
import { readStackFiles } from "../../tools/stackFiles";
import {
  PROJECT_DIR,
  configProblems,
  directoryWith,
  inputsOf,
  onePipelineConfig,
  planStack,
  resourceOf,
  resourcesOf,
} from "../helpers";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

const context = {
  project: "flink-pipeline",
  stack: "team-a",
  projectDir: directoryWith({ "job/main.py": "print('job')\n" }),
  dryRun: true,
};

/** Validates `flink-pipeline:alarms` (and optionally `flink`) as the CLI passes them. */
function validate(alarms: unknown, flink: Record<string, unknown> = {}) {
  const raw: Record<string, string> = {
    "flink-pipeline:flink": JSON.stringify({ artifact: "job", ...flink }),
  };
  if (alarms !== undefined) raw["flink-pipeline:alarms"] = JSON.stringify(alarms);
  return onePipelineConfig(raw, context);
}

function problemsOf(alarms: unknown, flink: Record<string, unknown> = {}): string[] {
  return configProblems(() => validate(alarms, flink));
}

describe("alarms config", () => {
  it("is on by default with the documented thresholds", () => {
    assert.deepEqual(validate(undefined).alarms, {
      enabled: true,
      email: undefined,
      kmsKeyId: undefined,
      periodSeconds: 60,
      evaluationPeriods: 3,
      maxLagMs: 60000,
      maxLagRecords: 10000,
      heapPercent: 90,
      cpuPercent: 80,
      checkpointDurationMs: 30000,
      outageMinutes: 10,
      maxDroppedRecords: 0,
    });
  });

  it("defaults the checkpoint duration limit to half the checkpoint interval", () => {
    assert.equal(validate({}, { checkpointing: { intervalMs: 180000 } }).alarms.checkpointDurationMs, 90000);
  });

  it("reads every setting a stack gives", () => {
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    assert.deepEqual(
      validate({
        enabled: false,
        email: "oncall@example.com",
        kmsKeyId: keyArn,
        periodSeconds: 120,
        evaluationPeriods: 5,
        maxLagMs: 300000,
        heapPercent: 85,
        cpuPercent: 70,
        checkpointDurationMs: 20000,
        outageMinutes: 20,
        maxDroppedRecords: 100,
      }).alarms,
      {
        enabled: false,
        email: "oncall@example.com",
        kmsKeyId: keyArn,
        periodSeconds: 120,
        evaluationPeriods: 5,
        maxLagMs: 300000,
        maxLagRecords: 10000,
        heapPercent: 85,
        cpuPercent: 70,
        checkpointDurationMs: 20000,
        outageMinutes: 20,
        maxDroppedRecords: 100,
      },
    );
  });

  const badInputs: { name: string; alarms: unknown; flink?: Record<string, unknown>; expected: string[] }[] =
    [
      {
        name: "alarms that are not an object",
        alarms: true,
        expected: ["flink-pipeline:alarms must be an object (got true)"],
      },
      {
        name: "enabled that is not a boolean",
        alarms: { enabled: "no" },
        expected: ['flink-pipeline:alarms.enabled must be true or false (got "no")'],
      },
      {
        name: "a heap limit above 100%",
        alarms: { heapPercent: 120 },
        expected: ["flink-pipeline:alarms.heapPercent must be an integer between 1 and 100 (got 120)"],
      },
      {
        name: "a CPU limit of 0%",
        alarms: { cpuPercent: 0 },
        expected: ["flink-pipeline:alarms.cpuPercent must be an integer between 1 and 100 (got 0)"],
      },
      {
        name: "a lag limit given as text",
        alarms: { maxLagMs: "1m" },
        expected: ['flink-pipeline:alarms.maxLagMs must be an integer >= 1 (got "1m")'],
      },
      {
        name: "a Kafka lag limit on a Kinesis source",
        alarms: { maxLagRecords: 500 },
        expected: [
          "flink-pipeline:alarms.maxLagRecords applies only when flink-pipeline:source.kind is confluent (got kinesis); use flink-pipeline:alarms.maxLagMs",
        ],
      },
      {
        name: "a checkpoint duration limit as long as the interval",
        alarms: { checkpointDurationMs: 60000 },
        expected: [
          "flink-pipeline:alarms.checkpointDurationMs must be below flink-pipeline:flink.checkpointing.intervalMs (60000): a checkpoint that takes the whole interval delays the next one (got 60000)",
        ],
      },
      {
        name: "a checkpoint duration limit without checkpointing",
        alarms: { checkpointDurationMs: 1000 },
        flink: { checkpointing: { enabled: false } },
        expected: [
          "flink-pipeline:alarms.checkpointDurationMs applies only when flink-pipeline:flink.checkpointing.enabled is true (got false)",
        ],
      },
      {
        name: "a period that is not whole minutes",
        alarms: { periodSeconds: 90 },
        expected: [
          "flink-pipeline:alarms.periodSeconds must be a multiple of 60: Managed Flink publishes metrics every minute (got 90)",
        ],
      },
      {
        name: "a period below a minute",
        alarms: { periodSeconds: 10 },
        expected: ["flink-pipeline:alarms.periodSeconds must be an integer between 60 and 3600 (got 10)"],
      },
      {
        name: "no evaluation period",
        alarms: { evaluationPeriods: 0 },
        expected: ["flink-pipeline:alarms.evaluationPeriods must be an integer between 1 and 1440 (got 0)"],
      },
      {
        name: "an evaluation window longer than a day",
        alarms: { periodSeconds: 3600, evaluationPeriods: 25 },
        expected: [
          "flink-pipeline:alarms.evaluationPeriods x flink-pipeline:alarms.periodSeconds must not exceed one day (86400 s) (got 25 x 3600 = 90000 s)",
        ],
      },
      {
        name: "an e-mail address without a domain",
        alarms: { email: "oncall" },
        expected: [
          'flink-pipeline:alarms.email must be an e-mail address such as oncall@example.com (got "oncall")',
        ],
      },
      {
        name: "the AWS-managed SNS key",
        alarms: { kmsKeyId: "alias/aws/sns" },
        expected: [
          "flink-pipeline:alarms.kmsKeyId must be a customer-managed KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not alias/aws/sns: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed key; leave it unset and the program creates a key CloudWatch may use",
        ],
      },
      {
        name: "a key alias instead of a key ARN",
        alarms: { kmsKeyId: "alias/alarms" },
        expected: [
          'flink-pipeline:alarms.kmsKeyId must be a customer-managed KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) (got "alias/alarms")',
        ],
      },
      {
        name: "a typo in a threshold name",
        alarms: { maxLag: 1000 },
        expected: [
          "flink-pipeline:alarms.maxLag is not a known key; did you mean flink-pipeline:alarms.maxLagMs?",
        ],
      },
    ];

  for (const { name, alarms, flink, expected } of badInputs) {
    it(`rejects ${name}`, () => {
      assert.deepEqual(problemsOf(alarms, flink).sort(), [...expected].sort());
    });
  }
});

describe("alarms in the shipped stacks", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    it(`${stack} watches its application and exports the topic, alarms and dashboard`, async () => {
      const result = await planStack(stack);
      const app = `flink-pipeline-${stack}`;
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
        ].map((key) => `${app}-${key}`),
      );
      assert.equal(result.outputs.alarmTopicArn.value, `arn:aws:sns:us-east-1:123456789012:${app}-alarms`);
      assert.equal((result.outputs.alarmNames.value as string[]).length, 8);
      assert.equal(result.outputs.dashboardName.value, app);
      assert.match(result.outputs.dashboardUrl.value as string, new RegExp(`#dashboards/dashboard/${app}$`));
    });
  }

  it("watches the lag of the stack's own stream", async () => {
    const result = await planStack("dev", { source: { streamName: "clicks-v2.raw" } });
    const lag = inputsOf(resourceOf(result, ALARM, "monitoring-source-lag"));
    assert.equal(lag.namespace, "AWS/Kinesis");
    assert.equal(lag.metricName, "GetRecords.IteratorAgeMilliseconds");
    assert.deepEqual(lag.dimensions, { StreamName: "clicks-v2.raw" });
  });

  it("watches the application's own consumer when it reads with enhanced fan-out", async () => {
    const result = await planStack("dev", { source: { streamName: "clicks", enhancedFanOut: true } });
    const lag = inputsOf(resourceOf(result, ALARM, "monitoring-source-lag"));
    assert.equal(lag.metricName, "SubscribeToShardEvent.MillisBehindLatest");
    assert.deepEqual(lag.dimensions, { StreamName: "clicks", ConsumerName: "flink-pipeline-dev" });
  });

  it("raises no outage alarm for a stack that does not start its application", async () => {
    const flink = JSON.parse(readStackFiles(PROJECT_DIR, "dev").config["flink-pipeline:flink"]);
    const result = await planStack("dev", { flink: { ...flink, startApplication: false } });
    const names = resourcesOf(result, ALARM).map((r) => inputsOf(r).name);
    assert.ok(!names.includes("flink-pipeline-dev-downtime"), names.join(", "));
    assert.ok(names.includes("flink-pipeline-dev-dropped-records"));
  });

  it("alarms on the job's dropped records above the stack's limit", async () => {
    const result = await planStack("dev", { alarms: { maxDroppedRecords: 25 } });
    const dropped = inputsOf(resourceOf(result, ALARM, "monitoring-dropped-records"));
    assert.equal(dropped.threshold, 25);
    const [expression, metric] = dropped.metricQueries;
    assert.equal(expression.expression, "RATE(m1) * PERIOD(m1)");
    assert.deepEqual(metric.metric.dimensions, { Application: "flink-pipeline-dev" });
    assert.equal(metric.metric.metricName, "droppedRecords");
    assert.equal(metric.metric.namespace, "AWS/KinesisAnalytics");
  });

  it("watches a Kafka source's record lag with the stack's limit", async () => {
    const result = await planStack("kafka-dev", { alarms: { maxLagRecords: 500 } });
    const lag = inputsOf(resourceOf(result, ALARM, "monitoring-source-lag"));
    assert.equal(lag.metricName, "records_lag_max");
    assert.equal(lag.threshold, 500);
    assert.deepEqual(
      lag.dimensions,
      { Application: "flink-pipeline-kafka-dev" },
      "no Topic dimension: none is published",
    );
  });

  it("refuses a Kinesis lag limit on a Kafka source", async () => {
    await assert.rejects(
      planStack("kafka-dev", { alarms: { maxLagMs: 1000 } }),
      /flink-pipeline:alarms.maxLagMs applies only when flink-pipeline:source.kind is kinesis \(got confluent\); use flink-pipeline:alarms.maxLagRecords/,
    );
  });

  it("takes thresholds from the stack config", async () => {
    const result = await planStack("prod", {
      alarms: {
        maxLagMs: 120000,
        heapPercent: 80,
        cpuPercent: 70,
        checkpointDurationMs: 20000,
        evaluationPeriods: 5,
      },
    });
    const threshold = (key: string) => inputsOf(resourceOf(result, ALARM, `monitoring-${key}`)).threshold;
    assert.deepEqual(
      ["source-lag", "heap", "cpu", "checkpoint-duration"].map(threshold),
      [120000, 80, 70, 20000],
    );
    assert.equal(inputsOf(resourceOf(result, ALARM, "monitoring-cpu")).evaluationPeriods, 5);
  });

  it("follows the runtime's metric names on Flink 2.2", async () => {
    // app/ is built for Flink 1.20 (its jar's Flink-Version), so a 2.2 runtime takes an artifact of its own.
    const flink = {
      language: "python",
      artifact: "s3://team-artifacts/flink/job-2.2.zip",
      runtime: "FLINK-2_2",
      acceptOneWayRuntime: "FLINK-2_2",
    };
    const result = await planStack("dev", { flink });
    const restarts = inputsOf(resourceOf(result, ALARM, "monitoring-restarts"));
    assert.equal(restarts.metricQueries.find((q: any) => q.metric).metric.metricName, "numRestarts");
  });

  it("removes the alarms, topic, key and dashboard, and their outputs, when disabled", async () => {
    const result = await planStack("prod", { alarms: { enabled: false } });
    for (const type of [
      ALARM,
      "aws:sns/topic:Topic",
      "aws:sns/topicPolicy:TopicPolicy",
      "aws:kms/key:Key",
      "aws:cloudwatch/dashboard:Dashboard",
      "flink-pipeline:monitoring:FlinkMonitoring",
    ]) {
      assert.equal(resourcesOf(result, type).length, 0, `${type} remains`);
    }
    for (const output of ["alarmTopicArn", "alarmNames", "dashboardName", "dashboardUrl"]) {
      assert.equal(result.outputs[output], undefined, `${output} remains`);
    }
    assert.equal(resourcesOf(result, "aws:kinesisanalyticsv2/application:Application").length, 1);
  });

  it("reports bad thresholds before registering anything", async () => {
    await assert.rejects(planStack("dev", { alarms: { heapPercent: 101 } }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        "flink-pipeline:alarms.heapPercent must be an integer between 1 and 100 (got 101)",
      ]);
      return true;
    });
  });
});
