/**
 * The wiring: one typed stack config in, the pipeline's components and stack outputs out.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FeatureTable } from "../components/featureTable";
import { FlinkApplication, logGroupNameOf } from "../components/flinkApplication";
import { FlinkMonitoring } from "../components/flinkMonitoring";
import { JobArtifact } from "../components/jobArtifact";
import { KinesisSource } from "../components/kinesisSource";
import { EndpointName, PipelineNetwork } from "../components/network";
import { StackConfig } from "./config";
import { VpcNetworkConfig, kafkaPortFor } from "./networkConfig";
import { GeneratedGroups, RUN_OPTIONS_GROUP, mergePropertyGroups } from "./propertyGroups";

export interface PipelineOutputs {
  streamName: pulumi.Output<string>;
  streamArn: pulumi.Output<string>;
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
}

export function deployPipeline(config: StackConfig): PipelineOutputs {
  const { source: sourceConfig, table: tableConfig, flink } = config;
  const region = aws.getRegionOutput().region;

  // Physical names follow the application's, so one account holds many stacks without clashes.
  const source = new KinesisSource("source", {
    streamName: sourceConfig.streamName ?? `${flink.applicationName}-events`,
    streamMode: sourceConfig.streamMode,
    shardCount: sourceConfig.shardCount,
    retentionHours: sourceConfig.retentionHours,
    kmsKeyId: sourceConfig.kmsKeyId,
    retain: config.protect,
  });
  const table = new FeatureTable("table", {
    ...tableConfig,
    tableName: tableConfig.tableName ?? `${flink.applicationName}-features`,
    retain: config.protect,
  });
  const artifact = new JobArtifact("artifact", {
    source: flink.artifact,
    keyPrefix: flink.applicationName,
    retain: config.protect,
  });

  const network =
    config.network.mode === "public"
      ? undefined
      : deployNetwork(config.network, config.source.kind, flink.applicationName, {
          s3: [artifact.bucketArn, pulumi.interpolate`${artifact.bucketArn}/*`],
          dynamodb: [table.tableArn, pulumi.interpolate`${table.tableArn}/index/*`],
          kinesis: [source.streamArn, pulumi.interpolate`${source.streamArn}/consumer/*`],
        });

  const generated: GeneratedGroups = {
    source: {
      kind: "kinesis",
      "stream.name": source.streamName,
      "stream.arn": source.streamArn,
      "aws.region": region,
      "initial.position": sourceConfig.initialPosition,
      "efo.consumer.name": sourceConfig.enhancedFanOut ? flink.applicationName : undefined,
    },
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
      (role) => source.grantRead(role, { enhancedFanOut: sourceConfig.enhancedFanOut }),
      (role) => table.grantWrite(role),
      (role) => artifact.grantRead(role),
      ...(network ? [(role: aws.iam.Role) => network.grantEni(role)] : []),
    ],
    vpc: network ? { subnetIds: network.subnetIds, securityGroupIds: [network.securityGroupId] } : undefined,
    // The application fails to create if its code object does not exist yet.
    dependsOn: artifact.object ? [artifact.object] : [],
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
        source: { kind: "kinesis", streamName: source.streamName },
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
    streamName: source.streamName,
    streamArn: source.streamArn,
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
