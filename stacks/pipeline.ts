/**
 * The wiring: one typed stack config in, the pipeline's components and stack outputs out.
 */
import * as aws from "./aws";
import * as confluentcloud from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { ConfluentSource } from "../components/confluentSource";
import { FeatureTable } from "../components/featureTable";
import { FlinkApplication, logGroupNameOf } from "../components/flinkApplication";
import { FlinkMonitoring, MonitoredSource } from "../components/flinkMonitoring";
import { JobArtifact } from "../components/jobArtifact";
import { KafkaClientConfig } from "../components/kafkaClientConfig";
import { KinesisSource } from "../components/kinesisSource";
import { EndpointName, PipelineNetwork } from "../components/network";
import { StackConfig } from "./config";
import { ConfluentSourceConfig } from "./confluentConfig";
import { FlinkConfig } from "./flinkConfig";
import { KinesisSourceConfig } from "./kinesisConfig";
import { VpcNetworkConfig, kafkaPortFor } from "./networkConfig";
import { GeneratedGroup, GeneratedGroups, RUN_OPTIONS_GROUP, mergePropertyGroups } from "./propertyGroups";
import { deploymentTime, liveGenerations } from "./rotation";

/** Outputs of a stack reading Kinesis. */
export interface KinesisSourceOutputs {
  streamName: pulumi.Output<string>;
  streamArn: pulumi.Output<string>;
}

/** Outputs of a stack reading Confluent Cloud Kafka: where the job connects, never a credential. */
export interface ConfluentSourceOutputs {
  bootstrapServers: pulumi.Output<string>;
  topics: string[];
  consumerGroup: string;
  kafkaSecretArn: pulumi.Output<string>;
  schemaRegistrySecretArn: pulumi.Output<string>;
  consumerParametersPath: string;
  producerParametersPath: string;
  serviceAccountId: pulumi.Output<string>;
  /** The Kafka key the secrets carry. */
  activeApiKeyId: pulumi.Output<string>;
  /** Live key generations, oldest first; the last is active. */
  keyGenerations: string[];
  /** When the next deployment will add a generation (ISO-8601). */
  nextKeyRotation: string;
}

export type PipelineOutputs = (KinesisSourceOutputs | ConfluentSourceOutputs) & {
  tableName: pulumi.Output<string>;
  artifactBucket: pulumi.Output<string>;
  artifactKey: pulumi.Output<string>;
  roleArn: pulumi.Output<string>;
  applicationName: pulumi.Output<string>;
  applicationArn: pulumi.Output<string>;
  logGroupName: pulumi.Output<string>;
  consoleUrl: pulumi.Output<string>;
  /** Set while `flink-pipeline:alarms.enabled` is true (the default). */
  alarmTopicArn?: pulumi.Output<string>;
  alarmNames?: pulumi.Output<string[]>;
  dashboardName?: pulumi.Output<string>;
  dashboardUrl?: pulumi.Output<string>;
  /** VPC modes only. */
  vpcId?: pulumi.Output<string>;
  privateSubnetIds?: pulumi.Output<string[]>;
  securityGroupId?: pulumi.Output<string>;
};

/** What the wiring needs from a source, whichever kind it is. */
interface SourceWiring {
  properties: GeneratedGroup<"source">;
  grants: ((role: aws.iam.Role) => pulumi.Resource)[];
  /** Resources the application must wait for (the client configs it reads at startup). */
  dependsOn: pulumi.Resource[];
  outputs: KinesisSourceOutputs | ConfluentSourceOutputs;
  /** What the source-lag alarm watches. */
  monitored: MonitoredSource;
  /** The source's ARNs a restricted VPC endpoint policy admits. */
  endpointResources: Partial<Record<EndpointName, pulumi.Input<string>[]>>;
}

/**
 * `now` picks the live API-key generations of a Confluent source: the current time under the
 * CLI, `FLINK_PIPELINE_NOW` when set (the offline plan's `--now`).
 */
