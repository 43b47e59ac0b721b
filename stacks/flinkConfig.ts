/** The `flink-pipeline:flink` section: `FlinkConfig`, its allowed values, artifact resolution and reader. */
import * as fs from "fs";
import * as path from "path";
import {
  ArtifactSource,
  computedFromFiles,
  listArtifactFiles,
  manifestAttribute,
  zipEntryContent,
  zipEntryNames,
} from "../components/artifactContent";
import type { ValidationContext } from "./config";
import {
  GENERATED_PROPERTIES,
  GeneratedGroupId,
  MAX_PROPERTY_GROUPS,
  RUN_OPTIONS_GROUP,
} from "./propertyGroups";
import { KMS_KEY_ARN, NAME_PATTERN, Section, describe } from "./validation";

export const FLINK_RUNTIMES = ["FLINK-1_18", "FLINK-1_19", "FLINK-1_20", "FLINK-2_2"] as const;
export type FlinkRuntime = (typeof FLINK_RUNTIMES)[number];

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
  /** The customer-managed KMS key of an existing `s3://` artifact's bucket, when it has one. */
  artifactKmsKeyArn?: string;
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
  /**
   * Sent as the provider's `forceStop`, which it reads only when `startApplication` changes to false:
   * that stop is then forced (no snapshot). It does nothing for a hung update or delete.
   */
  stopWithoutSnapshot: boolean;
  /** The key of the application's state: the service's own, a created one, or a key ARN. */
  stateEncryption: "aws-owned" | "create" | { arn: string };
  /** The runtime this stack accepted a one-way move to (Flink 2.x); required while `runtime` is 2.x. */
  acceptOneWayRuntime?: FlinkRuntime;
  timeouts: { create: string; update: string; delete: string };
  properties: Record<string, Record<string, string>>;
  /**
   * The Flink version the artifact was built for (`Flink-Version` in the job jar's manifest), or why
   * it could not be read; a known version that differs from `runtime` is refused in validation.
   */
  artifactFlinkVersion: { version: string } | { unreadable: string };
}

/** Endpoint overrides for local runs (app/README.md); never deployed. */
export const LOCAL_ENDPOINTS_GROUP = "endpoints";

/** The manifest attribute our jars (app/pom.xml, app-java/pom.xml) carry. */
export const FLINK_VERSION_ATTRIBUTE = "Flink-Version";

/** Builds the sample Java job's jar, app-java/target/flink-pipeline-java.jar. */
export const JAVA_BUILD_COMMAND = "npm run build:java";

const TIMEOUT = { regex: /^\d+(s|m|h)$/, describe: 'a duration such as "30m", "90s" or "2h"' };

/** `defaultApplicationName`: a stack's one pipeline is `<project>-<stack>`, each of its `pipelines` `<project>-<stack>-<pipeline>`. */
export function readFlink(
  section: Section,
  context: ValidationContext,
  defaultApplicationName = `${context.project}-${context.stack}`,
): FlinkConfig {
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
  const artifactKmsKeyArn = section.optionalString("artifactKmsKeyArn", KMS_KEY_ARN);
  if (artifactKmsKeyArn !== undefined && artifact.kind !== "s3") {
    section.problem(
      `${section.key("artifactKmsKeyArn")} applies only when ${section.key("artifact")} is an s3://<bucket>/<key> URI (got ${describe(artifactText)}: the program uploads it to its own bucket, encrypted with SSE-S3)`,
    );
  }

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
  // Only the user's values are judged: a refused restore.type or snapshots is reported already.
  const judgeRestore = !restoreSection.refusedValue("type");
  if (judgeRestore && restore.type === "RESTORE_FROM_CUSTOM_SNAPSHOT" && restore.snapshotName === undefined) {
    section.problem(
      `${restoreSection.key("snapshotName")} is required when ${restoreSection.key("type")} is RESTORE_FROM_CUSTOM_SNAPSHOT`,
    );
  }
  if (judgeRestore && restore.type !== "RESTORE_FROM_CUSTOM_SNAPSHOT" && restore.snapshotName !== undefined) {
    section.problem(
      `${restoreSection.key("snapshotName")} applies only when ${restoreSection.key("type")} is RESTORE_FROM_CUSTOM_SNAPSHOT (got ${restore.type})`,
    );
  }
  if (judgeRestore && !snapshots && restore.type !== "SKIP_RESTORE_FROM_SNAPSHOT") {
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
    applicationName: section.string("applicationName", defaultApplicationName, NAME_PATTERN),
    runtime: section.oneOf("runtime", FLINK_RUNTIMES, "FLINK-1_20"),
    language,
    artifact,
    artifactKmsKeyArn: artifact.kind === "s3" ? artifactKmsKeyArn : undefined,
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
    stopWithoutSnapshot: section.boolean("stopWithoutSnapshot", false),
    stateEncryption: readStateEncryption(section),
    acceptOneWayRuntime: section.has("acceptOneWayRuntime")
      ? section.oneOf("acceptOneWayRuntime", ONE_WAY_RUNTIMES, ONE_WAY_RUNTIMES[0])
      : undefined,
    timeouts,
    properties: readProperties(section, language),
    artifactFlinkVersion: readArtifactFlinkVersion(artifact, language, python),
  };
  if (section.has("forceStop")) {
    section.markRead("forceStop");
    section.problem(
      `${section.key("forceStop")} was renamed ${section.key("stopWithoutSnapshot")}: the provider reads it only when ${section.key("startApplication")} changes to false (the stop is then forced, without a snapshot); it never unblocks a hung update or delete (docs/operations.md#a-deployment-hangs-on-a-snapshot)`,
    );
  }
  checkOneWayRuntime(section, flink);
  checkRuntimeMatchesArtifact(section, flink);
  section.rejectUnknown();
  return flink;
}

