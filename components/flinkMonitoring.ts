import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { SNS_POLICY_MAX_BYTES } from "../policy/lib/quotas";
import { FLINK_METRICS_NAMESPACE } from "./flinkApplication";
import { keyPolicy } from "./iam";

/** Where Managed Flink publishes application metrics. */
export const FLINK_NAMESPACE = FLINK_METRICS_NAMESPACE;

/** Where Kinesis Data Streams publishes its own per-stream and per-consumer metrics. */
export const KINESIS_NAMESPACE = "AWS/Kinesis";

/**
 * What the job reads: a Kinesis stream (with `consumerName` when it reads with enhanced fan-out) or
 * Kafka topics. The lag metric differs per source; see {@link lagMetric}.
 */
export type MonitoredSource =
  { kind: "kinesis"; streamName: pulumi.Input<string>; consumerName?: string } | { kind: "kafka" };

/** Arguments of {@link FlinkMonitoring}. */
export interface FlinkMonitoringArgs {
  /** The Managed Flink application to watch (the `Application` dimension); names the topic, alarms and dashboard. */
  applicationName: string;
  /** The application's runtime: Flink 2.x renamed some metrics. @default "FLINK-1_20" */
  runtime?: string;
  /** The source whose lag is watched. */
  source: MonitoredSource;
  /**
   * Whether the program starts the application. A stack that deliberately leaves it stopped gets no
   * outage alarm (it would be in alarm from the start). @default true
   */
  startApplication?: boolean;
  /** The application's checkpointing; without it, the checkpoint alarms are left out. @default enabled, 60000 ms */
  checkpointing?: { enabled?: boolean; intervalMs?: number };
  /** Alarm thresholds. @default see each field */
  thresholds?: MonitoringThresholds;
  /** Length of one alarm period, in seconds. @default 60 */
  periodSeconds?: number;
  /** Periods the heap, CPU and lag alarms must breach in a row (the others alarm on the first). @default 3 */
  evaluationPeriods?: number;
  /**
   * Minutes the application must be down (failing, restarting, or publishing no metrics) before the
   * outage alarm fires: longer than a deployment's snapshot, stop and restart, so a normal deploy does
   * not page. @default 10
   */
  outageMinutes?: number;
  /** An e-mail address subscribed to the topic; AWS sends it a confirmation link. @default no subscription */
  email?: string;
  /**
   * A customer-managed KMS key ARN for the topic; its policy must let `cloudwatch.amazonaws.com` use
   * `kms:Decrypt` and `kms:GenerateDataKey*`. The AWS-managed `alias/aws/sns` cannot be used: CloudWatch
   * cannot publish to topics under it. @default a new key with rotation, usable by CloudWatch
   */
  kmsKeyId?: string;
  /**
   * A topic shared with other applications' alarms (a `StackMonitoring`'s, whose policy admits
   * these alarms and whose dashboard holds their section): this component then creates the alarms
   * alone, and `email` and `kmsKeyId` are the topic's owner's. @default a topic, key and dashboard of its own
   */
  topicArn?: pulumi.Input<string>;
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
  /** Records the job drops in one period (its `droppedRecords` counter) above this alarms. @default 0 */
  maxDroppedRecords?: number;
}

