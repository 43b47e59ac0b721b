/**
 * The typed stack configuration and its validation. Every key lives under the project's namespace
 * (`flink-pipeline:`), structured by concern; every problem is reported at once, before any
 * resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { ArtifactSource, listArtifactFiles, zipEntryNames } from "../components/artifactContent";
import { NetworkConfig, readNetwork, validateNetworkForSource } from "./networkConfig";
import {
  GENERATED_PROPERTIES,
  GeneratedGroupId,
  MAX_PROPERTY_GROUPS,
  RUN_OPTIONS_GROUP,
} from "./propertyGroups";
import {
  INSTANT_FORMAT,
  MAX_PERIOD_DAYS,
  MAX_RETAIN,
  MIN_RETAIN,
  RotationSettings,
  deploymentTime,
  parseInstant,
} from "./rotation";
import { ConfigError, Section, describe } from "./validation";

export const NAMESPACE = "flink-pipeline";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const FLINK_RUNTIMES = ["FLINK-1_18", "FLINK-1_19", "FLINK-1_20", "FLINK-2_2"] as const;
export type FlinkRuntime = (typeof FLINK_RUNTIMES)[number];

export const SOURCE_KINDS = ["kinesis", "confluent"] as const;
export const STREAM_MODES = ["ON_DEMAND", "PROVISIONED"] as const;
export const INITIAL_POSITIONS = ["LATEST", "TRIM_HORIZON"] as const;
export const LANGUAGES = ["java", "python"] as const;
export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export const METRICS_LEVELS = ["APPLICATION", "OPERATOR", "PARALLELISM", "TASK"] as const;
export const RESTORE_TYPES = [
  "RESTORE_FROM_LATEST_SNAPSHOT",
  "RESTORE_FROM_CUSTOM_SNAPSHOT",
  "SKIP_RESTORE_FROM_SNAPSHOT",
] as const;

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The AWS-managed Kinesis key: encryption at rest with no key policy to maintain. */
export const AWS_MANAGED_KINESIS_KEY = "alias/aws/kinesis";

export interface KinesisSourceConfig {
  kind: "kinesis";
  /** Physical stream name. @default `<applicationName>-events` */
  streamName?: string;
  streamMode: (typeof STREAM_MODES)[number];
  /** Set only in PROVISIONED mode. */
  shardCount?: number;
  retentionHours: number;
  /** `alias/aws/kinesis` or a customer-managed key ARN. */
  kmsKeyId: string;
  enhancedFanOut: boolean;
  initialPosition: (typeof INITIAL_POSITIONS)[number];
}

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

export type SourceConfig = KinesisSourceConfig | ConfluentSourceConfig;

export interface TableConfig {
  /** Physical table name. @default `<applicationName>-features` */
  tableName?: string;
  partitionKey: string;
  sortKey: string;
  ttlAttribute: string;
  pointInTimeRecovery: boolean;
  deletionProtection: boolean;
}

/** Where the job's code comes from, resolved against the project directory. */
export type ArtifactConfig = ArtifactSource;

export interface PythonConfig {
  script: string;
  jarfile: string;
  pyFiles?: string;
}

export interface FlinkConfig {
  applicationName: string;
  runtime: FlinkRuntime;
  language: (typeof LANGUAGES)[number];
  artifact: ArtifactConfig;
  python: PythonConfig;
  parallelism: number;
  parallelismPerKpu: number;
  autoScaling: boolean;
  checkpointing: { enabled: boolean; intervalMs: number; minPauseMs: number };
  snapshots: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  metricsLevel: (typeof METRICS_LEVELS)[number];
  logRetentionDays: number;
  startApplication: boolean;
  restore: { type: (typeof RESTORE_TYPES)[number]; snapshotName?: string; allowNonRestoredState: boolean };
  forceStop: boolean;
  timeouts: { create: string; update: string; delete: string };
  properties: Record<string, Record<string, string>>;
}

