/**
 * The applications a command acts on, read from the stack's config through the program's own
 * loader (`readStackFiles` + `validateStack`), so no name is typed twice.
 */
import { AlarmDefinition, alarmDefinitions } from "../../components/flinkMonitoring";
import {
  PipelineConfig,
  PipelinesStackConfig,
  StackConfig,
  projectDefaults,
  validateStack,
} from "../../stacks/config";
import { monitoringArgs } from "../../stacks/monitoring";
import { ConfigError } from "../../stacks/validation";
import { UsageError, readStackFiles } from "../stackFiles";
import { Command, EVERY_PIPELINE } from "./args";

export interface Target {
  stack: string;
  /** Its name in `flink-pipeline:pipelines`; undefined for a stack of one pipeline. */
  pipeline?: string;
  applicationName: string;
  region: string;
  runtime: string;
  /** The alarms' definitions: `verify` and `status` read the metrics these watch. */
  alarms: AlarmDefinition[];
  /** One alarm period, in seconds. */
  periodSeconds: number;
  /** The snapshot the stack's config restores from (never pruned). */
  restoreSnapshotName?: string;
  /** How long an update may take (flink.timeouts.update), in ms: the default wait. */
  updateTimeoutMs: number;
}

/**
 * The pipelines `command` acts on: `names` are a stack's `flink-pipeline:pipelines` (undefined for a
 * stack of one pipeline, which yields undefined), `requested` the `--pipeline` given.
 */
export function selectPipelines(
  command: Command,
  stackFile: string,
  names: string[] | undefined,
  requested: string | undefined,
): string[] | undefined {
  if (names === undefined) {
    if (requested === undefined) return undefined;
    throw new UsageError(
      `--pipeline applies only to a stack with flink-pipeline:pipelines; ${stackFile} has one pipeline (its top-level source, table, flink and alarms)`,
    );
  }
  if (requested !== undefined) {
    if (names.includes(requested)) return [requested];
    throw new UsageError(
      `${stackFile} has no pipeline ${JSON.stringify(requested)}; its pipelines: ${names.join(", ")}`,
    );
  }
  if (EVERY_PIPELINE.has(command)) return names;
  throw new UsageError(
    `${command} acts on one pipeline: give --pipeline <name> (${stackFile} has ${names.join(", ")})`,
  );
}

/** A stack's config, validated by the program's own loader; bad config is a usage error. */
function loadStack(projectDir: string, stack: string) {
  const files = readStackFiles(projectDir, stack);
  const stackFile = `Pulumi.${stack}.yaml`;
  let config: StackConfig | PipelinesStackConfig;
  try {
    config = validateStack(files.config, {
      project: files.project,
      stack,
      projectDir,
      // Operations need no artifact build: validate as a preview does.
      dryRun: true,
      isSecret: (key) => files.secretKeys.includes(key),
      projectDefaults: projectDefaults(projectDir),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`${stackFile}: ${error.problems.join("; ")}`);
    throw error;
  }
  return { files, stackFile, config, pipelines: "pipelines" in config ? config.pipelines : undefined };
}

/** The names in the stack's `flink-pipeline:pipelines`, in its file's order; none for a stack of one pipeline. */
export function pipelineNames(projectDir: string, stack: string): string[] {
  return Object.keys(loadStack(projectDir, stack).pipelines ?? {});
}

/**
 * The stack's one application, or the selected ones of its `pipelines` (see {@link selectPipelines}).
 * `aws:region` from the stack's config, else the environment's region.
 */
export function loadTargets(
  projectDir: string,
  stack: string,
  command: Command,
  requested: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Target[] {
  const { files, stackFile, config, pipelines } = loadStack(projectDir, stack);
  const selected = selectPipelines(command, stackFile, pipelines && Object.keys(pipelines), requested);
  const region = files.config["aws:region"] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new UsageError(`stack ${stack} sets no aws:region in ${stackFile} and AWS_REGION is not set`);
  }
  const target = (pipeline: PipelineConfig, name?: string): Target => ({
    stack,
    pipeline: name,
    applicationName: pipeline.flink.applicationName,
    region,
    runtime: pipeline.flink.runtime,
    alarms: alarmDefinitions(monitoringArgs(pipeline)),
    periodSeconds: pipeline.alarms.periodSeconds,
    restoreSnapshotName: pipeline.flink.restore.snapshotName,
    updateTimeoutMs: durationMs(pipeline.flink.timeouts.update),
  });
  if (pipelines === undefined || selected === undefined) return [target(config as StackConfig)];
  return selected.map((name) => target(pipelines[name], name));
}

/** A Pulumi custom timeout (`30m`, `90s`, `2h`) in milliseconds. */
function durationMs(timeout: string): number {
  const [, amount, unit] = /^(\d+)(s|m|h)$/.exec(timeout)!;
  return Number(amount) * { s: 1000, m: 60_000, h: 3_600_000 }[unit as "s" | "m" | "h"];
}
