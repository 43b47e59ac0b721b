/**
 * One pipeline as a component: its source (a Kinesis stream, or Confluent topics and keys), its
 * table, its job artifact, its Managed Flink application with role and grants, and its alarms.
 * Another Pulumi program imports it from the package root (`import { FlinkPipeline } from
 * "flink-pipeline"`); this project's stacks build one per configured pipeline.
 */
import * as aws from "../stacks/aws";
import * as confluentcloud from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import type { PipelineConfig } from "../stacks/config";
import { ConfluentSourceConfig } from "../stacks/confluentConfig";
import { FlinkConfig } from "../stacks/flinkConfig";
import { KinesisSourceConfig } from "../stacks/kinesisConfig";
import { monitoringArgs } from "../stacks/monitoring";
import { NetworkConfig, VpcNetworkConfig, kafkaPortFor } from "../stacks/networkConfig";
import {
  GeneratedGroup,
  GeneratedGroups,
  RUN_OPTIONS_GROUP,
  mergePropertyGroups,
} from "../stacks/propertyGroups";
import { deploymentTime, liveGenerations } from "../stacks/rotation";
import { ArtifactBucketResources } from "./artifactBucket";
import { VENDORED_PYTHON_DIR } from "./artifactContent";
import { ConfluentManagerResources } from "./confluentManager";
import { ConfluentSource } from "./confluentSource";
import { FeatureTable } from "./featureTable";
import { FlinkApplication, logGroupNameOf } from "./flinkApplication";
import { FlinkMonitoring } from "./flinkMonitoring";
import { JobArtifact } from "./jobArtifact";
import { KafkaClientConfig } from "./kafkaClientConfig";
import type { DashboardOutputs } from "./stackMonitoring";
import { KinesisSource } from "./kinesisSource";
import { EndpointName, PipelineNetwork, PipelineNetworkArgs } from "./network";

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
  /** Resources the application must wait for (what it reads and where it connects at startup). */
  dependsOn: pulumi.Resource[];
  outputs: KinesisSourceOutputs | ConfluentSourceOutputs;
  /** The source's ARNs a restricted VPC endpoint policy admits. */
  endpointResources: Partial<Record<EndpointName, pulumi.Input<string>[]>>;
}

/**
 * Arguments of {@link FlinkPipeline}: the sections a stack config holds per pipeline (validated,
 * defaults filled in: `pipelineConfig` reads them from config-shaped values), and the pieces it
 * shares with other pipelines, each created for this pipeline alone when not given.
 */
export interface FlinkPipelineArgs extends PipelineConfig {
  /**
   * Where the application's network interfaces live: a network config (a VPC is created, or an
   * existing one used, for this pipeline alone), or a {@link PipelineNetwork} shared with other
   * pipelines (its endpoint policies must then admit this pipeline's resources).
   * @default `{ mode: "public" }` (no VPC)
   */
  network?: NetworkConfig | PipelineNetwork;
  /** `protect` and `retainOnDelete` on the stream, table and artifact bucket. @default false */
  protect?: boolean;
  /** The bucket the job's artifact is uploaded to (a local artifact). @default a bucket of its own */
  artifactBucket?: ArtifactBucketResources;
  /**
   * The topic the alarms notify (a `StackMonitoring`'s, whose policy admits them and whose
   * dashboard holds this pipeline's section). @default a topic, key and dashboard of its own
   */
  alarmTopicArn?: pulumi.Input<string>;
  /**
   * The dashboard holding this pipeline's section, with `alarmTopicArn` a `StackMonitoring`'s (its
   * `applicationDashboards` entry for this pipeline): named in the pipeline's outputs.
   * @default none named (without `alarmTopicArn`, the pipeline's own)
   */
  dashboard?: DashboardOutputs;
  /**
   * The account that manages a Confluent source's topics and ACLs (a `ConfluentManager` on its
   * cluster). @default an account `<serviceAccountName>-manager` of its own
   */
  confluentManager?: ConfluentManagerResources;
  /**
   * The Confluent Cloud provider the source's resources are managed with (one per stack when
   * several pipelines read Confluent). @default a provider from the secret config
   * `confluentcloud:cloudApiKey` / `cloudApiSecret` (or CONFLUENT_CLOUD_API_KEY / _SECRET)
   */
  confluentProvider?: confluentcloud.Provider;
  /**
   * The instant that picks the live API-key generations of a Confluent source.
   * @default the deployment time (`FLINK_PIPELINE_NOW` when set, as the offline plan's `--now`)
   */
  now?: Date;
  /**
   * Name the children `source`, `table`, `flink`, ... instead of `<name>-source`, ..., and alias
   * them to the stack's root: how a stack's only pipeline was named before this component existed,
   * so its resources keep their URNs. @default false
   */
  legacyChildNames?: boolean;
  /**
   * Warn when the artifact's Flink version cannot be read (so is not checked against
   * `flink.runtime`). A stack of several pipelines turns it off and warns once per artifact
   * ({@link uncheckedFlinkVersionWarnings}). @default true
   */
  warnUncheckedFlinkVersion?: boolean;
}