/** One metric of an alarm or a metric-math alarm's input. */
export interface AlarmMetric {
  /** @default {@link FLINK_NAMESPACE} */
  namespace?: string;
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

/** The job's counter of records it drops (contract 2 in the coordination notes), in group `kinesisanalytics`. */
export const DROPPED_RECORDS_METRIC = "droppedRecords";

/** The metric names of a runtime: Flink 2.x dropped `fullRestarts` and deprecated `uptime`/`downtime`. */
export function runtimeMetrics(runtime: string): { restarts: string; running: string; outage: string[] } {
  const major = Number(/^FLINK-(\d+)_/.exec(runtime)?.[1] ?? 1);
  return major >= 2
    ? { restarts: "numRestarts", running: "runningTime", outage: ["restartingTime", "failingTime"] }
    : { restarts: "fullRestarts", running: "uptime", outage: ["downtime"] };
}

/**
 * The base of the topic, KMS alias and dashboard names, which allow only letters, digits, `-` and
 * `_` (application names also allow `.`). A name that needs replacing gets a hash of the original, so
 * `x.a` and `x-a` (two stacks in one account) never share a topic, alias or dashboard: one stack's
 * destroy would delete the other's.
 */
export function resourceNameOf(applicationName: string): string {
  const replaced = applicationName.replace(/[^A-Za-z0-9_-]/g, "-");
  if (replaced === applicationName) return applicationName;
  return `${replaced}-${createHash("sha256").update(applicationName).digest("hex").slice(0, 8)}`;
}

/** SNS allows a topic display name of at most this many characters. */
export const SNS_DISPLAY_NAME_MAX = 100;

/** The topic's display name (the sender of its e-mails), shortened to what SNS accepts. */
export function topicDisplayName(applicationName: string): string {
  const full = `Alarms of ${applicationName}`;
  return full.length <= SNS_DISPLAY_NAME_MAX ? full : `${full.slice(0, SNS_DISPLAY_NAME_MAX - 3)}...`;
}

/**
 * The lag metric of a source, on dimensions its publisher really sets:
 * - Kinesis: the stream's own metrics, published by Kinesis Data Streams per stream (polling:
 *   `GetRecords.IteratorAgeMilliseconds` {StreamName}) or per enhanced fan-out consumer
 *   (`SubscribeToShardEvent.MillisBehindLatest` {StreamName, ConsumerName}), whichever connector
 *   reads: the legacy consumer's `millisBehindLatest` {Application, Flow, Id} disappears with the 5.x
 *   `KinesisStreamsSource`, which registers it under the groups
 *   KinesisStreamSource.accountId.<id>.region.<r>.stream.<name>.shardId.<shard>.
 * - Kafka: `records_lag_max` {Application}: the Flink Kafka source publishes the consumer's
 *   records-lag-max under KafkaSourceReader.KafkaConsumer, with no topic group.
 * docs/operations.md#source-lag cites the sources.
 */
export function lagMetric(applicationName: string, source: MonitoredSource): AlarmMetric {
  if (source.kind === "kafka") {
    return {
      metricName: "records_lag_max",
      statistic: "Maximum",
      dimensions: { Application: applicationName },
    };
  }
  return source.consumerName === undefined
    ? {
        namespace: KINESIS_NAMESPACE,
        metricName: "GetRecords.IteratorAgeMilliseconds",
        statistic: "Maximum",
        dimensions: { StreamName: source.streamName },
      }
    : {
        namespace: KINESIS_NAMESPACE,
        metricName: "SubscribeToShardEvent.MillisBehindLatest",
        statistic: "Maximum",
        dimensions: { StreamName: source.streamName, ConsumerName: source.consumerName },
      };
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
  const outageMinutes = args.outageMinutes ?? 10;
  const definitions: AlarmDefinition[] = [];
  // An application the stack does not start publishes nothing: the outage alarm would fire at once.
  if (args.startApplication ?? true) {
    definitions.push({
      key: "downtime",
      description: `${app} has been failing or restarting, or publishing no metrics (stopped), for ${outageMinutes} minutes: it processes nothing and takes no snapshots. A deployment's restart takes less. Runbook: docs/operations.md#the-application-is-down.`,
      ...outage,
      threshold: 0,
      comparison: "GreaterThanThreshold",
      // CloudWatch evaluates at most one day of periods.
      evaluationPeriods: Math.min(
        Math.max(1, Math.ceil((outageMinutes * 60) / (args.periodSeconds ?? 60))),
        Math.floor(86400 / (args.periodSeconds ?? 60)),
      ),
      treatMissingData: "breaching",
    });
  }
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
  const maxDropped = thresholds.maxDroppedRecords ?? 0;
  definitions.push({
    key: "dropped-records",
    description: `${app} dropped more than ${maxDropped} records in one period (${DROPPED_RECORDS_METRIC}): records it could not parse or write were counted and skipped, not processed. Runbook: docs/operations.md#the-job-drops-records.`,
    // The counter is cumulative since the job started: its rise over one period is what was dropped then.
    expression: "RATE(m1) * PERIOD(m1)",
    metrics: [appMetric(DROPPED_RECORDS_METRIC)],
    threshold: maxDropped,
    comparison: "GreaterThanThreshold",
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  });
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
  /** The key, topic and dashboard exist only without `topicArn`. */
  public readonly key?: aws.kms.Key;
  public readonly topic?: aws.sns.Topic;
  public readonly alarms: Record<string, aws.cloudwatch.MetricAlarm>;
  public readonly dashboard?: aws.cloudwatch.Dashboard;
  public readonly topicArn: pulumi.Output<string>;
  public readonly alarmNames: pulumi.Output<string[]>;
  public readonly dashboardName?: pulumi.Output<string>;
  public readonly dashboardUrl?: pulumi.Output<string>;

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

    const definitions = alarmDefinitions(args);
    let topicArn: pulumi.Input<string>;
    let alarmArnPrefix: pulumi.Output<string> | undefined;
    if (args.topicArn !== undefined) {
      topicArn = args.topicArn;
    } else {
      const topic = createAlarmTopic(
        name,
        {
          baseName,
          displayName: topicDisplayName(app),
          keyPurpose: `the Managed Flink application ${app}`,
          alarms: [
            { applicationName: app, alarmNames: definitions.map((definition) => `${app}-${definition.key}`) },
          ],
          kmsKeyId: args.kmsKeyId,
          email: args.email,
        },
        this,
      );
      this.key = topic.key;
      this.topic = topic.topic;
      topicArn = topic.topic.arn;
      alarmArnPrefix = topic.alarmArnPrefix;
    }

    this.alarms = {};
    for (const definition of definitions) {
      this.alarms[definition.key] = new aws.cloudwatch.MetricAlarm(
        `${name}-${definition.key}`,
        alarmArgs(`${app}-${definition.key}`, definition, period, topicArn),
        parent,
      );
    }

    this.topicArn = pulumi.output(topicArn);
    this.alarmNames = pulumi.all(Object.values(this.alarms).map((alarm) => alarm.name));
    if (alarmArnPrefix !== undefined) {
      this.dashboard = sectionsDashboard(
        `${name}-dashboard`,
        baseName,
        region,
        [
          dashboardSection(
            args,
            alarmArnPrefix.apply((prefix) => definitions.map((d) => `${prefix}${app}-${d.key}`)),
          ),
        ],
        parent,
      );
      this.dashboardName = this.dashboard.dashboardName;
      this.dashboardUrl = dashboardUrlOf(region, this.dashboard.dashboardName);
    }
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
      namespace: definition.metric.namespace ?? FLINK_NAMESPACE,
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
          namespace: metric.namespace ?? FLINK_NAMESPACE,
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
  lag: { namespace?: string; metricName: string; statistic: string; dimensions: Record<string, string> };
  /** Alarm thresholds by alarm key (`source-lag`, `cpu`, ...), drawn on the matching graphs. */
  thresholds: Record<string, number>;
  alarmArns: string[];
}

/** The widgets of one application's section of a dashboard ({@link dashboardBody}). */
export const DASHBOARD_SECTION_WIDGETS = 11;

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
        [
          [
            inputs.lag.namespace ?? FLINK_NAMESPACE,
            inputs.lag.metricName,
            ...lagDimensions,
            { stat: inputs.lag.statistic },
          ],
        ],
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

/** What the dashboard shows of one application, but the region: its section. */
export function dashboardSection(
  args: FlinkMonitoringArgs,
  alarmArns: pulumi.Input<string[]>,
): pulumi.Output<Omit<DashboardInputs, "region">> {
  const definitions = alarmDefinitions(args);
  const lag = lagMetric(args.applicationName, args.source);
  return pulumi.all([pulumi.output(lag.dimensions), alarmArns]).apply(([lagDimensions, arns]) => ({
    applicationName: args.applicationName,
    runtime: args.runtime ?? "FLINK-1_20",
    period: args.periodSeconds ?? 60,
    lag: { ...lag, dimensions: lagDimensions as Record<string, string> },
    thresholds: Object.fromEntries(definitions.map((d) => [d.key, d.threshold])),
    alarmArns: arns,
  }));
}

/** The console address of a dashboard. */
export function dashboardUrlOf(region: pulumi.Input<string>, dashboardName: pulumi.Input<string>) {
  return pulumi.interpolate`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;
}

/** An application's alarms, named `<applicationName>-<alarm>`. */
export interface AlarmsOf {
  applicationName: string;
  alarmNames: string[];
}

/**
 * The topic policy letting CloudWatch publish for `alarms` only, as JSON: each alarm by its exact
 * ARN while that fits {@link SNS_POLICY_MAX_BYTES} (some 39 pipelines of 8 alarms); past it, one
 * pattern `<applicationName>-*` per application, which also admits an application `<name>-x`'s.
 */
export function alarmTopicPolicy(
  topicArn: string,
  accountId: string,
  alarmArnPrefix: string,
  alarms: AlarmsOf[],
): string {
  const policy = (sourceArn: Record<string, Record<string, string[]>>) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CloudWatchAlarmsPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topicArn,
          Condition: { StringEquals: { "aws:SourceAccount": accountId }, ...sourceArn },
        },
      ],
    });
  const exact = policy({
    ArnEquals: { "aws:SourceArn": alarms.flatMap((a) => a.alarmNames.map((n) => `${alarmArnPrefix}${n}`)) },
  });
  if (Buffer.byteLength(exact) <= SNS_POLICY_MAX_BYTES) return exact;
  return policy({
    ArnLike: { "aws:SourceArn": alarms.map((a) => `${alarmArnPrefix}${a.applicationName}-*`) },
  });
}

/** How {@link createAlarmTopic} names, encrypts and opens the topic. */
export interface AlarmTopicArgs {
  /** Base of the topic's name (`<base>-alarms`) and its key's alias. */
  baseName: string;
  /** The sender of the topic's e-mails. */
  displayName: string;
  /** Whose alarm topic the key encrypts: its description. */
  keyPurpose: string;
  /**
   * The only alarms (of this account) the topic's policy lets CloudWatch publish for, by the
   * application whose names they start with (`<applicationName>-<alarm>`).
   */
  alarms: AlarmsOf[];
  /** As {@link FlinkMonitoringArgs.kmsKeyId}. @default a new key with rotation */
  kmsKeyId?: string;
  /** An e-mail address subscribed to the topic. @default no subscription */
  email?: string;
}

/**
 * The encrypted SNS topic alarms notify (with its key, unless given, and an e-mail subscription),
 * named after `name` and parented to `parent`: `FlinkMonitoring` for one application's,
 * `StackMonitoring` for one shared by a stack's pipelines.
 */
export function createAlarmTopic(
  name: string,
  args: AlarmTopicArgs,
  parent: pulumi.Resource,
): {
  key?: aws.kms.Key;
  topic: aws.sns.Topic;
  /**
   * `arn:<partition>:cloudwatch:<region>:<account>:alarm:`: an alarm's ARN follows from its name, so
   * it is known before the alarm exists (a first preview; a dashboard drawn before its alarms).
   */
  alarmArnPrefix: pulumi.Output<string>;
} {
  const opts = { parent };
  const region = aws.getRegionOutput({}, opts).region;
  const accountId = aws.getCallerIdentityOutput({}, opts).accountId;
  const partition = aws.getPartitionOutput({}, opts).partition;
  let key: aws.kms.Key | undefined;
  let kmsKeyId: pulumi.Input<string>;
  if (args.kmsKeyId !== undefined) {
    kmsKeyId = args.kmsKeyId;
  } else {
    key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the alarm topic of ${args.keyPurpose}`,
        enableKeyRotation: true,
        deletionWindowInDays: 7,
        policy: keyPolicy(partition, accountId, [
          // CloudWatch must encrypt what it publishes to the topic; the topic policy limits it to this
          // account's `alarms`.
          {
            Sid: "CloudWatchAlarmsEncrypt",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
          },
        ]),
      },
      opts,
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      { name: `alias/${args.baseName}-alarms`, targetKeyId: key.keyId },
      opts,
    );
    kmsKeyId = key.arn;
  }

  const topicName = `${args.baseName}-alarms`;
  const topic = new aws.sns.Topic(
    `${name}-topic`,
    { name: topicName, displayName: args.displayName, kmsMasterKeyId: kmsKeyId },
    opts,
  );
  // The topic's ARN from its name, so the policy is known (and judged) at a first preview.
  const topicArn = pulumi.interpolate`arn:${partition}:sns:${region}:${accountId}:${topicName}`;
  const alarmArnPrefix = pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${accountId}:alarm:`;
  new aws.sns.TopicPolicy(
    `${name}-topic-policy`,
    {
      arn: topic.arn,
      policy: pulumi
        .all([topicArn, accountId, alarmArnPrefix])
        .apply(([arn, account, prefix]) => alarmTopicPolicy(arn, account, prefix, args.alarms)),
    },
    opts,
  );
  if (args.email !== undefined) {
    new aws.sns.TopicSubscription(
      `${name}-email`,
      { topic: topic.arn, protocol: "email", endpoint: args.email },
      opts,
    );
  }

  return { key, topic, alarmArnPrefix };
}

type Widget = Record<string, unknown> & { y: number; height: number };

/** One dashboard from several: each section below the one before it. */
export function stackedSections(sections: { widgets: Record<string, unknown>[] }[]): {
  widgets: Record<string, unknown>[];
} {
  const widgets: Record<string, unknown>[] = [];
  let top = 0;
  for (const section of sections) {
    const placed = (section.widgets as Widget[]).map((widget) => ({ ...widget, y: widget.y + top }));
    widgets.push(...placed);
    top = Math.max(top, ...placed.map((widget) => widget.y + widget.height));
  }
  return { widgets };
}

/**
 * The dashboard `dashboardName` of `sections`, each below the one before it: one pipeline's, or a
 * stack's with a section per pipeline.
 */
export function sectionsDashboard(
  name: string,
  dashboardName: pulumi.Input<string>,
  region: pulumi.Input<string>,
  sections: pulumi.Input<Omit<DashboardInputs, "region">>[],
  opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.Dashboard {
  return new aws.cloudwatch.Dashboard(
    name,
    {
      dashboardName,
      dashboardBody: pulumi
        .all([region, pulumi.all(sections)])
        .apply(([regionName, resolved]) =>
          JSON.stringify(
            stackedSections(resolved.map((section) => dashboardBody({ ...section, region: regionName }))),
          ),
        ),
    },
    opts,
  );
}
