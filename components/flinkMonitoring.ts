import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where Managed Flink publishes application metrics. */
export const FLINK_NAMESPACE = "AWS/KinesisAnalytics";

/** The stream (Kinesis) or topic (Kafka) the job reads: its lag metric and that metric's dimensions differ. */
export type MonitoredSource =
  { kind: "kinesis"; streamName: pulumi.Input<string> } | { kind: "kafka"; topic: pulumi.Input<string> };

/** Arguments of {@link FlinkMonitoring}. */
export interface FlinkMonitoringArgs {
  /** The Managed Flink application to watch (the `Application` dimension); names the topic, alarms and dashboard. */
  applicationName: string;
  /** The application's runtime: Flink 2.x renamed some metrics. @default "FLINK-1_20" */
  runtime?: string;
  /** The source whose lag is watched. */
  source: MonitoredSource;
  /** The application's checkpointing; without it, the checkpoint alarms are left out. @default enabled, 60000 ms */
  checkpointing?: { enabled?: boolean; intervalMs?: number };
  /** Alarm thresholds. @default see each field */
  thresholds?: MonitoringThresholds;
  /** Length of one alarm period, in seconds. @default 60 */
  periodSeconds?: number;
  /** Periods the heap, CPU and lag alarms must breach in a row (the others alarm on the first). @default 3 */
  evaluationPeriods?: number;
  /** An e-mail address subscribed to the topic; AWS sends it a confirmation link. @default no subscription */
  email?: string;
  /**
   * A customer-managed KMS key ARN for the topic; its policy must let `cloudwatch.amazonaws.com` use
   * `kms:Decrypt` and `kms:GenerateDataKey*`. The AWS-managed `alias/aws/sns` cannot be used: CloudWatch
   * cannot publish to topics under it. @default a new key with rotation, usable by CloudWatch
   */
  kmsKeyId?: string;
}

/** Thresholds of {@link FlinkMonitoring}'s alarms. */
export interface MonitoringThresholds {
  /** Kinesis: `millisBehindLatest` above this alarms. @default 60000 */
  maxLagMs?: number;
  /** Kafka: `records_lag_max` above this alarms. @default 10000 */
  maxLagRecords?: number;
  /** `heapMemoryUtilization` (percent) above this alarms. @default 90 */
  heapPercent?: number;
  /** `cpuUtilization` (percent) above this alarms. @default 80 */
  cpuPercent?: number;
  /** `lastCheckpointDuration` (ms) above this alarms. @default half the checkpoint interval */
  checkpointDurationMs?: number;
}

/** One metric of an alarm or a metric-math alarm's input. */
export interface AlarmMetric {
  metricName: string;
  statistic: string;
  dimensions: Record<string, pulumi.Input<string>>;
}

/** What one alarm watches and when it fires; `metric` or `expression` + `metrics`. */
export interface AlarmDefinition {
  /** Suffix of the alarm's name: `<application>-<key>`. */
  key: string;
  /** Why the alarm matters and what to do: the alarm's description. */
  description: string;
  metric?: AlarmMetric;
  /** Metric math over `metrics` (ids m1, m2, ...). */
  expression?: string;
  metrics?: AlarmMetric[];
  threshold: number;
  comparison: "GreaterThanThreshold";
  evaluationPeriods: number;
  treatMissingData: "breaching" | "notBreaching";
}

/** The metric names of a runtime: Flink 2.x dropped `fullRestarts` and deprecated `uptime`/`downtime`. */
export function runtimeMetrics(runtime: string): { restarts: string; running: string; outage: string[] } {
  const major = Number(/^FLINK-(\d+)_/.exec(runtime)?.[1] ?? 1);
  return major >= 2
    ? { restarts: "numRestarts", running: "runningTime", outage: ["restartingTime", "failingTime"] }
    : { restarts: "fullRestarts", running: "uptime", outage: ["downtime"] };
}