/** CloudWatch alarms on the Flink application, their SNS topic and the dashboard. */
export interface AlarmsConfig {
  /** Create the alarms, topic and dashboard. */
  enabled: boolean;
  /** An address subscribed to the alarm topic (it must confirm the subscription). */
  email?: string;
  /** A customer-managed key for the topic; unset: the program creates one CloudWatch may use. */
  kmsKeyId?: string;
  /** Length of one alarm period, in seconds (a multiple of 60: Managed Flink publishes every minute). */
  periodSeconds: number;
  /** Periods the heap, CPU and lag alarms must breach in a row. */
  evaluationPeriods: number;
  /** Kinesis source: `millisBehindLatest` limit. */
  maxLagMs: number;
  /** Kafka source: `records_lag_max` limit. */
  maxLagRecords: number;
  heapPercent: number;
  cpuPercent: number;
  /** `lastCheckpointDuration` limit; defaults to half the checkpoint interval. */
  checkpointDurationMs: number;
}

export interface StackConfig {
  /** The environment tier: picks the policy config `policy/config/<environment>.json`. */
  environment: Environment;
  /** `protect` and `retainOnDelete` on the stream, table and artifact bucket. */
  protect: boolean;
  source: SourceConfig;
  table: TableConfig;
  flink: FlinkConfig;
  alarms: AlarmsConfig;
  /** Where the application's network interfaces live: public (default), a created VPC or an existing one. */
  network: NetworkConfig;
}

/** What validation needs besides the config values themselves. */
export interface ValidationContext {
  project: string;
  stack: string;
  /** Relative artifact paths resolve against this directory (the one holding Pulumi.yaml). */
  projectDir: string;
  /** A preview plans without the PyFlink jar; a deployment refuses it. */
  dryRun: boolean;
  /** The deployment time: a rotation epoch after it is refused. @default not checked */
  now?: Date;
  /** Whether a config key holds a secret; provider credentials given in plain text are refused. @default not checked */
  isSecret?: (key: string) => boolean;
}

const NAME_PATTERN = {
  regex: /^[a-zA-Z0-9_.-]{1,128}$/,
  describe: "1 to 128 letters, digits, '_', '.' or '-'",
};
const ATTRIBUTE_PATTERN = {
  regex: /^[a-zA-Z0-9_.-]{1,255}$/,
  describe: "1 to 255 letters, digits, '_', '.' or '-'",
};
const STREAM_NAME_PATTERN = { regex: /^[a-zA-Z0-9_.-]{1,128}$/, describe: NAME_PATTERN.describe };
const TABLE_NAME_PATTERN = {
  regex: /^[a-zA-Z0-9_.-]{3,255}$/,
  describe: "3 to 255 letters, digits, '_', '.' or '-'",
};
const KMS_KEY = {
  regex: /^(alias\/aws\/kinesis|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+)$/,
  describe: `"${AWS_MANAGED_KINESIS_KEY}" or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`,
};
const TIMEOUT = { regex: /^\d+(s|m|h)$/, describe: 'a duration such as "30m", "90s" or "2h"' };

const EMAIL = {
  regex: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  describe: "an e-mail address such as oncall@example.com",
};
const KMS_KEY_ARN = {
  regex: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/,
  describe: "a customer-managed KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
};
/** The AWS-managed SNS key: its policy cannot let CloudWatch publish, so alarms would fail silently. */
export const AWS_MANAGED_SNS_KEY = "alias/aws/sns";

/** The keys of our namespace that the program reads; any other is a typo. */
const TOP_LEVEL_KEYS = ["environment", "protect", "source", "table", "flink", "alarms", "network"] as const;

/**
 * Validates the full config map (as the CLI hands it to the program: `namespace:key` to a string,
 * objects JSON-encoded) and returns the typed config, or throws {@link ConfigError} listing every
 * problem.
 */
