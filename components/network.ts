import * as aws from "../stacks/aws";
import * as awsx from "../stacks/awsx";
import * as pulumi from "@pulumi/pulumi";
import { grant } from "./iam";

/** The VPC endpoints the network can create, each switchable. */
export const ENDPOINT_NAMES = [
  "s3",
  "dynamodb",
  "kinesis",
  "secretsManager",
  "ssm",
  "logs",
  "monitoring",
] as const;
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

/** Per endpoint: the service (`com.amazonaws.<region>.<service>`), its kind, and the actions its policy allows. */
export const ENDPOINT_SERVICES: Record<
  EndpointName,
  { service: string; type: "Gateway" | "Interface"; actions: string }
> = {
  s3: { service: "s3", type: "Gateway", actions: "s3:*" },
  dynamodb: { service: "dynamodb", type: "Gateway", actions: "dynamodb:*" },
  kinesis: { service: "kinesis-streams", type: "Interface", actions: "kinesis:*" },
  secretsManager: { service: "secretsmanager", type: "Interface", actions: "secretsmanager:*" },
  ssm: { service: "ssm", type: "Interface", actions: "ssm:*" },
  logs: { service: "logs", type: "Interface", actions: "logs:*" },
  monitoring: { service: "monitoring", type: "Interface", actions: "cloudwatch:*" },
};

/** NAT gateways of a created VPC: none, one shared by every zone, or one per zone (no cross-zone dependency). */
export type NatGatewayStrategy = "none" | "single" | "onePerAz";

const AWSX_NAT_STRATEGY = { none: "None", single: "Single", onePerAz: "OnePerAz" } as const;

/** A new VPC built by `awsx.ec2.Vpc`. */
export interface CreateVpcArgs {
  mode: "create";
  /** The VPC's range; each zone gets an equal share, split into a private and a (smaller) public subnet. @default "10.0.0.0/16" */
  cidrBlock?: string;
  /** Zones the private subnets spread across (at least 2). @default 2 */
  availabilityZones?: number;
  /** NAT gateways; without any the subnets are isolated and AWS is reached through the endpoints only. @default "single" */
  natGateways?: NatGatewayStrategy;
}

/** A VPC and private subnets the user brings. */
export interface ExistingVpcArgs {
  mode: "existing";
  vpcId: string;
  /** At least two, in different zones (checked against EC2 when the program runs). */
  privateSubnetIds: string[];
  /**
   * Route tables for the gateway endpoints. @default those explicitly associated with
   * `privateSubnetIds`, plus the VPC's main route table when a subnet has no explicit association
   */
  routeTableIds?: string[];
  /** The subnets reach the internet through the user's own NAT or egress route. @default false */
  internetRoute?: boolean;
}

/** Arguments of {@link PipelineNetwork}. */
export interface PipelineNetworkArgs {
  /** Create a VPC, or attach to an existing one. */
  vpc: CreateVpcArgs | ExistingVpcArgs;
  /** Which VPC endpoints to create. @default every one in {@link ENDPOINT_NAMES} */
  endpoints?: Partial<Record<EndpointName, boolean>>;
  /**
   * Give each endpoint a policy that admits only this account's principals and, where
   * `endpointPolicyResources` names them, only those resources. @default false (AWS's full-access policy)
   */
  restrictEndpointPolicies?: boolean;
  /**
   * The resources each endpoint's restricted policy allows (a network shared by pipelines gets the
   * union of theirs, known once they exist). @default "*" (still limited to this account's principals)
   */
  endpointPolicyResources?: Partial<Record<EndpointName, pulumi.Input<pulumi.Input<string>[]>>>;
  /** Open egress to Kafka brokers on this port (a Kafka or Confluent source). @default undefined (no Kafka egress) */
  kafkaPort?: number;
}

/** Where an existing subnet lives, as `aws.ec2.getSubnet` reports it. */
export interface SubnetPlacement {
  id: string;
  vpcId: string;
  availabilityZone: string;
}

/**
 * Why the given subnets cannot host the application, or undefined when they can: they must all
 * belong to `vpcId` and span at least two availability zones.
 */