/**
 * The `Id` dimension Managed Flink gives a Kinesis source's metrics: the stream name with `-` and `.`
 * replaced by `_` (Flink metric-group names cannot hold them).
 */
export function kinesisMetricId(streamName: string): string {
  return streamName.replace(/[-.]/g, "_");
}

/** Topic and dashboard names allow only letters, digits, `-` and `_`; application names also allow `.`. */
export function resourceNameOf(applicationName: string): string {
  return applicationName.replace(/[^A-Za-z0-9_-]/g, "-");
}

/** The lag metric of a source, with the dimensions Managed Flink publishes it under. */
export function lagMetric(applicationName: string, source: MonitoredSource): AlarmMetric {
  const base = { Application: applicationName, Flow: "Input" };
  return source.kind === "kinesis"
    ? {
        metricName: "millisBehindLatest",
        statistic: "Maximum",
        dimensions: { ...base, Id: pulumi.output(source.streamName).apply(kinesisMetricId) },
      }
    : { metricName: "records_lag_max", statistic: "Maximum", dimensions: { ...base, Topic: source.topic } };
}

/** Every alarm of an application, from its runtime, source and thresholds. */
export function alarmDefinitions(args: FlinkMonitoringArgs): AlarmDefinition[] {
  const app = args.applicationName;
  const metrics = runtimeMetrics(args.runtime ?? "FLINK-1_20");
  const thresholds = args.thresholds ?? {};
  const checkpointing = {
    enabled: args.checkpointing?.enabled ?? true,
    intervalMs: args.checkpointing?.intervalMs ?? 60000,
  };
  const sustained = args.evaluationPeriods ?? 3;
  const dimensions = { Application: app };
  const appMetric = (metricName: string, statistic = "Maximum"): AlarmMetric => ({
    metricName,
    statistic,
    dimensions,
  });
  const rising = (metricName: string) => ({ expression: "RATE(m1)", metrics: [appMetric(metricName)] });

  const outage =
    metrics.outage.length === 1
      ? { metric: appMetric(metrics.outage[0], "Average") }
      : {
          expression: metrics.outage.map((_, i) => `m${i + 1}`).join(" + "),
          metrics: metrics.outage.map((m) => appMetric(m)),
        };
  const definitions: AlarmDefinition[] = [
    {
      key: "downtime",
      description: `${app} is failing or restarting, or publishes no metrics (stopped): it processes nothing and takes no snapshots. Runbook: docs/operations.md#the-application-is-down.`,
      ...outage,
      threshold: 0,
      comparison: "GreaterThanThreshold",
      evaluationPeriods: 1,
      treatMissingData: "breaching",
    },
  ];
  if (checkpointing.enabled) {
    definitions.push(
      {
        key: "failed-checkpoints",
        description: `${app} failed a checkpoint: an app that cannot checkpoint cannot snapshot, and every update or rollback then hangs. Runbook: docs/operations.md#a-deployment-hangs-on-a-snapshot.`,
        ...rising("numberOfFailedCheckpoints"),
        threshold: 0,
        comparison: "GreaterThanThreshold",
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
      {
        key: "checkpoint-duration",
        description: `${app} took more than ${thresholds.checkpointDurationMs ?? Math.floor(checkpointing.intervalMs / 2)} ms for a checkpoint (interval ${checkpointing.intervalMs} ms): state or backpressure is growing toward failed checkpoints.`,
        metric: appMetric("lastCheckpointDuration"),
        threshold: thresholds.checkpointDurationMs ?? Math.floor(checkpointing.intervalMs / 2),
        comparison: "GreaterThanThreshold",
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    );
  }
  definitions.push(
    {
      key: "restarts",
      description: `${app} restarted its job (${metrics.restarts} rose): look for exceptions in the log group; a crash loop shows here before downtime.`,
      ...rising(metrics.restarts),
      threshold: 0,
      comparison: "GreaterThanThreshold",
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
    {
      key: "heap",
      description: `${app} heap above ${thresholds.heapPercent ?? 90}% for ${sustained} periods: out-of-memory restarts follow; check state size and parallelism.`,
      metric: appMetric("heapMemoryUtilization"),
      threshold: thresholds.heapPercent ?? 90,
      comparison: "GreaterThanThreshold",
      evaluationPeriods: sustained,
      treatMissingData: "notBreaching",
    },
    {
      key: "cpu",
      description: `${app} CPU above ${thresholds.cpuPercent ?? 80}% for ${sustained} periods: the job cannot keep up; raise parallelism or let autoscaling act.`,
      metric: appMetric("cpuUtilization"),
      threshold: thresholds.cpuPercent ?? 80,
      comparison: "GreaterThanThreshold",
      evaluationPeriods: sustained,
      treatMissingData: "notBreaching",
    },
  );
  const lagLimit =
    args.source.kind === "kinesis" ? (thresholds.maxLagMs ?? 60000) : (thresholds.maxLagRecords ?? 10000);
  const lagUnit = args.source.kind === "kinesis" ? "ms" : "records";
  definitions.push({
    key: "source-lag",
    description: `${app} is more than ${lagLimit} ${lagUnit} behind its ${args.source.kind === "kinesis" ? "stream" : "topic"} for ${sustained} periods: results are late and data may expire before it is read.`,
    metric: lagMetric(app, args.source),
    threshold: lagLimit,
    comparison: "GreaterThanThreshold",
    evaluationPeriods: sustained,
    treatMissingData: "notBreaching",
  });
  return definitions;
}

/**
 * CloudWatch alarms, an encrypted SNS topic they notify (optionally with an e-mail subscription) and a
 * dashboard for one Managed Flink application. Names derive from the application's name.
 */
export class FlinkMonitoring extends pulumi.ComponentResource {
  public readonly key?: aws.kms.Key;
  public readonly topic: aws.sns.Topic;
  public readonly alarms: Record<string, aws.cloudwatch.MetricAlarm>;
  public readonly dashboard: aws.cloudwatch.Dashboard;
  public readonly topicArn: pulumi.Output<string>;
  public readonly alarmNames: pulumi.Output<string[]>;
  public readonly dashboardName: pulumi.Output<string>;
  public readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: FlinkMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flink-pipeline:monitoring:FlinkMonitoring", name, {}, opts);
    if (args.kmsKeyId === "alias/aws/sns") {
      throw new Error(
        `FlinkMonitoring ${name}: kmsKeyId cannot be alias/aws/sns: CloudWatch alarms cannot publish to a topic under the AWS-managed key`,
      );
    }
    const interval = args.checkpointing?.intervalMs ?? 60000;
    const duration = args.thresholds?.checkpointDurationMs;
    if ((args.checkpointing?.enabled ?? true) && duration !== undefined && duration >= interval) {
      throw new Error(
        `FlinkMonitoring ${name}: thresholds.checkpointDurationMs (${duration}) must be below checkpointing.intervalMs (${interval})`,
      );
    }
    const parent = { parent: this };
    const app = args.applicationName;
    const baseName = resourceNameOf(app);
    const period = args.periodSeconds ?? 60;
    const region = aws.getRegionOutput({}, parent).region;
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const partition = aws.getPartitionOutput({}, parent).partition;

    let kmsKeyId: pulumi.Input<string>;
    if (args.kmsKeyId !== undefined) {
      kmsKeyId = args.kmsKeyId;
    } else {
      this.key = new aws.kms.Key(
        `${name}-key`,
        {
          description: `Encrypts the alarm topic of the Managed Flink application ${app}`,
          enableKeyRotation: true,
          deletionWindowInDays: 7,
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
              // In a key policy, Resource "*" means this key. The account keeps control of its key
              // through IAM, as in the default key policy.
              {
                Sid: "AccountAdministersKey",
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
              },
              // CloudWatch must encrypt what it publishes to the topic; the topic policy limits it to this
              // account's alarms of this application.
              {
                Sid: "CloudWatchAlarmsEncrypt",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
              },
            ],
          }),
        },
        parent,
      );
      new aws.kms.Alias(
        `${name}-key-alias`,
        { name: `alias/${baseName}-alarms`, targetKeyId: this.key.keyId },
        parent,
      );
      kmsKeyId = this.key.arn;
    }

    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { name: `${baseName}-alarms`, displayName: `Alarms of ${app}`, kmsMasterKeyId: kmsKeyId },
      parent,
    );
    const alarmArnPattern = pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${app}-*`;
    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: this.topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "CloudWatchAlarmsPublish",
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "sns:Publish",
              Resource: this.topic.arn,
              Condition: {
                StringEquals: { "aws:SourceAccount": accountId },
                ArnLike: { "aws:SourceArn": alarmArnPattern },
              },
            },
          ],
        }),
      },
      parent,
    );
    if (args.email !== undefined) {
      new aws.sns.TopicSubscription(
        `${name}-email`,
        { topic: this.topic.arn, protocol: "email", endpoint: args.email },
        parent,
      );
    }

    const definitions = alarmDefinitions(args);
    this.alarms = {};
    for (const definition of definitions) {
      this.alarms[definition.key] = new aws.cloudwatch.MetricAlarm(
        `${name}-${definition.key}`,
        alarmArgs(`${app}-${definition.key}`, definition, period, this.topic.arn),
        parent,
      );
    }
    const alarmArns = Object.values(this.alarms).map((alarm) => alarm.arn);

    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: baseName,
        dashboardBody: pulumi
          .all([region, lagMetric(app, args.source).dimensions, pulumi.all(alarmArns)])
          .apply(([regionName, lagDimensions, arns]) =>
            JSON.stringify(
              dashboardBody({
                applicationName: app,
                region: regionName,
                runtime: args.runtime ?? "FLINK-1_20",
                period,
                lag: { ...lagMetric(app, args.source), dimensions: lagDimensions as Record<string, string> },
                thresholds: Object.fromEntries(definitions.map((d) => [d.key, d.threshold])),
                alarmArns: arns,
              }),
            ),
          ),
      },
      parent,
    );

    this.topicArn = this.topic.arn;
    this.alarmNames = pulumi.all(Object.values(this.alarms).map((alarm) => alarm.name));
    this.dashboardName = this.dashboard.dashboardName;
    this.dashboardUrl = pulumi.interpolate`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
    this.registerOutputs({
      topicArn: this.topicArn,
      alarmNames: this.alarmNames,
      dashboardName: this.dashboardName,
      dashboardUrl: this.dashboardUrl,
    });
  }
}

