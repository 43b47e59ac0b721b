import { strict as assert } from "assert";
import { ValidationContext } from "../../stacks/config";
import { ConfluentSourceConfig } from "../../stacks/confluentConfig";
import { cliConfig, configProblems, directoryWith, onePipelineConfig } from "../helpers";

const workDir = directoryWith({ "job/main.py": "print('job')\n" });

const context: ValidationContext = {
  project: "flink-pipeline",
  stack: "team-a",
  projectDir: workDir,
  dryRun: true,
  now: new Date("2025-06-01T00:00:00Z"),
};

const SOURCE = {
  kind: "confluent",
  environmentId: "env-abc123",
  clusterId: "lkc-abc123",
  topics: [{ name: "orders" }],
};

/** Validates values given as objects (as the CLI passes them: JSON strings). */
function validate(values: Record<string, unknown>, overrides: Partial<ValidationContext> = {}) {
  return onePipelineConfig(cliConfig({ "flink-pipeline:flink": { artifact: "job" }, ...values }), {
    ...context,
    ...overrides,
  });
}

function confluent(
  source: Record<string, unknown>,
  overrides: Partial<ValidationContext> = {},
): ConfluentSourceConfig {
  const config = validate({ "flink-pipeline:source": source }, overrides);
  assert.equal(config.source.kind, "confluent");
  return config.source as ConfluentSourceConfig;
}

function problemsOf(values: Record<string, unknown>, overrides: Partial<ValidationContext> = {}): string[] {
  return configProblems(() => validate(values, overrides));
}