export function subnetPlacementProblem(vpcId: string, subnets: SubnetPlacement[]): string | undefined {
  const elsewhere = subnets.filter((subnet) => subnet.vpcId !== vpcId);
  if (elsewhere.length > 0) {
    return `the private subnets must belong to VPC ${vpcId}: ${elsewhere.map((s) => `${s.id} is in ${s.vpcId}`).join(", ")}`;
  }
  const zones = new Set(subnets.map((subnet) => subnet.availabilityZone));
  if (zones.size < 2) {
    return (
      `the private subnets must span at least two availability zones so the application survives the loss of one ` +
      `(got ${subnets.map((s) => `${s.id} in ${s.availabilityZone}`).join(", ")})`
    );
  }
  return undefined;
}

/** What EC2 reports about the route tables of existing private subnets. */
export interface RouteTableLookup {
  /** The subnets' explicitly associated route tables, then the VPC's main one if a subnet relies on it. */
  routeTableIds: string[];
  /** Subnets with no explicit association when EC2 shows no main route table either (none found for them). */
  unrouted: string[];
}

/**
 * The route tables existing private subnets use, for the gateway endpoints: each subnet's explicitly
 * associated table, and for a subnet without one, the VPC's main route table (a subnet with no
 * explicit association uses it implicitly, so `association.subnet-id` finds nothing for it).
 */
export async function findRouteTables(
  vpcId: string,
  subnetIds: string[],
  opts?: pulumi.InvokeOptions,
): Promise<RouteTableLookup> {
  const explicit = await Promise.all(
    subnetIds.map((id) =>
      aws.ec2.getRouteTables({ vpcId, filters: [{ name: "association.subnet-id", values: [id] }] }, opts),
    ),
  );
  const implicit = subnetIds.filter((_, index) => explicit[index].ids.length === 0);
  const main =
    implicit.length === 0
      ? []
      : (
          await aws.ec2.getRouteTables(
            { vpcId, filters: [{ name: "association.main", values: ["true"] }] },
            opts,
          )
        ).ids;
  return {
    routeTableIds: [...new Set([...explicit.flatMap((tables) => tables.ids), ...main])],
    unrouted: main.length === 0 ? implicit : [],
  };
}

/** Why the gateway endpoints would get no route for `unrouted`, naming `key` (where the route tables can be given). */
export function routeTableProblem(
  key: string,
  vpcId: string,
  unrouted: string[],
  gateways: string[],
): string {
  return (
    `${key} must list the private subnets' route tables: EC2 shows none for ${unrouted.join(", ")} ` +
    `(no explicit association, and no main route table of ${vpcId} visible to this account, as in a VPC shared ` +
    `through RAM), so the ${gateways.join(" and ")} gateway endpoints would get no route and the job could not reach them`
  );
}

/**
 * The subnet specs passed to awsx for `zones` zones of `cidrBlock`: each zone gets an equal,
 * power-of-two share; the private subnet takes half of it and the public subnet (NAT gateways
 * only) a quarter, leaving a quarter free. Without NAT the private subnets are `Isolated`.
 */
export function subnetLayout(cidrBlock: string, zones: number, withNat: boolean) {
  const prefix = Number(cidrBlock.split("/")[1]);
  const zoneMask = prefix + Math.ceil(Math.log2(zones));
  const subnetSpecs: awsx.types.input.ec2.SubnetSpecArgs[] = withNat
    ? [
        { type: "Private", name: "private", cidrMask: zoneMask + 1 },
        { type: "Public", name: "public", cidrMask: zoneMask + 2 },
      ]
    : [{ type: "Isolated", name: "private", cidrMask: zoneMask + 1 }];
  return { availabilityZoneCidrMask: zoneMask, subnetSpecs };
}

/**
 * The private network of a Managed Flink application: a VPC (new, from awsx, or the user's), a
 * security group for the application's network interfaces (no inbound; outbound HTTPS and, for a
 * Kafka source, the Kafka port), VPC endpoints so AWS traffic stays in the VPC, and
 * {@link grantEni} for the permissions the service needs to place the interfaces.
 */
