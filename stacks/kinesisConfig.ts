/** The `flink-pipeline:source` section for Kinesis: `KinesisSourceConfig`, its allowed values and reader. */
import { NAME_PATTERN, Section, describe } from "./validation";

export const STREAM_MODES = ["ON_DEMAND", "PROVISIONED"] as const;
export const INITIAL_POSITIONS = ["LATEST", "TRIM_HORIZON"] as const;

/** The AWS-managed Kinesis key: encryption at rest with no key policy to maintain. */
export const AWS_MANAGED_KINESIS_KEY = "alias/aws/kinesis";

export interface KinesisSourceConfig {
  kind: "kinesis";
  /** Physical stream name. @default `<applicationName>-events` */
  streamName: string;
  streamMode: (typeof STREAM_MODES)[number];
  /** Set only in PROVISIONED mode. */
  shardCount?: number;
  retentionHours: number;
  /** `alias/aws/kinesis` or a customer-managed key ARN. */
  kmsKeyId: string;
  enhancedFanOut: boolean;
  initialPosition: (typeof INITIAL_POSITIONS)[number];
}

const STREAM_NAME_PATTERN = { regex: /^[a-zA-Z0-9_.-]{1,128}$/, describe: NAME_PATTERN.describe };
const KMS_KEY = {
  regex: /^(alias\/aws\/kinesis|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+)$/,
  describe: `"${AWS_MANAGED_KINESIS_KEY}" or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`,
};

/** Reads the fields of this kind; readSource reports the unknown ones, telling the other kind's apart. */
export function readKinesisSource(section: Section, applicationName: string): KinesisSourceConfig {
  // Derived from the application's name, so one account holds many stacks without clashes.
  const streamName = section.optionalString("streamName", STREAM_NAME_PATTERN) ?? `${applicationName}-events`;
  if (!section.has("streamName") && !STREAM_NAME_PATTERN.regex.test(streamName)) {
    section.problem(
      `${section.key("streamName")} is required when the default ${describe(streamName)} is not ${STREAM_NAME_PATTERN.describe} (the application name is too long)`,
    );
  }
  const streamMode = section.oneOf("streamMode", STREAM_MODES, "ON_DEMAND");
  const shardCount = section.optionalInteger("shardCount", 1, 10000);
  // A refused streamMode is already reported: judging shardCount against its fallback would be a
  // second message about a value the user never wrote.
  const judgeShards = !section.refusedValue("streamMode");
  if (judgeShards && streamMode === "PROVISIONED" && shardCount === undefined && !section.has("shardCount")) {
    section.problem(
      `${section.key("shardCount")} is required when ${section.key("streamMode")} is PROVISIONED`,
    );
  }
  if (judgeShards && streamMode === "ON_DEMAND" && section.has("shardCount")) {
    section.problem(
      `${section.key("shardCount")} applies only when ${section.key("streamMode")} is PROVISIONED (got streamMode ON_DEMAND)`,
    );
  }
  const source: KinesisSourceConfig = {
    kind: "kinesis",
    streamName,
    streamMode,
    shardCount: streamMode === "PROVISIONED" ? shardCount : undefined,
    retentionHours: section.integer("retentionHours", 24, 24, 8760),
    kmsKeyId: section.string("kmsKeyId", AWS_MANAGED_KINESIS_KEY, KMS_KEY),
    enhancedFanOut: section.boolean("enhancedFanOut", false),
    initialPosition: section.oneOf("initialPosition", INITIAL_POSITIONS, "LATEST"),
  };
  return source;
}
