/**
 * The application a command acts on, read from the stack's config through the program's own
 * loader (`readStackFiles` + `validateStackConfig`), so no name is typed twice.
 */
import { AlarmDefinition, alarmDefinitions } from "../../components/flinkMonitoring";
import { StackConfig, validateStackConfig } from "../../stacks/config";
import { monitoringArgs } from "../../stacks/monitoring";
import { ConfigError } from "../../stacks/validation";
import { UsageError, readStackFiles } from "../stackFiles";

export interface Target {
  stack: string;
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
  config: StackConfig;
}

/** `aws:region` from the stack's config, else the environment's region. */
export function loadTarget(projectDir: string, stack: string, env: NodeJS.ProcessEnv = process.env): Target {
  const files = readStackFiles(projectDir, stack);
  let config: StackConfig;
  try {
    config = validateStackConfig(files.config, {
      project: files.project,
      stack,
      projectDir,
      // Operations need no artifact build: validate as a preview does.
      dryRun: true,
      isSecret: (key) => files.secretKeys.includes(key),
    });
  } catch (error) {
    if (error instanceof ConfigError)
      throw new UsageError(`Pulumi.${stack}.yaml: ${error.problems.join("; ")}`);
    throw error;
  }
  const region = files.config["aws:region"] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new UsageError(
      `stack ${stack} sets no aws:region in Pulumi.${stack}.yaml and AWS_REGION is not set`,
    );
  }
  return {
    stack,
    applicationName: config.flink.applicationName,
    region,
    runtime: config.flink.runtime,
    alarms: alarmDefinitions(monitoringArgs(config)),
    periodSeconds: config.alarms.periodSeconds,
    restoreSnapshotName: config.flink.restore.snapshotName,
    updateTimeoutMs: durationMs(config.flink.timeouts.update),
    config,
  };
}

/** A Pulumi custom timeout (`30m`, `90s`, `2h`) in milliseconds. */
function durationMs(timeout: string): number {
  const [, amount, unit] = /^(\d+)(s|m|h)$/.exec(timeout)!;
  return Number(amount) * { s: 1000, m: 60_000, h: 3_600_000 }[unit as "s" | "m" | "h"];
}
