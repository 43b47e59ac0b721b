/**
 * The Kafka client configs of a `kind: confluent` stack, written to the local Secrets Manager and
 * SSM (moto's server) where the plan puts them: the Kafka secret as the JSON object
 * components/kafkaClientConfig.ts writes (`sasl.jaas.config`, `bootstrap.servers`), pointing at the
 * local broker and its local user, and one String parameter per consumer property under the
 * plan's `consumer.parameters.path`, with {@link LOCAL_CONSUMER_OVERRIDES} applied.
 */
import { AwsEndpoint, callAws } from "./awsJson";
import { LOCAL_CONSUMER_OVERRIDES, LocalKafkaBroker, jaasConfig } from "./kafka";
import { LocalPlan } from "./localPlan";

export interface WrittenClientConfig {
  /** The secret's ARN as moto made it (its random suffix differs from the plan's). */
  secretArn: string;
  consumerParametersPath: string;
  consumerParameters: Record<string, string>;
}

/** The plan's `source` group value `name`. */
export function sourceProperty(plan: LocalPlan, name: string): string {
  const value = plan.propertyGroups.find((group) => group.PropertyGroupId === "source")?.PropertyMap[name];
  if (value === undefined) throw new Error(`the plan's source group has no ${name}`);
  return value;
}

export async function writeClientConfigs(
  moto: AwsEndpoint,
  plan: LocalPlan,
  kafka: LocalKafkaBroker,
): Promise<WrittenClientConfig> {
  const created = await callAws(moto, "secretsmanager", "CreateSecret", {
    Name: plan.kafka!.kafkaSecretName,
    SecretString: JSON.stringify({
      "sasl.jaas.config": jaasConfig(kafka.jobUser),
      "bootstrap.servers": kafka.bootstrapServers,
    }),
  });
  const consumerParametersPath = sourceProperty(plan, "consumer.parameters.path");
  const consumerParameters = { ...plan.kafka!.consumerParameters, ...LOCAL_CONSUMER_OVERRIDES };
  for (const [name, value] of Object.entries(consumerParameters)) {
    await callAws(moto, "ssm", "PutParameter", {
      Name: `${consumerParametersPath}/${name}`,
      Type: "String",
      Value: value,
    });
  }
  return { secretArn: created.ARN, consumerParametersPath, consumerParameters };
}