export class PipelineNetwork extends pulumi.ComponentResource {
  /** Undefined when attaching to an existing VPC. */
  public readonly vpc?: awsx.ec2.Vpc;
  public readonly appSecurityGroup: aws.ec2.SecurityGroup;
  /** Undefined when no interface endpoint is enabled. */
  public readonly endpointSecurityGroup?: aws.ec2.SecurityGroup;
  public readonly endpoints: Partial<Record<EndpointName, aws.ec2.VpcEndpoint>> = {};
  /** Every security-group rule: the application's traffic is dropped until they exist. */
  public readonly rules: (aws.vpc.SecurityGroupIngressRule | aws.vpc.SecurityGroupEgressRule)[] = [];
  /** Whether the subnets reach the internet (NAT or the user's own route). */
  public readonly internetRoute: boolean;
  public readonly vpcId: pulumi.Output<string>;
  /** The private subnets the application's interfaces go in. */
  public readonly subnetIds: pulumi.Output<string[]>;
  public readonly securityGroupId: pulumi.Output<string>;
  private readonly subnetArns: pulumi.Output<string[]>;
  private readonly vpcArn: pulumi.Output<string>;
  private readonly networkInterfaceArns: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    args: PipelineNetworkArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("flink-pipeline:network:PipelineNetwork", name, {}, opts);
    const parent = { parent: this };
    const region = aws.getRegionOutput({}, parent).region;
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const partition = aws.getPartitionOutput({}, parent).partition;
    const ec2Arn = (owner: pulumi.Input<string>, resource: pulumi.Input<string>) =>
      pulumi.interpolate`arn:${partition}:ec2:${region}:${owner}:${resource}`;
    if (
      args.kafkaPort !== undefined &&
      !(Number.isInteger(args.kafkaPort) && args.kafkaPort >= 1 && args.kafkaPort <= 65535)
    ) {
      throw new Error(
        `PipelineNetwork ${name}: kafkaPort must be a port between 1 and 65535 (got ${args.kafkaPort})`,
      );
    }

    const spec = args.vpc;
    const enabled = ENDPOINT_NAMES.filter((endpoint) => args.endpoints?.[endpoint] ?? true);
    const gateways = enabled.filter((endpoint) => ENDPOINT_SERVICES[endpoint].type === "Gateway");
    const interfaces = enabled.filter((endpoint) => ENDPOINT_SERVICES[endpoint].type === "Interface");
    let vpcOwner: pulumi.Output<string>;
    // The private subnets' route tables, for the gateway endpoints.
    let routeTableIds: pulumi.Output<string[]>;
    if (spec.mode === "create") {
      const zones = spec.availabilityZones ?? 2;
      if (zones < 2)
        throw new Error(`PipelineNetwork ${name}: availabilityZones must be at least 2 (got ${zones})`);
      const nat = spec.natGateways ?? "single";
      const cidrBlock = spec.cidrBlock ?? "10.0.0.0/16";
      this.vpc = new awsx.ec2.Vpc(
        name,
        {
          cidrBlock,
          numberOfAvailabilityZones: zones,
          subnetStrategy: "Auto",
          ...subnetLayout(cidrBlock, zones, nat !== "none"),
          natGateways: { strategy: AWSX_NAT_STRATEGY[nat] },
          // Interface endpoints with private DNS need both.
          enableDnsHostnames: true,
          enableDnsSupport: true,
        },
        parent,
      );
      this.internetRoute = nat !== "none";
      this.vpcId = this.vpc.vpcId;
      this.subnetIds = nat === "none" ? this.vpc.isolatedSubnetIds : this.vpc.privateSubnetIds;
      vpcOwner = accountId;
      this.subnetArns = pulumi
        .all([this.subnetIds, partition, region, accountId])
        .apply(([ids, p, r, a]) => ids.map((id) => `arn:${p}:ec2:${r}:${a}:subnet/${id}`));
      // From awsx's own associations (one route table per subnet), not an EC2 lookup: a lookup could
      // run before awsx has created the tables, and this output waits for them.
      const subnetIds = this.subnetIds;
      routeTableIds = this.vpc.routeTableAssociations
        .apply((associations) =>
          pulumi.all([
            subnetIds,
            pulumi.all(associations.map((a) => pulumi.all([a.subnetId, a.routeTableId]))),
          ]),
        )
        .apply(([ids, pairs]) => {
          const tableOf = new Map(pairs);
          const missing = ids.filter((id) => !tableOf.has(id));
          if (missing.length > 0) {
            throw new Error(
              `PipelineNetwork ${name}: awsx reports no route table for subnets ${missing.join(", ")}`,
            );
          }
          return [...new Set(ids.map((id) => tableOf.get(id)!))];
        });
    } else {
      if (new Set(spec.privateSubnetIds).size < 2) {
        throw new Error(
          `PipelineNetwork ${name}: privateSubnetIds must list at least two subnets (got ${spec.privateSubnetIds.join(", ")})`,
        );
      }
      // Zones are not in the config: EC2 says where each subnet is. Everything below derives from
      // the checked lookup, so a bad placement stops the program before any resource is sent.
      const checked = pulumi
        .all(spec.privateSubnetIds.map((id) => aws.ec2.getSubnetOutput({ id }, parent)))
        .apply((subnets) => {
          const problem = subnetPlacementProblem(spec.vpcId, subnets);
          if (problem) throw new pulumi.RunError(`PipelineNetwork ${name}: ${problem}`);
          return subnets;
        });
      this.internetRoute = spec.internetRoute ?? false;
      this.vpcId = checked.apply(() => spec.vpcId);
      this.subnetIds = checked.apply((subnets) => subnets.map((subnet) => subnet.id));
      // Shared (RAM) subnets belong to another account: their ARNs come from EC2, not from our account id.
      this.subnetArns = checked.apply((subnets) => subnets.map((subnet) => subnet.arn));
      vpcOwner = checked.apply((subnets) => subnets[0].ownerId);
      const given = spec.routeTableIds;
      routeTableIds =
        given !== undefined || gateways.length === 0
          ? pulumi.output(given ?? [])
          : checked.apply(async (subnets) => {
              const ids = subnets.map((subnet) => subnet.id);
              const found = await findRouteTables(spec.vpcId, ids, parent);
              if (found.unrouted.length > 0) {
                throw new pulumi.RunError(
                  `PipelineNetwork ${name}: ${routeTableProblem("routeTableIds", spec.vpcId, found.unrouted, gateways)}`,
                );
              }
              return found.routeTableIds;
            });
    }
    this.vpcArn = ec2Arn(vpcOwner, pulumi.interpolate`vpc/${this.vpcId}`);
    this.networkInterfaceArns = ec2Arn(accountId, "network-interface/*");