function alarmArgs(
  alarmName: string,
  definition: AlarmDefinition,
  period: number,
  topicArn: pulumi.Input<string>,
): aws.cloudwatch.MetricAlarmArgs {
  const common: aws.cloudwatch.MetricAlarmArgs = {
    name: alarmName,
    alarmDescription: definition.description,
    comparisonOperator: definition.comparison,
    threshold: definition.threshold,
    evaluationPeriods: definition.evaluationPeriods,
    datapointsToAlarm: definition.evaluationPeriods,
    treatMissingData: definition.treatMissingData,
    alarmActions: [topicArn],
    okActions: [topicArn],
  };
  if (definition.metric) {
    return {
      ...common,
      namespace: FLINK_NAMESPACE,
      metricName: definition.metric.metricName,
      statistic: definition.metric.statistic,
      dimensions: definition.metric.dimensions,
      period,
    };
  }
  return {
    ...common,
    metricQueries: [
      { id: "e1", expression: definition.expression, label: alarmName, returnData: true },
      ...(definition.metrics ?? []).map((metric, index) => ({
        id: `m${index + 1}`,
        returnData: false,
        metric: {
          namespace: FLINK_NAMESPACE,
          metricName: metric.metricName,
          stat: metric.statistic,
          dimensions: metric.dimensions,
          period,
        },
      })),
    ],
  };
}

