import { StackCheck, stackPolicy, StackResourceView } from "../lib/definePolicy";
import { knownStrings, parseStatements, Statement } from "../lib/iamDocument";
import { asList, asRecord, dig, Unknown, UNKNOWN } from "../lib/known";
import { BUCKET_TYPES, TYPES } from "../lib/resourceTypes";

/**
 * In @pulumi/aws 7 a bucket's settings are separate resources that name the bucket in their `bucket` input,
 * so these are stack policies: for each bucket they look for the side resource that refers to it.
 */

/** The tag that marks the bucket holding the Flink job's code; those buckets must be versioned. */
export const ARTIFACT_BUCKET_TAG = { key: "flink-pipeline:role", value: "artifact" } as const;

const PUBLIC_ACCESS_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];
const DEFAULT_ENCRYPTION_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

/** Whether `side` configures `bucket`: yes, no, or {@link UNKNOWN} when neither value nor lineage tells. */
function refersToBucket(side: StackResourceView, bucket: StackResourceView): boolean | Unknown {
  const target = side.props.bucket;
  const identifiers = bucketIdentifiers(bucket);
  if (typeof target === "string" && identifiers.length > 0) {
    return identifiers.includes(target);
  }
  // While values are unknown (preview), the engine still records which resources fed each property.
  const sources = side.propertyDependencies.bucket ?? [];
  return sources.length > 0 ? sources.includes(bucket.urn) : UNKNOWN;
}

/** The values a side resource may use to name `bucket`: its name (`bucket`) and its `id`. */
function bucketIdentifiers(bucket: StackResourceView): string[] {
  return [bucket.props.bucket, bucket.props.id].filter((value): value is string => typeof value === "string");
}

function bucketLabel(bucket: StackResourceView): string {
  const name = bucket.props.bucket;
  return `Bucket "${typeof name === "string" ? name : bucket.name}"`;
}

/** True when the bucket carries {@link ARTIFACT_BUCKET_TAG} in `tags` (inputs) or `tagsAll` (outputs). */
function isArtifactBucket(bucket: StackResourceView): boolean {
  return ["tags", "tagsAll"].some(
    (field) => dig(bucket.props, field, ARTIFACT_BUCKET_TAG.key) === ARTIFACT_BUCKET_TAG.value,
  );
}

/**
 * A stack check that, for each bucket `selectBucket` accepts, finds the side resource of `sideTypes`
 * referring to it and reports a missing one or what `judge` finds wrong with it. A bucket whose side
 * resource cannot be told yet (preview) is skipped.
 */
function perBucket(options: {
  sideTypes: readonly string[];
  sideName: string;
  selectBucket?: (bucket: StackResourceView) => boolean;
  judge: (side: StackResourceView, bucket: StackResourceView) => string[];
}): StackCheck<object> {
  return (resources) => {
    const sides = resources.filter((resource) => options.sideTypes.includes(resource.type));
    const buckets = resources.filter(
      (resource) => BUCKET_TYPES.includes(resource.type) && (options.selectBucket?.(resource) ?? true),
    );
    return buckets.flatMap((bucket) => {
      const relations = sides.map((side) => ({ side, refers: refersToBucket(side, bucket) }));
      const match = relations.find((relation) => relation.refers === true);
      if (match) {
        return options
          .judge(match.side, bucket)
          .map((problem) => ({ urn: bucket.urn, message: `${bucketLabel(bucket)}: ${problem}` }));
      }
      if (relations.some((relation) => relation.refers === UNKNOWN)) {
        return [];
      }
      return [{ urn: bucket.urn, message: `${bucketLabel(bucket)} has no ${options.sideName}.` }];
    });
  };
}

export const s3PublicAccessBlock = stackPolicy({
  name: "s3-bucket-public-access-block",
  description: "Every S3 bucket has a public access block with all four settings on.",
  severity: "high",
  remediationSteps:
    "add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, " +
    "ignorePublicAcls and restrictPublicBuckets all true.",
  appliesTo: BUCKET_TYPES,
  check: perBucket({
    sideTypes: [TYPES.bucketPublicAccessBlock],
    sideName: "public access block (aws.s3.BucketPublicAccessBlock)",
    judge: (block) => {
      const off = PUBLIC_ACCESS_FLAGS.filter(
        (flag) => block.props[flag] !== true && block.props[flag] !== UNKNOWN,
      );
      return off.length > 0 ? [`its public access block leaves ${off.join(", ")} off.`] : [];
    },
  }),
});

