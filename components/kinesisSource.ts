import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement, grant } from "./iam";

/** Arguments of {@link KinesisSource}. */
export interface KinesisSourceArgs {
  /** Physical stream name. @default auto-named from the component name */
  streamName?: string;
  /** Capacity mode. @default "ON_DEMAND" */
  streamMode?: "ON_DEMAND" | "PROVISIONED";
  /** Shard count; required with `PROVISIONED`, ignored otherwise. @default undefined */
  shardCount?: number;
  /** How long records stay readable, in hours (24 to 8760). @default 24 */
  retentionHours?: number;
  /** KMS key for encryption at rest. @default "alias/aws/kinesis" (the AWS-managed key) */
  kmsKeyId?: string;
  /** Protect the stream and keep it when the stack is destroyed. @default false */
  retain?: boolean;
  /**
   * Delete the stream even while enhanced fan-out consumers are registered on it (a job stopped
   * without deregistering leaves its consumer behind, and the delete would then fail). @default false
   */
  enforceConsumerDeletion?: boolean;
}

/** The Kinesis Data Stream the Flink job reads, encrypted at rest. */
export class KinesisSource extends pulumi.ComponentResource {
  public readonly stream: aws.kinesis.Stream;
  public readonly streamName: pulumi.Output<string>;
  public readonly streamArn: pulumi.Output<string>;
  private readonly kmsKeyId: string;

  constructor(
    private readonly name: string,
    args: KinesisSourceArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("flink-pipeline:source:KinesisSource", name, {}, opts);
    const streamMode = args.streamMode ?? "ON_DEMAND";
    if (streamMode === "PROVISIONED" && args.shardCount === undefined) {
      throw new Error(`KinesisSource ${name}: shardCount is required when streamMode is PROVISIONED`);
    }
    this.kmsKeyId = args.kmsKeyId ?? "alias/aws/kinesis";
    const retain = args.retain ?? false;

    this.stream = new aws.kinesis.Stream(
      name,
      {
        name: args.streamName,
        streamModeDetails: { streamMode },
        shardCount: streamMode === "PROVISIONED" ? args.shardCount : undefined,
        retentionPeriod: args.retentionHours ?? 24,
        encryptionType: "KMS",
        kmsKeyId: this.kmsKeyId,
        enforceConsumerDeletion: args.enforceConsumerDeletion ?? false,
      },
      { parent: this, protect: retain, retainOnDelete: retain },
    );
    this.streamName = this.stream.name;
    // Built from the name, which the provider settles before the stream exists (it auto-names in its
    // check), so grants naming it are known at the first preview and the policies can judge them.
    const parent = { parent: this };
    const region = aws.getRegionOutput({}, parent).region;
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const partition = aws.getPartitionOutput({}, parent).partition;
    this.streamArn = pulumi.interpolate`arn:${partition}:kinesis:${region}:${accountId}:stream/${this.stream.name}`;
    this.registerOutputs({ streamName: this.streamName, streamArn: this.streamArn });
  }

  /**
   * Lets `role` read the stream the way the jobs' Kinesis connector does, and nothing more. Both jobs
   * ship flink-connector-kinesis 4.3.0 (the `FlinkKinesisConsumer`, behind the SQL `kinesis` connector;
   * flink-connector-aws 5.x, whose `KinesisStreamsSource` drops DescribeStream, is not available to
   * the build). Sources: flink-connector-kinesis/src/main/java/.../kinesis/proxy/.
   */
  grantRead(
    role: aws.iam.Role,
    options: { enhancedFanOut?: boolean; consumerName?: string } = {},
  ): aws.iam.RolePolicy {
    const fanOut = options.enhancedFanOut ?? false;
    const statements: Statement[] = [
      {
        Sid: "ReadStream",
        // KinesisProxy: shard discovery calls ListShards (listShards) after DescribeStream (lookupStreamArn,
        // for the stream's ARN); polling (not fan-out) reads with GetShardIterator and GetRecords.
        Action: [
          "kinesis:DescribeStream",
          ...(fanOut ? [] : ["kinesis:GetRecords", "kinesis:GetShardIterator"]),
          "kinesis:ListShards",
        ],
        Resource: this.streamArn,
      },
    ];
    if (fanOut) {
      if (options.consumerName === undefined) {
        throw new Error(`KinesisSource ${this.name}: enhanced fan-out needs the consumer's name`);
      }
      statements.push(
        {
          // publisher/fanout/StreamConsumerRegistrar (at job start): DescribeStreamSummary (the
          // stream's ARN) and RegisterStreamConsumer, both authorized on the stream. No ListStreamConsumers.
          Sid: "RegisterConsumer",
          Action: ["kinesis:DescribeStreamSummary", "kinesis:RegisterStreamConsumer"],
          Resource: this.streamArn,
        },
        {
          // KinesisProxySyncV2.describeStreamConsumer (waits for ACTIVE) and deregisterStreamConsumer,
          // KinesisProxyAsyncV2.subscribeToShard (the fan-out publisher): authorized on the consumer,
          // `<stream>/consumer/<name>:<creation timestamp>`.
          Sid: "ReadWithFanOut",
          Action: [
            "kinesis:DeregisterStreamConsumer",
            "kinesis:DescribeStreamConsumer",
            "kinesis:SubscribeToShard",
          ],
          Resource: pulumi.interpolate`${this.streamArn}/consumer/${options.consumerName}:*`,
        },
      );
    }
    // The AWS-managed key needs no grant; a customer-managed key must let the reader decrypt.
    if (this.kmsKeyId.startsWith("arn:")) {
      statements.push({
        Sid: "DecryptStream",
        Action: ["kms:Decrypt"],
        Resource: pulumi.output(this.kmsKeyId),
      });
    }
    return grant(`${this.name}-read`, role, statements, this);
  }
}