/** What the dashboard shows, resolved. */
export interface DashboardInputs {
  applicationName: string;
  region: string;
  runtime: string;
  period: number;
  lag: { metricName: string; statistic: string; dimensions: Record<string, string> };
  /** Alarm thresholds by alarm key (`source-lag`, `cpu`, ...), drawn on the matching graphs. */
  thresholds: Record<string, number>;
  alarmArns: string[];
}

/** The dashboard body (CloudWatch's JSON structure): health, checkpoints, source lag, throughput, resources. */
export function dashboardBody(inputs: DashboardInputs): { widgets: Record<string, unknown>[] } {
  const { applicationName: app, region, period } = inputs;
  const metrics = runtimeMetrics(inputs.runtime);
  const appMetric = (metricName: string, stat: string, label = metricName) => [
    FLINK_NAMESPACE,
    metricName,
    "Application",
    app,
    { stat, label },
  ];
  const graph = (
    title: string,
    series: unknown[][],
    position: { x: number; y: number },
    alarmKey?: string,
  ) => ({
    type: "metric",
    ...position,
    width: 8,
    height: 6,
    properties: {
      title,
      region,
      period,
      view: "timeSeries",
      stacked: false,
      metrics: series,
      ...(alarmKey !== undefined && inputs.thresholds[alarmKey] !== undefined
        ? {
            annotations: { horizontal: [{ label: `alarm ${alarmKey}`, value: inputs.thresholds[alarmKey] }] },
          }
        : {}),
    },
  });
  const lagDimensions = Object.entries(inputs.lag.dimensions).flat();
  return {
    widgets: [
      {
        type: "text",
        x: 0,
        y: 0,
        width: 24,
        height: 1,
        properties: { markdown: `# ${app} (${inputs.runtime}): alarms runbook in docs/operations.md` },
      },
      {
        type: "alarm",
        x: 0,
        y: 1,
        width: 24,
        height: 3,
        properties: { title: "Alarms", alarms: inputs.alarmArns },
      },
      graph("KPUs", [appMetric("KPUs", "Maximum")], { x: 0, y: 4 }),
      graph(
        `Uptime and downtime (${[metrics.running, ...metrics.outage].join(", ")})`,
        [appMetric(metrics.running, "Maximum"), ...metrics.outage.map((m) => appMetric(m, "Maximum"))],
        { x: 8, y: 4 },
      ),
      graph(`Restarts (${metrics.restarts})`, [appMetric(metrics.restarts, "Maximum")], { x: 16, y: 4 }),
      graph(
        "Checkpoints",
        [appMetric("lastCheckpointDuration", "Maximum"), appMetric("numberOfFailedCheckpoints", "Maximum")],
        { x: 0, y: 10 },
        "checkpoint-duration",
      ),
      graph("Checkpoint size", [appMetric("lastCheckpointSize", "Maximum")], { x: 8, y: 10 }),
      graph(
        `Source lag (${inputs.lag.metricName})`,
        [[FLINK_NAMESPACE, inputs.lag.metricName, ...lagDimensions, { stat: inputs.lag.statistic }]],
        { x: 16, y: 10 },
        "source-lag",
      ),
      graph(
        "Records in / out per second",
        [appMetric("numRecordsInPerSecond", "Average"), appMetric("numRecordsOutPerSecond", "Average")],
        { x: 0, y: 16 },
      ),
      graph("CPU (%)", [appMetric("cpuUtilization", "Maximum")], { x: 8, y: 16 }, "cpu"),
      graph("Heap memory (%)", [appMetric("heapMemoryUtilization", "Maximum")], { x: 16, y: 16 }, "heap"),
    ],
  };
}
