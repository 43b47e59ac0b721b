import {
  flinkCheckpointing,
  flinkLogging,
  flinkNoPlaintextSecrets,
  flinkParallelismBounds,
  flinkSnapshots,
  flinkSupportedRuntime,
  SUPPORTED_FLINK_RUNTIMES,
} from "../../../policy/policies/flink";
import { arn, flinkApplication, flinkApplicationProps } from "../fixtures";
import { PolicyCase, PolicyCaseTable, UNKNOWN_STRING } from "../harness";

const base = flinkApplicationProps();

function withFlinkConfiguration(flinkApplicationConfiguration: Record<string, unknown>) {
  return flinkApplication(flinkApplicationProps({ flinkApplicationConfiguration }));
}

function withProperties(propertyMap: Record<string, string>) {
  return flinkApplication(
    flinkApplicationProps({
      environmentProperties: { propertyGroups: [{ propertyGroupId: "kafka", propertyMap }] },
    }),
  );
}

const sqlApplication: PolicyCase = {
  title: "a SQL application is not applicable",
  input: flinkApplication({ ...base, runtimeEnvironment: "SQL-1_0" }),
  expect: { notApplicable: /SQL-1_0 is not an Apache Flink runtime/ },
};

const CONFLUENT_SECRET = "q7Vf2LmX9pRt4KbW8sYc1NdZ6hJu3GaE5oTi0PwQ8rSxVyBn2MkLd4FgHj7Ce9Au";

export const flinkCases: PolicyCaseTable[] = [
  {
    policy: flinkSupportedRuntime,
    cases: [
      ...SUPPORTED_FLINK_RUNTIMES.map((runtime): PolicyCase => ({
        title: `runtime ${runtime} complies`,
        input: flinkApplication({ ...base, runtimeEnvironment: runtime }),
        expect: "compliant",
      })),
      {
        title: "an out-of-support runtime is reported",
        input: flinkApplication({ ...base, runtimeEnvironment: "FLINK-1_15" }),
        expect: [/Runtime FLINK-1_15 is not one of FLINK-1_18, FLINK-1_19, FLINK-1_20, FLINK-2_2/],
      },
      {
        title: "a stack may narrow the supported set",
        input: flinkApplication({ ...base, runtimeEnvironment: "FLINK-1_18" }),
        config: { supportedRuntimes: ["FLINK-1_20"] },
        expect: [/not one of FLINK-1_20\./],
      },
      sqlApplication,
    ],
  },
  {
    policy: flinkCheckpointing,
    cases: [
      { title: "DEFAULT checkpointing complies", input: flinkApplication(), expect: "compliant" },
      {
        title: "CUSTOM with checkpointing on complies",
        input: withFlinkConfiguration({
          checkpointConfiguration: {
            configurationType: "CUSTOM",
            checkpointingEnabled: true,
            checkpointInterval: 60000,
          },
        }),
        expect: "compliant",
      },
      {
        title: "DEFAULT overrides a false flag",
        input: withFlinkConfiguration({
          checkpointConfiguration: { configurationType: "DEFAULT", checkpointingEnabled: false },
        }),
        expect: "compliant",
      },
      {
        title: "CUSTOM with checkpointing off is reported",
        input: withFlinkConfiguration({
          checkpointConfiguration: { configurationType: "CUSTOM", checkpointingEnabled: false },
        }),
        expect: [/does not set checkpointingEnabled: true/],
      },
      sqlApplication,
    ],
  },
  {
    policy: flinkSnapshots,
    cases: [
      { title: "prod app keeps snapshots", input: flinkApplication(), expect: "compliant" },
      {
        title: "an app without a snapshot configuration is reported",
        input: flinkApplication(flinkApplicationProps({ applicationSnapshotConfiguration: undefined })),
        expect: [/Snapshots are not enabled/],
      },
      {
        title: "snapshots off is reported",
        input: flinkApplication(
          flinkApplicationProps({ applicationSnapshotConfiguration: { snapshotsEnabled: false } }),
        ),
        expect: [/Snapshots are not enabled/],
      },
    ],
  },
  {
    policy: flinkLogging,
    cases: [
      { title: "an app logging to a stream complies", input: flinkApplication(), expect: "compliant" },
      {
        title: "preview: a log stream ARN not known yet complies",
        input: flinkApplication({ ...base, cloudwatchLoggingOptions: { logStreamArn: UNKNOWN_STRING } }),
        expect: "compliant",
      },
      {
        title: "an app without logging options is reported",
        input: flinkApplication({ ...base, cloudwatchLoggingOptions: undefined }),
        expect: [/No CloudWatch log stream is configured/],
      },
    ],
  },
  {
    policy: flinkParallelismBounds,
    cases: [
      { title: "parallelism 2 is within the default bounds", input: flinkApplication(), expect: "compliant" },
      {
        title: "parallelism at the stack's maximum complies",
        input: withFlinkConfiguration({
          parallelismConfiguration: { configurationType: "CUSTOM", parallelism: 4 },
        }),
        config: { maxParallelism: 4 },
        expect: "compliant",
      },
      {
        title: "DEFAULT ignores the parallelism value (AWS runs 1)",
        input: withFlinkConfiguration({
          parallelismConfiguration: { configurationType: "DEFAULT", parallelism: 100 },
        }),
        config: { maxParallelism: 4 },
        expect: "compliant",
      },
      {
        title: "parallelism above the stack's maximum is reported",
        input: withFlinkConfiguration({
          parallelismConfiguration: { configurationType: "CUSTOM", parallelism: 8 },
        }),
        config: { maxParallelism: 4 },
        expect: [/Parallelism 8 is outside 1\.\.4/],
      },
      {
        title: "the AWS default of 1 is below a minimum of 2",
        input: withFlinkConfiguration({}),
        config: { minParallelism: 2 },
        expect: [/Parallelism 1 is outside 2\.\.32/],
      },
    ],
  },
  {
    policy: flinkNoPlaintextSecrets,
    cases: [
      { title: "references to Secrets Manager comply", input: flinkApplication(), expect: "compliant" },
      {
        title: "a secret named by a .name key complies",
        input: withProperties({
          "kafka.secret.name": "flink-pipeline/dev/kafka_cluster/java_client",
          "bootstrap.servers": "pkc-1.us-east-1.aws.confluent.cloud:9092",
        }),
        expect: "compliant",
      },
      {
        title: "sasl.jaas.config with inline credentials is reported without echoing it",
        input: withProperties({
          "sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username='ABCDEFGH12345678' password='${CONFLUENT_SECRET}';`,
        }),
        expect: [
          /Property group "kafka", key "sasl.jaas.config": a JAAS login configuration with inline credentials\.(?!.*q7Vf2)/,
        ],
      },
      {
        title: "a password key is reported",
        input: withProperties({ "schema.registry.password": "hunter2" }),
        expect: [/key "schema.registry.password": the key names a credential/],
      },
      {
        title: "API-key shaped values are reported whatever the key",
        input: withProperties({ "client.id": "ZLDTNNFDQYOVUXSM", "client.extra": CONFLUENT_SECRET }),
        expect: [/key "client.id": a Confluent Cloud API key/, /key "client.extra": a high-entropy token/],
      },
      {
        title: "an ARN under a secret-sounding key is a reference",
        input: withProperties({ "kafka.credentials": arn.secret("kafka-AbC123") }),
        expect: "compliant",
      },
    ],
  },
];
