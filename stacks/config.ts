/**
 * The typed stack configuration and its validation. Every key lives under the project's namespace
 * (`flink-pipeline:`), structured by concern; every problem is reported at once, before any
 * resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { parse } from "yaml";
import { AlarmsConfig, readAlarmTopic, readAlarms } from "./alarmsConfig";
import { ConfluentSourceConfig, readConfluentSource } from "./confluentConfig";
import { FlinkConfig, readFlink } from "./flinkConfig";
import { KinesisSourceConfig, readKinesisSource } from "./kinesisConfig";
import { didYouMean, namespaceProblems } from "./namespaces";
import { NetworkConfig, readNetwork, validateNetworkForSource } from "./networkConfig";
import { deploymentTime } from "./rotation";
import { ConfigError, Section, describe } from "./validation";

export const NAMESPACE = "flink-pipeline";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const SOURCE_KINDS = ["kinesis", "confluent"] as const;

export type SourceConfig = KinesisSourceConfig | ConfluentSourceConfig;

export interface TableConfig {
  /** Physical table name. @default `<applicationName>-features` */
  tableName: string;
  partitionKey: string;
  sortKey: string;
  ttlAttribute: string;
  pointInTimeRecovery: boolean;
  deletionProtection: boolean;
}

/** One pipeline's sections: a stack's top-level ones, or one entry of `flink-pipeline:pipelines`. */
export interface PipelineConfig {
  /** What the job reads: a Kinesis stream or Confluent Cloud topics, created for it. @default a Kinesis stream `<application>-events`, on demand */
  source: SourceConfig;
  /** The DynamoDB table the job writes. @default `<application>-features`, keys `key` / `featureName` */
  table: TableConfig;
  /** The Managed Flink application and its artifact. @default the PyFlink job in `app`, FLINK-1_20 */
  flink: FlinkConfig;
  /** Its alarms (and, without a shared topic, their topic, key and dashboard). @default enabled */
  alarms: AlarmsConfig;
}

/** The keys of a stack that every pipeline of it shares. */
export interface StackSettings {
  /** The environment tier: picks the policy config `policy/config/<environment>.json`. */
  environment: Environment;
  /** `protect` and `retainOnDelete` on the streams, tables and artifact bucket. */
  protect: boolean;
  /** Where the applications' network interfaces live: public (default), a created VPC or an existing one. */
  network: NetworkConfig;
}

/** A stack of one pipeline: its top-level `source`, `table`, `flink` and `alarms`. */
export interface StackConfig extends StackSettings, PipelineConfig {}

/**
 * A stack of several pipelines (`flink-pipeline:pipelines`), which share one artifact bucket, one
 * alarm topic (and key) and dashboard, one network and one Confluent manager account per cluster.
 */
export interface PipelinesStackConfig extends StackSettings {
  /** By pipeline name, in the config file's order. */
  pipelines: Record<string, PipelineConfig>;
  /** The shared alarm topic's subscription and key: `flink-pipeline:alarms.email` and `.kmsKeyId`. */
  alarmTopic: Pick<AlarmsConfig, "email" | "kmsKeyId">;
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
  /**
   * The values `Pulumi.yaml` declares as defaults (`namespace:key` to a JSON string), which the CLI
   * hands the program when a stack sets none: with `pipelines`, a top-level `source`, `table` or
   * `flink` equal to its default is not the stack's. @default none (every top-level value is the stack's)
   */
  projectDefaults?: Record<string, string>;
}

const ATTRIBUTE_PATTERN = {
  regex: /^[a-zA-Z0-9_.-]{1,255}$/,
  describe: "1 to 255 letters, digits, '_', '.' or '-'",
};
const TABLE_NAME_PATTERN = {
  regex: /^[a-zA-Z0-9_.-]{3,255}$/,
  describe: "3 to 255 letters, digits, '_', '.' or '-'",
};

