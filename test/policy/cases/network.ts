import type { PolicyInputResource } from "../../../policy/evaluate";
import { TYPES } from "../../../policy/lib/resourceTypes";
import {
  ec2SecurityGroupNoPublicIngress,
  vpcEndpointPolicyRestricted,
} from "../../../policy/policies/network";
import { arn, policyDocument, TAGS } from "../fixtures";
import { ACCOUNT, PolicyCaseTable, REGION, resource, UNKNOWN_STRING } from "../harness";

const VPC_CIDR = "10.0.0.0/16";

function securityGroup(props: Record<string, unknown> = {}): PolicyInputResource {
  return resource(TYPES.securityGroup, "flink-app", {
    vpcId: "vpc-0123456789abcdef0",
    description: "Managed Flink app ENIs",
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
    tags: TAGS,
    ...props,
  });
}

function ingressRule(props: Record<string, unknown>): PolicyInputResource {
  return resource(TYPES.securityGroupIngressRule, "kafka-in", {
    securityGroupId: "sg-0123456789abcdef0",
    ipProtocol: "tcp",
    fromPort: 9092,
    toPort: 9092,
    tags: TAGS,
    ...props,
  });
}

function securityGroupRule(props: Record<string, unknown>): PolicyInputResource {
  return resource(TYPES.securityGroupRule, "https", {
    securityGroupId: "sg-0123456789abcdef0",
    protocol: "tcp",
    fromPort: 443,
    toPort: 443,
    ...props,
  });
}

function endpoint(props: Record<string, unknown> = {}): PolicyInputResource {
  return resource(TYPES.vpcEndpoint, "s3", {
    vpcId: "vpc-0123456789abcdef0",
    serviceName: `com.amazonaws.${REGION}.s3`,
    vpcEndpointType: "Gateway",
    routeTableIds: ["rtb-0123456789abcdef0"],
    tags: TAGS,
    ...props,
  });
}

/** AWS's default endpoint policy, as it reports it. */
const FULL_ACCESS = { Effect: "Allow", Principal: "*", Action: "*", Resource: "*" };

const artifactsOnly = {
  Sid: "Artifacts",
  Effect: "Allow",
  Principal: "*",
  Action: ["s3:GetObject"],
  Resource: `${arn.bucket("flink-artifacts-dev")}/*`,
};

