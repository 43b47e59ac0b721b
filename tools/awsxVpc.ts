/**
 * The layout `awsx.ec2.Vpc` (awsx 3.9) gives a VPC, computed from its args. `awsx:ec2:Vpc` is a remote
 * (multi-language) component: its children are created inside the awsx plugin, so under Pulumi mocks
 * the plan sees one node. This is how the plan lists them (see `awsxVpcChildren` in tools/mocks.ts).
 *
 * Read from pulumi/pulumi-awsx, `awsx/ec2` (the commit that added `subnetNameTagStrategy`, in 3.9):
 * - vpc.ts `Vpc.initialize`: zones are `availabilityZoneNames`, or the first
 *   `numberOfAvailabilityZones` (default 3) of `aws.getAvailabilityZones`; NAT strategy defaults to
 *   `OnePerAz`; per zone, subnets are created public first, then private, then isolated
 *   (`compareSubnetSpecs`); a NAT gateway (and its EIP, named `<vpc>-<zone number>`) goes in a public
 *   subnet when `shouldCreateNatGateway` says so (one in all for `Single`, the zone's first public subnet
 *   for `OnePerAz`); public route tables get `0.0.0.0/0` to the internet gateway, private ones to the
 *   NAT gateway (the single one, or their zone's), isolated ones no route;
 *   `validateNatGatewayStrategy` and `validateEips` refuse the combinations listed below.
 * - vpc.ts `pickSubnetAllocator`: `Auto`, and `Exact` given subnet specs, use the new allocator, or
 *   the explicit one when a spec lists `cidrBlocks`; `Legacy` (the default), `AutoMerge` and `Exact`
 *   without specs use other allocators, not modelled here.
 * - subnetDistributorNew.ts `allocateSubnetCidrBlocks`: each zone gets a block of
 *   `availabilityZoneCidrMask` (default: the VPC's mask plus enough bits for the zones), consecutive;
 *   inside it the specs follow one another in order, each aligned to its own mask (`nextNetmask`),
 *   a spec without a mask taking an equal power-of-two share; no specs means Private at
 *   max(zone mask, 16) + 1 and Public at + 2.
 * - subnetNaming.ts: a subnet (and its route table, association and route) is named
 *   `<vpc>-<spec name, or type in lower case>-<zone number>`; the Name tag uses the zone's suffix
 *   (`1a`) instead under `subnetNameTagStrategy: AvailabilityZone`.
 */

/** A subnet spec as `awsx.ec2.Vpc` takes it (the fields the layout reads). */
export interface AwsxSubnetSpec {
  type: string;
  name?: string;
  cidrMask?: number;
  size?: number;
  cidrBlocks?: string[];
  assignIpv6AddressOnCreation?: boolean;
  tags?: Record<string, string>;
}

/** The `awsx.ec2.Vpc` args the layout reads. */
export interface AwsxVpcArgs {
  cidrBlock?: string;
  numberOfAvailabilityZones?: number;
  availabilityZoneNames?: string[];
  availabilityZoneCidrMask?: number;
  subnetStrategy?: string;
  subnetSpecs?: AwsxSubnetSpec[];
  subnetNameTagStrategy?: string;
  assignGeneratedIpv6CidrBlock?: boolean;
  natGateways?: { strategy?: string; elasticIpAllocationIds?: string[] };
  ipv4IpamPoolId?: string;
}

export type NatStrategy = "None" | "Single" | "OnePerAz";

export interface LaidOutSubnet {
  /** The Pulumi name of the subnet, its route table, association and route. */
  resourceName: string;
  /** The subnet's `Name` tag. */
  nameTag: string;
  /** As the spec gives it (`Private`, `Public`, `Isolated`). */
  type: string;
  zone: string;
  /** 0-based position of the zone. */
  zoneIndex: number;
  cidrBlock: string;
  /** The spec's, else the VPC's `assignGeneratedIpv6CidrBlock` (vpc.ts `resolveAssignIpv6AddressOnCreation`). */
  assignIpv6AddressOnCreation: boolean;
  tags?: Record<string, string>;
}

export interface AwsxVpcLayout {
  cidrBlock: string;
  zones: string[];
  /** True when `zones` were made up offline (`aws.getAvailabilityZones` was not asked). */
  zonesSimulated: boolean;
  natStrategy: NatStrategy;
  /** In awsx's creation order: zone by zone, public first, then private, then isolated. */
  subnets: LaidOutSubnet[];
  /** The NAT gateways (each with an EIP unless `elasticIpAllocationIds` are given), in creation order. */
  natGateways: { name: string; zoneIndex: number; subnet: string; allocationId?: string }[];
  /** Per subnet (by resource name): where its `0.0.0.0/0` route goes, if anywhere. */
  routes: Record<string, { internetGateway: true } | { natGateway: string }>;
}

