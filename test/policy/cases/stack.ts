import { COMPONENT_TYPES, TYPES } from "../../../policy/lib/resourceTypes";
import { iamStatementsScopedToStack } from "../../../policy/policies/stack";
import type { PolicyInputResource } from "../../../policy/evaluate";
import { arn, artifactBucket, LOG_GROUP, policyDocument, role, rolePolicy, stream, table } from "../fixtures";
import { ACCOUNT, awsProvider, PolicyCaseTable, REGION, resource, UNKNOWN_STRING } from "../harness";

const SECRET = "flink-pipeline/dev/kafka_cluster/java_client";
const PARAMETER = "/flink-pipeline/dev/consumer_kafka_client/bootstrap.servers";

/** The stack's data resources, with the outputs the engine reports after an update. */
function dataResources(): PolicyInputResource[] {
  return [
    stream(),
    table(),
    artifactBucket(),
    resource(TYPES.logGroup, "app-logs", { name: LOG_GROUP, arn: `${arn.logGroup(LOG_GROUP)}:*` }),
    resource(TYPES.secret, "kafka", { name: SECRET, arn: arn.secret(`${SECRET}-Xy12Ab`) }),
    resource(TYPES.ssmParameter, "servers", { name: PARAMETER, type: "String" }),
    role(),
  ];
}

/** The stack plus a role policy allowing `resources` (one statement each). */
function grantingStack(resources: unknown[], base = dataResources()): PolicyInputResource[] {
  const statements = resources.map((target, index) => ({
    Sid: `Grant${index}`,
    Effect: "Allow",
    Action: "kinesis:GetRecords",
    Resource: target,
  }));
  return [...base, rolePolicy(policyDocument(...statements))];
}

const policyUrn = rolePolicy("{}").urn;

const ec2Arn = (resourcePart: string, region = REGION, account = ACCOUNT) =>
  `arn:aws:ec2:${region}:${account}:${resourcePart}`;

/** Managed Flink's ENI permissions on the app's subnet and security group, as the VPC guide has them. */
function eniStack(subnet: string, securityGroup: string, base: PolicyInputResource[]): PolicyInputResource[] {
  return grantingStack(
    [[ec2Arn("network-interface/*"), ec2Arn(`subnet/${subnet}`), ec2Arn(`security-group/${securityGroup}`)]],
    base,
  );
}

/** The stack's own VPC: awsx registers one component whose outputs carry the ids. */
const awsxVpc = resource(COMPONENT_TYPES.awsxVpc, "pipeline-vpc", {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
  publicSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1"],
});

const appSecurityGroup = resource(TYPES.securityGroup, "flink-app", {
  id: "sg-0ccccccccccccccc1",
  arn: ec2Arn("security-group/sg-0ccccccccccccccc1"),
  vpcId: "vpc-0a1b2c3d4e5f60718",
});

