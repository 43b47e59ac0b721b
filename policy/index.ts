// The pack's entry point for `pulumi preview --policy-pack policy`. Constructing the PolicyPack starts the
// analyzer's gRPC server, which never exits: nothing but the Pulumi CLI should load this file. Tests and
// the offline plan use ./policies and ./evaluate instead.
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, allPolicies } from "./policies";

new PolicyPack("flink-pipeline", {
  description: "Guardrails for the flink-pipeline stacks: Kinesis or Kafka -> Managed Flink -> DynamoDB.",
  enforcementLevel: PACK_ENFORCEMENT_LEVEL,
  policies: allPolicies,
});
