/**
 * The wiring: one typed stack config in, the stack's pipelines and stack outputs out.
 */
import * as confluentcloud from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { ArtifactBucket } from "../components/artifactBucket";
import { ConfluentManager } from "../components/confluentManager";
import {
  FlinkPipeline,
  PipelineOutputs,
  networkArgs,
  networkOutputs,
  uncheckedFlinkVersionWarnings,
} from "../components/flinkPipeline";
import { ENDPOINT_NAMES, EndpointName, PipelineNetwork } from "../components/network";
import { StackMonitoring } from "../components/stackMonitoring";
import { PipelineConfig, PipelinesStackConfig, StackConfig } from "./config";
import { monitoringArgs } from "./monitoring";
import { deploymentTime } from "./rotation";

/**
 * A stack's top-level `source`, `table`, `flink` and `alarms` are its one pipeline; its children
 * keep the names (and, through aliases, the URNs) they had before {@link FlinkPipeline} existed.
 * `now` picks the live API-key generations of a Confluent source: the current time under the
 * CLI, `FLINK_PIPELINE_NOW` when set (the offline plan's `--now`).
 */
export function deployPipeline(config: StackConfig, now: Date = deploymentTime()): PipelineOutputs {
  const pipeline = new FlinkPipeline("pipeline", {
    source: config.source,
    table: config.table,
    flink: config.flink,
    alarms: config.alarms,
    network: config.network,
    protect: config.protect,
    confluentProvider: config.source.kind === "confluent" ? confluentProvider() : undefined,
    now,
    legacyChildNames: true,
  });
  return pipeline.outputs;
}

/** What a stack of several pipelines exports: what they share, and each pipeline's own outputs. */
export interface PipelinesOutputs {
  pipelines: Record<string, PipelineOutputs>;
  /** Set when a pipeline uploads a local artifact. */
  artifactBucket?: pulumi.Output<string>;
  /** Set when a pipeline has alarms. */
  alarmTopicArn?: pulumi.Output<string>;
  dashboardName?: pulumi.Output<string>;
  dashboardUrl?: pulumi.Output<string>;
  /** VPC modes only. */
  vpcId?: pulumi.Output<string>;
  privateSubnetIds?: pulumi.Output<string[]>;
  securityGroupId?: pulumi.Output<string>;
}

/**
 * A stack of several pipelines: one artifact bucket, one alarm topic and dashboard (a page per 45
 * pipelines), one network and one Confluent manager account per cluster, shared; everything else
 * per pipeline, named `<pipeline>-...` (resources) and `<project>-<stack>-<pipeline>` (AWS names,
 * unless set).
 */
export function deployPipelines(
  config: PipelinesStackConfig,
  now: Date = deploymentTime(),
): PipelinesOutputs {
  const stackName = `${pulumi.getProject()}-${pulumi.getStack()}`;
  const entries = Object.entries(config.pipelines);
  const protect = config.protect;

  const uploads = entries.some(([, pipeline]) => pipeline.flink.artifact.kind !== "s3");
  const bucket = uploads ? new ArtifactBucket("artifacts", { retain: protect }) : undefined;

  const monitored = entries.filter(([, pipeline]) => pipeline.alarms.enabled);
  const monitoring =
    monitored.length > 0
      ? new StackMonitoring("monitoring", {
          baseName: stackName,
          applications: monitored.map(([, pipeline]) => monitoringArgs(pipeline)),
          ...config.alarmTopic,
        })
      : undefined;

  // The shared dashboard page holding each monitored pipeline's section.
  const dashboards = new Map(
    monitored.map(([name], index) => [name, monitoring!.applicationDashboards[index]]),
  );

  const confluent = entries.flatMap(([, pipeline]) =>
    pipeline.source.kind === "confluent" ? [pipeline.source] : [],
  );
  const provider = confluent.length > 0 ? confluentProvider() : undefined;
  const managers = new Map<string, ConfluentManager>();
  for (const source of confluent) {
    if (managers.has(source.clusterId)) continue;
    managers.set(
      source.clusterId,
      new ConfluentManager(
        `confluent-${source.clusterId}`,
        {
          environmentId: source.environmentId,
          clusterId: source.clusterId,
          owner: `${stackName}-${source.clusterId}`,
        },
        { providers: [provider!] },
      ),
    );
  }

  // The endpoint policies admit every pipeline's resources, known once the pipelines exist.
  const [endpointResources, resolveEndpointResources] =
    pulumi.deferredOutput<Partial<Record<EndpointName, string[]>>>();
  const network =
    config.network.mode === "public"
      ? undefined
      : new PipelineNetwork(
          "network",
          networkArgs(
            config.network,
            confluent.length > 0 ? "confluent" : "kinesis",
            Object.fromEntries(
              ENDPOINT_NAMES.map((endpoint) => [
                endpoint,
                endpointResources.apply((all) => all[endpoint] ?? []),
              ]),
            ),
          ),
        );

  // Pipelines often share one artifact: one warning for it, naming them all.
  for (const warning of uncheckedFlinkVersionWarnings(entries.map(([name, { flink }]) => [name, flink]))) {
    pulumi.log.warn(warning);
  }
  const pipelines = entries.map(
    ([name, pipeline]: [string, PipelineConfig]) =>
      [
        name,
        new FlinkPipeline(name, {
          ...pipeline,
          network: network ?? config.network,
          protect,
          artifactBucket: bucket,
          alarmTopicArn: monitoring?.topicArn,
          dashboard: dashboards.get(name),
          confluentManager:
            pipeline.source.kind === "confluent" ? managers.get(pipeline.source.clusterId) : undefined,
          confluentProvider: provider,
          now,
          warnUncheckedFlinkVersion: false,
        }),
      ] as const,
  );
  resolveEndpointResources(
    pulumi.output(pipelines.map(([, pipeline]) => pipeline.endpointResources)).apply((each) => {
      const union: Partial<Record<EndpointName, string[]>> = {};
      for (const resources of each) {
        for (const [endpoint, arns] of Object.entries(resources) as [EndpointName, string[]][]) {
          union[endpoint] = [...new Set([...(union[endpoint] ?? []), ...arns])];
        }
      }
      return union;
    }),
  );

  return {
    pipelines: Object.fromEntries(pipelines.map(([name, pipeline]) => [name, pipeline.outputs])),
    ...(bucket ? { artifactBucket: bucket.bucketName } : {}),
    ...(monitoring
      ? {
          alarmTopicArn: monitoring.topicArn,
          dashboardName: monitoring.dashboardName,
          dashboardUrl: monitoring.dashboardUrl,
        }
      : {}),
    ...networkOutputs(network),
  };
}

/**
 * The stack's one Confluent Cloud provider: it takes its credentials from the secret config
 * `confluentcloud:cloudApiKey` / `cloudApiSecret` (or CONFLUENT_CLOUD_API_KEY / _SECRET).
 */
function confluentProvider(): confluentcloud.Provider {
  const providerConfig = new pulumi.Config("confluentcloud");
  return new confluentcloud.Provider("confluent", {
    cloudApiKey: providerConfig.getSecret("cloudApiKey"),
    cloudApiSecret: providerConfig.getSecret("cloudApiSecret"),
  });
}
