import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import {
  ArtifactSource,
  contentHashedName,
  hashDirectory,
  hashFile,
  listArtifactFiles,
} from "./artifactContent";
import { grant } from "./iam";

/** Tag that marks a bucket as holding job code; the policy pack requires such buckets be versioned. */
export const ARTIFACT_BUCKET_TAG = { "flink-pipeline:role": "artifact" };

/** Arguments of {@link JobArtifact}. */
export interface JobArtifactArgs {
  /** The job: a local `.jar`/`.zip`, a directory (zipped on upload), or an existing S3 object. */
  source: ArtifactSource;
  /** Folder of the object key inside the bucket. @default the component name */
  keyPrefix?: string;
  /** Days a replaced artifact version is kept, for rollbacks. @default 30 */
  noncurrentVersionDays?: number;
  /** Protect the bucket and keep it (with its objects) when the stack is destroyed. @default false */
  retain?: boolean;
}

/**
 * The job's code in S3. A local artifact gets a private bucket (versioned, encrypted, every public
 * access blocked, owner-enforced, TLS-only) and an object whose key carries the content hash,
 * because overwriting one key does not redeploy a Managed Flink application.
 */
export class JobArtifact extends pulumi.ComponentResource {
  /** Undefined when the artifact is an existing S3 object. */
  public readonly bucket?: aws.s3.Bucket;
  public readonly object?: aws.s3.BucketObject;
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly objectKey: pulumi.Output<string>;
  public readonly objectArn: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    args: JobArtifactArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("flink-pipeline:artifact:JobArtifact", name, {}, opts);
    const source = args.source;

    if (source.kind === "s3") {
      const partition = aws.getPartitionOutput({}, { parent: this }).partition;
      this.bucketName = pulumi.output(source.bucket);
      this.bucketArn = pulumi.interpolate`arn:${partition}:s3:::${source.bucket}`;
      this.objectKey = pulumi.output(source.key);
      this.objectArn = pulumi.interpolate`${this.bucketArn}/${source.key}`;
    } else {
      const { bucket, object } = this.upload(source, args);
      this.bucket = bucket;
      this.object = object;
      this.bucketName = bucket.bucket;
      this.bucketArn = bucket.arn;
      this.objectKey = object.key;
      this.objectArn = pulumi.interpolate`${bucket.arn}/${object.key}`;
    }
    this.registerOutputs({ bucketName: this.bucketName, objectKey: this.objectKey });
  }

  private upload(source: Exclude<ArtifactSource, { kind: "s3" }>, args: JobArtifactArgs) {
    const retain = args.retain ?? false;
    const parent = { parent: this };
    const bucket = new aws.s3.Bucket(
      this.name,
      // A retained bucket keeps its objects; a destroyable one is emptied on delete.
      { forceDestroy: !retain, tags: ARTIFACT_BUCKET_TAG },
      { parent: this, protect: retain, retainOnDelete: retain },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${this.name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    new aws.s3.BucketOwnershipControls(
      `${this.name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      parent,
    );
    const versioning = new aws.s3.BucketVersioning(
      `${this.name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      parent,
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${this.name}-encryption`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      parent,
    );
    new aws.s3.BucketPolicy(
      `${this.name}-tls-only`,
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
      { parent: this, dependsOn: [publicAccess] },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${this.name}-lifecycle`,
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
      { parent: this, dependsOn: [versioning] },
    );

    const files = source.kind === "directory" ? listArtifactFiles(source.path) : [];
    const hash = source.kind === "directory" ? hashDirectory(source.path, files) : hashFile(source.path);
    const asset =
      source.kind === "directory"
        ? new pulumi.asset.AssetArchive(
            Object.fromEntries(
              files.map((file) => [file, new pulumi.asset.FileAsset(path.join(source.path, file))]),
            ),
          )
        : new pulumi.asset.FileAsset(source.path);
    const object = new aws.s3.BucketObject(
      `${this.name}-code`,
      {
        bucket: bucket.id,
        key: `${args.keyPrefix ?? this.name}/${contentHashedName(source, hash)}`,
        source: asset,
      },
      // Uploaded once the bucket encrypts by default.
      { parent: this, dependsOn: [encryption, versioning] },
    );
    return { bucket, object };
  }

  /** Lets `role` read the job's code object (any version of it), and nothing else in the bucket. */
  grantRead(role: aws.iam.Role): aws.iam.RolePolicy {
    return grant(
      `${this.name}-read`,
      role,
      [{ Sid: "ReadJobCode", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: this.objectArn }],
      this,
    );
  }
}