/** The keys of our namespace that the program reads; any other is a typo. */
const TOP_LEVEL_KEYS = [
  "environment",
  "protect",
  "source",
  "table",
  "flink",
  "alarms",
  "network",
  "pipelines",
] as const;

/** The sections of one pipeline, at the top level or under `pipelines.<name>`. */
const PIPELINE_SECTIONS = ["source", "table", "flink", "alarms"] as const;

/** A pipeline's name: the last part of its default names (`<project>-<stack>-<pipeline>`). */
const PIPELINE_NAME = {
  regex: /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/,
  describe: "1 to 32 lower-case letters, digits or '-', not starting or ending with '-'",
};

/** What the shared alarm topic takes from the top-level `alarms` of a stack with `pipelines`. */
const SHARED_ALARM_KEYS = ["email", "kmsKeyId"] as const;

/**
 * Validates the full config map (as the CLI hands it to the program: `namespace:key` to a string,
 * objects JSON-encoded) and returns the typed config, or throws {@link ConfigError} listing every
 * problem.
 */
export function validateStack(
  raw: Record<string, string>,
  context: ValidationContext,
): StackConfig | PipelinesStackConfig {
  const problems: string[] = namespaceProblems(raw, NAMESPACE);
  const values: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(raw)) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
    const key = fullKey.slice(NAMESPACE.length + 1);
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      const hint = didYouMean(key, TOP_LEVEL_KEYS, `${NAMESPACE}:`);
      problems.push(
        `${fullKey} is not a known key${hint || `; known keys: ${TOP_LEVEL_KEYS.map((k) => `${NAMESPACE}:${k}`).join(", ")}`}`,
      );
      continue;
    }
    values[key] = parseConfigValue(text);
  }

  const root = Section.of(`${NAMESPACE}:`, values, problems);
  const environment = root.oneOf("environment", ENVIRONMENTS, "dev");
  const protect = root.boolean("protect", false);
  const network = readNetwork(root.section("network"));
  const settings = { environment, protect, network };

  if (!root.has("pipelines")) {
    const pipeline = readPipeline(root, `${context.project}-${context.stack}`, raw, context);
    problems.push(...validateNetworkForSource(network, pipeline.source.kind));
    if (problems.length > 0) throw new ConfigError(problems);
    return { ...settings, ...pipeline };
  }

  const setByStack = (section: string) =>
    root.has(section) &&
    !isDeepStrictEqual(
      values[section],
      parseConfigValue(context.projectDefaults?.[root.key(section)] ?? "null"),
    );
  for (const section of PIPELINE_SECTIONS) {
    root.markRead(section);
    if (section === "alarms" || !setByStack(section)) continue;
    problems.push(
      `${root.key(section)} is per pipeline when ${root.key("pipelines")} is set: move it to ${root.key("pipelines")}.<name>.${section}`,
    );
  }
  const alarmTopic = setByStack("alarms")
    ? readSharedAlarms(root.section("alarms"), root.key("pipelines"))
    : {};
  const pipelinesSection = root.section("pipelines");
  const names = pipelinesSection.fieldNames();
  if (names.length === 0) {
    problems.push(`${root.key("pipelines")} must name at least one pipeline (got none)`);
  }
  const pipelines: Record<string, PipelineConfig> = {};
  for (const name of names) {
    if (!PIPELINE_NAME.regex.test(name)) {
      problems.push(`${pipelinesSection.key(name)}: a pipeline's name must be ${PIPELINE_NAME.describe}`);
      continue;
    }
    const section = pipelinesSection.section(name);
    const pipeline = readPipeline(section, `${context.project}-${context.stack}-${name}`, raw, context);
    for (const field of SHARED_ALARM_KEYS.filter((field) => section.section("alarms").has(field))) {
      problems.push(
        `${section.key(`alarms.${field}`)} is the shared alarm topic's: the stack's pipelines notify one topic; set ${root.key(`alarms.${field}`)}`,
      );
    }
    section.rejectUnknown();
    pipelines[name] = pipeline;
  }
  problems.push(...distinctNames(pipelinesSection, pipelines));
  const kinds = new Set(Object.values(pipelines).map((pipeline) => pipeline.source.kind));
  for (const kind of kinds) problems.push(...validateNetworkForSource(network, kind));

  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return { ...settings, pipelines, alarmTopic };
}

