import { RUNTIME_CREATED_RESOURCES } from "../allowList";
import { Arn, hasWildcard, parseArn } from "../lib/arn";
import { StackFinding, stackPolicy, StackResourceView } from "../lib/definePolicy";
import { IDENTITY_POLICY_TYPES, identityPolicyDocuments, isAllow, knownStrings } from "../lib/iamDocument";
import { asList, UNKNOWN } from "../lib/known";
import { COMPONENT_TYPES, TYPES } from "../lib/resourceTypes";

/** Stack resources whose sub-resource ARNs extend their own, and whose ARN can be derived from a name. */
type NamedKind = "bucket" | "stream" | "table" | "logGroup" | "secret" | "parameter";

/** How ARNs of sub-resources extend the ARN of a stack resource; "exact" ones have none. */
type Kind = NamedKind | "exact";

/**
 * A stack resource as an ARN pattern. Parts left undefined come from a name rather than a known ARN: the
 * partition may then be any, the region and account must be ones the stack uses.
 */
interface OwnedResource {
  kind: Kind;
  partition?: string;
  service: string;
  region?: string;
  account?: string;
  /** The ARN's resource part, e.g. `stream/orders` or `log-group:/flink/app`. */
  resource: string;
}

/** What statement resources are compared with. */
interface StackScope {
  owned: OwnedResource[];
  /** Regions and accounts seen in the stack (provider config, resource ARNs); empty when none is known. */
  regions: Set<string>;
  accounts: Set<string>;
  externalBuckets: Set<string>;
}

interface ScopeConfig {
  externalArtifactBuckets: string[];
  externalNetworkResources: string[];
}

const KIND_BY_TYPE: Partial<Record<string, NamedKind>> = {
  [TYPES.bucket]: "bucket",
  [TYPES.bucketV2]: "bucket",
  [TYPES.stream]: "stream",
  [TYPES.table]: "table",
  [TYPES.logGroup]: "logGroup",
  [TYPES.secret]: "secret",
  [TYPES.ssmParameter]: "parameter",
};

/** Secrets Manager appends a dash and six random characters to a secret's name in its ARN. */
const SECRET_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** EC2 network ids as they appear in ARNs (`arn:aws:ec2:<region>:<account>:subnet/subnet-0abc`), by prefix. */
const NETWORK_ARN_RESOURCE: Record<string, string> = {
  "subnet-": "subnet/",
  "sg-": "security-group/",
  "vpc-": "vpc/",
};

/**
 * An entry of `externalNetworkResources`: a subnet or security group id, or the full ARN of one (a subnet
 * shared through AWS RAM carries its owner's account).
 */
const EXTERNAL_NETWORK_PATTERN =
  "^((subnet|sg)-[0-9a-f]{8,17}|arn:aws[a-z-]*:ec2:[a-z0-9-]+:[0-9]{12}:(subnet/subnet|security-group/sg)-[0-9a-f]{8,17})$";

/** Outputs of stack resources that hold the ids of network resources the stack owns. */
const NETWORK_ID_OUTPUTS: Partial<Record<string, readonly string[]>> = {
  [COMPONENT_TYPES.awsxVpc]: ["vpcId", "privateSubnetIds", "publicSubnetIds", "isolatedSubnetIds"],
  [TYPES.vpc]: ["id"],
  [TYPES.subnet]: ["id"],
  [TYPES.securityGroup]: ["id"],
};

