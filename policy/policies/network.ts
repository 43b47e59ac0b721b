import { resourcePolicy } from "../lib/definePolicy";
import {
  conditionKeys,
  isAllow,
  isWildcardAction,
  knownStrings,
  parseStatements,
  Statement,
} from "../lib/iamDocument";
import { asList, asRecord, dig, Props, UNKNOWN } from "../lib/known";
import { TYPES } from "../lib/resourceTypes";

/** Inbound rules, wherever they are declared: inline on the group, or as separate rule resources. */
const INGRESS_TYPES: readonly string[] = [
  TYPES.securityGroup,
  TYPES.securityGroupIngressRule,
  TYPES.securityGroupRule,
];

/** An inbound rule and the CIDR blocks it admits, for messages and judging. */
interface InboundRule {
  /** Where the rule is: `inline ingress rule #2` or `rule`. */
  label: string;
  rule: Props;
  cidrs: unknown[];
}

/** A CIDR with prefix length 0 spans every address of its family: `0.0.0.0/0`, `::/0`, however written. */
function isWholeAddressSpace(cidr: string): boolean {
  return /\/0$/.test(cidr.trim());
}

/** `tcp port 22`, `tcp ports 0-65535`, `all traffic`: what the rule opens, from whichever props it has. */
function describeTraffic(rule: Props): string {
  const protocol = rule.protocol ?? rule.ipProtocol;
  if (protocol === "-1" || protocol === "all") {
    return "all traffic";
  }
  const { fromPort, toPort } = rule;
  const name = typeof protocol === "string" ? protocol : "traffic";
  if (typeof fromPort !== "number" || typeof toPort !== "number") {
    return name;
  }
  return fromPort === toPort ? `${name} port ${fromPort}` : `${name} ports ${fromPort}-${toPort}`;
}

/** The inbound rules a resource declares; egress is out of scope (open egress is how a VPC reaches AWS). */
function inboundRules(type: string, props: Props, notApplicable: (reason: string) => never): InboundRule[] {
  if (type === TYPES.securityGroup) {
    if (props.ingress === UNKNOWN) {
      return [];
    }
    return asList(props.ingress).map((rule, index) => {
      const known = asRecord(rule);
      const ruleProps = known === undefined || known === UNKNOWN ? {} : known;
      return {
        label: `inline ingress rule #${index + 1}`,
        rule: ruleProps,
        cidrs: [...asList(dig(rule, "cidrBlocks")), ...asList(dig(rule, "ipv6CidrBlocks"))],
      };
    });
  }
  if (type === TYPES.securityGroupIngressRule) {
    return [{ label: "rule", rule: props, cidrs: [props.cidrIpv4, props.cidrIpv6] }];
  }
  if (props.type === "egress") {
    notApplicable("Policy only applies to inbound rules; this SecurityGroupRule is an egress rule");
  }
  // An unknown type is left for the apply to reveal, as every unknown value.
  return props.type === "ingress"
    ? [
        {
          label: "ingress rule",
          rule: props,
          cidrs: [...asList(props.cidrBlocks), ...asList(props.ipv6CidrBlocks)],
        },
      ]
    : [];
}

export const ec2SecurityGroupNoPublicIngress = resourcePolicy({
  name: "ec2-security-group-no-public-ingress",
  description:
    "Security groups admit no inbound traffic from the whole internet (0.0.0.0/0 or ::/0), whether the rule " +
    "is inline, a SecurityGroupIngressRule or an ingress SecurityGroupRule.",
  severity: "critical",
  remediationSteps:
    "admit only the sources that need the port: another security group (referencedSecurityGroupId / " +
    "securityGroups), a prefix list, or the VPC's own CIDR block.",
  resourceTypes: INGRESS_TYPES,
  check: (props, { type, notApplicable }) =>
    inboundRules(type, props, notApplicable).flatMap(({ label, rule, cidrs }) =>
      knownStrings(cidrs)
        .filter(isWholeAddressSpace)
        .map(
          (cidr) =>
            `${label.charAt(0).toUpperCase()}${label.slice(1)} opens ${describeTraffic(rule)} to ${cidr}, ` +
            "the whole internet.",
        ),
    ),
});

/** Endpoint types that take an endpoint policy (GatewayLoadBalancer, Resource and ServiceNetwork do not). */
const POLICY_ENDPOINT_TYPES = ["Gateway", "Interface"];

/** The provider's default `vpcEndpointType`. */
const DEFAULT_ENDPOINT_TYPE = "Gateway";

