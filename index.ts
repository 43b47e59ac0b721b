/**
 * Kinesis (or Confluent Kafka) -> Managed Service for Apache Flink -> DynamoDB, per stack.
 * Everything a stack does comes from its config file (`Pulumi.<stack>.yaml`), validated before
 * any resource is registered.
 */
import { loadStackConfig } from "./stacks/config";
import { deployPipeline } from "./stacks/pipeline";

export = deployPipeline(loadStackConfig());
