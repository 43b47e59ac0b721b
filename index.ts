/**
 * Kinesis (or Confluent Kafka) -> Managed Service for Apache Flink -> DynamoDB, per stack.
 * Everything a stack does comes from its config file (`Pulumi.<stack>.yaml`), validated before
 * any resource is registered.
 */
import { loadStackConfig } from "./stacks/config";
import { resolveNetwork } from "./stacks/networkConfig";
import { deployPipeline, deployPipelines } from "./stacks/pipeline";

// Async only for the checks that need AWS (where existing subnets are); still before any resource.
export = async () => {
  const config = loadStackConfig();
  const network = await resolveNetwork(config.network);
  return "pipelines" in config
    ? deployPipelines({ ...config, network })
    : deployPipeline({ ...config, network });
};