export function validateStackConfig(raw: Record<string, string>, context: ValidationContext): StackConfig {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(raw)) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
    const key = fullKey.slice(NAMESPACE.length + 1);
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      problems.push(
        `${fullKey} is not a known key; known keys: ${TOP_LEVEL_KEYS.map((k) => `${NAMESPACE}:${k}`).join(", ")}`,
      );
      continue;
    }
    values[key] = parseConfigValue(text);
  }

  const root = Section.of(`${NAMESPACE}:`, values, problems);
  const environment = root.oneOf("environment", ENVIRONMENTS, "dev");
  const protect = root.boolean("protect", false);

  const table = readTable(root.section("table"));
  const flink = readFlink(root.section("flink"), context);
  const source = readSource(root.section("source"), flink.applicationName, raw, context);
  const alarms = readAlarms(root.section("alarms"), flink.checkpointing, source.kind);
  const network = readNetwork(root.section("network"));
  problems.push(...validateNetworkForSource(network, source.kind));

  if (problems.length > 0) throw new ConfigError(problems);
  return { environment, protect, source, table, flink, alarms, network };
}

/** Config values are strings; structured ones arrive JSON-encoded, as the CLI passes them. */
function parseConfigValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function readSource(
  section: Section,
  applicationName: string,
  raw: Record<string, string>,
  context: ValidationContext,
): SourceConfig {
  const kind = section.oneOf("kind", SOURCE_KINDS, "kinesis");
  if (kind === "confluent") return readConfluentSource(section, applicationName, raw, context);
  return readKinesisSource(section);
}

function readKinesisSource(section: Section): KinesisSourceConfig {
  const streamName = section.optionalString("streamName", STREAM_NAME_PATTERN);
  const streamMode = section.oneOf("streamMode", STREAM_MODES, "ON_DEMAND");
  const shardCount = section.optionalInteger("shardCount", 1, 10000);
  if (streamMode === "PROVISIONED" && shardCount === undefined && !section.has("shardCount")) {
    section.problem(
      `${section.key("shardCount")} is required when ${section.key("streamMode")} is PROVISIONED`,
    );
  }
  if (streamMode === "ON_DEMAND" && section.has("shardCount")) {
    section.problem(
      `${section.key("shardCount")} applies only when ${section.key("streamMode")} is PROVISIONED (got streamMode ON_DEMAND)`,
    );
  }
  const source: KinesisSourceConfig = {
    kind: "kinesis",
    streamName,
    streamMode,
    shardCount: streamMode === "PROVISIONED" ? shardCount : undefined,
    retentionHours: section.integer("retentionHours", 24, 24, 8760),
    kmsKeyId: section.string("kmsKeyId", AWS_MANAGED_KINESIS_KEY, KMS_KEY),
    enhancedFanOut: section.boolean("enhancedFanOut", false),
    initialPosition: section.oneOf("initialPosition", INITIAL_POSITIONS, "LATEST"),
  };
  section.rejectUnknown();
  return source;
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
const SERVICE_ACCOUNT_NAME = {
  regex: /^[a-zA-Z0-9_.-]{1,64}$/,
  describe: "1 to 64 letters, digits, '_', '.' or '-'",
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

function readConfluentSource(
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
      `${section.key("serviceAccountName")} is required when the application name is longer than 64 characters (got ${describe(applicationName)})`,
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
  section.rejectUnknown();

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
    } else if (!CLIENT_PROPERTY.test(name)) {
      section.problem(
        `${section.key(field)}.${name} must be a property name of letters, digits, '_', '.' or '-'`,
      );
      delete properties[name];
    }
  }
  return properties;
}

function readTable(section: Section): TableConfig {
  const table: TableConfig = {
    tableName: section.optionalString("tableName", TABLE_NAME_PATTERN),
    partitionKey: section.string("partitionKey", "key", ATTRIBUTE_PATTERN),
    sortKey: section.string("sortKey", "featureName", ATTRIBUTE_PATTERN),
    ttlAttribute: section.string("ttlAttribute", "ttl", ATTRIBUTE_PATTERN),
    pointInTimeRecovery: section.boolean("pointInTimeRecovery", false),
    deletionProtection: section.boolean("deletionProtection", false),
  };
  if (table.partitionKey === table.sortKey) {
    section.problem(
      `${section.key("sortKey")} must differ from ${section.key("partitionKey")} (both are ${describe(table.sortKey)})`,
    );
  }
  section.rejectUnknown();
  return table;
}