export function deployPipeline(config: StackConfig, now: Date = deploymentTime()): PipelineOutputs {
  const { source: sourceConfig, table: tableConfig, flink } = config;
  const region = aws.getRegionOutput().region;

  const source =
    sourceConfig.kind === "confluent"
      ? confluentSource(sourceConfig, config.protect, now)
      : kinesisSource(sourceConfig, config.protect, flink);
  const table = new FeatureTable("table", { ...tableConfig, retain: config.protect });
  const artifact = new JobArtifact("artifact", {
    source: flink.artifact,
    keyPrefix: flink.applicationName,
    retain: config.protect,
  });

  const network =
    config.network.mode === "public"
      ? undefined
      : deployNetwork(config.network, sourceConfig.kind, flink.applicationName, {
          s3: [artifact.bucketArn, pulumi.interpolate`${artifact.bucketArn}/*`],
          dynamodb: [table.tableArn, pulumi.interpolate`${table.tableArn}/index/*`],
          ...source.endpointResources,
        });

  const generated: GeneratedGroups = {
    // The region of the stream, or of the secrets and parameters a Kafka job reads.
    source: { ...source.properties, "aws.region": region },
    sink: {
      "table.name": table.tableName,
      "aws.region": region,
      "partition.key": tableConfig.partitionKey,
      "sort.key": tableConfig.sortKey,
      "ttl.attribute": tableConfig.ttlAttribute,
    },
    [RUN_OPTIONS_GROUP]:
      flink.language === "python"
        ? { python: flink.python.script, jarfile: flink.python.jarfile, pyFiles: flink.python.pyFiles }
        : undefined,
  };

  const app = new FlinkApplication("flink", {
    applicationName: flink.applicationName,
    runtime: flink.runtime,
    code: { bucketArn: artifact.bucketArn, fileKey: artifact.objectKey },
    propertyGroups: mergePropertyGroups(generated, flink.properties),
    grants: [
      ...source.grants,
      (role) => table.grantWrite(role),
      (role) => artifact.grantRead(role),
      ...(network ? [(role: aws.iam.Role) => network.grantEni(role)] : []),
    ],
    vpc: network ? { subnetIds: network.subnetIds, securityGroupIds: [network.securityGroupId] } : undefined,
    // The application fails to create if its code object does not exist yet; a Kafka job reads
    // its client configs at startup, so a key rotation restarts it only once they hold the new key.
    dependsOn: [...(artifact.object ? [artifact.object] : []), ...source.dependsOn],
    checkpointing: flink.checkpointing,
    snapshots: flink.snapshots,
    parallelism: flink.parallelism,
    parallelismPerKpu: flink.parallelismPerKpu,
    autoScaling: flink.autoScaling,
    logLevel: flink.logLevel,
    metricsLevel: flink.metricsLevel,
    logRetentionDays: flink.logRetentionDays,
    startApplication: flink.startApplication,
    restore: flink.restore,
    forceStop: flink.forceStop,
    timeouts: flink.timeouts,
  });

  const alarms = config.alarms;
  const monitoring = alarms.enabled
    ? new FlinkMonitoring("monitoring", {
        applicationName: flink.applicationName,
        runtime: flink.runtime,
        source: source.monitored,
        checkpointing: flink.checkpointing,
        thresholds: {
          maxLagMs: alarms.maxLagMs,
          maxLagRecords: alarms.maxLagRecords,
          heapPercent: alarms.heapPercent,
          cpuPercent: alarms.cpuPercent,
          checkpointDurationMs: alarms.checkpointDurationMs,
        },
        periodSeconds: alarms.periodSeconds,
        evaluationPeriods: alarms.evaluationPeriods,
        email: alarms.email,
        kmsKeyId: alarms.kmsKeyId,
      })
    : undefined;

  return {
    ...source.outputs,
    tableName: table.tableName,
    artifactBucket: artifact.bucketName,
    artifactKey: artifact.objectKey,
    roleArn: app.roleArn,
    applicationName: app.applicationName,
    applicationArn: app.applicationArn,
    logGroupName: app.logGroupName,
    consoleUrl: app.consoleUrl,
    ...(monitoring
      ? {
          alarmTopicArn: monitoring.topicArn,
          alarmNames: monitoring.alarmNames,
          dashboardName: monitoring.dashboardName,
          dashboardUrl: monitoring.dashboardUrl,
        }
      : {}),
    ...(network
      ? {
          vpcId: network.vpcId,
          privateSubnetIds: network.subnetIds,
          securityGroupId: network.securityGroupId,
        }
      : {}),
  };
}

function kinesisSource(
  sourceConfig: KinesisSourceConfig,
  protect: boolean,
  flink: FlinkConfig,
): SourceWiring {
  const source = new KinesisSource("source", {
    streamName: sourceConfig.streamName,
    streamMode: sourceConfig.streamMode,
    shardCount: sourceConfig.shardCount,
    retentionHours: sourceConfig.retentionHours,
    kmsKeyId: sourceConfig.kmsKeyId,
    retain: protect,
  });
  return {
    properties: {
      kind: "kinesis",
      "stream.name": source.streamName,
      "stream.arn": source.streamArn,
      "initial.position": sourceConfig.initialPosition,
      "efo.consumer.name": sourceConfig.enhancedFanOut ? flink.applicationName : undefined,
    },
    grants: [(role) => source.grantRead(role, { enhancedFanOut: sourceConfig.enhancedFanOut })],
    dependsOn: [],
    outputs: { streamName: source.streamName, streamArn: source.streamArn },
    monitored: { kind: "kinesis", streamName: source.streamName },
    endpointResources: { kinesis: [source.streamArn, pulumi.interpolate`${source.streamArn}/consumer/*`] },
  };
}

/**
 * Confluent Cloud Kafka: the job's account, ACLs, topics and rotated keys, then the client
 * configs carrying the newest key. The provider takes its credentials from the secret config
 * `confluentcloud:cloudApiKey` / `cloudApiSecret` (or CONFLUENT_CLOUD_API_KEY / _SECRET).
 */
