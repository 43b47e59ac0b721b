/**
 * The typed stack configuration and its validation. Every key lives under the project's namespace
 * (`flink-pipeline:`), structured by concern; every problem is reported at once, before any
 * resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { AlarmsConfig, readAlarms } from "./alarmsConfig";
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

const ATTRIBUTE_PATTERN = {
  regex: /^[a-zA-Z0-9_.-]{1,255}$/,
  describe: "1 to 255 letters, digits, '_', '.' or '-'",
};
const TABLE_NAME_PATTERN = {
  regex: /^[a-zA-Z0-9_.-]{3,255}$/,
  describe: "3 to 255 letters, digits, '_', '.' or '-'",
};

/** The keys of our namespace that the program reads; any other is a typo. */
const TOP_LEVEL_KEYS = ["environment", "protect", "source", "table", "flink", "alarms", "network"] as const;

/**
 * Validates the full config map (as the CLI hands it to the program: `namespace:key` to a string,
 * objects JSON-encoded) and returns the typed config, or throws {@link ConfigError} listing every
 * problem.
 */
export function validateStackConfig(raw: Record<string, string>, context: ValidationContext): StackConfig {
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

  const flink = readFlink(root.section("flink"), context);
  const table = readTable(root.section("table"), flink.applicationName);
  const source = readSource(root.section("source"), flink.applicationName, raw, context);
  const alarms = readAlarms(root.section("alarms"), flink.checkpointing, source.kind, {
    checkpointing: `${NAMESPACE}:flink.checkpointing`,
    sourceKind: `${NAMESPACE}:source.kind`,
  });
  const network = readNetwork(root.section("network"));
  problems.push(...validateNetworkForSource(network, source.kind));

  if (problems.length > 0) throw new ConfigError(problems);
  return { environment, protect, source, table, flink, alarms, network };
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
  // With a refused kind, the other kind's fields are not typos: only the kind is reported.
  if (section.refusedValue("kind")) section.markAllRead();
  if (kind === "confluent") return readConfluentSource(section, applicationName, raw, context);
  return readKinesisSource(section, applicationName);
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
