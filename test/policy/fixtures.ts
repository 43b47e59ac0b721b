/** Resources shaped like the flink-pipeline program's, compliant with every policy unless overridden. */
import type { PolicyInputResource } from "../../policy/evaluate";
import { TYPES } from "../../policy/lib/resourceTypes";
import { ARTIFACT_BUCKET_TAG } from "../../policy/policies/s3";
import { ACCOUNT, awsProvider, REGION, resource, urnOf } from "./harness";

export const TAGS = {
  environment: "dev",
  project: "flink-pipeline",
  owner: "data-platform",
  "cost-center": "cc-42",
};

export const arn = {
  stream: (name: string) => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`,
  table: (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
  bucket: (name: string) => `arn:aws:s3:::${name}`,
  logGroup: (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`,
  secret: (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`,
  parameter: (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
  role: (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`,
  app: (name: string) => `arn:aws:kinesisanalytics:${REGION}:${ACCOUNT}:application/${name}`,
};

export function policyDocument(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

export function stream(props: Record<string, unknown> = {}): PolicyInputResource {
  return resource(TYPES.stream, "orders", {
    name: "orders",
    arn: arn.stream("orders"),
    encryptionType: "KMS",
    kmsKeyId: "alias/aws/kinesis",
    retentionPeriod: 24,
    tags: TAGS,
    ...props,
  });
}

export function table(props: Record<string, unknown> = {}): PolicyInputResource {
  return resource(TYPES.table, "features", {
    name: "features",
    arn: arn.table("features"),
    serverSideEncryption: { enabled: true },
    pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: true,
    tags: TAGS,
    ...props,
  });
}

/** Bucket outputs as the engine's stack analysis (and the offline plan's mock) see them: name = id. */
export function bucket(name: string, props: Record<string, unknown> = {}): PolicyInputResource {
  return resource(TYPES.bucket, name, {
    bucket: name,
    id: name,
    arn: arn.bucket(name),
    tags: TAGS,
    ...props,
  });
}

export function artifactBucket(name = "flink-artifacts-dev"): PolicyInputResource {
  return bucket(name, { tags: { ...TAGS, [ARTIFACT_BUCKET_TAG.key]: ARTIFACT_BUCKET_TAG.value } });
}

export function publicAccessBlock(
  bucketName: string,
  props: Record<string, unknown> = {},
): PolicyInputResource {
  return resource(TYPES.bucketPublicAccessBlock, `${bucketName}-public-access`, {
    bucket: bucketName,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
    ...props,
  });
}

export function bucketEncryption(bucketName: string, algorithm = "aws:kms"): PolicyInputResource {
  return resource(TYPES.bucketEncryption, `${bucketName}-encryption`, {
    bucket: bucketName,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm }, bucketKeyEnabled: true }],
  });
}

export function tlsOnlyStatement(
  bucketName: string,
  resources = [arn.bucket(bucketName), `${arn.bucket(bucketName)}/*`],
) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

export function bucketPolicy(bucketName: string, document = policyDocument(tlsOnlyStatement(bucketName))) {
  return resource(TYPES.bucketPolicy, `${bucketName}-policy`, { bucket: bucketName, policy: document });
}

export function bucketVersioning(bucketName: string, status = "Enabled"): PolicyInputResource {
  return resource(TYPES.bucketVersioning, `${bucketName}-versioning`, {
    bucket: bucketName,
    versioningConfiguration: { status },
  });
}

/** A bucket with every side resource the S3 policies ask for. */
export function compliantBucket(name: string, base = bucket(name)): PolicyInputResource[] {
  return [base, publicAccessBlock(name), bucketEncryption(name), bucketPolicy(name), bucketVersioning(name)];
}

export function rolePolicy(document: unknown, name = "app-role-policy"): PolicyInputResource {
  return resource(TYPES.rolePolicy, name, { role: "app-role", policy: document });
}

export function flinkTrustPolicy(condition: Record<string, unknown> | undefined): string {
  return policyDocument({
    Effect: "Allow",
    Principal: { Service: "kinesisanalytics.amazonaws.com" },
    Action: "sts:AssumeRole",
    ...(condition ? { Condition: condition } : {}),
  });
}

export function role(props: Record<string, unknown> = {}): PolicyInputResource {
  return resource(TYPES.role, "app-role", {
    name: "app-role",
    arn: arn.role("app-role"),
    assumeRolePolicy: flinkTrustPolicy({ StringEquals: { "aws:SourceAccount": ACCOUNT } }),
    tags: TAGS,
    ...props,
  });
}

export const LOG_GROUP = "/aws/kinesis-analytics/orders-app";

export function flinkApplicationProps(applicationConfiguration: Record<string, unknown> = {}) {
  return {
    name: "orders-app",
    runtimeEnvironment: "FLINK-1_20",
    serviceExecutionRole: arn.role("app-role"),
    applicationConfiguration: {
      applicationCodeConfiguration: {
        codeContentType: "ZIPFILE",
        codeContent: {
          s3ContentLocation: { bucketArn: arn.bucket("flink-artifacts-dev"), fileKey: "app-3f2a.zip" },
        },
      },
      applicationSnapshotConfiguration: { snapshotsEnabled: true },
      flinkApplicationConfiguration: {
        checkpointConfiguration: { configurationType: "DEFAULT" },
        parallelismConfiguration: { configurationType: "CUSTOM", parallelism: 2, parallelismPerKpu: 1 },
      },
      environmentProperties: {
        propertyGroups: [
          {
            propertyGroupId: "source",
            propertyMap: {
              "stream.name": "orders",
              "aws.region": REGION,
              "kafka.secret.arn": arn.secret("kafka-AbC123"),
            },
          },
        ],
      },
      ...applicationConfiguration,
    },
    cloudwatchLoggingOptions: { logStreamArn: `${arn.logGroup(LOG_GROUP)}:log-stream:application` },
    tags: TAGS,
  };
}

export function flinkApplication(
  props: Record<string, unknown> = flinkApplicationProps(),
): PolicyInputResource {
  return resource(TYPES.flinkApplication, "orders-app", props);
}

/** A whole stack as the offline plan would hand it over: compliant with every policy in prod. */
export function compliantStack(): PolicyInputResource[] {
  const provider = awsProvider(TAGS);
  const withProvider = (input: PolicyInputResource) => ({ ...input, provider });
  const statements = [
    {
      Sid: "ReadSource",
      Effect: "Allow",
      Action: [
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
      ],
      Resource: arn.stream("orders"),
    },
    {
      Sid: "WriteSink",
      Effect: "Allow",
      Action: ["dynamodb:BatchWriteItem"],
      Resource: arn.table("features"),
    },
    {
      Sid: "ReadCode",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: `${arn.bucket("flink-artifacts-dev")}/*`,
    },
    { Sid: "Logs", Effect: "Allow", Action: ["logs:PutLogEvents"], Resource: `${arn.logGroup(LOG_GROUP)}:*` },
    { Sid: "Metrics", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: "*" },
  ];
  return [
    stream(),
    table(),
    ...compliantBucket("flink-artifacts-dev", artifactBucket()),
    resource(TYPES.logGroup, "app-logs", {
      name: LOG_GROUP,
      arn: arn.logGroup(LOG_GROUP),
      retentionInDays: 30,
    }),
    role(),
    { ...rolePolicy(policyDocument(...statements)), dependencies: [urnOf(TYPES.role, "app-role")] },
    flinkApplication(),
  ].map(withProvider);
}
