/**
 * The `@pulumi/aws` sub-modules the program uses, under their usual names: `import * as aws from
 * "../stacks/aws"` keeps every `aws.s3.Bucket` call site while loading a dozen sub-modules instead
 * of the package root, which loads all 250 of them (most of the program's start-up). Add the
 * sub-module here when a file starts using a new one; an ESLint rule keeps the package roots out.
 */
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as dynamodb from "@pulumi/aws/dynamodb";
export * as ec2 from "@pulumi/aws/ec2";
export * as iam from "@pulumi/aws/iam";
export * as kinesis from "@pulumi/aws/kinesis";
export * as kinesisanalyticsv2 from "@pulumi/aws/kinesisanalyticsv2";
export * as kms from "@pulumi/aws/kms";
export * as s3 from "@pulumi/aws/s3";
export * as secretsmanager from "@pulumi/aws/secretsmanager";
export * as sns from "@pulumi/aws/sns";
export * as ssm from "@pulumi/aws/ssm";
export * as vpc from "@pulumi/aws/vpc";
// Root-level data sources, each from its own file as the package root loads it.
export * from "@pulumi/aws/getCallerIdentity";
export * from "@pulumi/aws/getPartition";
export * from "@pulumi/aws/getRegion";