/** Runtimes Managed Flink cannot take an application (or its snapshots) back from. */
export const ONE_WAY_RUNTIMES = ["FLINK-2_2"] as const satisfies readonly FlinkRuntime[];

/**
 * A 2.x runtime is refused unless the stack accepts the one-way move in its config. Offline the
 * program cannot see the deployed runtime: the acknowledgement is what tells it, and it stays set
 * while the stack is on 2.x (a new 2.x stack sets it too).
 */
function checkOneWayRuntime(section: Section, flink: FlinkConfig): void {
  const oneWay = (ONE_WAY_RUNTIMES as readonly string[]).includes(flink.runtime);
  const accepted = flink.acceptOneWayRuntime;
  if (oneWay && accepted !== flink.runtime) {
    section.problem(
      `${section.key("runtime")} ${flink.runtime} is a one-way upgrade: Managed Flink cannot take the application or its ${flink.runtime} snapshots back to an earlier runtime. Take a snapshot first (npm run flink -- snapshot --stack <stack>), then set ${section.key("acceptOneWayRuntime")}: ${flink.runtime} (docs/operations.md#upgrading-flink-1x-to-22)`,
    );
  }
  if (accepted !== undefined && !oneWay) {
    section.problem(
      `${section.key("acceptOneWayRuntime")} ${accepted} says this stack's application runs ${accepted}, which cannot be taken back to ${section.key("runtime")} ${flink.runtime}: keep ${accepted}, or delete and recreate the application (docs/operations.md#upgrading-flink-1x-to-22)`,
    );
  }
}

/** The jar holding the Flink-Version: the connector jar of a PyFlink artifact, the job jar of a Java one. */
function readArtifactFlinkVersion(
  artifact: ArtifactConfig,
  language: FlinkConfig["language"],
  python: PythonConfig,
): FlinkConfig["artifactFlinkVersion"] {
  if (artifact.kind === "s3") {
    return {
      unreadable: `the artifact is an S3 object (s3://${artifact.bucket}/${artifact.key}), which the program does not download`,
    };
  }
  if (artifact.kind === "unbuilt") return { unreadable: `${artifact.path} does not exist (not built yet)` };
  const where = language === "python" ? `${python.jarfile} in ${artifact.path}` : artifact.path;
  const file = artifact.kind === "directory" ? path.join(artifact.path, python.jarfile) : artifact.path;
  if (!fs.existsSync(file)) return { unreadable: `${where} does not exist (not built yet)` };
  const inArchive = artifact.kind === "file" && language === "python";
  return computedFromFiles<FlinkConfig["artifactFlinkVersion"]>(
    `${FLINK_VERSION_ATTRIBUTE} of ${where}${inArchive ? " (a jar inside the archive)" : ""}`,
    [file],
    () => {
      try {
        const archive = fs.readFileSync(file);
        const jar = inArchive ? zipEntryContent(archive, python.jarfile) : archive;
        if (jar === undefined) return { unreadable: `${where} does not exist (not built yet)` };
        const version = manifestAttribute(jar, FLINK_VERSION_ATTRIBUTE);
        if (version === undefined)
          return { unreadable: `the manifest of ${where} has no ${FLINK_VERSION_ATTRIBUTE}` };
        return { version };
      } catch (error) {
        return { unreadable: `${where} is not a readable jar (${(error as Error).message})` };
      }
    },
  );
}

