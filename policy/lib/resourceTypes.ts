/**
 * Type tokens of the resources the policies inspect, as registered by @pulumi/aws 7. Policies match on
 * these strings instead of importing @pulumi/aws, so the pack loads fast and needs no provider SDK;
 * test/policy/resourceTypes.test.ts checks each token against the installed SDK.
 */
export const TYPES = {
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  bucketVersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketEncryptionV2:
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  table: "aws:dynamodb/table:Table",
  stream: "aws:kinesis/stream:Stream",
  streamConsumer: "aws:kinesis/streamConsumer:StreamConsumer",
  flinkApplication: "aws:kinesisanalyticsv2/application:Application",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  iamPolicy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  rolePolicyAttachmentsExclusive: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  secret: "aws:secretsmanager/secret:Secret",
  ssmParameter: "aws:ssm/parameter:Parameter",
  snsTopic: "aws:sns/topic:Topic",
  snsTopicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  sqsQueue: "aws:sqs/queue:Queue",
  kmsKey: "aws:kms/key:Key",
  lambdaFunction: "aws:lambda/function:Function",
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  securityGroupIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  securityGroupEgressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  routeTable: "aws:ec2/routeTable:RouteTable",
  internetGateway: "aws:ec2/internetGateway:InternetGateway",
  natGateway: "aws:ec2/natGateway:NatGateway",
  eip: "aws:ec2/eip:Eip",
} as const;

/**
 * Component types of @pulumi/awsx 3 that the stack policies read (outputs only: a component has no inputs
 * the provider checks); test/policy/resourceTypes.test.ts checks each token against the installed SDK.
 */
export const COMPONENT_TYPES = {
  /** `awsx.ec2.Vpc`: one resource whose outputs carry `vpcId`, `privateSubnetIds`, `publicSubnetIds`. */
  awsxVpc: "awsx:ec2:Vpc",
} as const;

/** Buckets: `Bucket` in @pulumi/aws 7, and the deprecated `BucketV2` it replaced. */
export const BUCKET_TYPES: readonly string[] = [TYPES.bucket, TYPES.bucketV2];

/**
 * AWS types this project creates whose inputs accept `tags` (checked against the SDK by a test). An explicit
 * list rather than "has a `tags` prop": an untagged resource simply has no `tags` prop, and a policy cannot
 * read the provider schema. S3 objects are left out on purpose: object tags are per-object metadata
 * (at most 10) and play no part in cost allocation. `aws:ec2/securityGroupRule:SecurityGroupRule` takes no
 * tags; its successors `aws:vpc/securityGroupIngressRule` and `...EgressRule` do.
 */
export const TAGGABLE_TYPES: readonly string[] = [
  TYPES.bucket,
  TYPES.bucketV2,
  TYPES.table,
  TYPES.stream,
  TYPES.streamConsumer,
  TYPES.flinkApplication,
  TYPES.role,
  TYPES.iamPolicy,
  TYPES.logGroup,
  TYPES.metricAlarm,
  TYPES.compositeAlarm,
  TYPES.eventRule,
  TYPES.secret,
  TYPES.ssmParameter,
  TYPES.snsTopic,
  TYPES.sqsQueue,
  TYPES.kmsKey,
  TYPES.lambdaFunction,
  TYPES.vpc,
  TYPES.subnet,
  TYPES.securityGroup,
  TYPES.securityGroupIngressRule,
  TYPES.securityGroupEgressRule,
  TYPES.vpcEndpoint,
  TYPES.routeTable,
  TYPES.internetGateway,
  TYPES.natGateway,
  TYPES.eip,
];
