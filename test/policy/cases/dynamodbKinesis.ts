import {
  dynamodbDeletionProtection,
  dynamodbEncryption,
  dynamodbPointInTimeRecovery,
} from "../../../policy/policies/dynamodb";
import { kinesisEncryption, kinesisRetention } from "../../../policy/policies/kinesis";
import { stream, table } from "../fixtures";
import { PolicyCaseTable, UNKNOWN_STRING } from "../harness";

export const dynamodbKinesisCases: PolicyCaseTable[] = [
  {
    policy: dynamodbEncryption,
    cases: [
      { title: "table encrypted with the AWS managed key complies", input: table(), expect: "compliant" },
      {
        title: "table with a customer managed key complies",
        input: table({
          serverSideEncryption: { enabled: true, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" },
        }),
        expect: "compliant",
      },
      {
        title: "table on the AWS-owned key is reported",
        input: table({ serverSideEncryption: undefined }),
        expect: [/uses the AWS-owned key/],
      },
      {
        title: "a resource of another type is not applicable",
        input: stream(),
        expect: { notApplicable: /only applies to resources of type aws:dynamodb\/table:Table/ },
      },
    ],
  },
  {
    policy: dynamodbPointInTimeRecovery,
    cases: [
      { title: "prod table keeps point-in-time backups", input: table(), expect: "compliant" },
      {
        title: "table without point-in-time recovery is reported",
        input: table({ pointInTimeRecovery: { enabled: false } }),
        expect: [/point-in-time recovery off/],
      },
    ],
  },
  {
    policy: dynamodbDeletionProtection,
    cases: [
      { title: "protected table complies", input: table(), expect: "compliant" },
      {
        title: "unprotected table is reported",
        input: table({ deletionProtectionEnabled: undefined }),
        expect: [/deletion protection off/],
      },
    ],
  },
  {
    policy: kinesisEncryption,
    cases: [
      { title: "KMS-encrypted stream complies", input: stream(), expect: "compliant" },
      {
        title: "preview: a key id not known yet is not judged",
        input: stream({ kmsKeyId: UNKNOWN_STRING }),
        expect: "compliant",
      },
      {
        title: "unencrypted stream is reported",
        input: stream({ encryptionType: undefined, kmsKeyId: undefined }),
        expect: [/encryption is "NONE", not KMS/],
      },
      {
        title: "KMS without a key is reported",
        input: stream({ kmsKeyId: "" }),
        expect: [/without a kmsKeyId/],
      },
    ],
  },
  {
    policy: kinesisRetention,
    cases: [
      {
        title: "the 24 h default complies",
        input: stream({ retentionPeriod: undefined }),
        expect: "compliant",
      },
      {
        title: "a stack asking for 48 h rejects 24 h",
        input: stream(),
        config: { minRetentionHours: 48 },
        expect: [/keeps records 24 h, less than 48 h/],
      },
      {
        title: "a week satisfies 48 h",
        input: stream({ retentionPeriod: 168 }),
        config: { minRetentionHours: 48 },
        expect: "compliant",
      },
    ],
  },
];
