/**
 * The seed-style CDK stack of the README's comparison: what a user would write in CDK for one
 * pipeline (Kinesis stream, DynamoDB table, the job's role and grants, the job as an S3 asset, the
 * Managed Flink application). `npm run bench -- --cdk` times its `cdk synth` (type-checked, as
 * ts-node runs it) beside the offline plan of prod. Never deployed; not part of the program.
 */
import * as path from "path";
import * as cdk from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kinesis from "aws-cdk-lib/aws-kinesis";
import * as flink from "aws-cdk-lib/aws-kinesisanalyticsv2";
import * as assets from "aws-cdk-lib/aws-s3-assets";

const app = new cdk.App();
const stack = new cdk.Stack(app, "FlinkPipelineProd", {
  env: { account: "123456789012", region: "us-east-1" },
});
const stream = new kinesis.Stream(stack, "Events", {
  shardCount: 4,
  retentionPeriod: cdk.Duration.days(7),
  encryption: kinesis.StreamEncryption.MANAGED,
});
const table = new dynamodb.Table(stack, "Features", {
  partitionKey: { name: "key", type: dynamodb.AttributeType.STRING },
  sortKey: { name: "featureName", type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  timeToLiveAttribute: "ttl",
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  deletionProtection: true,
});
// The job directory the offline plan zips too (main.py and the connector jar).
const code = new assets.Asset(stack, "Code", { path: path.join(__dirname, "..", "..", "app") });
const role = new iam.Role(stack, "Role", {
  assumedBy: new iam.ServicePrincipal("kinesisanalytics.amazonaws.com"),
});
stream.grantRead(role);
table.grantWriteData(role);
code.grantRead(role);
new flink.CfnApplication(stack, "Application", {
  runtimeEnvironment: "FLINK-1_20",
  serviceExecutionRole: role.roleArn,
  applicationConfiguration: {
    applicationCodeConfiguration: {
      codeContent: { s3ContentLocation: { bucketArn: code.bucket.bucketArn, fileKey: code.s3ObjectKey } },
      codeContentType: "ZIPFILE",
    },
    flinkApplicationConfiguration: {
      parallelismConfiguration: { configurationType: "CUSTOM", parallelism: 4, autoScalingEnabled: false },
    },
    environmentProperties: {
      propertyGroups: [
        {
          propertyGroupId: "source",
          propertyMap: { "stream.arn": stream.streamArn, "aws.region": stack.region },
        },
        {
          propertyGroupId: "sink",
          propertyMap: { "table.name": table.tableName, "aws.region": stack.region },
        },
        {
          propertyGroupId: "kinesis.analytics.flink.run.options",
          propertyMap: { python: "main.py", jarfile: "lib/pyflink-dependencies.jar" },
        },
      ],
    },
  },
});
app.synth();