export const iamStatementsScopedToStack = stackPolicy<ScopeConfig>({
  name: "iam-statements-scoped-to-stack",
  description:
    "IAM policies grant access only to resources of this stack (or allow-listed ones): no other table, " +
    "stream, bucket, secret or parameter.",
  severity: "high",
  remediationSteps:
    "build Resource from the outputs of this stack's resources (stream.arn, table.arn, `${bucket.arn}/*`, ...). " +
    "A job artifact in a bucket outside the stack (flink-pipeline:flink.artifact, or pipelines.<name>.flink.artifact, s3://<bucket>/<key>): add " +
    '"iam-statements-scoped-to-stack": { "externalArtifactBuckets": ["<bucket>"] } to ' +
    "policy/config/<environment>.json. The subnets and security groups of an existing VPC " +
    "(flink-pipeline:network.mode existing): add their ids to externalNetworkResources of the same policy in " +
    "that file. <environment> is the stack's flink-pipeline:environment.",
  configSchema: {
    properties: {
      externalArtifactBuckets: {
        type: "array",
        items: { type: "string", minLength: 1 },
        default: [],
        description: "Buckets outside the stack that hold the job's code (s3:// artifact), by name.",
      },
      externalNetworkResources: {
        type: "array",
        items: { type: "string", pattern: EXTERNAL_NETWORK_PATTERN },
        default: [],
        description:
          "Subnets and security groups of an existing VPC (not created by the stack) that the Flink app's " +
          "network interfaces attach to, by id (subnet-..., sg-...): Managed Flink's ENI permissions name " +
          "them. An id holds in the stack's own region and account; a subnet shared from another account " +
          "(AWS RAM) is given by its full ARN.",
      },
    },
  },
  appliesTo: IDENTITY_POLICY_TYPES,
  check: (resources, config, couldNotJudge) => {
    const scope = stackScope(resources, config);
    return resources.flatMap((resource) => unscopedGrants(resource, scope, couldNotJudge));
  },
});

function unscopedGrants(
  resource: StackResourceView,
  scope: StackScope,
  couldNotJudge: (what: string) => void,
): StackFinding[] {
  return identityPolicyDocuments(resource.type, resource.props).flatMap((document) => {
    if (document.statements === UNKNOWN) {
      couldNotJudge(`${resource.name}: ${document.location}`);
      return [];
    }
    return document.statements.filter(isAllow).flatMap((statement) =>
      knownStrings(statement.resources)
        // "*" is the business of iam-resource-wildcard-allow-list.
        .filter((target) => target !== "*" && !isInScope(target, scope))
        .map((target) => ({
          urn: resource.urn,
          message:
            `${resource.name}: ${document.location}, ${statement.label} grants access to ${target}, ` +
            `which is not a resource of this stack.${externalBucketHint(target)}`,
        })),
    );
  });
}

/** For an object or bucket outside the stack: the exact policy config entry that admits it as the job's code. */
function externalBucketHint(target: string): string {
  const arn = parseArn(target);
  if (arn?.service !== "s3" || arn.region !== "" || arn.account !== "") return "";
  const bucket = arn.resource.split("/")[0];
  return (
    ` If ${bucket} holds the job's code, add "${bucket}" to "externalArtifactBuckets" of ` +
    `"iam-statements-scoped-to-stack" in policy/config/<environment>.json.`
  );
}

function isInScope(target: string, scope: StackScope): boolean {
  const arn = parseArn(target);
  if (arn === undefined) {
    return false;
  }
  return (
    scope.owned.some((owned) => matchesOwned(arn, owned, scope)) ||
    isExternalArtifact(arn, scope) ||
    RUNTIME_CREATED_RESOURCES.some(
      (allowed) =>
        arn.service === allowed.service &&
        arn.resource === allowed.resource &&
        inStack(arn.region, undefined, scope.regions) &&
        inStack(arn.account, undefined, scope.accounts),
    )
  );
}

function matchesOwned(arn: Arn, owned: OwnedResource, scope: StackScope): boolean {
  return (
    arn.service === owned.service &&
    (owned.partition === undefined ? !hasWildcard(arn.partition) : arn.partition === owned.partition) &&
    inStack(arn.region, owned.region, scope.regions) &&
    inStack(arn.account, owned.account, scope.accounts) &&
    extendsOwned(arn.resource, owned)
  );
}