/** Zone letters the offline plan assumes a region lists first (`aws.getAvailabilityZones` is not asked). */
const ZONE_LETTERS = "abcdef";

/**
 * The subnets, NAT gateways and routes awsx creates for `args`, or a reason the plan cannot lay them
 * out (an allocator it does not model, args not known yet). Throws, as awsx would, on args awsx refuses.
 */
export function awsxVpcLayout(name: string, args: AwsxVpcArgs, region: string): AwsxVpcLayout | string {
  const strategy = args.subnetStrategy ?? "Legacy";
  if (strategy !== "Auto" && strategy !== "Exact") {
    return `subnetStrategy ${strategy} is not modelled offline (only Auto and Exact are)`;
  }
  if (strategy === "Exact" && args.subnetSpecs === undefined) {
    return "subnetStrategy Exact without subnetSpecs uses awsx's Legacy allocator, which is not modelled offline";
  }
  if (args.cidrBlock === undefined && args.ipv4IpamPoolId !== undefined) {
    return "the CIDR block comes from an IPAM pool, known only after deployment";
  }
  if (args.availabilityZoneNames && args.numberOfAvailabilityZones) {
    throw new Error(
      `awsx.ec2.Vpc ${name}: only one of [availabilityZoneNames] and [numberOfAvailabilityZones] can be specified`,
    );
  }
  const count = args.numberOfAvailabilityZones ?? 3;
  if (!args.availabilityZoneNames && count > ZONE_LETTERS.length) {
    return `${count} zones: the offline plan knows only a region's first ${ZONE_LETTERS.length}`;
  }
  const zones =
    args.availabilityZoneNames ?? [...ZONE_LETTERS].slice(0, count).map((letter) => `${region}${letter}`);
  const cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
  const specs = args.subnetSpecs;
  if (specs !== undefined) checkSpecNames(name, specs);
  const explicit = specs?.some((spec) => spec.cidrBlocks !== undefined) ?? false;
  const allocated = explicit
    ? explicitSubnets(name, zones, specs!)
    : allocatedSubnets(name, cidrBlock, zones, args.availabilityZoneCidrMask, specs);
  const overlapping = allocated.filter((a) =>
    allocated.some((b) => a !== b && overlaps(parseCidr(a.cidrBlock), parseCidr(b.cidrBlock))),
  );
  if (overlapping.length > 0) {
    throw new Error(
      `awsx.ec2.Vpc ${name}: these subnets overlap: ${overlapping.map((s) => `${s.resourceName} ${s.cidrBlock}`).join(", ")}`,
    );
  }
  if (strategy === "Exact") checkNoGaps(name, cidrBlock, allocated);
  const nameTagsByZone = args.subnetNameTagStrategy === "AvailabilityZone";
  const subnets = zones.flatMap((zone, zoneIndex) =>
    allocated
      .filter((s) => s.zoneIndex === zoneIndex && s.type.toLowerCase() !== "unused")
      .sort((a, b) => TYPE_ORDER.indexOf(a.type.toLowerCase()) - TYPE_ORDER.indexOf(b.type.toLowerCase()))
      .map(({ assignIpv6AddressOnCreation, ...s }) => ({
        ...s,
        assignIpv6AddressOnCreation:
          assignIpv6AddressOnCreation ?? args.assignGeneratedIpv6CidrBlock ?? false,
        zone,
        nameTag: nameTagsByZone ? s.resourceName.replace(/\d+$/, zoneSuffix(zone)) : s.resourceName,
      })),
  );

  const natStrategy = natStrategyOf(name, args.natGateways?.strategy ?? "OnePerAz");
  const allocationIds = args.natGateways?.elasticIpAllocationIds ?? [];
  checkNat(name, natStrategy, allocationIds, zones.length, subnets);
  const natGateways: AwsxVpcLayout["natGateways"] = [];
  const routes: AwsxVpcLayout["routes"] = {};
  for (const subnet of subnets) {
    const type = subnet.type.toLowerCase();
    const wanted =
      natStrategy === "Single"
        ? natGateways.length < 1
        : natStrategy === "OnePerAz" && natGateways.length < subnet.zoneIndex + 1;
    if (type === "public" && wanted) {
      natGateways.push({
        name: `${name}-${subnet.zoneIndex + 1}`,
        zoneIndex: subnet.zoneIndex,
        subnet: subnet.resourceName,
        allocationId: allocationIds[subnet.zoneIndex],
      });
    }
    if (type === "public") routes[subnet.resourceName] = { internetGateway: true };
    else if (type === "private" && natStrategy !== "None") {
      const nat = natStrategy === "Single" ? natGateways[0] : natGateways[subnet.zoneIndex];
      routes[subnet.resourceName] = { natGateway: nat.name };
    }
  }
  return {
    cidrBlock,
    zones,
    zonesSimulated: args.availabilityZoneNames === undefined,
    natStrategy,
    subnets,
    natGateways,
    routes,
  };
}

