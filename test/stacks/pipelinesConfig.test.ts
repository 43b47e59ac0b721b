/** `flink-pipeline:pipelines`: each pipeline's sections validated as the top-level ones, under its own keys. */
import { strict as assert } from "assert";
import { PipelinesStackConfig, projectDefaults, validateStack } from "../../stacks/config";
import { PROJECT_DIR, cliConfig, configProblems, directoryWith } from "../helpers";

const workDir = directoryWith({ "job/main.py": "print('job')\n", "job/lib/pyflink-dependencies.jar": "jar" });
const context = { project: "flink-pipeline", stack: "team-a", projectDir: workDir, dryRun: true };
const KEY = "flink-pipeline:pipelines";

const confluent = {
  kind: "confluent",
  environmentId: "env-abc123",
  clusterId: "lkc-abc123",
  topics: [{ name: "payments" }],
  rotation: { epoch: "2025-01-01T00:00:00Z", periodDays: 30, retain: 2 },
};

/** A stack of pipelines whose flink sections all upload `job`, plus `values` (whole keys). */
function validate(pipelines: Record<string, Record<string, unknown>>, values: Record<string, unknown> = {}) {
  const withArtifact = Object.fromEntries(
    Object.entries(pipelines).map(([name, sections]) => [
      name,
      { ...sections, flink: { artifact: "job", ...(sections.flink as object) } },
    ]),
  );
  return validateStack(cliConfig({ [KEY]: withArtifact, ...values }), context) as PipelinesStackConfig;
}

describe("flink-pipeline:pipelines", () => {
  it("names each pipeline's resources <project>-<stack>-<pipeline> unless set", () => {
    const config = validate({
      orders: {},
      payments: { source: confluent, flink: { applicationName: "payments-job" } },
    });
    assert.deepEqual(Object.keys(config.pipelines), ["orders", "payments"]);
    const { orders, payments } = config.pipelines;
    assert.equal(orders.flink.applicationName, "flink-pipeline-team-a-orders");
    assert.equal(orders.table.tableName, "flink-pipeline-team-a-orders-features");
    assert.equal(
      orders.source.kind === "kinesis" && orders.source.streamName,
      "flink-pipeline-team-a-orders-events",
    );
    assert.equal(payments.flink.applicationName, "payments-job");
    assert.equal(payments.source.kind === "confluent" && payments.source.consumerGroup, "payments-job");
    assert.deepEqual(config.alarmTopic, {});
  });

  it("takes the shared topic's e-mail and key from the top-level alarms", () => {
    const config = validate({ orders: {} }, { "flink-pipeline:alarms": { email: "oncall@example.com" } });
    assert.deepEqual(config.alarmTopic, { email: "oncall@example.com", kmsKeyId: undefined });
  });

  it("ignores the top-level sections Pulumi.yaml declares when the stack leaves them", () => {
    const defaults = projectDefaults(PROJECT_DIR);
    const raw = cliConfig({ ...defaults, [KEY]: { orders: { flink: { artifact: "job" } } } });
    const config = validateStack(raw, { ...context, projectDefaults: defaults }) as PipelinesStackConfig;
    assert.deepEqual(Object.keys(config.pipelines), ["orders"]);
  });

  const cases: [string, Record<string, Record<string, unknown>>, Record<string, unknown>, string[]][] = [
    [
      "a bad value, by its full key",
      { orders: { flink: { parallelism: 0 } } },
      {},
      [`${KEY}.orders.flink.parallelism must be an integer >= 1 (got 0)`],
    ],
    [
      "a check across fields of one section",
      { orders: { table: { partitionKey: "id", sortKey: "id" } } },
      {},
      [`${KEY}.orders.table.sortKey must differ from ${KEY}.orders.table.partitionKey (both are "id")`],
    ],
    [
      "a check across sections, naming the pipeline's keys",
      { orders: { alarms: { maxLagRecords: 5 } } },
      {},
      [
        `${KEY}.orders.alarms.maxLagRecords applies only when ${KEY}.orders.source.kind is confluent (got kinesis); use ${KEY}.orders.alarms.maxLagMs`,
      ],
    ],
    [
      "a field the source kind requires",
      { payments: { source: { ...confluent, environmentId: undefined } } },
      {},
      [`${KEY}.payments.source.environmentId is required when ${KEY}.payments.source.kind is confluent`],
    ],
    [
      "an unknown section of a pipeline",
      { orders: { sourse: {} } },
      {},
      [`${KEY}.orders.sourse is not a known key; did you mean ${KEY}.orders.source?`],
    ],
    [
      "a name that cannot be part of resource names",
      { Orders_1: {} },
      {},
      [
        `${KEY}.Orders_1: a pipeline's name must be 1 to 32 lower-case letters, digits or '-', not starting or ending with '-'`,
      ],
    ],
    ["no pipeline", {}, {}, [`${KEY} must name at least one pipeline (got none)`]],
    [
      "a top-level pipeline section beside pipelines",
      { orders: {} },
      { "flink-pipeline:source": { kind: "kinesis" } },
      [`flink-pipeline:source is per pipeline when ${KEY} is set: move it to ${KEY}.<name>.source`],
    ],
    [
      "a per-pipeline alarm setting at the top level",
      { orders: {} },
      { "flink-pipeline:alarms": { cpuPercent: 70 } },
      [
        `flink-pipeline:alarms.cpuPercent is per pipeline when ${KEY} is set: move it to ${KEY}.<name>.alarms.cpuPercent`,
      ],
    ],
    [
      "a shared topic's setting in a pipeline",
      { orders: { alarms: { email: "me@example.com" } } },
      {},
      [
        `${KEY}.orders.alarms.email is the shared alarm topic's: the stack's pipelines notify one topic; set flink-pipeline:alarms.email`,
      ],
    ],
    [
      "two pipelines naming one application",
      { orders: { flink: { applicationName: "same" } }, clicks: { flink: { applicationName: "same" } } },
      {},
      [
        `${KEY}.clicks.flink.applicationName must differ from ${KEY}.orders.flink.applicationName (both are "same")`,
        `${KEY}.clicks.table.tableName must differ from ${KEY}.orders.table.tableName (both are "same-features")`,
        `${KEY}.clicks.source.streamName must differ from ${KEY}.orders.source.streamName (both are "same-events")`,
      ],
    ],
  ];
  for (const [what, pipelines, values, expected] of cases) {
    it(`reports ${what}`, () => {
      assert.deepEqual(
        configProblems(() => validate(pipelines, values)),
        expected,
      );
    });
  }

  it("refuses a value that is not a map of pipelines", () => {
    assert.deepEqual(
      configProblems(() => validateStack(cliConfig({ [KEY]: ["orders"] }), context)),
      [`${KEY} must be an object (got ["orders"])`, `${KEY} must name at least one pipeline (got none)`],
    );
  });
});