export const s3DefaultEncryption = stackPolicy({
  name: "s3-bucket-encryption",
  description: "Every S3 bucket has an explicit default encryption configuration.",
  severity: "high",
  remediationSteps:
    "add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with a rule whose " +
    'applyServerSideEncryptionByDefault.sseAlgorithm is "aws:kms" (or "AES256").',
  appliesTo: BUCKET_TYPES,
  check: perBucket({
    sideTypes: [TYPES.bucketEncryption, TYPES.bucketEncryptionV2],
    sideName: "default encryption configuration (aws.s3.BucketServerSideEncryptionConfiguration)",
    judge: (encryption) => {
      const rules = encryption.props.rules;
      if (rules === UNKNOWN) {
        return [];
      }
      const algorithms = asList(rules).map((rule) =>
        dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"),
      );
      const encrypts = algorithms.some(
        (algorithm) =>
          algorithm === UNKNOWN ||
          (typeof algorithm === "string" && DEFAULT_ENCRYPTION_ALGORITHMS.includes(algorithm)),
      );
      return encrypts ? [] : ["its encryption configuration sets no default algorithm."];
    },
  }),
});

export const s3TlsOnly = stackPolicy({
  name: "s3-bucket-tls-only",
  description: "Every S3 bucket has a bucket policy that denies requests made without TLS.",
  severity: "medium",
  remediationSteps:
    'add an aws.s3.BucketPolicy with a statement { Effect: "Deny", Principal: "*", Action: "s3:*", ' +
    'Resource: [<bucket arn>, "<bucket arn>/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }.',
  appliesTo: BUCKET_TYPES,
  check: perBucket({
    sideTypes: [TYPES.bucketPolicy],
    sideName: "bucket policy (aws.s3.BucketPolicy) denying non-TLS requests",
    judge: (bucketPolicy, bucket) => {
      const statements = parseStatements(bucketPolicy.props.policy);
      if (statements === UNKNOWN) {
        return [];
      }
      const denials = statements.filter(deniesInsecureTransport);
      if (denials.length === 0) {
        return ["its bucket policy has no statement denying s3:* when aws:SecureTransport is false."];
      }
      const uncovered = requiredTlsResources(bucket).filter(
        (arnSuffix) => !denials.some((denial) => coversResource(denial, arnSuffix)),
      );
      return uncovered.length > 0
        ? [
            `its non-TLS denial does not cover ${uncovered.map((suffix) => `arn:aws:s3:::${suffix}`).join(", ")}.`,
          ]
        : [];
    },
  }),
});

export const s3ArtifactVersioning = stackPolicy({
  name: "s3-artifact-bucket-versioning",
  description: `Buckets tagged ${ARTIFACT_BUCKET_TAG.key}=${ARTIFACT_BUCKET_TAG.value} (the Flink code) are versioned.`,
  severity: "medium",
  remediationSteps:
    'add an aws.s3.BucketVersioning for the bucket with versioningConfiguration.status "Enabled", so a ' +
    "bad deploy can go back to the previous code object.",
  appliesTo: BUCKET_TYPES,
  check: perBucket({
    sideTypes: [TYPES.bucketVersioning, TYPES.bucketVersioningV2],
    sideName: "versioning configuration (aws.s3.BucketVersioning)",
    selectBucket: isArtifactBucket,
    judge: (versioning) => {
      const status = dig(versioning.props, "versioningConfiguration", "status");
      return status === "Enabled" || status === UNKNOWN
        ? []
        : [`its versioning status is "${String(status)}".`];
    },
  }),
});

function deniesInsecureTransport(statement: Statement): boolean {
  if (statement.effect !== "Deny") {
    return false;
  }
  const everyone = statement.principal === "*" || asList(dig(statement.principal, "AWS")).includes("*");
  const allS3 = knownStrings(statement.actions).some((action) =>
    ["s3:*", "*"].includes(action.toLowerCase()),
  );
  return everyone && allS3 && requiresTransportFalse(statement.condition);
}

function requiresTransportFalse(condition: unknown): boolean {
  const bool = asRecord(dig(condition, "Bool"));
  if (bool === undefined || bool === UNKNOWN) {
    return false;
  }
  // Condition keys are case-insensitive in IAM.
  const key = Object.keys(bool).find((name) => name.toLowerCase() === "aws:securetransport");
  return key !== undefined && asList(bool[key]).some((value) => String(value) === "false");
}

/** The bucket and object ARN resource parts (after `arn:<partition>:s3:::`) a TLS denial must cover. */
function requiredTlsResources(bucket: StackResourceView): string[] {
  const name = bucket.props.bucket;
  return typeof name === "string" ? [name, `${name}/*`] : [];
}

function coversResource(statement: Statement, arnSuffix: string): boolean {
  return statement.resources.some(
    (resource) =>
      resource === UNKNOWN ||
      resource === "*" ||
      (typeof resource === "string" && resource.endsWith(`:s3:::${arnSuffix}`)),
  );
}