/** FLINK-1_20 runs Flink 1.20.x: an artifact built for another minor version is refused. */
function checkRuntimeMatchesArtifact(section: Section, flink: FlinkConfig): void {
  if (!("version" in flink.artifactFlinkVersion)) return;
  const built = flink.artifactFlinkVersion.version;
  const runtime = flink.runtime.replace(/^FLINK-/, "").replace("_", ".");
  if (built !== runtime && !built.startsWith(`${runtime}.`)) {
    section.problem(
      `${section.key("runtime")} is ${flink.runtime} (Flink ${runtime}) but the artifact was built for Flink ${built} (${FLINK_VERSION_ATTRIBUTE} in its jar's manifest): set ${section.key("runtime")} to match, or rebuild the artifact for Flink ${runtime}`,
    );
  }
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

/** What Managed Flink accepts as a property group id. */
const PROPERTY_GROUP_ID = {
  regex: /^[a-zA-Z0-9_.-]{1,50}$/,
  describe: "1 to 50 letters, digits, '_', '.' or '-'",
};

function readProperties(
  section: Section,
  language: FlinkConfig["language"],
): Record<string, Record<string, string>> {
  const groups = section.section("properties");
  const properties: Record<string, Record<string, string>> = {};
  for (const groupId of groups.fieldNames()) {
    if (groupId === LOCAL_ENDPOINTS_GROUP) {
      groups.problem(
        `${groups.key(groupId)} is refused: the job reads group ${LOCAL_ENDPOINTS_GROUP} only to reach local emulators (npm run local writes it); a deployed job uses the AWS endpoints of its region`,
      );
    }
    if (!PROPERTY_GROUP_ID.regex.test(groupId)) {
      groups.problem(
        `${groups.key(groupId)}: a property group id must be ${PROPERTY_GROUP_ID.describe} (got ${describe(groupId)})`,
      );
    }
    const group = groups.stringMap(groupId);
    const reserved: readonly string[] = GENERATED_PROPERTIES[groupId as GeneratedGroupId] ?? [];
    const overridden = Object.keys(group).filter((property) => reserved.includes(property));
    for (const property of overridden) {
      groups.problem(
        `${groups.key(groupId)}.${property} is generated from the wiring and cannot be set; generated keys of group ${groupId}: ${reserved.join(", ")}`,
      );
    }
    for (const problem of propertyMapProblems(group)) groups.problem(`${groups.key(groupId)}: ${problem}`);
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

/** Managed Flink's limits on one property group's map: at most 50 entries, keys and values of 1 to 2048 characters. */
export const PROPERTY_MAP_LIMITS = { maxEntries: 50, maxKeyLength: 2048, maxValueLength: 2048 } as const;

/** Where `map` breaks {@link PROPERTY_MAP_LIMITS} (each problem once, naming the key). */
export function propertyMapProblems(map: Record<string, string>): string[] {
  const { maxEntries, maxKeyLength, maxValueLength } = PROPERTY_MAP_LIMITS;
  const entries = Object.entries(map);
  const problems: string[] = [];
  if (entries.length > maxEntries) {
    problems.push(`Managed Flink allows at most ${maxEntries} properties per group (got ${entries.length})`);
  }
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > maxKeyLength) {
      problems.push(
        `property keys must have 1 to ${maxKeyLength} characters (got ${key.length}: ${describe(key.slice(0, 40))})`,
      );
    }
    if (value.length === 0 || value.length > maxValueLength) {
      problems.push(
        `the value of ${describe(key.slice(0, 40))} must have 1 to ${maxValueLength} characters (got ${value.length})`,
      );
    }
  }
  return problems;
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
    if (!section.refusedValue("language") && extension !== (language === "python" ? ".zip" : ".jar")) {
      section.problem(`${key} must be ${allowed} (got ${describe(text)})`);
    }
    return { kind: "s3", bucket: s3[1], key: s3[2] };
  }

  const resolved = path.resolve(context.projectDir, text);
  if (!fs.existsSync(resolved)) {
    const isJar = language === "java" && path.extname(resolved).toLowerCase() === ".jar";
    // A preview plans a jar that is not built yet (its key says so); a deployment refuses it.
    if (isJar && context.dryRun) return { kind: "unbuilt", path: resolved };
    const build = isJar ? `; build it first: ${JAVA_BUILD_COMMAND} (builds the sample job in app-java/)` : "";
    section.problem(`${key} must be ${allowed} (got ${describe(text)}: ${resolved} does not exist)${build}`);
    return fallback;
  }
  const isDirectory = fs.statSync(resolved).isDirectory();
  const extension = path.extname(resolved).toLowerCase();
  // With a refused language the artifact cannot be judged against it (that problem is reported already).
  const fits =
    section.refusedValue("language") ||
    (language === "python" ? isDirectory || extension === ".zip" : !isDirectory && extension === ".jar");
  if (!fits) {
    section.problem(`${key} must be ${allowed} (got ${describe(text)})`);
    return fallback;
  }
  const artifact: ArtifactConfig = isDirectory
    ? { kind: "directory", path: resolved }
    : { kind: "file", path: resolved };
  if (language === "python" && !section.refusedValue("language") && !context.dryRun)
    requireConnectorJar(section, artifact, python);
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

/** `aws-owned` (default), `create`, or a customer-managed key's ARN. */
function readStateEncryption(section: Section): FlinkConfig["stateEncryption"] {
  const text = section.optionalString("stateEncryption");
  if (text === undefined || text === "aws-owned" || text === "create") return text ?? "aws-owned";
  if (KMS_KEY_ARN.regex.test(text)) return { arn: text };
  section.problem(
    `${section.key("stateEncryption")} must be aws-owned, create or ${KMS_KEY_ARN.describe} (got ${describe(text)})`,
  );
  return "aws-owned";
}
