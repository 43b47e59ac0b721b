/** The `flink-pipeline:source` section for Confluent Cloud: `ConfluentSourceConfig`, topics, client settings. */
import type { ValidationContext } from "./config";
import {
  INSTANT_FORMAT,
  MAX_PERIOD_DAYS,
  MAX_RETAIN,
  MIN_RETAIN,
  RotationSettings,
  parseInstant,
} from "./rotation";
import { KMS_KEY_ARN, Section, describe } from "./validation";

/** A Kafka topic the program manages: created with this partition count and topic config. */
export interface TopicConfig {
  name: string;
  partitions: number;
  /** Topic settings such as `retention.ms` or `cleanup.policy`, as strings. */
  config: Record<string, string>;
}

export const STARTING_OFFSETS = ["committed", "earliest", "latest"] as const;

/** Recommended settings of a Java client on Confluent Cloud; a stack overrides them one by one. */
export const CONFLUENT_CLIENT_DEFAULTS = {
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
    // Confluent Cloud caps transactions at 15 minutes; Flink's exactly-once sink defaults to 1 hour.
    "transaction.timeout.ms": "900000",
  },
} as const;

/** Client properties that are credentials: they live in the Secrets Manager secrets only. */
export const CREDENTIAL_PROPERTIES = [
  "sasl.jaas.config",
  "basic.auth.user.info",
  "sasl.password",
  "ssl.key.password",
];

/**
 * Client properties the job derives from the wiring (the `source` property group and
 * `startingOffsets`); set in `clientConfig` they would contradict it.
 */
export const WIRED_PROPERTIES = ["bootstrap.servers", "group.id", "auto.offset.reset"];

/** Generation 0 of the API keys starts here unless a stack sets its own epoch. */
export const DEFAULT_ROTATION_EPOCH = "2025-01-01T00:00:00Z";

export interface ConfluentSourceConfig {
  kind: "confluent";
  /** The existing Confluent Cloud environment (`env-...`). */
  environmentId: string;
  /** The existing Kafka cluster (`lkc-...`) in that environment. */
  clusterId: string;
  /** Topics the job reads; the program creates them. */
  topics: TopicConfig[];
  /** Topics the job writes, if any; the program creates them. */
  sinkTopics: TopicConfig[];
  /** The job's consumer group id; the read ACL covers every group starting with it. */
  consumerGroup: string;
  /** Display name of the job's service account (64 characters at most). */
  serviceAccountName: string;
  startingOffsets: (typeof STARTING_OFFSETS)[number];
  rotation: RotationSettings;
  clientConfig: {
    /** Root of the secret names and parameter paths, e.g. `/confluent_cloud_resource/<account>`. */
    prefix: string;
    /** Consumer properties written to SSM: the defaults with the stack's overrides. */
    consumer: Record<string, string>;
    producer: Record<string, string>;
  };
  /** Customer-managed KMS key for the secrets; the AWS-managed key when unset. */
  secretsKmsKeyArn?: string;
}

const CONFLUENT_ENVIRONMENT = {
  regex: /^env-[a-z0-9]+$/,
  describe: 'a Confluent Cloud environment id such as "env-abc123"',
};
const CONFLUENT_CLUSTER = { regex: /^lkc-[a-z0-9]+$/, describe: 'a Kafka cluster id such as "lkc-abc123"' };
const TOPIC_NAME = {
  regex: /^[a-zA-Z0-9._-]{1,249}$/,
  describe: "1 to 249 letters, digits, '.', '_' or '-'",
};
const GROUP_ID = { regex: /^[a-zA-Z0-9._-]{1,249}$/, describe: "1 to 249 letters, digits, '.', '_' or '-'" };
/** Confluent allows 64 characters; the topic manager's account adds "-manager" (8) to this name. */
const SERVICE_ACCOUNT_NAME = {
  regex: /^[a-zA-Z0-9_.-]{1,56}$/,
  describe:
    "1 to 56 letters, digits, '_', '.' or '-' (Confluent allows 64, and the manager account adds \"-manager\")",
};
const PARAMETER_PREFIX = {
  regex: /^(\/[a-zA-Z0-9_.-]+)+$/,
  describe:
    "a path of letters, digits, '_', '.' or '-' starting with \"/\", such as \"/confluent_cloud_resource/my-job\"",
};
const CLIENT_PROPERTY = /^[a-zA-Z0-9_.-]{1,200}$/;
/** Provider settings that must be Pulumi secrets so they never reach the state in plain text. */
export const CONFLUENT_CREDENTIAL_KEYS = [
  "confluentcloud:cloudApiKey",
  "confluentcloud:cloudApiSecret",
] as const;

