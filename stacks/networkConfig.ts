/**
 * The `flink-pipeline:network` section: where the Flink application's network interfaces live.
 * `public` (the default) leaves the application on the service's own network; `create` builds a
 * VPC with awsx; `existing` attaches the application to a VPC and private subnets the user brings.
 * Cross-section rules (what a source needs from the network) are a pure function of their own,
 * {@link validateNetworkForSource}, so new source kinds are checked without touching the reader.
 */
import * as aws from "./aws";
import {
  ENDPOINT_NAMES,
  ENDPOINT_SERVICES,
  EndpointName,
  NatGatewayStrategy,
  findRouteTables,
  routeTableProblem,
  subnetPlacementProblem,
} from "../components/network";
import { ConfigError, Section, describe } from "./validation";

export const NETWORK_MODES = ["public", "create", "existing"] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

export const NAT_GATEWAY_STRATEGIES = [
  "none",
  "single",
  "onePerAz",
] as const satisfies readonly NatGatewayStrategy[];

/** The port Kafka brokers (Confluent Cloud included) listen on for SASL_SSL clients. */
export const KAFKA_PORT = 9092;

/** Source kinds that read from Kafka brokers rather than an AWS API. */
const KAFKA_SOURCE_KINDS = ["confluent", "kafka"];

/** What the VPC modes share. */
export interface VpcOptions {
  /** Which VPC endpoints to create; all on by default. */
  endpoints: Record<EndpointName, boolean>;
  /** Endpoint policies limited to this account's principals and this stack's resources. */
  restrictEndpointPolicies: boolean;
  /** The Kafka cluster is reachable privately from the VPC (peering, Transit Gateway or PrivateLink). */
  privateKafka: boolean;
}

export interface PublicNetworkConfig {
  mode: "public";
}

export interface CreateNetworkConfig extends VpcOptions {
  mode: "create";
  cidrBlock: string;
  availabilityZones: number;
  natGateways: NatGatewayStrategy;
}

export interface ExistingNetworkConfig extends VpcOptions {
  mode: "existing";
  vpcId: string;
  privateSubnetIds: string[];
  /**
   * Route tables of the private subnets for the gateway endpoints; when unset, looked up: the
   * explicitly associated ones, and the VPC's main route table for subnets without an association.
   */
  routeTableIds?: string[];
  /** The private subnets reach the internet (their own NAT, central egress via Transit Gateway, a proxy). */
  internetRoute: boolean;
}

export type NetworkConfig = PublicNetworkConfig | CreateNetworkConfig | ExistingNetworkConfig;
export type VpcNetworkConfig = CreateNetworkConfig | ExistingNetworkConfig;

const CIDR = {
  regex: /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(1[6-9]|2[0-2])$/,
  describe: "an IPv4 CIDR block from /16 to /22 (e.g. 10.0.0.0/16)",
};
const VPC_ID = { regex: /^vpc-[0-9a-f]{8,17}$/, describe: "a VPC id (vpc-0123456789abcdef0)" };
const SUBNET_ID = { regex: /^subnet-[0-9a-f]{8,17}$/, describe: "a subnet id (subnet-0123456789abcdef0)" };
const ROUTE_TABLE_ID = {
  regex: /^rtb-[0-9a-f]{8,17}$/,
  describe: "a route table id (rtb-0123456789abcdef0)",
};

const CREATE_ONLY = ["cidrBlock", "availabilityZones", "natGateways"];
const EXISTING_ONLY = ["vpcId", "privateSubnetIds", "routeTableIds", "internetRoute"];
const VPC_ONLY = ["endpoints", "restrictEndpointPolicies", "privateKafka"];

