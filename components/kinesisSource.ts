import * as aws from "@pulumi/aws";
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
   * Lets `role` read the stream the way the Flink 5.1 `KinesisStreamsSource` (also behind the SQL
   * `kinesis` connector) does, and nothing more: polling on the stream ARN and, with enhanced
   * fan-out, registering, describing, subscribing with and deregistering the consumer `consumerName`.
   */
  grantRead(
    role: aws.iam.Role,
    options: { enhancedFanOut?: boolean; consumerName?: string } = {},
  ): aws.iam.RolePolicy {
    const statements: Statement[] = [
      {
        Sid: "ReadStream",
        // flink-connector-aws-kinesis-streams 5.1.0, source/proxy/KinesisStreamProxy.java:
        // DescribeStreamSummary (getStreamDescriptionSummary), ListShards (listShards, the enumerator's
        // shard discovery), GetShardIterator and GetRecords (polling reader). It never calls DescribeStream.
        Action: [
          "kinesis:DescribeStreamSummary",
          "kinesis:GetRecords",
          "kinesis:GetShardIterator",
          "kinesis:ListShards",
        ],
        Resource: this.streamArn,
      },
    ];
    if (options.enhancedFanOut) {
      if (options.consumerName === undefined) {
        throw new Error(`KinesisSource ${this.name}: enhanced fan-out needs the consumer's name`);
      }
      statements.push(
        {
          // KinesisStreamProxy.registerStreamConsumer (StreamConsumerRegistrar, at job start): authorized
          // on the stream. The source never lists consumers (no ListStreamConsumers).
          Sid: "RegisterConsumer",
          Action: ["kinesis:RegisterStreamConsumer"],
          Resource: this.streamArn,
        },
        {
          // KinesisStreamProxy.describeStreamConsumer (waits for ACTIVE), KinesisAsyncStreamProxy
          // .subscribeToShard (fanout/FanOutKinesisShardSubscription) and deregisterStreamConsumer (by the
          // consumer ARN, at job end): authorized on `<stream>/consumer/<name>:<creation timestamp>`.
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