/** `value` equals the known part, or (part unknown) is a concrete value the stack uses. */
function inStack(value: string, known: string | undefined, stackValues: Set<string>): boolean {
  if (known !== undefined) {
    return value === known;
  }
  return value !== "" && !hasWildcard(value) && (stackValues.size === 0 || stackValues.has(value));
}

/** The ARN resource part names the owned resource itself or something that lives inside it. */
function extendsOwned(resource: string, owned: OwnedResource): boolean {
  const own = owned.resource;
  if (resource === own) {
    return true;
  }
  switch (owned.kind) {
    case "bucket":
      return resource.startsWith(`${own}/`);
    case "stream":
      return resource.startsWith(`${own}/consumer/`);
    case "table":
      return resource.startsWith(`${own}/index/`) || resource.startsWith(`${own}/stream/`);
    case "logGroup":
      return resource === `${own}:*` || resource.startsWith(`${own}:log-stream:`);
    case "secret":
      return (
        [`${own}-??????`, `${own}-*`, `${own}*`].includes(resource) ||
        (resource.startsWith(own) && SECRET_SUFFIX.test(resource) && resource.length === own.length + 7)
      );
    case "parameter":
      return isPathAbove(resource, own);
    case "exact":
      return false;
  }
}

/** `parameter/a/b/*` or `parameter/a/b` (GetParametersByPath) above the parameter `parameter/a/b/c`. */
function isPathAbove(resource: string, parameter: string): boolean {
  const path = resource.endsWith("/*") ? resource.slice(0, -2) : resource;
  return path !== "parameter" && !hasWildcard(path) && parameter.startsWith(`${path}/`);
}

function isExternalArtifact(arn: Arn, scope: StackScope): boolean {
  const bucketName = arn.resource.split("/")[0];
  return (
    arn.service === "s3" &&
    arn.region === "" &&
    arn.account === "" &&
    !hasWildcard(arn.partition) &&
    scope.externalBuckets.has(bucketName)
  );
}

function stackScope(resources: StackResourceView[], config: ScopeConfig): StackScope {
  const owned = resources.flatMap((resource) => [
    ...ownedFromArn(resource),
    ...ownedFromName(resource),
    ...ownedNetwork(resource),
    ...encryptionKeys(resource),
  ]);
  const regions = new Set<string>();
  const accounts = new Set<string>();
  for (const resource of resources) {
    for (const region of [resource.provider?.props.region, resource.props.region]) {
      if (typeof region === "string" && region !== "") {
        regions.add(region);
      }
    }
  }
  for (const { region, account } of owned) {
    if (region) {
      regions.add(region);
    }
    // AWS managed policies live in the pseudo-account "aws".
    if (account && account !== "aws") {
      accounts.add(account);
    }
  }
  return {
    // After the regions and accounts are gathered: a shared subnet's owner account is not the stack's.
    owned: [...owned, ...externalNetwork(config.externalNetworkResources)],
    regions,
    accounts,
    externalBuckets: new Set(config.externalArtifactBuckets),
  };
}

function ownedFromArn(resource: StackResourceView): OwnedResource[] {
  const arn = typeof resource.props.arn === "string" ? parseArn(resource.props.arn) : undefined;
  if (arn === undefined) {
    return [];
  }
  const kind = KIND_BY_TYPE[resource.type] ?? "exact";
  let ownResource = arn.resource;
  if (kind === "logGroup") {
    ownResource = ownResource.replace(/:\*$/, "");
  } else if (kind === "secret") {
    ownResource = ownResource.replace(SECRET_SUFFIX, "");
  }
  return [{ ...arn, kind, resource: ownResource }];
}

/**
 * Network resources of the stack by id, in the stack's region and account: the subnets and VPC of an
 * `awsx.ec2.Vpc` (one resource, whose outputs carry the ids), and subnets or security groups whose ARN is
 * not among the props.
 */
