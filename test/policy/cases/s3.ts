import { TYPES } from "../../../policy/lib/resourceTypes";
import {
  s3ArtifactVersioning,
  s3DefaultEncryption,
  s3PublicAccessBlock,
  s3TlsOnly,
} from "../../../policy/policies/s3";
import {
  arn,
  artifactBucket,
  bucket,
  bucketEncryption,
  bucketPolicy,
  bucketVersioning,
  policyDocument,
  publicAccessBlock,
  tlsOnlyStatement,
} from "../fixtures";
import { PolicyCaseTable, resource, UNKNOWN_STRING } from "../harness";

const NAME = "flink-logs-dev";
const OTHER = "flink-other-dev";

export const s3Cases: PolicyCaseTable[] = [
  {
    policy: s3PublicAccessBlock,
    cases: [
      {
        title: "bucket with all four blocks complies",
        input: [bucket(NAME), publicAccessBlock(NAME)],
        expect: "compliant",
      },
      {
        title: "bucket without a public access block is reported against the bucket",
        input: [bucket(NAME), publicAccessBlock(OTHER), bucket(OTHER)],
        expect: [{ urn: bucket(NAME).urn, message: /Bucket "flink-logs-dev" has no public access block/ }],
      },
      {
        title: "a block with a setting off names the setting",
        input: [
          bucket(NAME),
          publicAccessBlock(NAME, { restrictPublicBuckets: false, ignorePublicAcls: undefined }),
        ],
        expect: [/leaves ignorePublicAcls, restrictPublicBuckets off/],
      },
      {
        title: "preview: a block whose bucket is unknown and untraceable is not judged",
        input: [bucket(NAME), publicAccessBlock(NAME, { bucket: UNKNOWN_STRING })],
        expect: "compliant",
      },
      {
        title: "preview: lineage shows the only block belongs to another bucket",
        input: [
          bucket(NAME),
          bucket(OTHER),
          {
            ...publicAccessBlock(OTHER, { bucket: UNKNOWN_STRING }),
            propertyDependencies: { bucket: [bucket(OTHER).urn] },
          },
        ],
        expect: [{ urn: bucket(NAME).urn, message: /has no public access block/ }],
      },
      {
        title: "deprecated BucketV2 buckets are checked too",
        input: [resource(TYPES.bucketV2, NAME, { bucket: NAME, id: NAME })],
        expect: [/has no public access block/],
      },
      {
        title: "a stack without buckets is not applicable",
        input: [resource(TYPES.stream, "orders", { name: "orders" })],
        expect: { notApplicable: /no resources of type aws:s3\/bucket:Bucket/ },
      },
    ],
  },
  {
    policy: s3DefaultEncryption,
    cases: [
      {
        title: "bucket with KMS default encryption complies",
        input: [bucket(NAME), bucketEncryption(NAME)],
        expect: "compliant",
      },
      {
        title: "deprecated V2 encryption resource counts",
        input: [
          bucket(NAME),
          resource(TYPES.bucketEncryptionV2, "enc", {
            bucket: NAME,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
          }),
        ],
        expect: "compliant",
      },
      {
        title: "bucket relying on the implicit SSE-S3 default is reported",
        input: [bucket(NAME)],
        expect: [/Bucket "flink-logs-dev" has no default encryption configuration/],
      },
      {
        title: "a rule without a default algorithm is reported",
        input: [
          bucket(NAME),
          resource(TYPES.bucketEncryption, "enc", { bucket: NAME, rules: [{ bucketKeyEnabled: true }] }),
        ],
        expect: [/sets no default algorithm/],
      },
    ],
  },
  {
    policy: s3TlsOnly,
    cases: [
      {
        title: "bucket policy denying non-TLS on bucket and objects complies",
        input: [bucket(NAME), bucketPolicy(NAME)],
        expect: "compliant",
      },
      {
        title: "a policy given as an object with Principal { AWS: '*' } complies",
        input: [
          bucket(NAME),
          resource(TYPES.bucketPolicy, "p", {
            bucket: NAME,
            policy: {
              Version: "2012-10-17",
              Statement: { ...tlsOnlyStatement(NAME), Principal: { AWS: "*" } },
            },
          }),
        ],
        expect: "compliant",
      },
      {
        title: "bucket without a policy is reported",
        input: [bucket(NAME)],
        expect: [/has no bucket policy/],
      },
      {
        title: "a policy without the TLS denial is reported",
        input: [
          bucket(NAME),
          bucketPolicy(
            NAME,
            policyDocument({
              Effect: "Allow",
              Principal: { Service: "logging.s3.amazonaws.com" },
              Action: "s3:PutObject",
              Resource: `${arn.bucket(NAME)}/*`,
            }),
          ),
        ],
        expect: [/no statement denying s3:\* when aws:SecureTransport is false/],
      },
      {
        title: "a denial that leaves the objects out is reported",
        input: [bucket(NAME), bucketPolicy(NAME, policyDocument(tlsOnlyStatement(NAME, [arn.bucket(NAME)])))],
        expect: [/does not cover arn:aws:s3:::flink-logs-dev\/\*/],
      },
    ],
  },
  {
    policy: s3ArtifactVersioning,
    cases: [
      {
        title: "versioned artifact bucket complies",
        input: [artifactBucket(), bucketVersioning("flink-artifacts-dev")],
        expect: "compliant",
      },
      {
        title: "buckets without the artifact tag need no versioning",
        input: [bucket(NAME)],
        expect: "compliant",
      },
      {
        title: "unversioned artifact bucket is reported",
        input: [artifactBucket(), bucket(NAME), bucketVersioning(NAME)],
        expect: [
          { urn: artifactBucket().urn, message: /"flink-artifacts-dev" has no versioning configuration/ },
        ],
      },
      {
        title: "suspended versioning is reported",
        input: [artifactBucket(), bucketVersioning("flink-artifacts-dev", "Suspended")],
        expect: [/versioning status is "Suspended"/],
      },
    ],
  },
];
