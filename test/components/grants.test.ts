import { strict as assert } from "assert";
import { MOCK_ACCOUNT_ID } from "../../tools/mocks";
import { PlanResult } from "../../tools/planRuntime";
import { grantedStatements, inputsOf, planStack, resourceOf } from "../helpers";
import { SimulatedRequest, isAllowed } from "../iamSimulation";

const REGION = "us-east-1";
const STREAM_KEY = `arn:aws:kms:${REGION}:${MOCK_ACCOUNT_ID}:key/1111aaaa-11aa-11aa-11aa-111111111111`;
const ARTIFACT_KEY = `arn:aws:kms:${REGION}:${MOCK_ACCOUNT_ID}:key/2222bbbb-22bb-22bb-22bb-222222222222`;
const ARTIFACT = "s3://team-artifacts/jobs/features-1.4.2.jar";

/**
 * Every call the connectors and the service make with the application's role is allowed, and the calls
 * next to them (another action on the same resource, the same action on a neighbour) are not. The calls
 * are those of the connectors the jobs ship (flink-connector-kinesis 4.3.0's FlinkKinesisConsumer,
 * flink-connector-dynamodb 4.3.0's DynamoDbSinkWriter) and of Managed Flink.
 */
describe("the application role, simulated request by request", () => {
  let plan: PlanResult;
  let polling: PlanResult;
  let streamArn: string;
  let tableArn: string;
  const consumer = (name: string) => `${streamArn}/consumer/${name}:1733140000`;
  before(async () => {
    plan = await planStack("dev", {
      source: { kind: "kinesis", enhancedFanOut: true, kmsKeyId: STREAM_KEY },
      flink: { language: "java", artifact: ARTIFACT, artifactKmsKeyArn: ARTIFACT_KEY },
    });
    polling = await planStack("dev");
    streamArn = resourceOf(plan, "aws:kinesis/stream:Stream").outputs.arn as string;
    tableArn = resourceOf(plan, "aws:dynamodb/table:Table").outputs.arn as string;
  });
  const logGroup = `arn:aws:logs:${REGION}:${MOCK_ACCOUNT_ID}:log-group:/aws/kinesis-analytics/flink-pipeline-dev`;
  const metrics = (namespace: string): SimulatedRequest => ({
    action: "cloudwatch:PutMetricData",
    resource: "*",
    context: { "cloudwatch:namespace": namespace },
  });
  const viaS3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com` };

  const needed = (): [string, SimulatedRequest][] => [
    ["DescribeStream", { action: "kinesis:DescribeStream", resource: streamArn }],
    ["ListShards", { action: "kinesis:ListShards", resource: streamArn }],
    ["DescribeStreamSummary", { action: "kinesis:DescribeStreamSummary", resource: streamArn }],
    ["RegisterStreamConsumer", { action: "kinesis:RegisterStreamConsumer", resource: streamArn }],
    [
      "DescribeStreamConsumer",
      { action: "kinesis:DescribeStreamConsumer", resource: consumer("flink-pipeline-dev") },
    ],
    ["SubscribeToShard", { action: "kinesis:SubscribeToShard", resource: consumer("flink-pipeline-dev") }],
    [
      "DeregisterStreamConsumer",
      { action: "kinesis:DeregisterStreamConsumer", resource: consumer("flink-pipeline-dev") },
    ],
    ["decrypt the stream", { action: "kms:Decrypt", resource: STREAM_KEY }],
    ["BatchWriteItem", { action: "dynamodb:BatchWriteItem", resource: tableArn }],
    [
      "read the code",
      { action: "s3:GetObject", resource: "arn:aws:s3:::team-artifacts/jobs/features-1.4.2.jar" },
    ],
    [
      "read a code version",
      { action: "s3:GetObjectVersion", resource: "arn:aws:s3:::team-artifacts/jobs/features-1.4.2.jar" },
    ],
    ["decrypt the code through S3", { action: "kms:Decrypt", resource: ARTIFACT_KEY, context: viaS3 }],
    ["DescribeLogGroups", { action: "logs:DescribeLogGroups", resource: "*" }],
    ["DescribeLogStreams", { action: "logs:DescribeLogStreams", resource: `${logGroup}:log-stream:` }],
    [
      "PutLogEvents",
      { action: "logs:PutLogEvents", resource: `${logGroup}:log-stream:kinesis-analytics-log-stream` },
    ],
    ["publish the application's metrics", metrics("AWS/KinesisAnalytics")],
  ];
  const nearby = (): [string, SimulatedRequest][] => [
    ["GetRecords (a fan-out reader subscribes)", { action: "kinesis:GetRecords", resource: streamArn }],
    [
      "ListStreamConsumers (the source never lists)",
      { action: "kinesis:ListStreamConsumers", resource: streamArn },
    ],
    ["PutRecords on the source stream", { action: "kinesis:PutRecords", resource: streamArn }],
    ["GetRecords on another stream", { action: "kinesis:GetRecords", resource: `${streamArn}-other` }],
    [
      "SubscribeToShard as another consumer",
      { action: "kinesis:SubscribeToShard", resource: consumer("someone-else") },
    ],
    [
      "DeregisterStreamConsumer of another consumer",
      { action: "kinesis:DeregisterStreamConsumer", resource: consumer("someone-else") },
    ],
    ["PutItem (the sink batches)", { action: "dynamodb:PutItem", resource: tableArn }],
    ["DescribeTable (the sink never describes)", { action: "dynamodb:DescribeTable", resource: tableArn }],
    ["BatchWriteItem on another table", { action: "dynamodb:BatchWriteItem", resource: `${tableArn}-other` }],
    [
      "another object of the artifact bucket",
      { action: "s3:GetObject", resource: "arn:aws:s3:::team-artifacts/jobs/other.jar" },
    ],
    [
      "writing the code",
      { action: "s3:PutObject", resource: "arn:aws:s3:::team-artifacts/jobs/features-1.4.2.jar" },
    ],
    ["the artifact key outside S3", { action: "kms:Decrypt", resource: ARTIFACT_KEY }],
    [
      "the artifact key through another service",
      {
        action: "kms:Decrypt",
        resource: ARTIFACT_KEY,
        context: { "kms:ViaService": `sqs.${REGION}.amazonaws.com` },
      },
    ],
    ["metrics in another namespace", metrics("Custom/Anything")],
    ["metrics without a namespace key", { action: "cloudwatch:PutMetricData", resource: "*" }],
  ];

  it("allows every call the connectors and the service make", () => {
    const statements = grantedStatements(plan);
    const denied = needed().filter(([, request]) => !isAllowed(statements, request));
    assert.deepEqual(
      denied.map(([name]) => name),
      [],
    );
  });

  it("allows nothing next to them", () => {
    const statements = grantedStatements(plan);
    const allowed = nearby().filter(([, request]) => isAllowed(statements, request));
    assert.deepEqual(
      allowed.map(([name]) => name),
      [],
    );
  });

  it("a polling reader: DescribeStream, ListShards, GetShardIterator and GetRecords on its stream only", () => {
    const statements = grantedStatements(polling);
    const arn = resourceOf(polling, "aws:kinesis/stream:Stream").outputs.arn as string;
    const allowed = (action: string, resource = arn) => isAllowed(statements, { action, resource });
    const reads = ["DescribeStream", "ListShards", "GetShardIterator", "GetRecords"];
    assert.deepEqual(
      reads.filter((action) => !allowed(`kinesis:${action}`)),
      [],
    );
    const nearby = [
      "DescribeStreamSummary",
      "RegisterStreamConsumer",
      "ListStreamConsumers",
      "PutRecord",
      "SubscribeToShard",
    ];
    assert.deepEqual(
      nearby.filter(
        (action) => allowed(`kinesis:${action}`) || allowed(`kinesis:${action}`, `${arn}/consumer/x:1`),
      ),
      [],
    );
    assert.equal(allowed("kinesis:GetRecords", `${arn}-other`), false);
  });

  it("lets destroy delete the stream while an enhanced fan-out consumer is left over", () => {
    assert.equal(inputsOf(resourceOf(plan, "aws:kinesis/stream:Stream")).enforceConsumerDeletion, true);
  });

  it("keeps the default of a polling stream", async () => {
    const polling = await planStack("dev");
    assert.equal(inputsOf(resourceOf(polling, "aws:kinesis/stream:Stream")).enforceConsumerDeletion, false);
  });
});