function ownedNetwork(resource: StackResourceView): OwnedResource[] {
  const outputs = NETWORK_ID_OUTPUTS[resource.type] ?? [];
  const region = typeof resource.props.region === "string" ? resource.props.region : undefined;
  return networkResources(
    outputs.flatMap((output) => asList(resource.props[output])),
    region,
  );
}

/** `externalNetworkResources`: ARNs exactly as given, ids in the stack's region and account. */
function externalNetwork(entries: string[]): OwnedResource[] {
  return entries.flatMap((entry) => {
    const arn = parseArn(entry);
    return arn === undefined ? networkResources([entry], undefined) : [{ ...arn, kind: "exact" as const }];
  });
}

/** EC2 ARN patterns for network ids; other values (unknown, not an id) give none. */
function networkResources(ids: unknown[], region: string | undefined): OwnedResource[] {
  return ids.flatMap((id) => {
    const prefix = Object.keys(NETWORK_ARN_RESOURCE).find(
      (candidate) => typeof id === "string" && id.startsWith(candidate) && !hasWildcard(id),
    );
    return prefix === undefined
      ? []
      : [
          {
            kind: "exact" as const,
            service: "ec2",
            region,
            resource: `${NETWORK_ARN_RESOURCE[prefix]}${String(id)}`,
          },
        ];
  });
}

/**
 * Where a resource names the KMS key it is encrypted with. A customer-managed key of the stream or
 * the secrets is the user's, not the stack's, yet granting `kms:Decrypt` on exactly that key is
 * scoped: it reads only what this stack's resources encrypt with it.
 */
const ENCRYPTION_KEY_PATHS: Partial<Record<string, readonly (readonly string[])[]>> = {
  [TYPES.stream]: [["kmsKeyId"]],
  [TYPES.secret]: [["kmsKeyId"]],
  [TYPES.ssmParameter]: [["keyId"]],
  [TYPES.logGroup]: [["kmsKeyId"]],
  [TYPES.snsTopic]: [["kmsMasterKeyId"]],
  [TYPES.table]: [["serverSideEncryption", "kmsKeyArn"]],
};

/** The KMS keys, by full key ARN, that encrypt `resource` (aliases and key ids give none). */
function encryptionKeys(resource: StackResourceView): OwnedResource[] {
  return (ENCRYPTION_KEY_PATHS[resource.type] ?? []).flatMap((path) => {
    let value: unknown = resource.props;
    for (const field of path) {
      value =
        typeof value === "object" && value !== null ? (value as Record<string, unknown>)[field] : undefined;
    }
    const arn = typeof value === "string" ? parseArn(value) : undefined;
    return arn?.service === "kms" && arn.resource.startsWith("key/") && !hasWildcard(arn.resource)
      ? [{ ...arn, kind: "exact" as const }]
      : [];
  });
}

/** ARN patterns derived from names, for when ARNs are unknown (preview) or not among the props. */
function ownedFromName(resource: StackResourceView): OwnedResource[] {
  const { props } = resource;
  const kind = KIND_BY_TYPE[resource.type];
  if (kind === "bucket") {
    return [props.bucket, props.id]
      .filter((name): name is string => typeof name === "string")
      .map((name) => ({ kind, service: "s3", region: "", account: "", resource: name }));
  }
  const name = props.name;
  if (kind === undefined || typeof name !== "string" || name === "") {
    return [];
  }
  const region = typeof props.region === "string" ? props.region : undefined;
  const derived: Record<Exclude<NamedKind, "bucket">, { service: string; resource: string }> = {
    stream: { service: "kinesis", resource: `stream/${name}` },
    table: { service: "dynamodb", resource: `table/${name}` },
    logGroup: { service: "logs", resource: `log-group:${name}` },
    secret: { service: "secretsmanager", resource: `secret:${name}` },
    parameter: { service: "ssm", resource: `parameter/${name.replace(/^\//, "")}` },
  };
  return [{ kind, region, ...derived[kind] }];
}
