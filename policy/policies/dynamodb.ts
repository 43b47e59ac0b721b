import { resourcePolicy } from "../lib/definePolicy";
import { dig, UNKNOWN } from "../lib/known";
import { TYPES } from "../lib/resourceTypes";

export const dynamodbEncryption = resourcePolicy({
  name: "dynamodb-table-encryption",
  description: "DynamoDB tables are encrypted at rest with a KMS key (AWS managed or customer managed).",
  severity: "medium",
  remediationSteps:
    "set serverSideEncryption: { enabled: true } (optionally with kmsKeyArn), so key use shows in CloudTrail " +
    "and access can be revoked through the key policy; the default AWS-owned key allows neither.",
  resourceTypes: [TYPES.table],
  check: (props) => {
    const enabled = dig(props, "serverSideEncryption", "enabled");
    return enabled === true || enabled === UNKNOWN
      ? []
      : ["Table uses the AWS-owned key: serverSideEncryption is not enabled."];
  },
});

export const dynamodbPointInTimeRecovery = resourcePolicy({
  name: "dynamodb-point-in-time-recovery",
  description: "DynamoDB tables keep point-in-time recovery (required in prod).",
  severity: "medium",
  remediationSteps:
    "set pointInTimeRecovery: { enabled: true } (in this project: flink-pipeline:table.pointInTimeRecovery: true in Pulumi.<stack>.yaml, or pipelines.<name>.table.pointInTimeRecovery in a stack of several pipelines).",
  resourceTypes: [TYPES.table],
  check: (props) => {
    const enabled = dig(props, "pointInTimeRecovery", "enabled");
    return enabled === true || enabled === UNKNOWN ? [] : ["Table has point-in-time recovery off."];
  },
});

export const dynamodbDeletionProtection = resourcePolicy({
  name: "dynamodb-deletion-protection",
  description: "DynamoDB tables have deletion protection (required in prod).",
  severity: "medium",
  remediationSteps:
    "set deletionProtectionEnabled: true (in this project: flink-pipeline:table.deletionProtection: true in Pulumi.<stack>.yaml, or pipelines.<name>.table.deletionProtection in a stack of several pipelines).",
  resourceTypes: [TYPES.table],
  check: (props) => {
    const enabled = props.deletionProtectionEnabled;
    return enabled === true || enabled === UNKNOWN ? [] : ["Table has deletion protection off."];
  },
});
