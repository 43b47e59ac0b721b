import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  FlinkMonitoringArgs,
  alarmDefinitions,
  createAlarmTopic,
  sectionsDashboard,
  dashboardSection,
  dashboardUrlOf,
  resourceNameOf,
  topicDisplayName,
} from "./flinkMonitoring";

/** Arguments of {@link StackMonitoring}. */
export interface StackMonitoringArgs {
  /** Base of the topic, key alias and dashboard names, e.g. `<project>-<stack>`. */
  baseName: string;
  /**
   * The applications whose alarms notify the topic, each as its `FlinkMonitoring` is given (with
   * `topicArn` this component's): the topic's policy admits exactly their alarms, and the dashboard
   * holds a section per application, in this order.
   */
  applications: FlinkMonitoringArgs[];
  /** An e-mail address subscribed to the topic. @default no subscription */
  email?: string;
  /** A customer-managed KMS key ARN for the topic, usable by CloudWatch. @default a new key with rotation */
  kmsKeyId?: string;
}

/**
 * One alarm topic (with its key) and one dashboard for several Managed Flink applications of a
 * stack: each application's `FlinkMonitoring` creates its alarms on this topic.
 */
export class StackMonitoring extends pulumi.ComponentResource {
  public readonly key?: aws.kms.Key;
  public readonly topic: aws.sns.Topic;
  public readonly dashboard: aws.cloudwatch.Dashboard;
  public readonly topicArn: pulumi.Output<string>;
  public readonly dashboardName: pulumi.Output<string>;
  public readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: StackMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flink-pipeline:monitoring:StackMonitoring", name, {}, opts);
    const baseName = resourceNameOf(args.baseName);
    const alarmNamesOf = (application: FlinkMonitoringArgs) =>
      alarmDefinitions(application).map((definition) => `${application.applicationName}-${definition.key}`);
    const { key, topic } = createAlarmTopic(
      name,
      {
        baseName,
        displayName: topicDisplayName(args.baseName),
        keyPurpose: `the Managed Flink applications of ${args.baseName}`,
        alarmNames: args.applications.flatMap(alarmNamesOf),
        kmsKeyId: args.kmsKeyId,
        email: args.email,
      },
      this,
    );
    this.key = key;
    this.topic = topic;

    const parent = { parent: this };
    const region = aws.getRegionOutput({}, parent).region;
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const partition = aws.getPartitionOutput({}, parent).partition;
    // The alarms are created after this component, by their applications: their ARNs follow from their names.
    const sections = args.applications.map((application) =>
      dashboardSection(
        application,
        pulumi.all(
          alarmNamesOf(application).map(
            (alarmName) =>
              pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${alarmName}`,
          ),
        ),
      ),
    );
    this.dashboard = sectionsDashboard(`${name}-dashboard`, baseName, region, sections, parent);
    this.topicArn = topic.arn;
    this.dashboardName = this.dashboard.dashboardName;
    this.dashboardUrl = dashboardUrlOf(region, this.dashboard.dashboardName);
    this.registerOutputs({
      topicArn: this.topicArn,
      dashboardName: this.dashboardName,
      dashboardUrl: this.dashboardUrl,
    });
  }
}