describe("confluent source config", () => {
  it("fills every default from the ids and topics alone", () => {
    assert.deepEqual(confluent(SOURCE), {
      kind: "confluent",
      environmentId: "env-abc123",
      clusterId: "lkc-abc123",
      topics: [{ name: "orders", partitions: 6, config: {} }],
      sinkTopics: [],
      consumerGroup: "flink-pipeline-team-a",
      serviceAccountName: "flink-pipeline-team-a",
      startingOffsets: "committed",
      rotation: { epoch: "2025-01-01T00:00:00Z", periodDays: 30, retain: 2 },
      clientConfig: {
        prefix: "/confluent_cloud_resource/flink-pipeline-team-a",
        consumer: {
          "security.protocol": "SASL_SSL",
          "sasl.mechanism": "PLAIN",
          "client.dns.lookup": "use_all_dns_ips",
          "session.timeout.ms": "45000",
        },
        producer: {
          "security.protocol": "SASL_SSL",
          "sasl.mechanism": "PLAIN",
          "client.dns.lookup": "use_all_dns_ips",
          "session.timeout.ms": "45000",
          acks: "all",
          "transaction.timeout.ms": "900000",
        },
      },
      secretsKmsKeyArn: undefined,
    });
  });

  it("derives the account, group and prefix from the application name", () => {
    const source = confluent(SOURCE);
    const named = validate({
      "flink-pipeline:source": SOURCE,
      "flink-pipeline:flink": { artifact: "job", applicationName: "scoring" },
    }).source as ConfluentSourceConfig;
    assert.equal(source.serviceAccountName, "flink-pipeline-team-a");
    assert.equal(named.serviceAccountName, "scoring");
    assert.equal(named.consumerGroup, "scoring");
    assert.equal(named.clientConfig.prefix, "/confluent_cloud_resource/scoring");
  });

  it("keeps the stack's topics, sink topics, rotation and client overrides", () => {
    const source = confluent({
      ...SOURCE,
      topics: [
        {
          name: "orders",
          partitions: 12,
          config: { "retention.ms": 604800000, "cleanup.policy": "compact" },
        },
      ],
      sinkTopics: [{ name: "order-features" }],
      consumerGroup: "scoring",
      serviceAccountName: "scoring-job",
      startingOffsets: "earliest",
      rotation: { epoch: "2025-03-01", periodDays: 7, retain: 3 },
      clientConfig: {
        prefix: "/teams/scoring",
        consumer: { "session.timeout.ms": 30000, "max.poll.records": 500 },
      },
      secretsKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    assert.deepEqual(source.topics, [
      {
        name: "orders",
        partitions: 12,
        config: { "retention.ms": "604800000", "cleanup.policy": "compact" },
      },
    ]);
    assert.deepEqual(source.sinkTopics, [{ name: "order-features", partitions: 6, config: {} }]);
    assert.equal(source.consumerGroup, "scoring");
    assert.equal(source.serviceAccountName, "scoring-job");
    assert.equal(source.startingOffsets, "earliest");
    assert.deepEqual(source.rotation, { epoch: "2025-03-01", periodDays: 7, retain: 3 });
    assert.equal(source.clientConfig.prefix, "/teams/scoring");
    assert.equal(source.clientConfig.consumer["session.timeout.ms"], "30000");
    assert.equal(source.clientConfig.consumer["max.poll.records"], "500");
    assert.equal(source.clientConfig.consumer["security.protocol"], "SASL_SSL");
    assert.equal(source.clientConfig.producer.acks, "all");
    assert.equal(
      source.secretsKmsKeyArn,
      "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
  });

  it("accepts provider credentials set as secrets", () => {
    const values = {
      "flink-pipeline:source": SOURCE,
      "confluentcloud:cloudApiKey": "KEY",
      "confluentcloud:cloudApiSecret": "SECRET",
    };
    assert.deepEqual(problemsOf(values, { isSecret: () => true }), []);
  });

  it("does not require provider credentials: the provider may read them from its environment", () => {
    assert.deepEqual(problemsOf({ "flink-pipeline:source": SOURCE }, { isSecret: () => false }), []);
  });

  const KNOWN =
    "clientConfig, clusterId, consumerGroup, environmentId, kind, rotation, secretsKmsKeyArn, serviceAccountName, sinkTopics, startingOffsets, topics";
  const badInputs: {
    name: string;
    values: Record<string, unknown>;
    expected: string[];
    context?: Partial<ValidationContext>;
  }[] = [
    {
      name: "a confluent source without ids or topics",
      values: { "flink-pipeline:source": { kind: "confluent" } },
      expected: [
        "flink-pipeline:source.environmentId is required when flink-pipeline:source.kind is confluent",
        "flink-pipeline:source.clusterId is required when flink-pipeline:source.kind is confluent",
        "flink-pipeline:source.topics is required when flink-pipeline:source.kind is confluent: list the topics the job reads",
      ],
    },
    {
      name: "ids of the wrong kind",
      values: {
        "flink-pipeline:source": { ...SOURCE, environmentId: "lkc-abc123", clusterId: "env-abc123" },
      },
      expected: [
        'flink-pipeline:source.environmentId must be a Confluent Cloud environment id such as "env-abc123" (got "lkc-abc123")',
        'flink-pipeline:source.clusterId must be a Kafka cluster id such as "lkc-abc123" (got "env-abc123")',
      ],
    },
    {
      name: "Kinesis fields on a confluent source",
      values: { "flink-pipeline:source": { ...SOURCE, streamMode: "ON_DEMAND" } },
      expected: [
        "flink-pipeline:source.kind is confluent, but streamMode is a key of kind kinesis: set flink-pipeline:source.kind: kinesis, or remove it",
      ],
    },
    {
      name: "a field of neither kind",
      values: { "flink-pipeline:source": { ...SOURCE, replicas: 3 } },
      expected: [`flink-pipeline:source.replicas is not a known key; known keys: ${KNOWN}`],
    },
    {
      name: "confluent fields on a Kinesis source",
      values: { "flink-pipeline:source": { kind: "kinesis", clusterId: "lkc-abc123" } },
      expected: [
        "flink-pipeline:source.kind is kinesis, but clusterId is a key of kind confluent: set flink-pipeline:source.kind: confluent, or remove it",
      ],
    },
    {
      name: "an empty topic list",
      values: { "flink-pipeline:source": { ...SOURCE, topics: [] } },
      expected: ["flink-pipeline:source.topics must list at least one topic"],
    },
    {
      name: "topics that are not a list",
      values: { "flink-pipeline:source": { ...SOURCE, topics: "orders" } },
      expected: [
        'flink-pipeline:source.topics must be a list (got "orders")',
        "flink-pipeline:source.topics must list at least one topic",
      ],
    },
    {
      name: "a topic without a name, and a bad partition count",
      values: { "flink-pipeline:source": { ...SOURCE, topics: [{ partitions: 0 }] } },
      expected: [
        "flink-pipeline:source.topics[0].name is required",
        "flink-pipeline:source.topics[0].partitions must be an integer between 1 and 4096 (got 0)",
        "flink-pipeline:source.topics must list at least one topic",
      ],
    },
    {
      name: "a topic name Kafka refuses, and a typo in a topic",
      values: {
        "flink-pipeline:source": { ...SOURCE, topics: [{ name: "orders/v1" }, { name: "b", partition: 3 }] },
      },
      expected: [
        `flink-pipeline:source.topics[0].name must be 1 to 249 letters, digits, '.', '_' or '-' (got "orders/v1")`,
        "flink-pipeline:source.topics[1].partition is not a known key; did you mean flink-pipeline:source.topics[1].partitions?",
      ],
    },
    {
      name: "a topic both read and written",
      values: { "flink-pipeline:source": { ...SOURCE, sinkTopics: [{ name: "orders" }] } },
      expected: [
        'flink-pipeline:source.topics and flink-pipeline:source.sinkTopics name the topic "orders" more than once',
      ],
    },
    {
      name: "retain 1, which leaves no overlap",
      values: { "flink-pipeline:source": { ...SOURCE, rotation: { retain: 1 } } },
      expected: ["flink-pipeline:source.rotation.retain must be an integer between 2 and 4 (got 1)"],
    },
    {
      name: "retain beyond Confluent's 10 keys per service account",
      values: { "flink-pipeline:source": { ...SOURCE, rotation: { retain: 5 } } },
      expected: ["flink-pipeline:source.rotation.retain must be an integer between 2 and 4 (got 5)"],
    },
    {
      name: "a zero rotation period",
      values: { "flink-pipeline:source": { ...SOURCE, rotation: { periodDays: 0 } } },
      expected: ["flink-pipeline:source.rotation.periodDays must be an integer between 1 and 365 (got 0)"],
    },
    {
      name: "an epoch without a time zone",
      values: { "flink-pipeline:source": { ...SOURCE, rotation: { epoch: "2025-01-01T00:00:00" } } },
      expected: [
        'flink-pipeline:source.rotation.epoch must be an ISO-8601 date or UTC/offset time such as "2025-01-01" or "2025-01-01T00:00:00Z" (got "2025-01-01T00:00:00")',
      ],
    },
    {
      name: "an epoch after the deployment time",
      values: { "flink-pipeline:source": { ...SOURCE, rotation: { epoch: "2025-07-01" } } },
      expected: [
        'flink-pipeline:source.rotation.epoch must not be later than the deployment time 2025-06-01T00:00:00.000Z (got "2025-07-01")',
      ],
    },
    {
      name: "a typo in the rotation settings",
      values: { "flink-pipeline:source": { ...SOURCE, rotation: { periodDay: 7 } } },
      expected: [
        "flink-pipeline:source.rotation.periodDay is not a known key; did you mean flink-pipeline:source.rotation.periodDays?",
      ],
    },
    {
      name: "an empty client setting, which SSM cannot store",
      values: {
        "flink-pipeline:source": { ...SOURCE, clientConfig: { consumer: { "client.id": "" } } },
      },
      expected: [
        'flink-pipeline:source.clientConfig.consumer.client.id must be a non-empty string, a number or a boolean (got "")',
      ],
    },
    {
      name: "a credential among the SSM client settings",
      values: {
        "flink-pipeline:source": {
          ...SOURCE,
          clientConfig: { consumer: { "sasl.jaas.config": "PlainLoginModule ..." } },
        },
      },
      expected: [
        "flink-pipeline:source.clientConfig.consumer.sasl.jaas.config is a credential: the program writes it to the Secrets Manager secrets, never to SSM parameters",
      ],
    },
    {
      name: "a group id in the consumer settings",
      values: {
        "flink-pipeline:source": { ...SOURCE, clientConfig: { consumer: { "group.id": "other-group" } } },
      },
      expected: [
        "flink-pipeline:source.clientConfig.consumer.group.id comes from the wiring (the source property group and startingOffsets) and cannot be set; set-by-program properties: bootstrap.servers, group.id, auto.offset.reset",
      ],
    },
    {
      name: "a parameter prefix without a leading slash",
      values: { "flink-pipeline:source": { ...SOURCE, clientConfig: { prefix: "confluent/job" } } },
      expected: [
        `flink-pipeline:source.clientConfig.prefix must be a path of letters, digits, '_', '.' or '-' starting with "/", such as "/confluent_cloud_resource/my-job" (got "confluent/job")`,
      ],
    },
    {
      name: "a KMS alias instead of a key ARN",
      values: { "flink-pipeline:source": { ...SOURCE, secretsKmsKeyArn: "alias/kafka-secrets" } },
      expected: [
        'flink-pipeline:source.secretsKmsKeyArn must be a customer-managed KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) (got "alias/kafka-secrets")',
      ],
    },
    {
      name: "an unknown starting offset",
      values: { "flink-pipeline:source": { ...SOURCE, startingOffsets: "TRIM_HORIZON" } },
      expected: [
        'flink-pipeline:source.startingOffsets must be one of committed, earliest, latest (got "TRIM_HORIZON")',
      ],
    },
    {
      name: "a service account name too long for its manager account's name",
      values: { "flink-pipeline:source": { ...SOURCE, serviceAccountName: "a".repeat(57) } },
      expected: [
        `flink-pipeline:source.serviceAccountName must be 1 to 56 letters, digits, '_', '.' or '-' (Confluent allows 64, and the manager account adds "-manager") (got "${"a".repeat(57)}")`,
      ],
    },
    {
      name: "an application name too long to name the service account",
      values: {
        "flink-pipeline:source": SOURCE,
        "flink-pipeline:flink": { artifact: "job", applicationName: "j".repeat(70) },
      },
      expected: [
        `flink-pipeline:source.serviceAccountName is required when the application name is longer than 56 characters (got "${"j".repeat(70)}")`,
      ],
    },
    {
      name: "provider credentials in plain text",
      values: {
        "flink-pipeline:source": SOURCE,
        "confluentcloud:cloudApiKey": "KEY",
        "confluentcloud:cloudApiSecret": "SECRET",
      },
      context: { isSecret: (key) => key === "confluentcloud:cloudApiKey" },
      expected: [
        "confluentcloud:cloudApiSecret must be a secret so it stays encrypted in config and state: pulumi config set --secret confluentcloud:cloudApiSecret <value>",
      ],
    },
    {
      name: "an unknown source kind",
      values: { "flink-pipeline:source": { kind: "msk" } },
      expected: ['flink-pipeline:source.kind must be one of kinesis, confluent (got "msk")'],
    },
  ];

  for (const { name, values, expected, context: overrides } of badInputs) {
    it(`rejects ${name}`, () => {
      assert.deepEqual(problemsOf(values, overrides).sort(), [...expected].sort());
    });
  }
});