/**
 * One pipeline's `source`, `table`, `flink` and `alarms`, read from `parent` (the root, or
 * `pipelines.<name>`); `defaultName` is its application's name unless `flink.applicationName` is set.
 */
function readPipeline(
  parent: Section,
  defaultName: string,
  raw: Record<string, string>,
  context: ValidationContext,
): PipelineConfig {
  const flink = readFlink(parent.section("flink"), context, defaultName);
  const table = readTable(parent.section("table"), flink.applicationName);
  const source = readSource(parent.section("source"), flink.applicationName, raw, context);
  const alarms = readAlarms(parent.section("alarms"), flink.checkpointing, source.kind, {
    checkpointing: parent.key("flink.checkpointing"),
    sourceKind: parent.key("source.kind"),
  });
  return { source, table, flink, alarms };
}

/**
 * One pipeline's typed sections from config-shaped values (as a stack file holds them under
 * `flink-pipeline:pipelines.<name>`), validated and with every default filled in, for a
 * {@link FlinkPipeline} of another program. Throws {@link ConfigError} listing every problem.
 * `context` defaults to the running program's (its project, stack, directory and preview mode).
 */
export function pipelineConfig(
  name: string,
  sections: Partial<Record<(typeof PIPELINE_SECTIONS)[number], unknown>>,
  context: ValidationContext = runningProgram(),
): PipelineConfig {
  const problems: string[] = [];
  const section = Section.of(`${NAMESPACE}:pipelines.${name}`, sections, problems);
  if (!PIPELINE_NAME.regex.test(name))
    problems.push(`${section.path}: a pipeline's name must be ${PIPELINE_NAME.describe}`);
  const pipeline = readPipeline(section, `${context.project}-${context.stack}-${name}`, {}, context);
  section.rejectUnknown();
  if (problems.length > 0) throw new ConfigError(problems);
  return pipeline;
}

/** The top-level `alarms` of a stack with `pipelines`: the shared topic's e-mail and key only. */
function readSharedAlarms(section: Section, pipelinesKey: string): PipelinesStackConfig["alarmTopic"] {
  const topic = readAlarmTopic(section);
  for (const field of section
    .fieldNames()
    .filter((f) => !(SHARED_ALARM_KEYS as readonly string[]).includes(f))) {
    section.problem(
      `${section.key(field)} is per pipeline when ${pipelinesKey} is set: move it to ${pipelinesKey}.<name>.alarms.${field}`,
    );
  }
  return topic;
}

/** Two pipelines of a stack must not name the same application, table or stream. */
function distinctNames(section: Section, pipelines: Record<string, PipelineConfig>): string[] {
  const named: [string, (pipeline: PipelineConfig) => string | undefined][] = [
    ["flink.applicationName", (pipeline) => pipeline.flink.applicationName],
    ["table.tableName", (pipeline) => pipeline.table.tableName],
    [
      "source.streamName",
      (pipeline) => (pipeline.source.kind === "kinesis" ? pipeline.source.streamName : undefined),
    ],
  ];
  const problems: string[] = [];
  for (const [field, nameOf] of named) {
    const first = new Map<string, string>();
    for (const [name, pipeline] of Object.entries(pipelines)) {
      const value = nameOf(pipeline);
      if (value === undefined) continue;
      const earlier = first.get(value);
      if (earlier === undefined) first.set(value, name);
      else {
        problems.push(
          `${section.key(`${name}.${field}`)} must differ from ${section.key(`${earlier}.${field}`)} (both are ${describe(value)})`,
        );
      }
    }
  }
  return problems;
}

