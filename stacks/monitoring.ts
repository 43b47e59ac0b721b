/**
 * What the alarms watch, from the stack's config alone: the program's `FlinkMonitoring` and the
 * operations CLI's `verify` (tools/flink) read the same metrics with the same thresholds.
 */
import type { FlinkMonitoringArgs, MonitoredSource } from "../components/flinkMonitoring";
import type { StackConfig } from "./config";

/** The source whose lag is watched: the stream, or the first source topic (records_lag_max is per topic). */
export function monitoredSource(source: StackConfig["source"]): MonitoredSource {
  return source.kind === "confluent"
    ? { kind: "kafka", topic: source.topics[0].name }
    : { kind: "kinesis", streamName: source.streamName };
}

/** The arguments of the stack's `FlinkMonitoring`. */
export function monitoringArgs(config: StackConfig): FlinkMonitoringArgs {
  const { flink, alarms } = config;
  return {
    applicationName: flink.applicationName,
    runtime: flink.runtime,
    source: monitoredSource(config.source),
    checkpointing: flink.checkpointing,
    thresholds: {
      maxLagMs: alarms.maxLagMs,
      maxLagRecords: alarms.maxLagRecords,
      heapPercent: alarms.heapPercent,
      cpuPercent: alarms.cpuPercent,
      checkpointDurationMs: alarms.checkpointDurationMs,
    },
    periodSeconds: alarms.periodSeconds,
    evaluationPeriods: alarms.evaluationPeriods,
    email: alarms.email,
    kmsKeyId: alarms.kmsKeyId,
  };
}