/** Reads `flink-pipeline:network`; every field has a static default, `mode` defaults to public. */
export function readNetwork(section: Section): NetworkConfig {
  const mode = section.oneOf("mode", NETWORK_MODES, "public");
  const misplaced = (fields: string[], modes: string) => {
    for (const field of fields.filter((f) => section.has(f))) {
      section.problem(
        `${section.key(field)} applies only when ${section.key("mode")} is ${modes} (got ${mode})`,
      );
      section.markRead(field);
    }
  };

  if (mode === "public") {
    misplaced(VPC_ONLY, "create or existing");
    misplaced(CREATE_ONLY, "create");
    misplaced(EXISTING_ONLY, "existing");
    section.rejectUnknown();
    return { mode };
  }

  const endpointSection = section.section("endpoints");
  const endpoints = Object.fromEntries(
    ENDPOINT_NAMES.map((name) => [name, endpointSection.boolean(name, true)]),
  ) as Record<EndpointName, boolean>;
  endpointSection.rejectUnknown();
  const options: VpcOptions = {
    endpoints,
    restrictEndpointPolicies: section.boolean("restrictEndpointPolicies", false),
    privateKafka: section.boolean("privateKafka", false),
  };

  if (mode === "create") {
    misplaced(EXISTING_ONLY, "existing");
    const network: CreateNetworkConfig = {
      mode,
      ...options,
      cidrBlock: section.string("cidrBlock", "10.0.0.0/16", CIDR),
      availabilityZones: section.integer("availabilityZones", 2, 2, 6),
      natGateways: section.oneOf("natGateways", NAT_GATEWAY_STRATEGIES, "single"),
    };
    section.rejectUnknown();
    return network;
  }

  misplaced(CREATE_ONLY, "create");
  const vpcId = section.optionalString("vpcId", VPC_ID);
  if (!section.has("vpcId")) {
    section.problem(`${section.key("vpcId")} is required when ${section.key("mode")} is existing`);
  }
  const listed = section.stringList("privateSubnetIds", SUBNET_ID);
  const privateSubnetIds = listed ?? [];
  const requiredSubnets = `${section.key("privateSubnetIds")} must list at least two private subnets in different availability zones (Managed Flink places its network interfaces across them)`;
  if (!section.has("privateSubnetIds")) {
    section.problem(`${requiredSubnets}; it is required when ${section.key("mode")} is existing`);
  } else if (listed !== undefined) {
    const unique = [...new Set(privateSubnetIds)];
    if (unique.length < 2) section.problem(`${requiredSubnets} (got ${describe(privateSubnetIds)})`);
    for (const id of unique.filter(
      (id) => privateSubnetIds.indexOf(id) !== privateSubnetIds.lastIndexOf(id),
    )) {
      section.problem(`${section.key("privateSubnetIds")} lists ${id} more than once`);
    }
  }
  const network: ExistingNetworkConfig = {
    mode,
    ...options,
    vpcId: vpcId ?? "",
    privateSubnetIds: [...new Set(privateSubnetIds)],
    routeTableIds: section.stringList("routeTableIds", ROUTE_TABLE_ID),
    internetRoute: section.boolean("internetRoute", false),
  };
  section.rejectUnknown();
  return network;
}

/** Whether the application's subnets reach the internet (a NAT gateway or the user's own route). */
export function hasInternetRoute(network: VpcNetworkConfig): boolean {
  return network.mode === "create" ? network.natGateways !== "none" : network.internetRoute;
}

/** The port the application's security group opens for a source kind, if it reads from Kafka. */
export function kafkaPortFor(sourceKind: string): number | undefined {
  return KAFKA_SOURCE_KINDS.includes(sourceKind) ? KAFKA_PORT : undefined;
}

/** The endpoints a job without an internet route cannot run without, per source kind. */
function requiredEndpoints(sourceKind: string): { endpoint: EndpointName; why: string }[] {
  const required: { endpoint: EndpointName; why: string }[] = [
    { endpoint: "dynamodb", why: "the job writes its features to DynamoDB" },
  ];
  if (sourceKind === "kinesis") required.push({ endpoint: "kinesis", why: "the job reads a Kinesis stream" });
  if (sourceKind === "confluent") {
    // Private connectivity (privateKafka) reaches the brokers only: the job still needs these AWS APIs at startup.
    required.push(
      {
        endpoint: "secretsManager",
        why: "the job reads its Kafka credentials from Secrets Manager at startup",
      },
      { endpoint: "ssm", why: "the job reads its Kafka client settings from SSM Parameter Store at startup" },
    );
  }
  return required;
}