    this.appSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-app`,
      // No inline rules: every rule is its own resource below. The provider removes the allow-all
      // egress rule AWS adds to a new group, so the group allows only what those rules say.
      {
        vpcId: this.vpcId,
        description: "Managed Flink application ENIs: no inbound; outbound HTTPS and Kafka only",
      },
      parent,
    );
    this.securityGroupId = this.appSecurityGroup.id;

    if (interfaces.length > 0) {
      this.endpointSecurityGroup = new aws.ec2.SecurityGroup(
        `${name}-endpoints`,
        {
          vpcId: this.vpcId,
          description: "Interface VPC endpoints: HTTPS from the Managed Flink application only",
        },
        parent,
      );
      const fromApp = new aws.vpc.SecurityGroupIngressRule(
        `${name}-endpoints-https`,
        {
          securityGroupId: this.endpointSecurityGroup.id,
          referencedSecurityGroupId: this.appSecurityGroup.id,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          description: "HTTPS from the Managed Flink application",
        },
        parent,
      );
      this.rules.push(fromApp);
    }

    const restrict = args.restrictEndpointPolicies ?? false;
    for (const endpoint of enabled) {
      const { service, type } = ENDPOINT_SERVICES[endpoint];
      this.endpoints[endpoint] = new aws.ec2.VpcEndpoint(
        `${name}-${endpoint}`,
        {
          vpcId: this.vpcId,
          serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
          vpcEndpointType: type,
          ...(type === "Gateway"
            ? { routeTableIds }
            : {
                subnetIds: this.subnetIds,
                securityGroupIds: [this.endpointSecurityGroup!.id],
                privateDnsEnabled: true,
              }),
          policy: restrict
            ? endpointPolicy(endpoint, args.endpointPolicyResources?.[endpoint], accountId)
            : undefined,
        },
        parent,
      );
    }

    type Destination = Pick<
      aws.vpc.SecurityGroupEgressRuleArgs,
      "cidrIpv4" | "prefixListId" | "referencedSecurityGroupId"
    >;
    const egress = (suffix: string, port: number, destination: Destination, description: string) => {
      const rule = new aws.vpc.SecurityGroupEgressRule(
        `${name}-app-${suffix}`,
        {
          ...destination,
          securityGroupId: this.appSecurityGroup.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          description,
        },
        parent,
      );
      this.rules.push(rule);
    };
    // Security groups do not filter DNS queries to the VPC resolver: HTTPS is all AWS APIs need.
    if (this.internetRoute) {
      egress("https", 443, { cidrIpv4: "0.0.0.0/0" }, "HTTPS to AWS APIs (endpoints or NAT)");
    } else {
      if (this.endpointSecurityGroup) {
        egress(
          "https-endpoints",
          443,
          { referencedSecurityGroupId: this.endpointSecurityGroup.id },
          "HTTPS to the interface endpoints",
        );
      }
      for (const endpoint of gateways) {
        egress(
          `https-${endpoint.toLowerCase()}`,
          443,
          { prefixListId: this.endpoints[endpoint]!.prefixListId },
          `HTTPS to ${ENDPOINT_SERVICES[endpoint].service} through its gateway endpoint`,
        );
      }
    }
    if (args.kafkaPort !== undefined) {
      egress("kafka", args.kafkaPort, { cidrIpv4: "0.0.0.0/0" }, "Kafka brokers (SASL_SSL)");
    }

    this.registerOutputs({
      vpcId: this.vpcId,
      subnetIds: this.subnetIds,
      securityGroupId: this.securityGroupId,
    });
  }

  /**
   * What the application needs in place before it starts: without the rules its traffic is dropped,
   * and without an endpoint (where there is no NAT) the AWS API behind it is unreachable.
   */
  public get readyForApplication(): pulumi.Resource[] {
    return [...this.rules, ...Object.values(this.endpoints)];
  }

  /**
   * Lets `role` (the application's execution role) place the application's network interfaces:
   * what the AWS Managed Flink VPC guide grants, scoped to this network where EC2 allows it.
   * `grantee` names the grant of one of several applications sharing the network.
   * @param grantee default: none (the network's only application)
   */
  grantEni(role: aws.iam.Role, grantee?: string): aws.iam.RolePolicy {
    return grant(
      grantee === undefined ? `${this.name}-eni` : `${this.name}-eni-${grantee}`,
      role,
      [
        {
          // EC2 Describe* actions support no resource-level permissions: "*" is the only resource they accept.
          Sid: "DescribeNetwork",
          Action: [
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
          ],
          Resource: "*",
        },
        {
          // CreateNetworkInterface is authorized on the subnet and security group it uses: only ours.
          Sid: "CreateEnisInAppSubnets",
          Action: ["ec2:CreateNetworkInterface"],
          Resource: pulumi
            .all([this.subnetArns, this.appSecurityGroup.arn])
            .apply(([subnets, group]) => [...subnets, group]),
        },
        {
          // ENI ids are unknown in advance, so any network interface, but only inside this VPC
          // (EC2 sets ec2:Vpc on network-interface resources for these three actions).
          Sid: "ManageEnisInAppVpc",
          Action: [
            "ec2:CreateNetworkInterface",
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
          ],
          Resource: this.networkInterfaceArns,
          Condition: { ArnEquals: { "ec2:Vpc": this.vpcArn } },
        },
      ],
      this,
    );
  }
}

/**
 * A restricted endpoint policy: only principals of this account, only `resources` when given.
 * Actions stay service-wide: the role's own policy is the permission; the endpoint policy is the
 * perimeter (whose requests, to which resources, may leave through this endpoint).
 */
function endpointPolicy(
  endpoint: EndpointName,
  resources: pulumi.Input<pulumi.Input<string>[]> | undefined,
  accountId: pulumi.Output<string>,
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ThisAccountsPrincipalsOnly",
        Effect: "Allow",
        Principal: "*",
        Action: ENDPOINT_SERVICES[endpoint].actions,
        Resource: pulumi.output(resources ?? []).apply((resolved) => (resolved.length > 0 ? resolved : "*")),
        Condition: { StringEquals: { "aws:PrincipalAccount": accountId } },
      },
    ],
  });
}