function confluentSource(sourceConfig: ConfluentSourceConfig, protect: boolean, now: Date): SourceWiring {
  const rotation = liveGenerations(sourceConfig.rotation, now);
  const providerConfig = new pulumi.Config("confluentcloud");
  const provider = new confluentcloud.Provider("confluent", {
    cloudApiKey: providerConfig.getSecret("cloudApiKey"),
    cloudApiSecret: providerConfig.getSecret("cloudApiSecret"),
  });
  const kafka = new ConfluentSource(
    "source",
    {
      environmentId: sourceConfig.environmentId,
      clusterId: sourceConfig.clusterId,
      serviceAccountName: sourceConfig.serviceAccountName,
      topics: sourceConfig.topics,
      sinkTopics: sourceConfig.sinkTopics,
      consumerGroup: sourceConfig.consumerGroup,
      keyGenerations: rotation.generations,
    },
    { providers: [provider] },
  );
  const clientConfig = new KafkaClientConfig("kafka-client", {
    prefix: sourceConfig.clientConfig.prefix,
    bootstrapServers: kafka.bootstrapServers,
    kafkaKey: kafka.activeKeys.kafka,
    schemaRegistryUrl: kafka.schemaRegistryUrl,
    schemaRegistryKey: kafka.activeKeys.schemaRegistry,
    consumer: sourceConfig.clientConfig.consumer,
    producer: sourceConfig.clientConfig.producer,
    kmsKeyArn: sourceConfig.secretsKmsKeyArn,
    // A protected stack keeps deleted secrets recoverable; a destroyable one frees their names.
    recoveryWindowDays: protect ? 30 : 0,
  });
  return {
    properties: {
      kind: "confluent",
      "bootstrap.servers": kafka.bootstrapServers,
      topics: kafka.topicNames.join(","),
      "sink.topics": kafka.sinkTopicNames.length > 0 ? kafka.sinkTopicNames.join(",") : undefined,
      "group.id": kafka.consumerGroup,
      "starting.offsets": sourceConfig.startingOffsets,
      "kafka.secret.arn": clientConfig.kafkaSecretArn,
      "schema.registry.secret.arn": clientConfig.schemaRegistrySecretArn,
      "consumer.parameters.path": clientConfig.consumerParametersPath,
      "producer.parameters.path": clientConfig.producerParametersPath,
      // A new key id changes the application's properties: Managed Flink restarts the job, which
      // then reads the secrets again.
      "api.key.id": kafka.activeApiKeyId,
    },
    grants: [(role) => clientConfig.grantRead(role)],
    dependsOn: [
      clientConfig.kafkaSecretVersion,
      clientConfig.schemaRegistrySecretVersion,
      ...clientConfig.parameters,
    ],
    outputs: {
      bootstrapServers: kafka.bootstrapServers,
      topics: kafka.topicNames,
      consumerGroup: kafka.consumerGroup,
      kafkaSecretArn: clientConfig.kafkaSecretArn,
      schemaRegistrySecretArn: clientConfig.schemaRegistrySecretArn,
      consumerParametersPath: clientConfig.consumerParametersPath,
      producerParametersPath: clientConfig.producerParametersPath,
      serviceAccountId: kafka.serviceAccountId,
      activeApiKeyId: kafka.activeApiKeyId,
      keyGenerations: rotation.generations.map((generation) => generation.name),
      nextKeyRotation: rotation.nextRotation.toISOString(),
    },
    // The lag alarm watches the first source topic: records_lag_max is reported per topic.
    monitored: { kind: "kafka", topic: sourceConfig.topics[0].name },
    endpointResources: {
      secretsManager: [clientConfig.kafkaSecretArn],
      ssm: clientConfig.parameterPathArns,
    },
  };
}

/**
 * The application's VPC, security groups and endpoints. Endpoint policies (when restricted) name
 * this stack's resources; the logs endpoint admits the application's own log group.
 */
function deployNetwork(
  network: VpcNetworkConfig,
  sourceKind: string,
  applicationName: string,
  policyResources: Partial<Record<EndpointName, pulumi.Input<string>[]>>,
): PipelineNetwork {
  const region = aws.getRegionOutput().region;
  const accountId = aws.getCallerIdentityOutput().accountId;
  const partition = aws.getPartitionOutput().partition;
  const logGroupArn = pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupNameOf(applicationName)}`;
  return new PipelineNetwork("network", {
    vpc:
      network.mode === "create"
        ? {
            mode: "create",
            cidrBlock: network.cidrBlock,
            availabilityZones: network.availabilityZones,
            natGateways: network.natGateways,
          }
        : {
            mode: "existing",
            vpcId: network.vpcId,
            privateSubnetIds: network.privateSubnetIds,
            routeTableIds: network.routeTableIds,
            internetRoute: network.internetRoute,
          },
    endpoints: network.endpoints,
    restrictEndpointPolicies: network.restrictEndpointPolicies,
    endpointPolicyResources: {
      ...policyResources,
      logs: [logGroupArn, pulumi.interpolate`${logGroupArn}:*`],
    },
    kafkaPort: kafkaPortFor(sourceKind),
  });
}
