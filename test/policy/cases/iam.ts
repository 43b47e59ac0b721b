import { TYPES } from "../../../policy/lib/resourceTypes";
import {
  iamNoAdminPolicies,
  iamNoWildcardActions,
  iamResourceWildcardAllowList,
  iamServiceTrustConfusedDeputy,
} from "../../../policy/policies/iam";
import { arn, flinkTrustPolicy, policyDocument, role, rolePolicy } from "../fixtures";
import { ACCOUNT, PolicyCaseTable, resource, UNKNOWN_STRING } from "../harness";

const readStream = {
  Effect: "Allow",
  Action: ["kinesis:GetRecords", "kinesis:GetShardIterator"],
  Resource: arn.stream("orders"),
};

export const iamCases: PolicyCaseTable[] = [
  {
    policy: iamNoWildcardActions,
    cases: [
      { title: "named actions comply", input: rolePolicy(policyDocument(readStream)), expect: "compliant" },
      {
        title: "a Deny on s3:* takes nothing away from least privilege",
        input: rolePolicy(policyDocument(readStream, { Effect: "Deny", Action: "s3:*", Resource: "*" })),
        expect: "compliant",
      },
      {
        title: '"*" is reported with the statement sid',
        input: rolePolicy(policyDocument({ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" })),
        expect: [/Policy, statement "Everything" allows \*\./],
      },
      {
        title: "a service wildcard in a role's inline policy is reported",
        input: role({
          inlinePolicies: [
            {
              name: "sink",
              policy: policyDocument(readStream, {
                Effect: "Allow",
                Action: ["dynamodb:*"],
                Resource: arn.table("features"),
              }),
            },
          ],
        }),
        expect: [/Inline policy "sink", statement #2 allows dynamodb:\*/],
      },
      {
        title: "Allow with NotAction is reported",
        input: resource(TYPES.iamPolicy, "p", {
          policy: {
            Version: "2012-10-17",
            Statement: { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
          },
        }),
        expect: [/allows NotAction/],
      },
      {
        title: "preview: a document not known yet is not judged, and the policy says so",
        input: rolePolicy(UNKNOWN_STRING),
        expect: { cannotJudge: /value at \.policy can't be known during preview/ },
      },
    ],
  },
  {
    policy: iamResourceWildcardAllowList,
    cases: [
      {
        title: "allow-listed actions may use Resource '*', in any case",
        input: rolePolicy(
          policyDocument({
            Effect: "Allow",
            Action: ["CloudWatch:putMetricData", "logs:DescribeLogGroups"],
            Resource: "*",
          }),
        ),
        expect: "compliant",
      },
      {
        title: "scoped statements comply",
        input: rolePolicy(policyDocument(readStream)),
        expect: "compliant",
      },
      {
        title: "a scopable action on '*' is reported by name",
        input: rolePolicy(
          policyDocument({
            Effect: "Allow",
            Action: ["cloudwatch:PutMetricData", "kinesis:GetRecords"],
            Resource: ["*"],
          }),
        ),
        expect: [/allows kinesis:GetRecords on Resource "\*"/],
      },
      {
        title: "ENI writes are not on the allow-list: they take ARNs",
        input: rolePolicy(
          policyDocument({ Effect: "Allow", Action: "ec2:CreateNetworkInterface", Resource: "*" }),
        ),
        expect: [/allows ec2:CreateNetworkInterface on Resource "\*"/],
      },
      {
        title: "Allow with NotResource is reported",
        input: rolePolicy(
          policyDocument({ Effect: "Allow", Action: "s3:GetObject", NotResource: arn.bucket("x") }),
        ),
        expect: [/allows NotResource/],
      },
    ],
  },
  {
    policy: iamServiceTrustConfusedDeputy,
    cases: [
      { title: "a service trust bound to our account complies", input: role(), expect: "compliant" },
      {
        title: "a service trust bound to the app's ARN (object document) complies",
        input: role({
          assumeRolePolicy: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: ["kinesisanalytics.amazonaws.com"] },
                Action: "sts:AssumeRole",
                Condition: { ArnEquals: { "AWS:SourceArn": arn.app("orders-app") } },
              },
            ],
          },
        }),
        expect: "compliant",
      },
      {
        title: "trust for an account principal needs no source condition",
        input: role({
          assumeRolePolicy: policyDocument({
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: "sts:AssumeRole",
          }),
        }),
        expect: "compliant",
      },
      {
        title: "an unconditioned service trust is reported",
        input: role({ assumeRolePolicy: flinkTrustPolicy(undefined) }),
        expect: [/Trust statement #1 lets kinesisanalytics.amazonaws.com assume the role/],
      },
      {
        title: "a condition on another key does not count",
        input: role({
          assumeRolePolicy: flinkTrustPolicy({ StringEquals: { "aws:PrincipalTag/team": "data" } }),
        }),
        expect: [/from any account or resource/],
      },
    ],
  },
  {
    policy: iamNoAdminPolicies,
    cases: [
      {
        title: "a narrow managed policy complies",
        input: resource(TYPES.rolePolicyAttachment, "attach", {
          role: "app-role",
          policyArn: "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess",
        }),
        expect: "compliant",
      },
      { title: "a role without managed policies complies", input: role(), expect: "compliant" },
      {
        title: "AdministratorAccess attached to a role is reported",
        input: resource(TYPES.rolePolicyAttachment, "attach", {
          role: "app-role",
          policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        }),
        expect: [/Attaches arn:aws:iam::aws:policy\/AdministratorAccess/],
      },
      {
        title: "PowerUserAccess in a role's managedPolicyArns is reported",
        input: role({ managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/PowerUserAccess"] }),
        expect: [/Attaches arn:aws-us-gov:iam::aws:policy\/PowerUserAccess/],
      },
    ],
  },
];