/** Config values are strings; structured ones arrive JSON-encoded, as the CLI passes them. */
export function parseConfigValue(text: string): unknown {
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
  const readKind = (of: (typeof SOURCE_KINDS)[number], from: Section): SourceConfig =>
    of === "confluent"
      ? readConfluentSource(from, applicationName, raw, context)
      : readKinesisSource(from, applicationName);
  const source = readKind(kind, section);
  // With a refused kind, the other kind's fields are not typos: only the kind is reported.
  if (section.refusedValue("kind")) section.markAllRead();
  else {
    const other = kind === "kinesis" ? "confluent" : "kinesis";
    const probe = section.probe();
    readKind(other, probe);
    reportOtherKindFields(section, kind, other, probe.fieldsRead());
  }
  section.rejectUnknown();
  return source;
}

/**
 * Fields only the other source kind reads mean the kind is wrong (often not set, so kinesis): one
 * message naming the kind to set, not one "not a known key" per field the user did write.
 */
function reportOtherKindFields(
  section: Section,
  kind: string,
  other: string,
  otherKindFields: ReadonlySet<string>,
): void {
  const own = section.fieldsRead();
  const fields = [...otherKindFields].filter((field) => !own.has(field) && section.has(field));
  if (fields.length === 0) return;
  const why = section.has("kind") ? "" : " (the default: kind is not set)";
  section.problem(
    `${section.key("kind")} is ${kind}${why}, but ${fields.join(", ")} ${fields.length === 1 ? "is a key" : "are keys"} of kind ${other}: set ${section.key("kind")}: ${other}, or remove ${fields.length === 1 ? "it" : "them"}`,
  );
  for (const field of fields) section.markRead(field);
}

function readTable(section: Section, applicationName: string): TableConfig {
  const table: TableConfig = {
    // Derived from the application's name (at most 128 characters, so always a valid table name).
    tableName: section.optionalString("tableName", TABLE_NAME_PATTERN) ?? `${applicationName}-features`,
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
  for (const key of ["partitionKey", "sortKey"] as const) {
    if (table.ttlAttribute === table[key]) {
      section.problem(
        `${section.key("ttlAttribute")} must differ from ${section.key(key)} (both are ${describe(table.ttlAttribute)})`,
      );
    }
  }
  section.rejectUnknown();
  return table;
}

/** Reads and validates the running stack's config; a {@link ConfigError} stops the program. */
export function loadStackConfig(): StackConfig | PipelinesStackConfig {
  return validateStack(pulumi.runtime.allConfig(), {
    ...runningProgram(),
    isSecret: configSecretChecker(),
    projectDefaults: projectDefaults(process.cwd()),
  });
}

/** The running program's project, stack, directory, preview mode and deployment time. */
function runningProgram(): ValidationContext {
  return {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    projectDir: process.cwd(),
    dryRun: pulumi.runtime.isDryRun(),
    now: deploymentTime(),
  };
}

/** The config defaults `Pulumi.yaml` in `projectDir` declares, as the CLI passes them (objects JSON-encoded). */
export function projectDefaults(projectDir: string): Record<string, string> {
  const file = path.join(projectDir, "Pulumi.yaml");
  if (!fs.existsSync(file)) return {};
  const project = parse(fs.readFileSync(file, "utf8")) ?? {};
  const defaults: Record<string, string> = {};
  for (const [key, declaration] of Object.entries<{ default?: unknown }>(project.config ?? {})) {
    if (typeof declaration !== "object" || declaration === null || declaration.default === undefined)
      continue;
    const value = declaration.default;
    defaults[key.includes(":") ? key : `${project.name}:${key}`] =
      typeof value === "string" ? value : JSON.stringify(value);
  }
  return defaults;
}

/**
 * `isConfigSecret` is SDK-internal (stable since 3.x, absent from the typings): it reads the
 * secret keys the CLI (or the mock runtime) hands the program. Without it nothing is checked.
 */
function configSecretChecker(): ((key: string) => boolean) | undefined {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return typeof runtime.isConfigSecret === "function" ? (key) => runtime.isConfigSecret!(key) : undefined;
}