function readFlink(section: Section, context: ValidationContext): FlinkConfig {
  const language = section.oneOf("language", LANGUAGES, "python");
  const pythonSection = section.section("python");
  const python: PythonConfig = {
    script: pythonSection.string("script", "main.py"),
    jarfile: pythonSection.string("jarfile", "lib/pyflink-dependencies.jar"),
    pyFiles: pythonSection.optionalString("pyFiles"),
  };
  pythonSection.rejectUnknown();
  if (language === "java" && section.has("python")) {
    section.problem(
      `${section.key("python")} applies only when ${section.key("language")} is python (got java)`,
    );
  }

  const artifactText = section.string("artifact", "app");
  const artifact = resolveArtifact(section, artifactText, language, python, context);

  const checkpointSection = section.section("checkpointing");
  const checkpointing = {
    enabled: checkpointSection.boolean("enabled", true),
    intervalMs: checkpointSection.integer("intervalMs", 60000, 1000),
    minPauseMs: checkpointSection.integer("minPauseMs", 5000, 0),
  };
  checkpointSection.rejectUnknown();

  const snapshots = section.boolean("snapshots", true);
  const restoreSection = section.section("restore");
  const restore = {
    type: restoreSection.oneOf(
      "type",
      RESTORE_TYPES,
      snapshots ? "RESTORE_FROM_LATEST_SNAPSHOT" : "SKIP_RESTORE_FROM_SNAPSHOT",
    ),
    snapshotName: restoreSection.optionalString("snapshotName"),
    allowNonRestoredState: restoreSection.boolean("allowNonRestoredState", false),
  };
  restoreSection.rejectUnknown();
  if (restore.type === "RESTORE_FROM_CUSTOM_SNAPSHOT" && restore.snapshotName === undefined) {
    section.problem(
      `${restoreSection.key("snapshotName")} is required when ${restoreSection.key("type")} is RESTORE_FROM_CUSTOM_SNAPSHOT`,
    );
  }
  if (restore.type !== "RESTORE_FROM_CUSTOM_SNAPSHOT" && restore.snapshotName !== undefined) {
    section.problem(
      `${restoreSection.key("snapshotName")} applies only when ${restoreSection.key("type")} is RESTORE_FROM_CUSTOM_SNAPSHOT (got ${restore.type})`,
    );
  }
  if (!snapshots && restore.type !== "SKIP_RESTORE_FROM_SNAPSHOT") {
    section.problem(
      `${restoreSection.key("type")} must be SKIP_RESTORE_FROM_SNAPSHOT when ${section.key("snapshots")} is false (got ${restore.type})`,
    );
  }

  const timeoutSection = section.section("timeouts");
  const timeouts = {
    create: timeoutSection.string("create", "30m", TIMEOUT),
    update: timeoutSection.string("update", "30m", TIMEOUT),
    delete: timeoutSection.string("delete", "30m", TIMEOUT),
  };
  timeoutSection.rejectUnknown();

  const flink: FlinkConfig = {
    applicationName: section.string("applicationName", `${context.project}-${context.stack}`, NAME_PATTERN),
    runtime: section.oneOf("runtime", FLINK_RUNTIMES, "FLINK-1_20"),
    language,
    artifact,
    python,
    parallelism: section.integer("parallelism", 1, 1),
    parallelismPerKpu: section.integer("parallelismPerKpu", 1, 1, 8),
    autoScaling: section.boolean("autoScaling", true),
    checkpointing,
    snapshots,
    logLevel: section.oneOf("logLevel", LOG_LEVELS, "INFO"),
    metricsLevel: section.oneOf("metricsLevel", METRICS_LEVELS, "APPLICATION"),
    logRetentionDays: readLogRetention(section),
    startApplication: section.boolean("startApplication", true),
    restore,
    forceStop: section.boolean("forceStop", false),
    timeouts,
    properties: readProperties(section, language),
  };
  section.rejectUnknown();
  return flink;
}