const TYPE_ORDER = ["public", "private", "isolated"];

type Allocated = Omit<LaidOutSubnet, "zone" | "nameTag" | "assignIpv6AddressOnCreation"> &
  Pick<AwsxSubnetSpec, "assignIpv6AddressOnCreation">;

/** subnetDistributorNew.ts `allocateSubnetCidrBlocks` (see the file's header). */
function allocatedSubnets(
  name: string,
  vpcCidr: string,
  zones: string[],
  zoneMaskArg: number | undefined,
  given: AwsxSubnetSpec[] | undefined,
): Allocated[] {
  const vpc = parseCidr(vpcCidr);
  const zoneMask = zoneMaskArg ?? vpc.mask + newBits(zones.length);
  if (given === undefined && zoneMask > 26) {
    throw new Error(
      `awsx.ec2.Vpc ${name}: automatic subnet creation requires a VPC with at least /26 available per AZ, but only /${zoneMask} is available`,
    );
  }
  const specs: AwsxSubnetSpec[] = given?.map((spec) => ({ ...spec, cidrMask: maskOf(name, spec) })) ?? [
    { type: "Private", cidrMask: Math.max(zoneMask, 16) + 1 },
    { type: "Public", cidrMask: Math.max(zoneMask, 16) + 2 },
  ];
  if (specs.length === 0) throw new Error(`awsx.ec2.Vpc ${name}: no subnets specified`);
  const defaultMask = zoneMask + newBits(specs.length);
  const zoneSize = 2 ** (32 - zoneMask);
  const needed = specs.reduce((sum, spec) => sum + 2 ** (32 - (spec.cidrMask ?? defaultMask)), 0);
  if (needed > zoneSize) {
    throw new Error(
      `awsx.ec2.Vpc ${name}: subnets are too large for VPC. VPC has ${zoneSize} addresses, but subnets require ${needed} addresses`,
    );
  }
  const vpcBase = vpc.base - (vpc.base % zoneSize);
  return zones.flatMap((_, zoneIndex) => {
    let next = vpcBase + zoneIndex * zoneSize;
    return specs.map((spec) => {
      const mask = spec.cidrMask ?? defaultMask;
      const size = 2 ** (32 - mask);
      // Aligned to its own size: the block after the one of this size holding the previous end.
      const base = Math.ceil(next / size) * size;
      next = base + size;
      return {
        resourceName: `${name}-${spec.name ?? spec.type.toLowerCase()}-${zoneIndex + 1}`,
        type: spec.type,
        zoneIndex,
        cidrBlock: `${formatIp(base)}/${mask}`,
        assignIpv6AddressOnCreation: spec.assignIpv6AddressOnCreation,
        tags: spec.tags,
      };
    });
  });
}

/** subnetDistributorNew.ts `getSubnetSpecsExplicit`: every spec lists one block per zone. */
function explicitSubnets(name: string, zones: string[], specs: AwsxSubnetSpec[]): Allocated[] {
  specs.forEach((spec, index) => {
    if (spec.cidrBlocks?.length !== zones.length) {
      throw new Error(
        `awsx.ec2.Vpc ${name}: subnetSpecs[${index}] must list one CIDR block per availability zone (${zones.length}) when any spec lists cidrBlocks`,
      );
    }
  });
  return zones.flatMap((_, zoneIndex) =>
    specs.map((spec) => ({
      resourceName: `${name}-${spec.name ?? spec.type.toLowerCase()}-${zoneIndex + 1}`,
      type: spec.type,
      zoneIndex,
      cidrBlock: spec.cidrBlocks![zoneIndex],
      assignIpv6AddressOnCreation: spec.assignIpv6AddressOnCreation,
      tags: spec.tags,
    })),
  );
}

