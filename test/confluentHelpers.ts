/**
 * Helpers for the Confluent stack tests: plan the shipped `kafka-dev` stack as of a given time,
 * optionally with provider credentials set as secret config, and read its keys and secrets.
 */
import { NAMESPACE } from "../stacks/config";
import { NOW_ENV } from "../stacks/rotation";
import {
  PlanResult,
  PlannedResource,
  programFromFile,
  runProgram,
  unwrapSecrets,
} from "../tools/planRuntime";
import { readStackFiles } from "../tools/stackFiles";
import { PROGRAM, PROJECT_DIR, inputsOf, resourceOf, resourcesOf } from "./helpers";

export const KAFKA_STACK = "kafka-dev";
export const API_KEY = "confluentcloud:index/apiKey:ApiKey";
export const CLOUD_API_KEY = "CLOUDKEY1234ABCD";
export const CLOUD_API_SECRET = "cloud-api-secret-that-must-never-leak-0123456789";

export interface KafkaPlanOptions {
  /** Whole config values replaced, as `pulumi config set` would. */
  overrides?: Record<string, unknown>;
  /** Config values set with `--secret`. */
  secrets?: Record<string, string>;
  /** Plain config values outside our namespace (e.g. provider settings set without `--secret`). */
  plain?: Record<string, string>;
}

/** Plans `kafka-dev` as of `now` (through FLINK_PIPELINE_NOW, as `npm run plan -- --now` does). */
export async function planKafka(now: string, options: KafkaPlanOptions = {}): Promise<PlanResult> {
  const files = readStackFiles(PROJECT_DIR, KAFKA_STACK);
  const config = { ...files.config, ...options.plain, ...options.secrets };
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    const fullKey = key.includes(":") ? key : `${NAMESPACE}:${key}`;
    if (value === undefined) delete config[fullKey];
    else config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const previous = process.env[NOW_ENV];
  process.env[NOW_ENV] = now;
  try {
    return await runProgram(programFromFile(PROGRAM), {
      project: files.project,
      stack: KAFKA_STACK,
      config,
      secretKeys: [...files.secretKeys, ...Object.keys(options.secrets ?? {})],
    });
  } finally {
    if (previous === undefined) delete process.env[NOW_ENV];
    else process.env[NOW_ENV] = previous;
  }
}

/** The job's keys of one kind (`kafka` or `sr`), by generation name, sorted. */
export function jobKeys(result: PlanResult, kind: "kafka" | "sr"): PlannedResource[] {
  const prefix = `source-${kind}-key-`;
  return resourcesOf(result, API_KEY)
    .filter((key) => key.name.startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function generationOf(key: PlannedResource): string {
  return key.name.replace(/^source-(kafka|sr)-key-/, "");
}

/** The id the (mock) provider gave a resource. */
export function idOf(resource: PlannedResource): string {
  if (resource.id === undefined) throw new Error(`no id recorded for ${resource.urn}`);
  return resource.id;
}

/** A Secrets Manager secret's JSON value, by the secret's name suffix. */
export function secretValue(result: PlanResult, suffix: string): Record<string, string> {
  const secret = resourcesOf(result, "aws:secretsmanager/secret:Secret").find((s) =>
    String(inputsOf(s).name).endsWith(suffix),
  );
  if (!secret) throw new Error(`no secret named *${suffix}`);
  const version = resourcesOf(result, "aws:secretsmanager/secretVersion:SecretVersion").find(
    (v) => v.name === `${secret.name}-value`,
  );
  if (!version) throw new Error(`no version of ${secret.name}`);
  return JSON.parse(String(unwrapSecrets(version.inputs.secretString)));
}

/** The application's property groups as a map of maps. */
export function propertyGroups(result: PlanResult): Record<string, Record<string, string>> {
  const app = resourceOf(result, "aws:kinesisanalyticsv2/application:Application");
  const groups = inputsOf(app).applicationConfiguration.environmentProperties.propertyGroups as {
    propertyGroupId: string;
    propertyMap: Record<string, string>;
  }[];
  return Object.fromEntries(groups.map((g) => [g.propertyGroupId, g.propertyMap]));
}