/**
 * What a source needs from the network, as messages naming the keys to change. A VPC-attached
 * application has no public IP: it reaches anything outside the VPC only through a NAT (or the
 * user's own egress route), VPC endpoints, or private connectivity to the Kafka cluster.
 */
export function validateNetworkForSource(network: NetworkConfig, sourceKind: string): string[] {
  if (network.mode === "public") return [];
  const key = (field: string) => `flink-pipeline:network.${field}`;
  const internet = hasInternetRoute(network);
  const noRoute =
    network.mode === "create"
      ? `${key("natGateways")} is none`
      : `${key("internetRoute")} is false: the subnets have no route to the internet`;
  const problems: string[] = [];

  if (kafkaPortFor(sourceKind) !== undefined && !internet && !network.privateKafka) {
    problems.push(
      `${key("mode")} ${network.mode} cannot reach a ${sourceKind} source: an application in a VPC has no public IP, so ` +
        `its brokers are reachable only through a NAT gateway or private connectivity, and ${noRoute}. ` +
        `Use ${network.mode === "create" ? `${key("natGateways")} single or onePerAz` : `subnets that route through a NAT and set ${key("internetRoute")}: true`}, ` +
        `or connect the cluster privately (VPC peering, Transit Gateway or PrivateLink) and set ${key("privateKafka")}: true`,
    );
  }
  if (!internet) {
    for (const { endpoint, why } of requiredEndpoints(sourceKind)) {
      if (!network.endpoints[endpoint]) {
        problems.push(
          `${key(`endpoints.${endpoint}`)} must be true when ${noRoute}: ${why} and the VPC has no other way to reach it`,
        );
      }
    }
  }
  return problems;
}

/**
 * Existing mode: asks EC2 where each private subnet is and fails, before any resource is
 * registered, unless they all belong to `vpcId` and span at least two availability zones (the
 * config has no zones, so only EC2 can tell). Without `routeTableIds` and with a gateway endpoint
 * on, it also fails unless EC2 shows a route table for every subnet (its explicit association or
 * the VPC's main table), and returns the network with the tables it found. The other modes need
 * no lookup.
 */
export async function resolveNetwork(network: NetworkConfig): Promise<NetworkConfig> {
  if (network.mode !== "existing") return network;
  const key = "flink-pipeline:network.privateSubnetIds";
  const lookups = await Promise.allSettled(network.privateSubnetIds.map((id) => aws.ec2.getSubnet({ id })));
  const missing = network.privateSubnetIds.filter((_, index) => lookups[index].status === "rejected");
  if (missing.length > 0) {
    throw new ConfigError([
      `${key} names subnets EC2 cannot find in this account and region: ${missing.join(", ")}`,
    ]);
  }
  const subnets = lookups.map((lookup) => (lookup as PromiseFulfilledResult<aws.ec2.GetSubnetResult>).value);
  const problem = subnetPlacementProblem(network.vpcId, subnets);
  if (problem) throw new ConfigError([`${key}: ${problem}`]);

  const gateways = ENDPOINT_NAMES.filter(
    (endpoint) => network.endpoints[endpoint] && ENDPOINT_SERVICES[endpoint].type === "Gateway",
  );
  if (network.routeTableIds !== undefined || gateways.length === 0) return network;
  const { routeTableIds, unrouted } = await findRouteTables(network.vpcId, network.privateSubnetIds);
  if (unrouted.length > 0) {
    throw new ConfigError([
      routeTableProblem("flink-pipeline:network.routeTableIds", network.vpcId, unrouted, gateways),
    ]);
  }
  // The component then uses these, instead of looking them up again.
  return { ...network, routeTableIds };
}
