import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";
import { grant, keyPolicy } from "./iam";

/** A property group as Managed Flink takes it. */
export interface PropertyGroupInput {
  propertyGroupId: string;
  propertyMap: Record<string, string>;
}

/** Where Managed Flink publishes an application's metrics (and the job's `kinesisanalytics` metric group). */
export const FLINK_METRICS_NAMESPACE = "AWS/KinesisAnalytics";

/** The log group a Managed Flink application named `applicationName` writes to. */
export function logGroupNameOf(applicationName: string): string {
  return `/aws/kinesis-analytics/${applicationName}`;
}

/** Arguments of {@link FlinkApplication}. */
export interface FlinkApplicationArgs {
  /** The application's name; also names its log group and appears in the role's trust condition. */
  applicationName: string;
  /** Managed Flink runtime. @default "FLINK-1_20" */
  runtime?: string;
  /** The job's code object. */
  code: { bucketArn: pulumi.Input<string>; fileKey: pulumi.Input<string> };
  /** Runtime property groups the job reads at startup. @default [] */
  propertyGroups?: pulumi.Input<PropertyGroupInput[]>;
  /**
   * Grants the application's role needs from other components (`source.grantRead(role)`, ...).
   * The application waits for them, so it never starts without its permissions. @default []
   */
  grants?: ((role: aws.iam.Role) => pulumi.Resource)[];
  /** Resources the application waits for besides its grants (e.g. the code object). @default [] */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** Checkpointing (sent as CUSTOM: AWS ignores the values otherwise). @default enabled, 60000 ms, 5000 ms min pause */
  checkpointing?: { enabled?: boolean; intervalMs?: number; minPauseMs?: number };
  /** Take snapshots on stop and update, so state survives deployments. @default true */
  snapshots?: boolean;
  /** Initial parallelism. @default 1 */
  parallelism?: number;
  /** Parallel tasks per KPU. @default 1 */
  parallelismPerKpu?: number;
  /** Let Managed Flink scale parallelism with CPU. @default true */
  autoScaling?: boolean;
  /** Application log level. @default "INFO" */
  logLevel?: string;
  /** CloudWatch metrics granularity. @default "APPLICATION" */
  metricsLevel?: string;
  /** Days the log group keeps logs. @default 30 */
  logRetentionDays?: number;
  /** Start the application after create/update, so no one clicks "Run". @default true */
  startApplication?: boolean;
  /** How an update restarts from state. @default RESTORE_FROM_LATEST_SNAPSHOT (SKIP_... when snapshots are off) */
  restore?: { type?: string; snapshotName?: string; allowNonRestoredState?: boolean };
  /**
   * The provider's `forceStop`: read only when `startApplication` changes to false, whose stop is then
   * forced (no snapshot). It does not stop an application for an update or a delete. @default false
   */
  forceStop?: boolean;
  /**
   * The key encrypting the application's state (checkpoints, snapshots, running state): `"create"` makes
   * a customer-managed key whose policy lets Managed Flink use it for this application, or give a key
   * ARN (its policy must allow the same: docs/operations.md#state-encryption).
   * @default "aws-owned" (the service's own key)
   */
  stateKey?: "aws-owned" | "create" | { arn: pulumi.Input<string> };
  /** Create/update/delete timeouts: Managed Flink operations take minutes. @default 30m each */
  timeouts?: { create?: string; update?: string; delete?: string };
  /**
   * Attach the application to a VPC: its network interfaces go in these subnets with these
   * security groups (the role also needs the ENI grant, e.g. `network.grantEni`).
   * @default undefined (the service's own network, with internet access)
   */
  vpc?: {
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  };
}

/**
 * A Managed Service for Apache Flink application with its execution role, log group and log
 * stream. The role trusts only `kinesisanalytics.amazonaws.com` acting for this application in
 * this account (the confused-deputy conditions the CDK construct leaves out).
 */
