import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import {
  ArtifactSource,
  contentHashedName,
  hashDirectory,
  hashFile,
  listArtifactFiles,
  UNBUILT,
} from "./artifactContent";
import { ArtifactBucketResources, createArtifactBucket } from "./artifactBucket";
import { Statement, grant } from "./iam";

/** The object's content and the hash its key carries. */
function artifactContent(
  source: Exclude<ArtifactSource, { kind: "s3" }>,
  exclude: readonly string[] = [],
): {
  hash: string;
  asset: pulumi.asset.Asset | pulumi.asset.Archive;
} {
  if (source.kind === "directory") {
    const files = listArtifactFiles(source.path, exclude);
    return {
      hash: hashDirectory(source.path, files),
      asset: new pulumi.asset.AssetArchive(
        Object.fromEntries(
          files.map((file) => [file, new pulumi.asset.FileAsset(path.join(source.path, file))]),
        ),
      ),
    };
  }
  if (source.kind === "unbuilt") {
    // Only a preview gets here (a deployment refuses a missing jar): the engine hashes assets even
    // then, so it gets this text instead of a file that does not exist.
    pulumi.log.warn(
      `${source.path} is not built yet: the plan's artifact key says "${UNBUILT}" instead of its content hash, and a deployment refuses the stack until it is built (npm run build:java for the sample job)`,
    );
    return { hash: UNBUILT, asset: new pulumi.asset.StringAsset(`${source.path} not built\n`) };
  }
  return { hash: hashFile(source.path), asset: new pulumi.asset.FileAsset(source.path) };
}

/** Arguments of {@link JobArtifact}. */
export interface JobArtifactArgs {
  /** The job: a local `.jar`/`.zip`, a directory (zipped on upload), or an existing S3 object. */
  source: ArtifactSource;
  /** Top-level entries of a directory artifact that are not uploaded (nor hashed). @default none */
  exclude?: string[];
  /** Folder of the object key inside the bucket. @default the component name */
  keyPrefix?: string;
  /**
   * The bucket a local artifact is uploaded to, shared with other pipelines' artifacts (an
   * `ArtifactBucket`). @default a bucket of this artifact's own
   */
  bucket?: ArtifactBucketResources;
  /** Days a replaced artifact version is kept, for rollbacks (an own bucket only). @default 30 */
  noncurrentVersionDays?: number;
  /** Protect the own bucket and keep it (with its objects) when the stack is destroyed. @default false */
  retain?: boolean;
  /**
   * The customer-managed KMS key an existing S3 object is encrypted with; the reader then needs
   * `kms:Decrypt` on it. @default undefined (SSE-S3 or the AWS-managed `aws/s3` key: no grant needed)
   */
  kmsKeyArn?: string;
}

/**
 * The job's code in S3. A local artifact gets a private bucket (versioned, encrypted, every public
 * access blocked, owner-enforced, TLS-only), or goes to a shared one, as an object whose key carries the content hash,
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
  private readonly kmsKeyArn?: string;

  constructor(
    private readonly name: string,
    args: JobArtifactArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("flink-pipeline:artifact:JobArtifact", name, {}, opts);
    const source = args.source;
    if (args.kmsKeyArn !== undefined && source.kind !== "s3") {
      throw new Error(`JobArtifact ${name}: kmsKeyArn applies only to an existing S3 object`);
    }
    this.kmsKeyArn = args.kmsKeyArn;

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
      // From the bucket's name (settled before it exists), so the read grant is known at the first preview.
      const partition = aws.getPartitionOutput({}, { parent: this }).partition;
      this.bucketArn = pulumi.interpolate`arn:${partition}:s3:::${bucket.bucket}`;
      this.objectKey = object.key;
      this.objectArn = pulumi.interpolate`${this.bucketArn}/${object.key}`;
    }
    this.registerOutputs({ bucketName: this.bucketName, objectKey: this.objectKey });
  }

  private upload(source: Exclude<ArtifactSource, { kind: "s3" }>, args: JobArtifactArgs) {
    const { bucket, readyForObjects } = args.bucket ?? createArtifactBucket(this.name, args, this);
    const { hash, asset } = artifactContent(source, args.exclude);
    const object = new aws.s3.BucketObject(
      `${this.name}-code`,
      {
        bucket: bucket.id,
        key: `${args.keyPrefix ?? this.name}/${contentHashedName(source, hash)}`,
        source: asset,
      },
      // Uploaded once the bucket encrypts by default.
      { parent: this, dependsOn: readyForObjects },
    );
    return { bucket, object };
  }

  /**
   * Lets `role` read the job's code object (any version of it), and nothing else in the bucket;
   * with a customer-managed key, `kms:Decrypt` on that key through S3 only.
   */
  grantRead(role: aws.iam.Role): aws.iam.RolePolicy {
    const statements: Statement[] = [
      { Sid: "ReadJobCode", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: this.objectArn },
    ];
    if (this.kmsKeyArn !== undefined) {
      const region = aws.getRegionOutput({}, { parent: this }).region;
      statements.push({
        // S3 asks KMS to decrypt the object's data key on the reader's behalf (SSE-KMS).
        Sid: "DecryptJobCode",
        Action: ["kms:Decrypt"],
        Resource: this.kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${region}.amazonaws.com` } },
      });
    }
    return grant(`${this.name}-read`, role, statements, this);
  }
}
