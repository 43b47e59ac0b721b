import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";
import { grant } from "./iam";

/** An API key as the client configs need it: id and secret. */
export interface ApiKeyCredentials {
  id: pulumi.Input<string>;
  /** Marked secret by the provider; wrapped again here so it can never leak. */
  secret: pulumi.Input<string>;
}

/** Arguments of {@link KafkaClientConfig}. */
export interface KafkaClientConfigArgs {
  /** Root of the secret names and parameter paths; starts with "/". */
  prefix: string;
  /** Kafka bootstrap servers, `host:port` without the `SASL_SSL://` scheme. */
  bootstrapServers: pulumi.Input<string>;
  /** The active Kafka key. */
  kafkaKey: ApiKeyCredentials;
  schemaRegistryUrl: pulumi.Input<string>;
  /** The active Schema Registry key. */
  schemaRegistryKey: ApiKeyCredentials;
  /** Consumer properties, one SSM parameter each. @default {} */
  consumer?: Record<string, string>;
  /** Producer properties, one SSM parameter each. @default {} */
  producer?: Record<string, string>;
  /** Customer-managed KMS key ARN for the secrets. @default the AWS-managed key `aws/secretsmanager` */
  kmsKeyArn?: string;
  /**
   * Days a deleted secret stays recoverable (7 to 30), or 0 to delete at once. A name stays taken
   * while its secret is recoverable, so a destroyable stack deletes at once. @default 30
   */
  recoveryWindowDays?: number;
}

/**
 * The client configs a Kafka job reads at startup: two Secrets Manager secrets holding the
 * credentials (`<prefix>/kafka_cluster/java_client`, `<prefix>/schema_registry_cluster/java_client`)
 * and one plain SSM parameter per client property under `<prefix>/consumer_kafka_client/` and
 * `<prefix>/producer_kafka_client/`. No credential goes to SSM.
 */
export class KafkaClientConfig extends pulumi.ComponentResource {
  public readonly kafkaSecret: aws.secretsmanager.Secret;
  public readonly schemaRegistrySecret: aws.secretsmanager.Secret;
  public readonly kafkaSecretVersion: aws.secretsmanager.SecretVersion;
  public readonly schemaRegistrySecretVersion: aws.secretsmanager.SecretVersion;
  public readonly parameters: aws.ssm.Parameter[];
  public readonly kafkaSecretArn: pulumi.Output<string>;
  public readonly schemaRegistrySecretArn: pulumi.Output<string>;
  /** `<prefix>/consumer_kafka_client`: read it with GetParametersByPath. */
  public readonly consumerParametersPath: string;
  public readonly producerParametersPath: string;
  /** The two parameter paths and everything under them, as IAM and endpoint policies name them. */
  public readonly parameterPathArns: pulumi.Output<string>[];
  private readonly kmsKeyArn?: string;