export class FlinkApplication extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly logStream: aws.cloudwatch.LogStream;
  public readonly application: aws.kinesisanalyticsv2.Application;
  /** The key created for the application's state (`stateKey: "create"` only). */
  public readonly stateKey?: aws.kms.Key;
  public readonly roleArn: pulumi.Output<string>;
  public readonly applicationName: pulumi.Output<string>;
  public readonly applicationArn: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;
  public readonly consoleUrl: pulumi.Output<string>;

  constructor(name: string, args: FlinkApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flink-pipeline:flink:FlinkApplication", name, {}, opts);
    const parent = { parent: this };
    const appName = args.applicationName;
    const snapshots = args.snapshots ?? true;
    const region = aws.getRegionOutput({}, parent).region;
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const partition = aws.getPartitionOutput({}, parent).partition;
    const applicationArn = pulumi.interpolate`arn:${partition}:kinesisanalytics:${region}:${accountId}:application/${appName}`;

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `Execution role of the Managed Flink application ${appName}`,
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "kinesisanalytics.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: {
                StringEquals: { "aws:SourceAccount": accountId },
                ArnEquals: { "aws:SourceArn": applicationArn },
              },
            },
          ],
        }),
      },
      parent,
    );

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: logGroupNameOf(appName), retentionInDays: args.logRetentionDays ?? 30 },
      parent,
    );
    this.logStream = new aws.cloudwatch.LogStream(
      `${name}-log-stream`,
      { logGroupName: this.logGroup.name, name: "kinesis-analytics-log-stream" },
      parent,
    );
    const logGroupArn = pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:${this.logGroup.name}`;
    const logStreamArn = pulumi.interpolate`${logGroupArn}:log-stream:${this.logStream.name}`;

    const ownPermissions = grant(
      `${name}-logs-and-metrics`,
      this.role,
      [
        // DescribeLogGroups supports no resource-level permissions.
        { Sid: "FindLogGroup", Action: ["logs:DescribeLogGroups"], Resource: "*" },
        {
          Sid: "FindLogStream",
          Action: ["logs:DescribeLogStreams"],
          Resource: pulumi.interpolate`${logGroupArn}:log-stream:*`,
        },
        { Sid: "WriteLogs", Action: ["logs:PutLogEvents"], Resource: logStreamArn },
        // PutMetricData supports no resource-level permissions, but the `cloudwatch:namespace` condition key
        // (CloudWatch guide, "Using condition keys to limit access to CloudWatch namespaces"): the service
        // publishes the application's metrics, the job's own counters included, to AWS/KinesisAnalytics only.
        {
          Sid: "PublishMetrics",
          Action: ["cloudwatch:PutMetricData"],
          Resource: "*",
          Condition: { StringEquals: { "cloudwatch:namespace": FLINK_METRICS_NAMESPACE } },
        },
      ],
      this,
    );
    const grants = (args.grants ?? []).map((grantTo) => grantTo(this.role));

    const stateKey = args.stateKey ?? "aws-owned";
    let stateKeyArn: pulumi.Input<string> | undefined;
    if (stateKey === "create") {
      this.stateKey = new aws.kms.Key(
        `${name}-state-key`,
        {
          description: `Encrypts the state of the Managed Flink application ${appName}`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          // The account keeps control through IAM (operators need kms:DescribeKey and kms:CreateGrant).
          policy: keyPolicy(partition, accountId, [
            // Managed Flink validates the key and encrypts and decrypts the application's state
            // with both its principals, acting for this account only.
            {
              Sid: "ManagedFlinkUsesKey",
              Effect: "Allow",
              Principal: {
                Service: ["kinesisanalytics.amazonaws.com", "infrastructure.kinesisanalytics.amazonaws.com"],
              },
              Action: ["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"],
              Resource: "*",
              Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
          ]),
        },
        parent,
      );
      stateKeyArn = this.stateKey.arn;
    } else if (stateKey !== "aws-owned") {
      stateKeyArn = stateKey.arn;
    }

    const checkpointing = args.checkpointing ?? {};
    const restore = args.restore ?? {};
    const timeouts = args.timeouts ?? {};
    this.application = new aws.kinesisanalyticsv2.Application(
      name,
      {
        name: appName,
        runtimeEnvironment: args.runtime ?? "FLINK-1_20",
        serviceExecutionRole: this.role.arn,
        startApplication: args.startApplication ?? true,
        forceStop: args.forceStop ?? false,
        applicationConfiguration: {
          applicationCodeConfiguration: {
            codeContentType: "ZIPFILE",
            codeContent: {
              s3ContentLocation: { bucketArn: args.code.bucketArn, fileKey: args.code.fileKey },
            },
          },
          applicationSnapshotConfiguration: { snapshotsEnabled: snapshots },
          // Left out for the AWS-owned key, so existing applications see no change.
          applicationEncryptionConfiguration:
            stateKeyArn !== undefined ? { keyType: "CUSTOMER_MANAGED_KEY", keyId: stateKeyArn } : undefined,
          environmentProperties: { propertyGroups: args.propertyGroups ?? [] },
          flinkApplicationConfiguration: {
            checkpointConfiguration: {
              configurationType: "CUSTOM",
              checkpointingEnabled: checkpointing.enabled ?? true,
              checkpointInterval: checkpointing.intervalMs ?? 60000,
              minPauseBetweenCheckpoints: checkpointing.minPauseMs ?? 5000,
            },
            monitoringConfiguration: {
              configurationType: "CUSTOM",
              logLevel: args.logLevel ?? "INFO",
              metricsLevel: args.metricsLevel ?? "APPLICATION",
            },
            parallelismConfiguration: {
              configurationType: "CUSTOM",
              autoScalingEnabled: args.autoScaling ?? true,
              parallelism: args.parallelism ?? 1,
              parallelismPerKpu: args.parallelismPerKpu ?? 1,
            },
          },
          runConfiguration: {
            applicationRestoreConfiguration: {
              applicationRestoreType:
                restore.type ?? (snapshots ? "RESTORE_FROM_LATEST_SNAPSHOT" : "SKIP_RESTORE_FROM_SNAPSHOT"),
              snapshotName: restore.snapshotName,
            },
            flinkRunConfiguration: { allowNonRestoredState: restore.allowNonRestoredState ?? false },
          },
          vpcConfiguration: args.vpc
            ? { subnetIds: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds }
            : undefined,
        },
        cloudwatchLoggingOptions: { logStreamArn },
      },
      {
        parent: this,
        dependsOn: [ownPermissions, ...grants, ...(args.dependsOn ?? [])],
        customTimeouts: {
          create: timeouts.create ?? "30m",
          update: timeouts.update ?? "30m",
          delete: timeouts.delete ?? "30m",
        },
      },
    );

    this.roleArn = this.role.arn;
    this.applicationName = this.application.name;
    this.applicationArn = this.application.arn;
    this.logGroupName = this.logGroup.name;
    this.consoleUrl = pulumi.interpolate`https://${region}.console.aws.amazon.com/flink/home?region=${region}#/applications/dashboard/${this.application.name}/details`;
    this.registerOutputs({
      roleArn: this.roleArn,
      applicationName: this.applicationName,
      applicationArn: this.applicationArn,
      logGroupName: this.logGroupName,
      consoleUrl: this.consoleUrl,
    });
  }
}