/**
 * One pipeline: Kinesis or Confluent Kafka -> Managed Service for Apache Flink -> DynamoDB, with
 * its artifact, role, grants (each on this pipeline's resources only) and alarms.
 */
export class FlinkPipeline extends pulumi.ComponentResource {
  public readonly application: FlinkApplication;
  public readonly table: FeatureTable;
  public readonly artifact: JobArtifact;
  public readonly monitoring?: FlinkMonitoring;
  public readonly network?: PipelineNetwork;
  /**
   * What a restricted VPC endpoint policy must admit for this pipeline (its bucket, table,
   * source and log group): a network shared by pipelines admits the union of theirs.
   */
  public readonly endpointResources: Partial<Record<EndpointName, pulumi.Input<string>[]>>;
  /** What a stack exports for this pipeline. */
  public readonly outputs: PipelineOutputs;

  constructor(name: string, args: FlinkPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flink-pipeline:pipeline:FlinkPipeline", name, {}, opts);
    const { source: sourceConfig, table: tableConfig, flink, alarms } = args;
    const protect = args.protect ?? false;
    const children: Children = {
      name: (role) => (args.legacyChildNames ? role : `${name}-${role}`),
      // A stack's only pipeline had its components at the root: the alias keeps their URNs.
      opts: { parent: this, aliases: args.legacyChildNames ? [{ parent: pulumi.rootStackResource }] : [] },
    };
    const region = aws.getRegionOutput({}, { parent: this }).region;

    const source =
      sourceConfig.kind === "confluent"
        ? confluentSource(
            children,
            sourceConfig,
            protect,
            args.now ?? deploymentTime(),
            args.confluentProvider,
            args.confluentManager,
          )
        : kinesisSource(children, sourceConfig, protect, flink);
    const table = new FeatureTable(
      children.name("table"),
      { ...tableConfig, retain: protect },
      children.opts,
    );
    if (args.warnUncheckedFlinkVersion ?? true) {
      for (const warning of uncheckedFlinkVersionWarnings([[undefined, flink]]))
        pulumi.log.warn(warning, this);
    }
    const artifact = new JobArtifact(
      children.name("artifact"),
      {
        source: flink.artifact,
        // boto3 (app/dep/, tools/build_job_zip.py vendor) serves only the Kafka client configuration.
        exclude: sourceConfig.kind === "confluent" ? [] : [VENDORED_PYTHON_DIR],
        keyPrefix: flink.applicationName,
        bucket: args.artifactBucket,
        retain: protect,
        kmsKeyArn: flink.artifactKmsKeyArn,
      },
      children.opts,
    );

    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const logGroupArn = pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupNameOf(flink.applicationName)}`;
    this.endpointResources = {
      s3: [artifact.bucketArn, pulumi.interpolate`${artifact.bucketArn}/*`],
      dynamodb: [table.tableArn, pulumi.interpolate`${table.tableArn}/index/*`],
      ...source.endpointResources,
      // The logs endpoint admits the application's own log group.
      logs: [logGroupArn, pulumi.interpolate`${logGroupArn}:*`],
    };
    const networkArg = args.network ?? { mode: "public" };
    const network =
      networkArg instanceof PipelineNetwork
        ? networkArg
        : networkArg.mode === "public"
          ? undefined
          : deployNetwork(children, networkArg, sourceConfig.kind, this.endpointResources);

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

    if (flink.acceptOneWayRuntime !== undefined) {
      pulumi.log.warn(
        `flink-pipeline:flink.runtime ${flink.runtime} is one-way: the application and its snapshots cannot go back to an earlier runtime (accepted by flink.acceptOneWayRuntime)`,
        this,
      );
    }
    const app = new FlinkApplication(
      children.name("flink"),
      {
        applicationName: flink.applicationName,
        runtime: flink.runtime,
        code: { bucketArn: artifact.bucketArn, fileKey: artifact.objectKey },
        propertyGroups: mergePropertyGroups(generated, flink.properties),
        grants: [
          ...source.grants,
          (role) => table.grantWrite(role),
          (role) => artifact.grantRead(role),
          // A shared network grants each of its applications under the application's pipeline name.
          ...(network
            ? [(role: aws.iam.Role) => network.grantEni(role, network === args.network ? name : undefined)]
            : []),
        ],
        vpc: network
          ? { subnetIds: network.subnetIds, securityGroupIds: [network.securityGroupId] }
          : undefined,
        // The application fails to create if its code object does not exist yet; a Kafka job reads
        // its client configs at startup, so a key rotation restarts it only once they hold the new key.
        // Inside a VPC, its traffic is dropped until the security-group rules exist, and AWS APIs without
        // a NAT route are reachable only once their endpoints are.
        dependsOn: [
          ...(artifact.object ? [artifact.object] : []),
          ...source.dependsOn,
          ...(network ? network.readyForApplication : []),
        ],
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
        forceStop: flink.stopWithoutSnapshot,
        stateKey: flink.stateEncryption,
        timeouts: flink.timeouts,
      },
      children.opts,
    );

    const monitoring = alarms.enabled
      ? new FlinkMonitoring(
          children.name("monitoring"),
          { ...monitoringArgs({ source: sourceConfig, flink, alarms }), topicArn: args.alarmTopicArn },
          children.opts,
        )
      : undefined;

    this.application = app;
    this.table = table;
    this.artifact = artifact;
    this.monitoring = monitoring;
    this.network = network;
    this.outputs = {
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
            dashboardName: monitoring.dashboardName ?? args.dashboard?.dashboardName,
            dashboardUrl: monitoring.dashboardUrl ?? args.dashboard?.dashboardUrl,
          }
        : {}),
      ...networkOutputs(network),
    };
    this.registerOutputs({ ...this.outputs });
  }
}

/**
 * Warnings for the artifacts whose Flink version cannot be read, so is not checked against
 * `flink.runtime`: one per artifact (the reason names it) and runtime, naming the pipelines that
 * use it; a name is undefined for a stack's one pipeline.
 */
export function uncheckedFlinkVersionWarnings(pipelines: [string | undefined, FlinkConfig][]): string[] {
  const groups = new Map<string, { runtime: string; reason: string; names: string[] }>();
  for (const [name, flink] of pipelines) {
    if (!("unreadable" in flink.artifactFlinkVersion)) continue;
    const reason = flink.artifactFlinkVersion.unreadable;
    const key = JSON.stringify([reason, flink.runtime]);
    const group = groups.get(key) ?? { runtime: flink.runtime, reason, names: [] };
    if (name !== undefined) group.names.push(name);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ runtime, reason, names }) => {
    const users =
      names.length === 0 ? "" : ` (${names.length === 1 ? "pipeline" : "pipelines"} ${names.join(", ")})`;
    return `the artifact's Flink version is not checked against flink.runtime ${runtime}${users}: ${reason}`;
  });
}