/**
 * Condition keys that narrow who may use the endpoint or what it reaches (data-perimeter conditions);
 * compared in lower case, as IAM compares keys case-insensitively. Keys such as aws:SecureTransport or
 * aws:SourceVpce narrow nothing: every request through the endpoint meets them.
 */
const SCOPING_CONDITION_KEYS = [
  "aws:principalaccount",
  "aws:principalarn",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:resourceaccount",
  "aws:resourceorgid",
  "aws:resourceorgpaths",
];

/** `Principal: "*"`, `{ AWS: "*" }` (or a list holding "*"), or none: anyone. Unknown: not judged. */
function isAnyPrincipal(principal: unknown): boolean {
  if (principal === undefined || principal === "*") {
    return true;
  }
  const byKind = asRecord(principal);
  if (byKind === undefined || byKind === UNKNOWN) {
    return false;
  }
  return Object.values(byKind).some((value) => asList(value).includes("*"));
}

function hasScopingCondition(statement: Statement): boolean {
  const keys = conditionKeys(statement.condition);
  return keys === UNKNOWN || keys.some((key) => SCOPING_CONDITION_KEYS.includes(key.toLowerCase()));
}

/**
 * An Allow statement as broad as AWS's default endpoint policy: any principal, any action of the service,
 * any resource, with no condition narrowing who or what.
 */
function grantsFullAccess(statement: Statement): boolean {
  const anyAction = statement.notActions.length > 0 || knownStrings(statement.actions).some(isWildcardAction);
  const anyResource = statement.notResources.length > 0 || knownStrings(statement.resources).includes("*");
  return (
    isAllow(statement) &&
    anyAction &&
    anyResource &&
    isAnyPrincipal(statement.principal) &&
    !hasScopingCondition(statement)
  );
}

/** `serviceName` is `entry` itself or ends with `.<entry>` (`com.amazonaws.us-east-1.<entry>`). */
function isListedService(serviceName: unknown, entries: string[]): boolean {
  return (
    typeof serviceName === "string" &&
    entries.some((entry) => serviceName === entry || serviceName.endsWith(`.${entry}`))
  );
}

export const vpcEndpointPolicyRestricted = resourcePolicy<{ servicesWithoutEndpointPolicies: string[] }>({
  name: "vpc-endpoint-policy-restricted",
  description:
    "Gateway and interface VPC endpoints carry an endpoint policy narrower than AWS's default full access: " +
    'no Allow statement grants any principal "*" (or "<service>:*") on Resource "*" without a ' +
    "principal- or resource-account condition.",
  severity: "medium",
  remediationSteps:
    "set policy to a JSON document that names what the pipeline reaches through the endpoint: the stack's " +
    "resource ARNs (e.g. its buckets on the S3 gateway endpoint), its actions, or principals of this account " +
    '(Principal { AWS: "<role arn>" } or Condition { StringEquals: { "aws:PrincipalAccount": "<account>" } }).',
  configSchema: {
    properties: {
      servicesWithoutEndpointPolicies: {
        type: "array",
        items: { type: "string", minLength: 1 },
        default: [],
        description:
          "Endpoint services that do not support endpoint policies (AWS grants them full access regardless), " +
          "by full service name or the part after the region, e.g. `ec2messages`.",
      },
    },
  },
  resourceTypes: [TYPES.vpcEndpoint],
  check: (props, { config, notApplicable, couldNotJudge }) => {
    const endpointType = props.vpcEndpointType ?? DEFAULT_ENDPOINT_TYPE;
    if (typeof endpointType === "string" && !POLICY_ENDPOINT_TYPES.includes(endpointType)) {
      notApplicable(`${endpointType} endpoints take no endpoint policy`);
    }
    if (isListedService(props.serviceName, config.servicesWithoutEndpointPolicies)) {
      notApplicable(
        `${String(props.serviceName)} supports no endpoint policy (servicesWithoutEndpointPolicies)`,
      );
    }
    const { policy } = props;
    if (policy === undefined || policy === null || policy === "") {
      return [
        "Endpoint has no policy, so AWS attaches its default: any principal, every action, every resource.",
      ];
    }
    const statements = parseStatements(policy);
    if (statements === UNKNOWN) {
      couldNotJudge("policy");
      return [];
    }
    return statements
      .filter(grantsFullAccess)
      .map(
        (statement) =>
          `Policy ${statement.label} allows any principal every action on every resource, as AWS's default ` +
          "full-access policy does.",
      );
  },
});
