import { resourcePolicy } from "../lib/definePolicy";
import { UNKNOWN } from "../lib/known";
import { TYPES } from "../lib/resourceTypes";

/** Kinesis keeps records 24 hours unless `retentionPeriod` says otherwise. */
const DEFAULT_RETENTION_HOURS = 24;

export const kinesisEncryption = resourcePolicy({
  name: "kinesis-stream-encryption",
  description: "Kinesis streams encrypt records with KMS.",
  severity: "high",
  remediationSteps:
    'set encryptionType: "KMS" and kmsKeyId (e.g. "alias/aws/kinesis" or a customer managed key).',
  resourceTypes: [TYPES.stream],
  check: (props) => {
    const { encryptionType, kmsKeyId } = props;
    if (encryptionType !== "KMS" && encryptionType !== UNKNOWN) {
      return [`Stream encryption is "${String(encryptionType ?? "NONE")}", not KMS.`];
    }
    if (encryptionType === "KMS" && (kmsKeyId === undefined || kmsKeyId === "")) {
      return ["Stream uses KMS encryption without a kmsKeyId."];
    }
    return [];
  },
});

export const kinesisRetention = resourcePolicy<{ minRetentionHours: number }>({
  name: "kinesis-stream-retention",
  description: "Kinesis streams keep records at least minRetentionHours (default 24 h).",
  severity: "low",
  remediationSteps:
    "raise retentionPeriod (hours) to at least minRetentionHours of kinesis-stream-retention in policy/config/<environment>.json (in this project: flink-pipeline:source.retentionHours (pipelines.<name>.source.retentionHours in a stack of several pipelines)).",
  configSchema: {
    properties: {
      minRetentionHours: {
        type: "integer",
        minimum: 24,
        default: 24,
        description: "Least retention, in hours.",
      },
    },
  },
  resourceTypes: [TYPES.stream],
  check: (props, { config }) => {
    const retention = props.retentionPeriod ?? DEFAULT_RETENTION_HOURS;
    return typeof retention === "number" && retention < config.minRetentionHours
      ? [`Stream keeps records ${retention} h, less than ${config.minRetentionHours} h.`]
      : [];
  },
});