/** What a stack exports of its network: nothing when public. */
export function networkOutputs(
  network: PipelineNetwork | undefined,
): Pick<PipelineOutputs, "vpcId" | "privateSubnetIds" | "securityGroupId"> {
  return network
    ? { vpcId: network.vpcId, privateSubnetIds: network.subnetIds, securityGroupId: network.securityGroupId }
    : {};
}

/** How the pipeline names and parents its children. */
interface Children {
  name(role: string): string;
  opts: pulumi.ComponentResourceOptions;
}

function kinesisSource(
  children: Children,
  sourceConfig: KinesisSourceConfig,
  protect: boolean,
  flink: FlinkConfig,
): SourceWiring {
  const source = new KinesisSource(
    children.name("source"),
    {
      streamName: sourceConfig.streamName,
      streamMode: sourceConfig.streamMode,
      shardCount: sourceConfig.shardCount,
      retentionHours: sourceConfig.retentionHours,
      kmsKeyId: sourceConfig.kmsKeyId,
      retain: protect,
      // A job that stops without deregistering leaves its consumer, which would block the delete.
      enforceConsumerDeletion: sourceConfig.enhancedFanOut,
    },
    children.opts,
  );
  const consumerName = sourceConfig.enhancedFanOut ? flink.applicationName : undefined;
  return {
    properties: {
      kind: "kinesis",
      "stream.name": source.streamName,
      "stream.arn": source.streamArn,
      "initial.position": sourceConfig.initialPosition,
      "efo.consumer.name": consumerName,
    },
    grants: [(role) => source.grantRead(role, { enhancedFanOut: sourceConfig.enhancedFanOut, consumerName })],
    dependsOn: [],
    outputs: { streamName: source.streamName, streamArn: source.streamArn },
    endpointResources: { kinesis: [source.streamArn, pulumi.interpolate`${source.streamArn}/consumer/*`] },
  };
}

