import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";
import { grant } from "./iam";

/** Arguments of {@link FeatureTable}. */
export interface FeatureTableArgs {
  /** Physical table name. @default auto-named from the component name */
  tableName?: string;
  /** Partition key attribute (string). @default "key" */
  partitionKey?: string;
  /** Sort key attribute (string). @default "featureName" */
  sortKey?: string;
  /** Attribute holding each item's expiry in epoch seconds. @default "ttl" */
  ttlAttribute?: string;
  /** Keep continuous backups for point-in-time restore. @default false */
  pointInTimeRecovery?: boolean;
  /** Refuse `DeleteTable` until turned off. @default false */
  deletionProtection?: boolean;
  /** Protect the table and keep it when the stack is destroyed. @default false */
  retain?: boolean;
}

/** The DynamoDB table the job writes features to: on-demand, encrypted, items expiring by TTL. */
export class FeatureTable extends pulumi.ComponentResource {
  public readonly table: aws.dynamodb.Table;
  public readonly tableName: pulumi.Output<string>;
  public readonly tableArn: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    args: FeatureTableArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("flink-pipeline:sink:FeatureTable", name, {}, opts);
    const partitionKey = args.partitionKey ?? "key";
    const sortKey = args.sortKey ?? "featureName";
    const retain = args.retain ?? false;

    this.table = new aws.dynamodb.Table(
      name,
      {
        name: args.tableName,
        billingMode: "PAY_PER_REQUEST",
        hashKey: partitionKey,
        rangeKey: sortKey,
        attributes: [
          { name: partitionKey, type: "S" },
          { name: sortKey, type: "S" },
        ],
        ttl: { attributeName: args.ttlAttribute ?? "ttl", enabled: true },
        // Without a key ARN DynamoDB uses the AWS-managed key `aws/dynamodb`.
        serverSideEncryption: { enabled: true },
        pointInTimeRecovery: { enabled: args.pointInTimeRecovery ?? false },
        deletionProtectionEnabled: args.deletionProtection ?? false,
      },
      { parent: this, protect: retain, retainOnDelete: retain },
    );
    this.tableName = this.table.name;
    this.tableArn = this.table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }

  /** Lets `role` write items (what the Flink DynamoDB sink calls), on this table only. */
  grantWrite(role: aws.iam.Role): aws.iam.RolePolicy {
    return grant(
      `${this.name}-write`,
      role,
      [
        {
          Sid: "WriteItems",
          Action: ["dynamodb:BatchWriteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"],
          Resource: this.tableArn,
        },
      ],
      this,
    );
  }
}
