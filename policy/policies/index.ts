import type {
  EnforcementLevel,
  Policies,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { dynamodbDeletionProtection, dynamodbEncryption, dynamodbPointInTimeRecovery } from "./dynamodb";
import {
  flinkCheckpointing,
  flinkLogging,
  flinkNoPlaintextSecrets,
  flinkParallelismBounds,
  flinkSnapshots,
  flinkSupportedRuntime,
} from "./flink";
import {
  iamNoAdminPolicies,
  iamNoWildcardActions,
  iamResourceWildcardAllowList,
  iamServiceTrustConfusedDeputy,
} from "./iam";
import { kinesisEncryption, kinesisRetention } from "./kinesis";
import { logGroupRetention } from "./logs";
import { cloudwatchDashboardWidgets, snsTopicPolicySize, vpcEndpointPolicySize } from "./quotas";
import { ec2SecurityGroupNoPublicIngress, vpcEndpointPolicyRestricted } from "./network";
import { s3ArtifactVersioning, s3DefaultEncryption, s3PublicAccessBlock, s3TlsOnly } from "./s3";
import { secretDescription, ssmSensitiveSecureString } from "./secrets";
import { iamStatementsScopedToStack } from "./stack";
import { requiredTags } from "./tags";

/** Policies that judge one resource at a time, from its inputs. */
export const resourcePolicies: ResourceValidationPolicy[] = [
  dynamodbEncryption,
  dynamodbPointInTimeRecovery,
  dynamodbDeletionProtection,
  kinesisEncryption,
  kinesisRetention,
  iamNoWildcardActions,
  iamResourceWildcardAllowList,
  iamServiceTrustConfusedDeputy,
  iamNoAdminPolicies,
  flinkSupportedRuntime,
  flinkCheckpointing,
  flinkSnapshots,
  flinkLogging,
  flinkParallelismBounds,
  flinkNoPlaintextSecrets,
  logGroupRetention,
  cloudwatchDashboardWidgets,
  snsTopicPolicySize,
  vpcEndpointPolicySize,
  secretDescription,
  ssmSensitiveSecureString,
  ec2SecurityGroupNoPublicIngress,
  vpcEndpointPolicyRestricted,
  requiredTags,
];

/** Policies that judge resources together (a bucket and its settings, IAM grants and the stack). */
export const stackPolicies: StackValidationPolicy[] = [
  s3PublicAccessBlock,
  s3DefaultEncryption,
  s3TlsOnly,
  s3ArtifactVersioning,
  iamStatementsScopedToStack,
];

/** Every policy of the pack, as `policy/index.ts` serves them and `evaluate.ts` runs them. */
export const allPolicies: Policies = [...resourcePolicies, ...stackPolicies];

/**
 * The pack's level, given to `new PolicyPack` in `policy/index.ts`: under the CLI it is the level of
 * every policy that sets none and that the policy config does not set, so the offline plan uses it too.
 */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";