/** Reads the fields of this kind; readSource reports the unknown ones, telling the other kind's apart. */
export function readConfluentSource(
  section: Section,
  applicationName: string,
  raw: Record<string, string>,
  context: ValidationContext,
): ConfluentSourceConfig {
  const required = (field: string, pattern: { regex: RegExp; describe: string }): string => {
    const value = section.optionalString(field, pattern);
    if (value === undefined && !section.has(field)) {
      section.problem(`${section.key(field)} is required when ${section.key("kind")} is confluent`);
    }
    return value ?? "";
  };
  const environmentId = required("environmentId", CONFLUENT_ENVIRONMENT);
  const clusterId = required("clusterId", CONFLUENT_CLUSTER);

  const topics = readTopics(section, "topics");
  if (topics.length === 0 && !section.has("topics")) {
    section.problem(
      `${section.key("topics")} is required when ${section.key("kind")} is confluent: list the topics the job reads`,
    );
  } else if (topics.length === 0 && section.has("topics")) {
    section.problem(`${section.key("topics")} must list at least one topic`);
  }
  const sinkTopics = readTopics(section, "sinkTopics");
  const seen = new Set<string>();
  for (const topic of [...topics, ...sinkTopics]) {
    if (seen.has(topic.name)) {
      section.problem(
        `${section.key("topics")} and ${section.key("sinkTopics")} name the topic ${describe(topic.name)} more than once`,
      );
    }
    seen.add(topic.name);
  }

  const consumerGroup = section.string("consumerGroup", applicationName, GROUP_ID);
  const serviceAccountName =
    section.optionalString("serviceAccountName", SERVICE_ACCOUNT_NAME) ?? applicationName;
  if (!section.has("serviceAccountName") && !SERVICE_ACCOUNT_NAME.regex.test(applicationName)) {
    section.problem(
      `${section.key("serviceAccountName")} is required when the application name is longer than 56 characters (got ${describe(applicationName)})`,
    );
  }

  const rotationSection = section.section("rotation");
  const epochText = rotationSection.string("epoch", DEFAULT_ROTATION_EPOCH);
  const epoch = parseInstant(epochText);
  if (epoch === undefined) {
    rotationSection.problem(
      `${rotationSection.key("epoch")} must be ${INSTANT_FORMAT} (got ${describe(epochText)})`,
    );
  } else if (context.now !== undefined && epoch.getTime() > context.now.getTime()) {
    rotationSection.problem(
      `${rotationSection.key("epoch")} must not be later than the deployment time ${context.now.toISOString()} (got ${describe(epochText)})`,
    );
  }
  const rotation: RotationSettings = {
    epoch: epochText,
    periodDays: rotationSection.integer("periodDays", 30, 1, MAX_PERIOD_DAYS),
    retain: rotationSection.integer("retain", 2, MIN_RETAIN, MAX_RETAIN),
  };
  rotationSection.rejectUnknown();

  const clientSection = section.section("clientConfig");
  const prefix = clientSection.string(
    "prefix",
    `/confluent_cloud_resource/${serviceAccountName}`,
    PARAMETER_PREFIX,
  );
  const clientConfig = {
    prefix,
    consumer: { ...CONFLUENT_CLIENT_DEFAULTS.consumer, ...readClientProperties(clientSection, "consumer") },
    producer: { ...CONFLUENT_CLIENT_DEFAULTS.producer, ...readClientProperties(clientSection, "producer") },
  };
  clientSection.rejectUnknown();

  const source: ConfluentSourceConfig = {
    kind: "confluent",
    environmentId,
    clusterId,
    topics,
    sinkTopics,
    consumerGroup,
    serviceAccountName,
    startingOffsets: section.oneOf("startingOffsets", STARTING_OFFSETS, "committed"),
    rotation,
    clientConfig,
    secretsKmsKeyArn: section.optionalString("secretsKmsKeyArn", KMS_KEY_ARN),
  };

  if (context.isSecret) {
    for (const key of CONFLUENT_CREDENTIAL_KEYS) {
      if (raw[key] !== undefined && !context.isSecret(key)) {
        section.problem(
          `${key} must be a secret so it stays encrypted in config and state: pulumi config set --secret ${key} <value>`,
        );
      }
    }
  }
  return source;
}

function readTopics(section: Section, field: string): TopicConfig[] {
  const topics: TopicConfig[] = [];
  for (const topicSection of section.list(field) ?? []) {
    const name = topicSection.optionalString("name", TOPIC_NAME);
    if (name === undefined && !topicSection.has("name"))
      topicSection.problem(`${topicSection.key("name")} is required`);
    const topic: TopicConfig = {
      name: name ?? "",
      partitions: topicSection.integer("partitions", 6, 1, 4096),
      config: topicSection.stringMap("config"),
    };
    topicSection.rejectUnknown();
    if (name !== undefined) topics.push(topic);
  }
  return topics;
}

function readClientProperties(section: Section, field: string): Record<string, string> {
  const properties = section.stringMap(field);
  for (const name of Object.keys(properties)) {
    if (CREDENTIAL_PROPERTIES.includes(name)) {
      section.problem(
        `${section.key(field)}.${name} is a credential: the program writes it to the Secrets Manager secrets, never to SSM parameters`,
      );
      delete properties[name];
    } else if (WIRED_PROPERTIES.includes(name)) {
      section.problem(
        `${section.key(field)}.${name} comes from the wiring (the source property group and startingOffsets) and cannot be set; set-by-program properties: ${WIRED_PROPERTIES.join(", ")}`,
      );
      delete properties[name];
    } else if (!CLIENT_PROPERTY.test(name)) {
      section.problem(
        `${section.key(field)}.${name} must be a property name of letters, digits, '_', '.' or '-'`,
      );
      delete properties[name];
    }
  }
  return properties;
}
