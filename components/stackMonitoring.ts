import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";
import { DASHBOARD_MAX_WIDGETS } from "../policy/lib/quotas";
import {
  DASHBOARD_SECTION_WIDGETS,
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

/** A dashboard holding an application's section. */
export interface DashboardOutputs {
  dashboardName: pulumi.Output<string>;
  dashboardUrl: pulumi.Output<string>;
}

/**
 * One alarm topic (with its key) and one dashboard for several Managed Flink applications of a
 * stack: each application's `FlinkMonitoring` creates its alarms on this topic. Past the sections
 * one dashboard can hold (CloudWatch's 500 widgets: 45 applications), the next ones go to
 * `<baseName>-page-2`, `-page-3`, ...
 */
export class StackMonitoring extends pulumi.ComponentResource {
  public readonly key?: aws.kms.Key;
  public readonly topic: aws.sns.Topic;
  /** The first holds the first applications' sections, and so on. */
  public readonly dashboards: aws.cloudwatch.Dashboard[];
  public readonly topicArn: pulumi.Output<string>;
  /** The first dashboard's. */
  public readonly dashboardName: pulumi.Output<string>;
  public readonly dashboardUrl: pulumi.Output<string>;
  /** The dashboard of each application, in the order of `applications`. */
  public readonly applicationDashboards: DashboardOutputs[];

  constructor(name: string, args: StackMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flink-pipeline:monitoring:StackMonitoring", name, {}, opts);
    const baseName = resourceNameOf(args.baseName);
    const alarmNamesOf = (application: FlinkMonitoringArgs) =>
      alarmDefinitions(application).map((definition) => `${application.applicationName}-${definition.key}`);
    const { key, topic, alarmArnPrefix } = createAlarmTopic(
      name,
      {
        baseName,
        displayName: topicDisplayName(args.baseName),
        keyPurpose: `the Managed Flink applications of ${args.baseName}`,
        alarms: args.applications.map((application) => ({
          applicationName: application.applicationName,
          alarmNames: alarmNamesOf(application),
        })),
        kmsKeyId: args.kmsKeyId,
        email: args.email,
      },
      this,
    );
    this.key = key;
    this.topic = topic;

    const parent = { parent: this };
    const region = aws.getRegionOutput({}, parent).region;
    // The alarms are created after this component, by their applications.
    const sections = args.applications.map((application) =>
      dashboardSection(
        application,
        alarmArnPrefix.apply((prefix) =>
          alarmNamesOf(application).map((alarmName) => `${prefix}${alarmName}`),
        ),
      ),
    );
    const perDashboard = Math.floor(DASHBOARD_MAX_WIDGETS / DASHBOARD_SECTION_WIDGETS);
    const pages = Math.max(1, Math.ceil(sections.length / perDashboard));
    this.dashboards = Array.from({ length: pages }, (_, index) => {
      const suffix = index === 0 ? "" : `-page-${index + 1}`;
      return sectionsDashboard(
        `${name}-dashboard${suffix}`,
        `${baseName}${suffix}`,
        region,
        sections.slice(index * perDashboard, (index + 1) * perDashboard),
        parent,
      );
    });
    const outputs = this.dashboards.map((dashboard) => ({
      dashboardName: dashboard.dashboardName,
      dashboardUrl: dashboardUrlOf(region, dashboard.dashboardName),
    }));
    this.applicationDashboards = sections.map((_, index) => outputs[Math.floor(index / perDashboard)]);
    this.topicArn = topic.arn;
    ({ dashboardName: this.dashboardName, dashboardUrl: this.dashboardUrl } = outputs[0]);
    this.registerOutputs({
      topicArn: this.topicArn,
      dashboardName: this.dashboardName,
      dashboardUrl: this.dashboardUrl,
    });
  }
}
