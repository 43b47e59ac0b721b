import { strict as assert } from "assert";
import { MOCK_ACCOUNT_ID } from "../../tools/mocks";
import { PlanResult } from "../../tools/planRuntime";
import { grantedStatements, inputsOf, planStack, resourceOf, resourcesOf, statementsOf } from "../helpers";

const REGION = "us-east-1";
const arnPrefix = (service: string) => `arn:aws:${service}:${REGION}:${MOCK_ACCOUNT_ID}:`;

describe("the dev pipeline's components", () => {
  let plan: PlanResult;
  before(async () => {
    plan = await planStack("dev");
  });

  const stream = () => inputsOf(resourceOf(plan, "aws:kinesis/stream:Stream"));
  const streamArn = () => resourceOf(plan, "aws:kinesis/stream:Stream").outputs.arn as string;
  const table = () => resourceOf(plan, "aws:dynamodb/table:Table");
  const app = () => inputsOf(resourceOf(plan, "aws:kinesisanalyticsv2/application:Application"));
  const policy = (name: string) => statementsOf(resourceOf(plan, "aws:iam/rolePolicy:RolePolicy", name));

  describe("KinesisSource", () => {
    it("encrypts the on-demand stream with the AWS-managed key", () => {
      assert.equal(stream().encryptionType, "KMS");
      assert.equal(stream().kmsKeyId, "alias/aws/kinesis");
      assert.deepEqual(stream().streamModeDetails, { streamMode: "ON_DEMAND" });
      assert.equal(stream().shardCount, undefined);
      assert.equal(stream().retentionPeriod, 24);
    });

    it("grants exactly the polling reads, on the stream ARN only", () => {
      assert.deepEqual(policy("source-read"), [
        {
          Effect: "Allow",
          Sid: "ReadStream",
          Action: [
            "kinesis:DescribeStream",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
          ],
          Resource: streamArn(),
        },
      ]);
      assert.match(streamArn(), new RegExp(`^${arnPrefix("kinesis")}stream/`));
    });
  });

  describe("FeatureTable", () => {
    it("is on-demand and encrypted, keyed key/featureName, expiring items by ttl", () => {
      const inputs = inputsOf(table());
      assert.equal(inputs.billingMode, "PAY_PER_REQUEST");
      assert.equal(inputs.hashKey, "key");
      assert.equal(inputs.rangeKey, "featureName");
      assert.deepEqual(inputs.attributes, [
        { name: "key", type: "S" },
        { name: "featureName", type: "S" },
      ]);
      assert.deepEqual(inputs.ttl, { attributeName: "ttl", enabled: true });
      assert.deepEqual(inputs.serverSideEncryption, { enabled: true });
      assert.deepEqual(inputs.pointInTimeRecovery, { enabled: false });
      assert.equal(inputs.deletionProtectionEnabled, false);
    });

    it("grants item writes on the table ARN only", () => {
      assert.deepEqual(policy("table-write"), [
        {
          Effect: "Allow",
          Sid: "WriteItems",
          Action: ["dynamodb:BatchWriteItem"],
          Resource: table().outputs.arn,
        },
      ]);
    });
  });

  describe("JobArtifact", () => {
    const bucketName = () => resourceOf(plan, "aws:s3/bucket:Bucket").outputs.bucket as string;
    const side = (type: string) => inputsOf(resourceOf(plan, type));

    it("locks the bucket down: versioned, encrypted, private, owner-enforced", () => {
      assert.deepEqual(side("aws:s3/bucketVersioning:BucketVersioning").versioningConfiguration, {
        status: "Enabled",
      });
      assert.deepEqual(
        side("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules,
        [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      );
      const publicAccess = side("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
      for (const setting of [
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
      ]) {
        assert.equal(publicAccess[setting], true, setting);
      }
      assert.deepEqual(side("aws:s3/bucketOwnershipControls:BucketOwnershipControls").rule, {
        objectOwnership: "BucketOwnerEnforced",
      });
      for (const type of [
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketPolicy:BucketPolicy",
      ]) {
        assert.equal(side(type).bucket, bucketName(), type);
      }
    });

    it("denies every request without TLS", () => {
      const [statement] = statementsOf(resourceOf(plan, "aws:s3/bucketPolicy:BucketPolicy"));
      assert.deepEqual(statement, {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucketName()}`, `arn:aws:s3:::${bucketName()}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
    });

    it("expires replaced artifact versions", () => {
      const [rule] = side("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules;
      assert.equal(rule.status, "Enabled");
      assert.deepEqual(rule.noncurrentVersionExpiration, { noncurrentDays: 30 });
    });

    it("uploads the job under a content-hashed key and lets the role read that object only", () => {
      const object = inputsOf(resourceOf(plan, "aws:s3/bucketObject:BucketObject"));
      assert.match(object.key, /^flink-pipeline-dev\/app-[0-9a-f]{16}\.zip$/);
      assert.deepEqual(policy("artifact-read"), [
        {
          Effect: "Allow",
          Sid: "ReadJobCode",
          Action: ["s3:GetObject", "s3:GetObjectVersion"],
          Resource: `arn:aws:s3:::${bucketName()}/${object.key}`,
        },
      ]);
    });
  });

  describe("FlinkApplication", () => {
    it("trusts only Managed Flink acting for this application in this account", () => {
      const [trust] = statementsOf(resourceOf(plan, "aws:iam/role:Role"), "assumeRolePolicy");
      assert.deepEqual(trust, {
        Effect: "Allow",
        Principal: { Service: "kinesisanalytics.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID },
          ArnEquals: { "aws:SourceArn": `${arnPrefix("kinesisanalytics")}application/flink-pipeline-dev` },
        },
      });
    });

    it("writes logs to its own log group and stream, with wildcards only where AWS needs them", () => {
      const logGroup = inputsOf(resourceOf(plan, "aws:cloudwatch/logGroup:LogGroup"));
      assert.equal(logGroup.name, "/aws/kinesis-analytics/flink-pipeline-dev");
      assert.equal(logGroup.retentionInDays, 7);
      const groupArn = `${arnPrefix("logs")}log-group:/aws/kinesis-analytics/flink-pipeline-dev`;
      assert.deepEqual(policy("flink-logs-and-metrics"), [
        { Effect: "Allow", Sid: "FindLogGroup", Action: ["logs:DescribeLogGroups"], Resource: "*" },
        {
          Effect: "Allow",
          Sid: "FindLogStream",
          Action: ["logs:DescribeLogStreams"],
          Resource: `${groupArn}:log-stream:*`,
        },
        {
          Effect: "Allow",
          Sid: "WriteLogs",
          Action: ["logs:PutLogEvents"],
          Resource: `${groupArn}:log-stream:kinesis-analytics-log-stream`,
        },
        {
          Effect: "Allow",
          Sid: "PublishMetrics",
          Action: ["cloudwatch:PutMetricData"],
          Resource: "*",
          Condition: { StringEquals: { "cloudwatch:namespace": "AWS/KinesisAnalytics" } },
        },
      ]);
      assert.equal(
        app().cloudwatchLoggingOptions.logStreamArn,
        `${groupArn}:log-stream:kinesis-analytics-log-stream`,
      );
    });

    it("sends every Flink block as CUSTOM so its settings apply", () => {
      const flink = app().applicationConfiguration.flinkApplicationConfiguration;
      assert.deepEqual(flink.checkpointConfiguration, {
        configurationType: "CUSTOM",
        checkpointingEnabled: true,
        checkpointInterval: 60000,
        minPauseBetweenCheckpoints: 5000,
      });
      assert.deepEqual(flink.monitoringConfiguration, {
        configurationType: "CUSTOM",
        logLevel: "INFO",
        metricsLevel: "APPLICATION",
      });
      assert.deepEqual(flink.parallelismConfiguration, {
        configurationType: "CUSTOM",
        autoScalingEnabled: false,
        parallelism: 1,
        parallelismPerKpu: 1,
      });
    });

    it("starts by itself, restores from the latest snapshot and runs the uploaded code", () => {
      const inputs = app();
      assert.equal(inputs.name, "flink-pipeline-dev");
      assert.equal(inputs.runtimeEnvironment, "FLINK-1_20");
      assert.equal(inputs.startApplication, true);
      assert.equal(inputs.forceStop, false);
      assert.equal(inputs.serviceExecutionRole, resourceOf(plan, "aws:iam/role:Role").outputs.arn);
      const config = inputs.applicationConfiguration;
      assert.deepEqual(config.applicationSnapshotConfiguration, { snapshotsEnabled: true });
      assert.deepEqual(config.runConfiguration, {
        applicationRestoreConfiguration: { applicationRestoreType: "RESTORE_FROM_LATEST_SNAPSHOT" },
        flinkRunConfiguration: { allowNonRestoredState: false },
      });
      const object = inputsOf(resourceOf(plan, "aws:s3/bucketObject:BucketObject"));
      assert.deepEqual(config.applicationCodeConfiguration, {
        codeContentType: "ZIPFILE",
        codeContent: {
          s3ContentLocation: { bucketArn: `arn:aws:s3:::${object.bucket}`, fileKey: object.key },
        },
      });
    });

    it("generates property groups from the wiring, plus the stack's own", () => {
      const groups = app().applicationConfiguration.environmentProperties.propertyGroups;
      const tableName = table().outputs.name;
      assert.deepEqual(groups, [
        { propertyGroupId: "job", propertyMap: { "window.seconds": "60", "ttl.days": "7" } },
        {
          propertyGroupId: "kinesis.analytics.flink.run.options",
          propertyMap: { python: "main.py", jarfile: "lib/pyflink-dependencies.jar" },
        },
        {
          propertyGroupId: "sink",
          propertyMap: {
            "table.name": tableName,
            "aws.region": REGION,
            "partition.key": "key",
            "sort.key": "featureName",
            "ttl.attribute": "ttl",
          },
        },
        {
          propertyGroupId: "source",
          propertyMap: {
            kind: "kinesis",
            "stream.name": resourceOf(plan, "aws:kinesis/stream:Stream").outputs.name,
            "stream.arn": streamArn(),
            "aws.region": REGION,
            "initial.position": "LATEST",
          },
        },
      ]);
    });

    it("waits for its grants and its code object before it starts", () => {
      const application = resourceOf(plan, "aws:kinesisanalyticsv2/application:Application");
      const urnOf = (type: string, name?: string) => resourceOf(plan, type, name).urn;
      for (const dependency of [
        urnOf("aws:iam/rolePolicy:RolePolicy", "source-read"),
        urnOf("aws:iam/rolePolicy:RolePolicy", "table-write"),
        urnOf("aws:iam/rolePolicy:RolePolicy", "artifact-read"),
        urnOf("aws:iam/rolePolicy:RolePolicy", "flink-logs-and-metrics"),
        urnOf("aws:s3/bucketObject:BucketObject"),
      ]) {
        assert.ok(application.dependsOn.includes(dependency), dependency);
      }
    });
  });

  it("parents every resource to its component", () => {
    const components = new Map(plan.resources.filter((r) => !r.custom).map((r) => [r.urn, r.name]));
    assert.deepEqual([...components.values()].sort(), [
      "artifact",
      "flink",
      "monitoring",
      "pipeline",
      "source",
      "table",
    ]);
    // The pipeline holds the components; they hold every resource.
    const pipeline = plan.resources.find((r) => r.type === "flink-pipeline:pipeline:FlinkPipeline")!;
    for (const component of plan.resources.filter((r) => !r.custom && r !== pipeline)) {
      assert.equal(component.parent, pipeline.urn, `${component.name} is a child of the pipeline`);
    }
    for (const resource of plan.resources.filter((r) => r.custom)) {
      assert.ok(
        resource.parent && components.has(resource.parent),
        `${resource.name} has a component parent`,
      );
    }
  });

  it("grants no wildcard action and no wildcard resource beyond the two AWS requires", () => {
    for (const statement of grantedStatements(plan)) {
      const actions = ([] as string[]).concat(statement.Action);
      assert.ok(
        actions.every((action) => !action.includes("*")),
        JSON.stringify(statement),
      );
      if (statement.Resource === "*") {
        assert.ok(
          ["logs:DescribeLogGroups", "cloudwatch:PutMetricData"].includes(actions.join()),
          JSON.stringify(statement),
        );
      }
    }
  });
});

describe("stack-specific wiring", () => {
  it("grants enhanced fan-out on the stream's consumers when the source uses it", async () => {
    const plan = await planStack("dev", { source: { enhancedFanOut: true } });
    const arn = resourceOf(plan, "aws:kinesis/stream:Stream").outputs.arn;
    const statements = statementsOf(resourceOf(plan, "aws:iam/rolePolicy:RolePolicy", "source-read"));
    assert.deepEqual(
      statements.map((s) => [s.Sid, s.Resource]),
      [
        ["ReadStream", arn],
        ["RegisterConsumer", arn],
        ["ReadWithFanOut", `${arn}/consumer/flink-pipeline-dev:*`],
      ],
    );
    assert.deepEqual(statements[2].Action, [
      "kinesis:DeregisterStreamConsumer",
      "kinesis:DescribeStreamConsumer",
      "kinesis:SubscribeToShard",
    ]);
    const groups = inputsOf(resourceOf(plan, "aws:kinesisanalyticsv2/application:Application"))
      .applicationConfiguration.environmentProperties.propertyGroups;
    const source = groups.find((g: { propertyGroupId: string }) => g.propertyGroupId === "source");
    assert.equal(source.propertyMap["efo.consumer.name"], "flink-pipeline-dev");
  });

  it("lets the role decrypt a customer-managed stream key, and only that key", async () => {
    const key = `arn:aws:kms:${REGION}:${MOCK_ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const plan = await planStack("dev", { source: { kmsKeyId: key } });
    const statements = statementsOf(resourceOf(plan, "aws:iam/rolePolicy:RolePolicy", "source-read"));
    assert.deepEqual(statements[1], {
      Effect: "Allow",
      Sid: "DecryptStream",
      Action: ["kms:Decrypt"],
      Resource: key,
    });
    assert.equal(inputsOf(resourceOf(plan, "aws:kinesis/stream:Stream")).kmsKeyId, key);
  });

  it("runs a Java jar from an existing S3 object without creating a bucket", async () => {
    const plan = await planStack("dev", {
      flink: { language: "java", artifact: "s3://team-artifacts/jobs/features-1.4.2.jar" },
    });
    assert.equal(resourcesOf(plan, "aws:s3/bucket:Bucket").length, 0);
    assert.equal(resourcesOf(plan, "aws:s3/bucketObject:BucketObject").length, 0);
    const app = inputsOf(resourceOf(plan, "aws:kinesisanalyticsv2/application:Application"));
    assert.deepEqual(
      app.applicationConfiguration.applicationCodeConfiguration.codeContent.s3ContentLocation,
      {
        bucketArn: "arn:aws:s3:::team-artifacts",
        fileKey: "jobs/features-1.4.2.jar",
      },
    );
    const groupIds = app.applicationConfiguration.environmentProperties.propertyGroups.map(
      (g: { propertyGroupId: string }) => g.propertyGroupId,
    );
    assert.deepEqual(groupIds, ["sink", "source"]);
    assert.equal(
      statementsOf(resourceOf(plan, "aws:iam/rolePolicy:RolePolicy", "artifact-read"))[0].Resource,
      "arn:aws:s3:::team-artifacts/jobs/features-1.4.2.jar",
    );
    assert.equal(plan.outputs.artifactKey.value, "jobs/features-1.4.2.jar");
  });

  it("refuses to deploy a PyFlink job before its connector jar is built, and plans it in a preview", async () => {
    const fs = await import("fs");
    const os = await import("os");
    const path = await import("path");
    const job = fs.mkdtempSync(path.join(os.tmpdir(), "flink-job-"));
    fs.writeFileSync(path.join(job, "main.py"), "print('job')\n");
    const overrides = { flink: { artifact: job } };
    await assert.rejects(
      planStack("dev", overrides, { dryRun: false }),
      /flink-pipeline:flink.artifact lacks the connector jar "lib\/pyflink-dependencies.jar"/,
    );
    const preview = await planStack("dev", overrides, { dryRun: true });
    assert.equal(resourcesOf(preview, "aws:kinesisanalyticsv2/application:Application").length, 1);
  });
});
