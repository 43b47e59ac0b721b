/**
 * What the alarms watch, from the stack's config alone: the program's `FlinkMonitoring` and the
 * operations CLI's `verify` (tools/flink) read the same metrics with the same thresholds.
 */
import type { FlinkMonitoringArgs, MonitoredSource } from "../components/flinkMonitoring";
import type { StackConfig } from "./config";

/**
 * The source whose lag is watched: the stream (with the job's enhanced fan-out consumer, named after
 * the application), or the Kafka topics (records_lag_max is the largest lag over every partition).
 */
export function monitoredSource(config: Pick<StackConfig, "source" | "flink">): MonitoredSource {
  const { source, flink } = config;
  if (source.kind === "confluent") return { kind: "kafka" };
  return {
    kind: "kinesis",
    streamName: source.streamName,
    consumerName: source.enhancedFanOut ? flink.applicationName : undefined,
  };
}

/** The arguments of a pipeline's `FlinkMonitoring` (the stack's one pipeline, or one of its `pipelines`). */
export function monitoringArgs(
  config: Pick<StackConfig, "source" | "flink" | "alarms">,
): FlinkMonitoringArgs {
  const { flink, alarms } = config;
  return {
    applicationName: flink.applicationName,
    runtime: flink.runtime,
    startApplication: flink.startApplication,
    source: monitoredSource(config),
    checkpointing: flink.checkpointing,
    thresholds: {
      maxLagMs: alarms.maxLagMs,
      maxLagRecords: alarms.maxLagRecords,
      heapPercent: alarms.heapPercent,
      cpuPercent: alarms.cpuPercent,
      checkpointDurationMs: alarms.checkpointDurationMs,
      maxDroppedRecords: alarms.maxDroppedRecords,
    },
    periodSeconds: alarms.periodSeconds,
    evaluationPeriods: alarms.evaluationPeriods,
    outageMinutes: alarms.outageMinutes,
    email: alarms.email,
    kmsKeyId: alarms.kmsKeyId,
  };
}
