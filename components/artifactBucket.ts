import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";

/** Tag that marks a bucket as holding job code; the policy pack requires such buckets be versioned. */
export const ARTIFACT_BUCKET_TAG = { "flink-pipeline:role": "artifact" };

/** How an artifact bucket is kept. */
export interface ArtifactBucketArgs {
  /** Days a replaced artifact version is kept, for rollbacks. @default 30 */
  noncurrentVersionDays?: number;
  /** Protect the bucket and keep it (with its objects) when the stack is destroyed. @default false */
  retain?: boolean;
}

/** A bucket job code can be uploaded to: code objects wait for `readyForObjects`. */
export interface ArtifactBucketResources {
  bucket: aws.s3.Bucket;
  /** Default encryption and versioning: an object uploaded before them would be stored without. */
  readyForObjects: pulumi.Resource[];
}

/**
 * A private bucket for job code (versioned, encrypted, every public access blocked,
 * owner-enforced, TLS-only), its resources named after `name` and parented to `parent`:
 * {@link ArtifactBucket} for a bucket of its own, `JobArtifact` for its own bucket.
 */
export function createArtifactBucket(
  name: string,
  args: ArtifactBucketArgs,
  parent: pulumi.Resource,
): ArtifactBucketResources {
  const retain = args.retain ?? false;
  const bucket = new aws.s3.Bucket(
    name,
    // A retained bucket keeps its objects; a destroyable one is emptied on delete.
    { forceDestroy: !retain, tags: ARTIFACT_BUCKET_TAG },
    { parent, protect: retain, retainOnDelete: retain },
  );
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    { parent },
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    { parent },
  );
  const versioning = new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    { parent },
  );
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    { parent },
  );
  new aws.s3.BucketPolicy(
    `${name}-tls-only`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            // A deny on every S3 action: no request over plain HTTP, whoever sends it.
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    // S3 rejects bucket policies while the public access block is being applied.
    { parent, dependsOn: [publicAccess] },
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-replaced-artifacts",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 30 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    },
    { parent, dependsOn: [versioning] },
  );
  return { bucket, readyForObjects: [encryption, versioning] };
}

/**
 * One artifact bucket shared by several pipelines' `JobArtifact`s: each uploads its own object
 * (under its own key prefix) and grants its job that object alone.
 */
export class ArtifactBucket extends pulumi.ComponentResource implements ArtifactBucketResources {
  public readonly bucket: aws.s3.Bucket;
  public readonly readyForObjects: pulumi.Resource[];
  public readonly bucketName: pulumi.Output<string>;

  constructor(name: string, args: ArtifactBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("flink-pipeline:artifact:ArtifactBucket", name, {}, opts);
    const { bucket, readyForObjects } = createArtifactBucket(name, args, this);
    this.bucket = bucket;
    this.readyForObjects = readyForObjects;
    this.bucketName = bucket.bucket;
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
