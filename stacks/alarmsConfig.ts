/** The `flink-pipeline:alarms` section: `AlarmsConfig`, its key and e-mail rules, and its reader. */
import type { FlinkConfig } from "./flinkConfig";
import { KMS_KEY_ARN, Section, describe } from "./validation";

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
  /** Minutes of outage before the downtime alarm fires (longer than a deployment's restart). */
  outageMinutes: number;
  /** Records the job may drop in one period before the dropped-records alarm fires. */
  maxDroppedRecords: number;
}

const EMAIL = {
  regex: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  describe: "an e-mail address such as oncall@example.com",
};
/** The AWS-managed SNS key: its policy cannot let CloudWatch publish, so alarms would fail silently. */
export const AWS_MANAGED_SNS_KEY = "alias/aws/sns";

/**
 * Reads `flink-pipeline:alarms`. `keys` name the checkpointing and source-kind keys its messages
 * refer to (this module does not import the namespace, which would make a runtime import cycle).
 */
export function readAlarms(
  section: Section,
  checkpointing: FlinkConfig["checkpointing"],
  sourceKind: string,
  keys: { checkpointing: string; sourceKind: string },
): AlarmsConfig {
  const checkpointKey = keys.checkpointing;
  const topic = readAlarmTopic(section);
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
  // Each source reports lag its own way: Kinesis in milliseconds, Kafka in records.
  if (sourceKind !== "confluent" && section.has("maxLagRecords")) {
    section.problem(
      `${section.key("maxLagRecords")} applies only when ${keys.sourceKind} is confluent (got ${sourceKind}); use ${section.key("maxLagMs")}`,
    );
  }
  if (sourceKind !== "kinesis" && section.has("maxLagMs")) {
    section.problem(
      `${section.key("maxLagMs")} applies only when ${keys.sourceKind} is kinesis (got ${sourceKind}); use ${section.key("maxLagRecords")}`,
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
    ...topic,
    periodSeconds,
    evaluationPeriods,
    maxLagMs: section.integer("maxLagMs", 60000, 1),
    maxLagRecords: section.integer("maxLagRecords", 10000, 1),
    heapPercent: section.integer("heapPercent", 90, 1, 100),
    cpuPercent: section.integer("cpuPercent", 80, 1, 100),
    checkpointDurationMs,
    outageMinutes: section.integer("outageMinutes", 10, 1, 1440),
    maxDroppedRecords: section.integer("maxDroppedRecords", 0, 0),
  };
  section.rejectUnknown();
  return alarms;
}

/** The alarm topic's subscription and key (`email`, `kmsKeyId`) of an alarms section. */
export function readAlarmTopic(section: Section): Pick<AlarmsConfig, "email" | "kmsKeyId"> {
  const kmsKeyId = readAlarmKey(section);
  return { email: section.optionalString("email", EMAIL), kmsKeyId };
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