export const networkCases: PolicyCaseTable[] = [
  {
    policy: ec2SecurityGroupNoPublicIngress,
    cases: [
      {
        title: "a group admitting only the VPC and another group, with open egress, complies",
        input: securityGroup({
          ingress: [
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [VPC_CIDR] },
            { protocol: "tcp", fromPort: 9092, toPort: 9092, securityGroups: ["sg-0fedcba9876543210"] },
          ],
        }),
        expect: "compliant",
      },
      {
        title: "a group without inline rules complies",
        input: securityGroup(),
        expect: "compliant",
      },
      {
        title: "inline ingress from 0.0.0.0/0 and ::/0 is reported per CIDR",
        input: securityGroup({
          ingress: [
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [VPC_CIDR] },
            {
              protocol: "tcp",
              fromPort: 22,
              toPort: 22,
              cidrBlocks: ["0.0.0.0/0"],
              ipv6CidrBlocks: ["::/0"],
            },
          ],
        }),
        expect: [
          /^Inline ingress rule #2 opens tcp port 22 to 0\.0\.0\.0\/0, the whole internet\./,
          /^Inline ingress rule #2 opens tcp port 22 to ::\/0, the whole internet\./,
        ],
      },
      {
        title: "inline ingress of all traffic from anywhere is reported",
        input: securityGroup({
          ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        }),
        expect: [/opens all traffic to 0\.0\.0\.0\/0/],
      },
      {
        title: "preview: unknown inline rules and CIDRs are not judged",
        input: securityGroup({
          ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [UNKNOWN_STRING] }],
        }),
        expect: "compliant",
      },
      {
        title: "a SecurityGroupIngressRule from the VPC complies",
        input: ingressRule({ cidrIpv4: VPC_CIDR }),
        expect: "compliant",
      },
      {
        title: "a SecurityGroupIngressRule from another group complies",
        input: ingressRule({ referencedSecurityGroupId: "sg-0fedcba9876543210" }),
        expect: "compliant",
      },
      {
        title: "a SecurityGroupIngressRule from 0.0.0.0/0 is reported",
        input: ingressRule({ cidrIpv4: "0.0.0.0/0" }),
        expect: [/^Rule opens tcp port 9092 to 0\.0\.0\.0\/0, the whole internet\./],
      },
      {
        title: "a SecurityGroupIngressRule from ::/0 over a port range is reported",
        input: ingressRule({ cidrIpv6: "::/0", fromPort: 1024, toPort: 65535 }),
        expect: [/opens tcp ports 1024-65535 to ::\/0/],
      },
      {
        title: "a SecurityGroupRule of type ingress from anywhere is reported",
        input: securityGroupRule({ type: "ingress", cidrBlocks: [VPC_CIDR, "0.0.0.0/0"] }),
        expect: [/^Ingress rule opens tcp port 443 to 0\.0\.0\.0\/0/],
      },
      {
        title: "a SecurityGroupRule of type ingress from the VPC complies",
        input: securityGroupRule({ type: "ingress", cidrBlocks: [VPC_CIDR] }),
        expect: "compliant",
      },
      {
        title: "a SecurityGroupRule of type egress to anywhere is not applicable",
        input: securityGroupRule({ type: "egress", cidrBlocks: ["0.0.0.0/0"] }),
        expect: { notApplicable: /egress rule/ },
      },
      {
        title: "a SecurityGroupEgressRule is not applicable",
        input: resource(TYPES.securityGroupEgressRule, "all-out", {
          securityGroupId: "sg-0123456789abcdef0",
          ipProtocol: "-1",
          cidrIpv4: "0.0.0.0/0",
        }),
        expect: { notApplicable: /only applies to resources of type/ },
      },
    ],
  },
  {
    policy: vpcEndpointPolicyRestricted,
    cases: [
      {
        title: "a gateway endpoint limited to the stack's bucket complies",
        input: endpoint({ policy: policyDocument(artifactsOnly) }),
        expect: "compliant",
      },
      {
        title: "an interface endpoint limited to the account's principals complies",
        input: endpoint({
          serviceName: `com.amazonaws.${REGION}.kinesis-streams`,
          vpcEndpointType: "Interface",
          subnetIds: ["subnet-0123456789abcdef0"],
          policy: policyDocument({
            ...FULL_ACCESS,
            Condition: { StringEquals: { "aws:PrincipalAccount": ACCOUNT } },
          }),
        }),
        expect: "compliant",
      },
      {
        title: "any action on any resource for the stack's role only complies",
        input: endpoint({
          policy: policyDocument({ ...FULL_ACCESS, Principal: { AWS: arn.role("app-role") } }),
        }),
        expect: "compliant",
      },
      {
        title: "a Deny of everything is no grant",
        input: endpoint({ policy: policyDocument(artifactsOnly, { ...FULL_ACCESS, Effect: "Deny" }) }),
        expect: "compliant",
      },
      {
        title: "no policy means AWS's full-access default and is reported",
        input: endpoint(),
        expect: [/^Endpoint has no policy, so AWS attaches its default/],
      },
      {
        title: "the default policy written out is reported",
        input: endpoint({ policy: policyDocument(FULL_ACCESS) }),
        expect: [/^Policy statement #1 allows any principal every action on every resource/],
      },
      {
        title: '{ AWS: "*" }, "s3:*" and a condition that narrows nothing still mean full access',
        input: endpoint({
          policy: policyDocument(artifactsOnly, {
            Sid: "All",
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: ["s3:*"],
            Resource: ["*"],
            Condition: { Bool: { "aws:SecureTransport": "true" } },
          }),
        }),
        expect: [/^Policy statement "All" allows any principal/],
      },
      {
        title: "NotAction on any resource is reported",
        input: endpoint({
          policy: policyDocument({
            Effect: "Allow",
            Principal: "*",
            NotAction: "s3:DeleteBucket",
            Resource: "*",
          }),
        }),
        expect: [/statement #1 allows any principal every action/],
      },
      {
        title: "preview: an unknown policy is not judged, and the policy says so",
        input: endpoint({ policy: UNKNOWN_STRING }),
        expect: { cannotJudge: /value at \.policy can't be known during preview/ },
      },
      {
        title: "a Gateway Load Balancer endpoint takes no policy",
        input: endpoint({ vpcEndpointType: "GatewayLoadBalancer" }),
        expect: { notApplicable: /GatewayLoadBalancer endpoints take no endpoint policy/ },
      },
      {
        title: "a service listed without endpoint policy support is not applicable",
        input: endpoint({
          serviceName: `com.amazonaws.${REGION}.ec2messages`,
          vpcEndpointType: "Interface",
        }),
        config: { servicesWithoutEndpointPolicies: ["ec2messages"] },
        expect: { notApplicable: /ec2messages supports no endpoint policy/ },
      },
      {
        title: "the exemption names whole service labels only",
        input: endpoint({ serviceName: `com.amazonaws.${REGION}.s3` }),
        config: { servicesWithoutEndpointPolicies: ["3"] },
        expect: [/no policy/],
      },
    ],
  },
];