  constructor(
    private readonly name: string,
    args: KafkaClientConfigArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("flink-pipeline:source:KafkaClientConfig", name, {}, opts);
    if (!/^(\/[a-zA-Z0-9_.-]+)+$/.test(args.prefix)) {
      throw new Error(
        `KafkaClientConfig ${name}: prefix must be a path starting with "/" (got ${JSON.stringify(args.prefix)})`,
      );
    }
    const parent = { parent: this };
    this.kmsKeyArn = args.kmsKeyArn;

    const secret = (role: string, path: string, description: string, value: pulumi.Output<string>) => {
      const resource = new aws.secretsmanager.Secret(
        `${name}-${role}`,
        {
          name: `${args.prefix}/${path}`,
          description,
          kmsKeyId: args.kmsKeyArn,
          recoveryWindowInDays: args.recoveryWindowDays ?? 30,
        },
        parent,
      );
      const version = new aws.secretsmanager.SecretVersion(
        `${name}-${role}-value`,
        { secretId: resource.id, secretString: pulumi.secret(value) },
        parent,
      );
      return { resource, version };
    };

    const kafka = secret(
      "kafka",
      "kafka_cluster/java_client",
      "Kafka client credentials (sasl.jaas.config, bootstrap.servers); rotated by Pulumi",
      pulumi.jsonStringify({
        "sasl.jaas.config": pulumi.interpolate`org.apache.kafka.common.security.plain.PlainLoginModule required username='${args.kafkaKey.id}' password='${args.kafkaKey.secret}';`,
        "bootstrap.servers": args.bootstrapServers,
      }),
    );
    const registry = secret(
      "schema-registry",
      "schema_registry_cluster/java_client",
      "Schema Registry client credentials (basic.auth.user.info, schema.registry.url); rotated by Pulumi",
      pulumi.jsonStringify({
        "basic.auth.credentials.source": "USER_INFO",
        "basic.auth.user.info": pulumi.interpolate`${args.schemaRegistryKey.id}:${args.schemaRegistryKey.secret}`,
        "schema.registry.url": args.schemaRegistryUrl,
      }),
    );
    this.kafkaSecret = kafka.resource;
    this.kafkaSecretVersion = kafka.version;
    this.schemaRegistrySecret = registry.resource;
    this.schemaRegistrySecretVersion = registry.version;

    this.consumerParametersPath = `${args.prefix}/consumer_kafka_client`;
    this.producerParametersPath = `${args.prefix}/producer_kafka_client`;
    const parameters = (role: string, path: string, properties: Record<string, string>) =>
      Object.entries(properties)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(
          ([property, value]) =>
            new aws.ssm.Parameter(
              `${name}-${role}-${property}`,
              // Plain settings, never credentials: `insecureValue` keeps them readable in the plan and state.
              {
                name: `${path}/${property}`,
                type: "String",
                insecureValue: value,
                description: `Kafka ${role} setting ${property}`,
              },
              parent,
            ),
        );
    this.parameters = [
      ...parameters("consumer", this.consumerParametersPath, args.consumer ?? {}),
      ...parameters("producer", this.producerParametersPath, args.producer ?? {}),
    ];

    const region = aws.getRegionOutput({}, parent).region;
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const partition = aws.getPartitionOutput({}, parent).partition;
    // Parameter ARNs drop the path's leading "/": arn:aws:ssm:<region>:<account>:parameter/a/b.
    const parameterArn = (path: string) =>
      pulumi.interpolate`arn:${partition}:ssm:${region}:${accountId}:parameter${path}`;
    // Only the consumer path: the job reads no producer settings (it writes to DynamoDB).
    this.parameterPathArns = [
      parameterArn(this.consumerParametersPath),
      parameterArn(`${this.consumerParametersPath}/*`),
    ];
    this.kafkaSecretArn = this.kafkaSecret.arn;
    this.schemaRegistrySecretArn = this.schemaRegistrySecret.arn;
    this.registerOutputs({
      kafkaSecretArn: this.kafkaSecretArn,
      schemaRegistrySecretArn: this.schemaRegistrySecretArn,
      consumerParametersPath: this.consumerParametersPath,
      producerParametersPath: this.producerParametersPath,
    });
  }

  /**
   * Lets `role` read what the job reads, nothing else: the Kafka secret and the consumer parameter path; plus
   * `kms:Decrypt` on the customer-managed key, through Secrets Manager only, when one is set.
   */
  grantRead(role: aws.iam.Role): aws.iam.RolePolicy {
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const statements = [
      {
        Sid: "ReadKafkaClientSecrets",
        Action: ["secretsmanager:GetSecretValue"],
        // The job reads JSON, not Avro: it never reads the Schema Registry secret (app/kafka_client.py).
        Resource: [this.kafkaSecret.arn],
      },
      {
        // The job's only SSM call (app/kafka_client.py), authorized on the path itself.
        Sid: "ReadKafkaClientParameters",
        Action: ["ssm:GetParametersByPath"],
        Resource: this.parameterPathArns,
      },
    ];
    if (this.kmsKeyArn !== undefined) {
      return grant(
        `${this.name}-read`,
        role,
        [
          ...statements,
          {
            Sid: "DecryptKafkaClientSecrets",
            Action: ["kms:Decrypt"],
            Resource: this.kmsKeyArn,
            Condition: {
              StringEquals: { "kms:ViaService": pulumi.interpolate`secretsmanager.${region}.amazonaws.com` },
            },
          },
        ],
        this,
      );
    }
    return grant(`${this.name}-read`, role, statements, this);
  }
}