/**
 * Confluent Cloud Kafka: the job's account, ACLs, topics and rotated keys, then the client
 * configs carrying the newest key. Without a given provider, one takes its credentials from the
 * secret config `confluentcloud:cloudApiKey` / `cloudApiSecret` (or CONFLUENT_CLOUD_API_KEY / _SECRET).
 */
function confluentSource(
  children: Children,
  sourceConfig: ConfluentSourceConfig,
  protect: boolean,
  now: Date,
  givenProvider: confluentcloud.Provider | undefined,
  manager: ConfluentManagerResources | undefined,
): SourceWiring {
  const rotation = liveGenerations(sourceConfig.rotation, now);
  const providerConfig = new pulumi.Config("confluentcloud");
  const provider =
    givenProvider ??
    new confluentcloud.Provider(
      children.name("confluent"),
      {
        cloudApiKey: providerConfig.getSecret("cloudApiKey"),
        cloudApiSecret: providerConfig.getSecret("cloudApiSecret"),
      },
      children.opts,
    );
  const kafka = new ConfluentSource(
    children.name("source"),
    {
      environmentId: sourceConfig.environmentId,
      clusterId: sourceConfig.clusterId,
      serviceAccountName: sourceConfig.serviceAccountName,
      topics: sourceConfig.topics,
      sinkTopics: sourceConfig.sinkTopics,
      consumerGroup: sourceConfig.consumerGroup,
      keyGenerations: rotation.generations,
      manager,
    },
    { ...children.opts, providers: [provider] },
  );
  const clientConfig = new KafkaClientConfig(
    children.name("kafka-client"),
    {
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
    },
    children.opts,
  );
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
    // The job subscribes to its topics under its ACLs and reads schemas under its role bindings at
    // start: created after it, they would fail its first start (and restart it).
    dependsOn: [
      ...kafka.readyForJob,
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
    endpointResources: {
      secretsManager: [clientConfig.kafkaSecretArn],
      ssm: clientConfig.parameterPathArns,
    },
  };
}

/** The application's own VPC, security groups and endpoints, whose restricted policies admit `policyResources`. */
function deployNetwork(
  children: Children,
  network: VpcNetworkConfig,
  sourceKind: string,
  policyResources: Partial<Record<EndpointName, pulumi.Input<string>[]>>,
): PipelineNetwork {
  return new PipelineNetwork(
    children.name("network"),
    networkArgs(network, sourceKind, policyResources),
    children.opts,
  );
}

/** The arguments of a `PipelineNetwork` from a stack's network config. */
export function networkArgs(
  network: VpcNetworkConfig,
  sourceKind: string,
  policyResources: PipelineNetworkArgs["endpointPolicyResources"],
): PipelineNetworkArgs {
  return {
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
    endpointPolicyResources: policyResources,
    kafkaPort: kafkaPortFor(sourceKind),
  };
}