export const stackCases: PolicyCaseTable[] = [
  {
    policy: iamStatementsScopedToStack,
    cases: [
      {
        title: "grants on the stack's resources and their sub-resources comply",
        input: grantingStack([
          arn.stream("orders"),
          `${arn.stream("orders")}/consumer/*`,
          [arn.table("features"), `${arn.table("features")}/index/*`],
          `${arn.bucket("flink-artifacts-dev")}/app-3f2a.zip`,
          `${arn.logGroup(LOG_GROUP)}:*`,
          `${arn.logGroup(LOG_GROUP)}:log-stream:application`,
          `${arn.secret(SECRET)}-??????`,
          arn.secret(`${SECRET}-Xy12Ab`),
          arn.parameter(PARAMETER),
          arn.parameter("/flink-pipeline/dev/consumer_kafka_client/*"),
          arn.parameter("/flink-pipeline/dev"),
          arn.role("app-role"),
          "*",
        ]),
        expect: "compliant",
      },
      {
        title: "another table is reported against the role policy",
        input: grantingStack([arn.table("features"), arn.table("billing")]),
        expect: [
          {
            urn: policyUrn,
            message:
              /app-role-policy: policy, statement "Grant1" grants access to arn:aws:dynamodb:us-east-1:123456789012:table\/billing, which is not a resource of this stack/,
          },
        ],
      },
      {
        title: "a wildcard over all streams is reported",
        input: grantingStack([`arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/*`]),
        expect: [/grants access to arn:aws:kinesis:us-east-1:123456789012:stream\/\*,/],
      },
      {
        title: "our stream's name in another account is reported",
        input: grantingStack([`arn:aws:kinesis:${REGION}:999999999999:stream/orders`]),
        expect: [/999999999999:stream\/orders/],
      },
      {
        title: "a secret with the same prefix but another name is reported",
        input: grantingStack([arn.secret(`${SECRET}-admin-Zz99Zz`)]),
        expect: [/java_client-admin-Zz99Zz/],
      },
      {
        title: "a parameter path the stack has nothing under, and all parameters, are reported",
        input: grantingStack([arn.parameter("/other-app/*"), arn.parameter("/*")]),
        expect: [/parameter\/other-app\/\*/, /parameter\/\*/],
      },
      {
        title: "a bucket outside the stack is reported",
        input: grantingStack(["arn:aws:s3:::shared-artifacts/jobs/app.zip"]),
        expect: [/arn:aws:s3:::shared-artifacts\/jobs\/app.zip/],
      },
      {
        title: "a bucket outside the stack is fine when config lists it as the job's artifact bucket",
        input: grantingStack(["arn:aws:s3:::shared-artifacts/jobs/app.zip"]),
        config: { externalArtifactBuckets: ["shared-artifacts"] },
        expect: "compliant",
      },
      {
        title: "Managed Flink's network interfaces in our region and account comply",
        input: grantingStack([`arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*`]),
        expect: "compliant",
      },
      {
        title: "network interfaces in any account are reported",
        input: grantingStack([`arn:aws:ec2:${REGION}:*:network-interface/*`]),
        expect: [/arn:aws:ec2:us-east-1:\*:network-interface\/\*/],
      },
      {
        title: "ENI grants on the subnets of the stack's awsx VPC and its own security group comply",
        input: eniStack("subnet-0aaaaaaaaaaaaaaa1", "sg-0ccccccccccccccc1", [
          ...dataResources(),
          awsxVpc,
          appSecurityGroup,
          resource(TYPES.securityGroupIngressRule, "kafka-in", {
            securityGroupId: "sg-0ccccccccccccccc1",
            cidrIpv4: "10.0.0.0/16",
            arn: ec2Arn("security-group-rule/sgr-0ddddddddddddddd1"),
          }),
          resource(TYPES.vpcEndpoint, "s3", {
            vpcId: "vpc-0a1b2c3d4e5f60718",
            arn: ec2Arn("vpc-endpoint/vpce-0eeeeeeeeeeeeeee1"),
          }),
        ]),
        expect: "compliant",
      },
      {
        title: "a security group known by id only (no ARN among the props) counts as the stack's",
        input: eniStack("subnet-0bbbbbbbbbbbbbbb1", "sg-0ccccccccccccccc1", [
          ...dataResources(),
          awsxVpc,
          resource(TYPES.securityGroup, "flink-app", { id: "sg-0ccccccccccccccc1" }),
        ]),
        expect: "compliant",
      },
      {
        title: "a subnet the stack does not create is reported",
        input: eniStack("subnet-0fffffffffffffff1", "sg-0ccccccccccccccc1", [
          ...dataResources(),
          awsxVpc,
          appSecurityGroup,
        ]),
        expect: [/grants access to arn:aws:ec2:us-east-1:123456789012:subnet\/subnet-0fffffffffffffff1,/],
      },
      {
        title: "the stack's subnet id in another account is reported",
        input: grantingStack(
          [ec2Arn("subnet/subnet-0aaaaaaaaaaaaaaa1", REGION, "999999999999")],
          [...dataResources(), awsxVpc],
        ),
        expect: [/999999999999:subnet\/subnet-0aaaaaaaaaaaaaaa1/],
      },
      {
        title: "an existing VPC's subnet and security group comply when listed in externalNetworkResources",
        input: eniStack("subnet-0123456789abcdef0", "sg-0123456789abcdef0", dataResources()),
        config: { externalNetworkResources: ["subnet-0123456789abcdef0", "sg-0123456789abcdef0"] },
        expect: "compliant",
      },
      {
        title: "an existing VPC's subnet and security group are reported when not listed",
        input: eniStack("subnet-0123456789abcdef0", "sg-0123456789abcdef0", dataResources()),
        config: { externalNetworkResources: ["subnet-0123456789abcdef0"] },
        expect: [/security-group\/sg-0123456789abcdef0/],
      },
      {
        title: "a subnet shared from another account (RAM) complies when listed by its ARN, and only it",
        input: grantingStack(
          [
            ec2Arn("subnet/subnet-0123456789abcdef0", REGION, "210987654321"),
            `arn:aws:kinesis:${REGION}:210987654321:stream/orders`,
          ],
          dataResources(),
        ),
        config: {
          externalNetworkResources: [ec2Arn("subnet/subnet-0123456789abcdef0", REGION, "210987654321")],
        },
        expect: [/210987654321:stream\/orders/],
      },
      {
        title: "externalNetworkResources ids hold only in the stack's region",
        input: grantingStack(
          [ec2Arn("subnet/subnet-0123456789abcdef0", "eu-west-1")],
          dataResources().map((input) => ({ ...input, provider: awsProvider() })),
        ),
        config: { externalNetworkResources: ["subnet-0123456789abcdef0"] },
        expect: [/eu-west-1:123456789012:subnet/],
      },
      {
        title: "every subnet of the account is reported, even with a VPC in the stack",
        input: grantingStack([ec2Arn("subnet/*"), ec2Arn("security-group/*")], [...dataResources(), awsxVpc]),
        expect: [/subnet\/\*,/, /security-group\/\*,/],
      },
      {
        title: "preview: unknown awsx VPC outputs add nothing and break nothing",
        input: grantingStack(
          [arn.stream("orders")],
          [
            ...dataResources(),
            resource(COMPONENT_TYPES.awsxVpc, "pipeline-vpc", {
              vpcId: UNKNOWN_STRING,
              privateSubnetIds: UNKNOWN_STRING,
            }),
          ],
        ),
        expect: "compliant",
      },
      {
        title: "preview: ARNs derived from names match while outputs are unknown",
        input: grantingStack(
          [arn.stream("orders"), arn.table("features")],
          [
            { ...stream({ arn: UNKNOWN_STRING }), provider: awsProvider() },
            { ...table({ arn: UNKNOWN_STRING }), provider: awsProvider() },
            role(),
          ],
        ),
        expect: "compliant",
      },
      {
        title: "preview: a derived ARN in a region the stack does not use is reported",
        input: grantingStack(
          [`arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/orders`],
          [{ ...stream({ arn: UNKNOWN_STRING }), provider: awsProvider() }, role()],
        ),
        expect: [/eu-west-1/],
      },
      {
        title: "preview: an unknown document is not judged, and the policy says which",
        input: [...dataResources(), rolePolicy(UNKNOWN_STRING)],
        expect: { cannotJudge: /value at \..*: policy can't be known during preview/ },
      },
      {
        title: "a resource that is not an ARN is reported",
        input: grantingStack(["orders"]),
        expect: [/grants access to orders,/],
      },
      {
        title: "a stack without IAM policies is not applicable",
        input: [stream()],
        expect: { notApplicable: /no resources of type aws:iam\/rolePolicy:RolePolicy/ },
      },
    ],
  },
];