function readAlarms(
  section: Section,
  checkpointing: FlinkConfig["checkpointing"],
  sourceKind: string,
): AlarmsConfig {
  const checkpointKey = `${NAMESPACE}:flink.checkpointing`;
  const kmsKeyId = readAlarmKey(section);
  const periodSeconds = section.integer("periodSeconds", 60, 60, 3600);
  if (periodSeconds % 60 !== 0) {
    section.problem(
      `${section.key("periodSeconds")} must be a multiple of 60: Managed Flink publishes metrics every minute (got ${periodSeconds})`,
    );
  }
  const evaluationPeriods = section.integer("evaluationPeriods", 3, 1, 1440);
  if (periodSeconds * evaluationPeriods > 86400) {
    section.problem(
      `${section.key("evaluationPeriods")} x ${section.key("periodSeconds")} must not exceed one day (86400 s) (got ${evaluationPeriods} x ${periodSeconds} = ${periodSeconds * evaluationPeriods} s)`,
    );
  }
  if (sourceKind !== "kafka" && section.has("maxLagRecords")) {
    section.problem(
      `${section.key("maxLagRecords")} applies only when ${NAMESPACE}:source.kind is kafka (got ${sourceKind}); use ${section.key("maxLagMs")}`,
    );
  }
  const halfInterval = Math.floor(checkpointing.intervalMs / 2);
  const checkpointDurationMs = section.integer("checkpointDurationMs", halfInterval, 1);
  if (!checkpointing.enabled && section.has("checkpointDurationMs")) {
    section.problem(
      `${section.key("checkpointDurationMs")} applies only when ${checkpointKey}.enabled is true (got false)`,
    );
  } else if (checkpointDurationMs >= checkpointing.intervalMs) {
    section.problem(
      `${section.key("checkpointDurationMs")} must be below ${checkpointKey}.intervalMs (${checkpointing.intervalMs}): a checkpoint that takes the whole interval delays the next one (got ${checkpointDurationMs})`,
    );
  }
  const alarms: AlarmsConfig = {
    enabled: section.boolean("enabled", true),
    email: section.optionalString("email", EMAIL),
    kmsKeyId,
    periodSeconds,
    evaluationPeriods,
    maxLagMs: section.integer("maxLagMs", 60000, 1),
    maxLagRecords: section.integer("maxLagRecords", 10000, 1),
    heapPercent: section.integer("heapPercent", 90, 1, 100),
    cpuPercent: section.integer("cpuPercent", 80, 1, 100),
    checkpointDurationMs,
  };
  section.rejectUnknown();
  return alarms;
}

/** The topic's key: a customer-managed key, never the AWS-managed SNS key CloudWatch cannot use. */
function readAlarmKey(section: Section): string | undefined {
  const key = section.optionalString("kmsKeyId");
  if (key === undefined) return undefined;
  if (key === AWS_MANAGED_SNS_KEY) {
    section.problem(
      `${section.key("kmsKeyId")} must be ${KMS_KEY_ARN.describe}, not ${AWS_MANAGED_SNS_KEY}: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed key; leave it unset and the program creates a key CloudWatch may use`,
    );
    return undefined;
  }
  if (!KMS_KEY_ARN.regex.test(key)) {
    section.problem(`${section.key("kmsKeyId")} must be ${KMS_KEY_ARN.describe} (got ${describe(key)})`);
    return undefined;
  }
  return key;
}

function readLogRetention(section: Section): number {
  const days = section.optionalInteger("logRetentionDays", 1);
  if (days !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    section.problem(
      `${section.key("logRetentionDays")} must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${days})`,
    );
    return 30;
  }
  return days ?? 30;
}

function readProperties(
  section: Section,
  language: FlinkConfig["language"],
): Record<string, Record<string, string>> {
  const groups = section.section("properties");
  const properties: Record<string, Record<string, string>> = {};
  for (const groupId of groups.fieldNames()) {
    const group = groups.stringMap(groupId);
    const reserved: readonly string[] = GENERATED_PROPERTIES[groupId as GeneratedGroupId] ?? [];
    const overridden = Object.keys(group).filter((property) => reserved.includes(property));
    for (const property of overridden) {
      groups.problem(
        `${groups.key(groupId)}.${property} is generated from the wiring and cannot be set; generated keys of group ${groupId}: ${reserved.join(", ")}`,
      );
    }
    properties[groupId] = group;
  }
  const generated = language === "python" ? ["source", "sink", RUN_OPTIONS_GROUP] : ["source", "sink"];
  const total = new Set([...Object.keys(properties), ...generated]).size;
  if (total > MAX_PROPERTY_GROUPS) {
    section.problem(
      `${section.key("properties")} has too many groups: Managed Flink allows ${MAX_PROPERTY_GROUPS} including the ${generated.length} generated ones (got ${total})`,
    );
  }
  return properties;
}

