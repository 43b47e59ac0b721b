import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";
import { grant } from "./iam";

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
      },
      { parent: this, protect: retain, retainOnDelete: retain },
    );
    this.streamName = this.stream.name;
    this.streamArn = this.stream.arn;
    this.registerOutputs({ streamName: this.streamName, streamArn: this.streamArn });
  }

  /**
   * Lets `role` read the stream the way the Flink Kinesis connector does: polling on the stream
   * ARN and, with enhanced fan-out, consumer registration and `SubscribeToShard` on its consumers.
   */
  grantRead(role: aws.iam.Role, options: { enhancedFanOut?: boolean } = {}): aws.iam.RolePolicy {
    const statements = [
      {
        Sid: "ReadStream",
        Action: [
          "kinesis:DescribeStream",
          "kinesis:DescribeStreamSummary",
          "kinesis:GetRecords",
          "kinesis:GetShardIterator",
          "kinesis:ListShards",
        ],
        Resource: this.streamArn,
      },
    ];
    if (options.enhancedFanOut) {
      // RegisterStreamConsumer acts on the stream; the other consumer APIs on `<stream>/consumer/<name>:<ts>`.
      statements.push(
        {
          Sid: "RegisterConsumer",
          Action: [
            "kinesis:DeregisterStreamConsumer",
            "kinesis:ListStreamConsumers",
            "kinesis:RegisterStreamConsumer",
          ],
          Resource: this.streamArn,
        },
        {
          Sid: "ReadWithFanOut",
          Action: [
            "kinesis:DeregisterStreamConsumer",
            "kinesis:DescribeStreamConsumer",
            "kinesis:SubscribeToShard",
          ],
          Resource: pulumi.interpolate`${this.streamArn}/consumer/*`,
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