/** subnetDistributorNew.ts `validateAndNormalizeSubnetInputs`: specs of one type need distinct names. */
function checkSpecNames(name: string, specs: AwsxSubnetSpec[]): void {
  const byType = new Map<string, (string | undefined)[]>();
  for (const spec of specs) {
    const type = spec.type.toLowerCase();
    byType.set(type, [...(byType.get(type) ?? []), spec.name]);
  }
  for (const [type, names] of byType) {
    const named = names.filter((n) => n !== undefined);
    if (names.length - named.length > 1 || new Set(named).size < named.length) {
      throw new Error(
        `awsx.ec2.Vpc ${name}: multiple subnet specs of type "${type}" require unique names (at most one unnamed spec per type)`,
      );
    }
  }
}

/** `cidrMask`, or the mask a valid `size` stands for. */
function maskOf(name: string, spec: AwsxSubnetSpec): number | undefined {
  if (spec.size === undefined) return spec.cidrMask;
  const mask = 32 - Math.log2(spec.size);
  if (!Number.isInteger(mask) || (spec.cidrMask !== undefined && spec.cidrMask !== mask)) {
    throw new Error(`awsx.ec2.Vpc ${name}: subnet size ${spec.size} is not a /${spec.cidrMask ?? "n"} block`);
  }
  return mask;
}

/** vpc.ts `validateNoGaps` (`Exact`): the subnets fill the VPC's range end to end. */
function checkNoGaps(name: string, vpcCidr: string, subnets: Allocated[]): void {
  const vpc = parseCidr(vpcCidr);
  let expected = vpc.base;
  for (const subnet of subnets) {
    const block = parseCidr(subnet.cidrBlock);
    if (block.base !== expected) {
      throw new Error(
        `awsx.ec2.Vpc ${name}: subnetStrategy Exact leaves a gap before ${subnet.resourceName} (${subnet.cidrBlock})`,
      );
    }
    expected = block.base + block.size;
  }
  if (expected !== vpc.base + vpc.size) {
    throw new Error(`awsx.ec2.Vpc ${name}: subnetStrategy Exact leaves the end of ${vpcCidr} unused`);
  }
}

function natStrategyOf(name: string, strategy: string): NatStrategy {
  const known = (["None", "Single", "OnePerAz"] as const).find(
    (s) => s.toLowerCase() === strategy.toLowerCase(),
  );
  if (known === undefined)
    throw new Error(`awsx.ec2.Vpc ${name}: unknown NAT gateway strategy '${strategy}'`);
  return known;
}

/** vpc.ts `validateEips` and `validateNatGatewayStrategy`. */
function checkNat(
  name: string,
  strategy: NatStrategy,
  allocationIds: string[],
  zones: number,
  subnets: LaidOutSubnet[],
): void {
  if (strategy === "None" && allocationIds.length > 0) {
    throw new Error(
      `awsx.ec2.Vpc ${name}: Elastic IP allocation IDs cannot be specified when NAT Gateway strategy is 'None'`,
    );
  }
  if (strategy === "Single" && allocationIds.length > 1) {
    throw new Error(
      `awsx.ec2.Vpc ${name}: exactly one Elastic IP may be specified when NAT Gateway strategy is 'Single'`,
    );
  }
  if (strategy === "OnePerAz" && allocationIds.length > 0 && allocationIds.length !== zones) {
    throw new Error(
      `awsx.ec2.Vpc ${name}: the number of Elastic IPs, if specified, must match the number of availability zones (${zones}) when NAT Gateway strategy is 'OnePerAz'`,
    );
  }
  const types = new Set(subnets.map((s) => s.type.toLowerCase()));
  if (strategy !== "None" && !(types.has("public") && (types.has("private") || types.has("isolated")))) {
    throw new Error(
      `awsx.ec2.Vpc ${name}: if NAT Gateway strategy is '${strategy}', public subnets must be declared to host the NAT Gateway resource, along with private or isolated subnets to route through it`,
    );
  }
}

/** subnetNaming.ts `azSuffix`: `us-east-1a` -> `1a`. */
function zoneSuffix(zone: string): string {
  return zone.replace(/^[a-z]{2}(?:-[a-z]+)+-/, "");
}

function newBits(count: number): number {
  return count === 0 ? 0 : Math.ceil(Math.log2(count));
}

interface Block {
  base: number;
  mask: number;
  size: number;
}

function parseCidr(cidr: string): Block {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 CIDR block: ${JSON.stringify(cidr)}`);
  const mask = Number(match[5]);
  const address = match.slice(1, 5).reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const size = 2 ** (32 - mask);
  return { base: address - (address % size), mask, size };
}

function overlaps(a: Block, b: Block): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

function formatIp(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}