function resolveArtifact(
  section: Section,
  text: string,
  language: FlinkConfig["language"],
  python: PythonConfig,
  context: ValidationContext,
): ArtifactConfig {
  const key = section.key("artifact");
  const allowed =
    language === "python"
      ? "a .zip file, a directory (zipped on deploy) or an s3://<bucket>/<key>.zip URI for language python"
      : "a .jar file or an s3://<bucket>/<key>.jar URI for language java";
  const fallback: ArtifactConfig = { kind: "directory", path: path.resolve(context.projectDir, text) };

  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(text);
  if (text.startsWith("s3://")) {
    if (!s3) {
      section.problem(`${key} must be ${allowed} (got ${describe(text)}: not an s3://<bucket>/<key> URI)`);
      return fallback;
    }
    const extension = path.extname(s3[2]).toLowerCase();
    if (extension !== (language === "python" ? ".zip" : ".jar")) {
      section.problem(`${key} must be ${allowed} (got ${describe(text)})`);
    }
    return { kind: "s3", bucket: s3[1], key: s3[2] };
  }

  const resolved = path.resolve(context.projectDir, text);
  if (!fs.existsSync(resolved)) {
    section.problem(`${key} must be ${allowed} (got ${describe(text)}: ${resolved} does not exist)`);
    return fallback;
  }
  const isDirectory = fs.statSync(resolved).isDirectory();
  const extension = path.extname(resolved).toLowerCase();
  const fits =
    language === "python" ? isDirectory || extension === ".zip" : !isDirectory && extension === ".jar";
  if (!fits) {
    section.problem(`${key} must be ${allowed} (got ${describe(text)})`);
    return fallback;
  }
  const artifact: ArtifactConfig = isDirectory
    ? { kind: "directory", path: resolved }
    : { kind: "file", path: resolved };
  if (language === "python" && !context.dryRun) requireConnectorJar(section, artifact, python);
  return artifact;
}

/**
 * A PyFlink app whose zip lacks its connector jar starts and then fails at runtime; a deployment
 * refuses it up front. A preview does not, so the plan works before the jar is built.
 */
function requireConnectorJar(section: Section, artifact: ArtifactConfig, python: PythonConfig): void {
  if (artifact.kind === "s3") return;
  const entries =
    artifact.kind === "directory"
      ? listArtifactFiles(artifact.path)
      : zipEntryNames(fs.readFileSync(artifact.path));
  const where = artifact.path;
  if (!entries.includes(python.jarfile)) {
    section.problem(
      `${section.key("artifact")} lacks the connector jar ${describe(python.jarfile)} named in ${section.key("python.jarfile")} (looked in ${where}); build it first, e.g. mvn -f app/pom.xml package`,
    );
  }
  if (!entries.includes(python.script)) {
    section.problem(
      `${section.key("artifact")} lacks the script ${describe(python.script)} named in ${section.key("python.script")} (looked in ${where})`,
    );
  }
}

/** Reads and validates the running stack's config; a {@link ConfigError} stops the program. */
export function loadStackConfig(): StackConfig {
  return validateStackConfig(pulumi.runtime.allConfig(), {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    projectDir: process.cwd(),
    dryRun: pulumi.runtime.isDryRun(),
    now: deploymentTime(),
    isSecret: configSecretChecker(),
  });
}

/**
 * `isConfigSecret` is SDK-internal (stable since 3.x, absent from the typings): it reads the
 * secret keys the CLI (or the mock runtime) hands the program. Without it nothing is checked.
 */
function configSecretChecker(): ((key: string) => boolean) | undefined {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return typeof runtime.isConfigSecret === "function" ? (key) => runtime.isConfigSecret!(key) : undefined;
}
