import { strict as assert } from "assert";
import { AwsxVpcArgs, awsxVpcLayout } from "../../tools/awsxVpc";

/** A layout in one line per subnet: `name type cidr zone -> route`, in awsx's creation order. */
function summary(args: AwsxVpcArgs): string[] | string {
  const layout = awsxVpcLayout("net", args, "us-east-1");
  if (typeof layout === "string") return layout;
  return layout.subnets.map((s) => {
    const route = layout.routes[s.resourceName];
    const target = route === undefined ? "none" : "natGateway" in route ? route.natGateway : "igw";
    const nat = layout.natGateways.find((n) => n.subnet === s.resourceName);
    return `${s.resourceName} ${s.type} ${s.cidrBlock} ${s.zone} -> ${target}${nat ? ` hosts ${nat.name}` : ""}`;
  });
}

const privatePublic = (privateMask?: number, publicMask?: number) => [
  { type: "Private", name: "private", cidrMask: privateMask },
  { type: "Public", name: "public", cidrMask: publicMask },
];

describe("the layout awsx.ec2.Vpc creates (tools/awsxVpc.ts)", () => {
  const cases: [string, AwsxVpcArgs, string[] | string][] = [
    [
      "prod: 3 zones of a /16 at /18, private /19 then public /20, one NAT gateway per zone",
      {
        cidrBlock: "10.40.0.0/16",
        numberOfAvailabilityZones: 3,
        subnetStrategy: "Auto",
        availabilityZoneCidrMask: 18,
        subnetSpecs: privatePublic(19, 20),
        natGateways: { strategy: "OnePerAz" },
      },
      [
        "net-public-1 Public 10.40.32.0/20 us-east-1a -> igw hosts net-1",
        "net-private-1 Private 10.40.0.0/19 us-east-1a -> net-1",
        "net-public-2 Public 10.40.96.0/20 us-east-1b -> igw hosts net-2",
        "net-private-2 Private 10.40.64.0/19 us-east-1b -> net-2",
        "net-public-3 Public 10.40.160.0/20 us-east-1c -> igw hosts net-3",
        "net-private-3 Private 10.40.128.0/19 us-east-1c -> net-3",
      ],
    ],
    [
      "staging: 2 zones (a /17 each), one NAT gateway in the first zone serving both",
      {
        cidrBlock: "10.30.0.0/16",
        numberOfAvailabilityZones: 2,
        subnetStrategy: "Auto",
        availabilityZoneCidrMask: 17,
        subnetSpecs: privatePublic(18, 19),
        natGateways: { strategy: "Single" },
      },
      [
        "net-public-1 Public 10.30.64.0/19 us-east-1a -> igw hosts net-1",
        "net-private-1 Private 10.30.0.0/18 us-east-1a -> net-1",
        "net-public-2 Public 10.30.192.0/19 us-east-1b -> igw",
        "net-private-2 Private 10.30.128.0/18 us-east-1b -> net-1",
      ],
    ],
    [
      "no NAT: isolated subnets only, no route anywhere",
      {
        cidrBlock: "10.1.0.0/16",
        numberOfAvailabilityZones: 2,
        subnetStrategy: "Auto",
        availabilityZoneCidrMask: 17,
        subnetSpecs: [{ type: "Isolated", name: "private", cidrMask: 18 }],
        natGateways: { strategy: "None" },
      },
      [
        "net-private-1 Isolated 10.1.0.0/18 us-east-1a -> none",
        "net-private-2 Isolated 10.1.128.0/18 us-east-1b -> none",
      ],
    ],
    [
      "awsx's defaults under Auto: 3 zones, Private /19 and Public /20 per /18, NAT per zone",
      { subnetStrategy: "Auto" },
      [
        "net-public-1 Public 10.0.32.0/20 us-east-1a -> igw hosts net-1",
        "net-private-1 Private 10.0.0.0/19 us-east-1a -> net-1",
        "net-public-2 Public 10.0.96.0/20 us-east-1b -> igw hosts net-2",
        "net-private-2 Private 10.0.64.0/19 us-east-1b -> net-2",
        "net-public-3 Public 10.0.160.0/20 us-east-1c -> igw hosts net-3",
        "net-private-3 Private 10.0.128.0/19 us-east-1c -> net-3",
      ],
    ],
    [
      "specs without a mask share the zone equally; an unnamed spec is named after its type",
      {
        cidrBlock: "10.2.0.0/20",
        numberOfAvailabilityZones: 2,
        subnetStrategy: "Auto",
        subnetSpecs: [{ type: "Private" }, { type: "Public" }],
        natGateways: { strategy: "Single" },
      },
      [
        "net-public-1 Public 10.2.4.0/22 us-east-1a -> igw hosts net-1",
        "net-private-1 Private 10.2.0.0/22 us-east-1a -> net-1",
        "net-public-2 Public 10.2.12.0/22 us-east-1b -> igw",
        "net-private-2 Private 10.2.8.0/22 us-east-1b -> net-1",
      ],
    ],
    [
      "a larger spec after a smaller one starts at its own alignment, leaving a gap",
      {
        cidrBlock: "10.3.0.0/16",
        numberOfAvailabilityZones: 2,
        subnetStrategy: "Auto",
        subnetSpecs: [
          { type: "Public", cidrMask: 20 },
          { type: "Private", cidrMask: 19 },
          { type: "Isolated", name: "db", cidrMask: 24 },
        ],
        natGateways: { strategy: "OnePerAz" },
      },
      [
        "net-public-1 Public 10.3.0.0/20 us-east-1a -> igw hosts net-1",
        "net-private-1 Private 10.3.32.0/19 us-east-1a -> net-1",
        "net-db-1 Isolated 10.3.64.0/24 us-east-1a -> none",
        "net-public-2 Public 10.3.128.0/20 us-east-1b -> igw hosts net-2",
        "net-private-2 Private 10.3.160.0/19 us-east-1b -> net-2",
        "net-db-2 Isolated 10.3.192.0/24 us-east-1b -> none",
      ],
    ],
    [
      "explicit cidrBlocks per zone, in the zones given",
      {
        cidrBlock: "10.4.0.0/16",
        availabilityZoneNames: ["us-east-1d", "us-east-1f"],
        subnetStrategy: "Auto",
        subnetSpecs: [
          { type: "Private", cidrBlocks: ["10.4.0.0/24", "10.4.1.0/24"] },
          { type: "Public", cidrBlocks: ["10.4.10.0/28", "10.4.11.0/28"] },
        ],
        natGateways: { strategy: "OnePerAz" },
      },
      [
        "net-public-1 Public 10.4.10.0/28 us-east-1d -> igw hosts net-1",
        "net-private-1 Private 10.4.0.0/24 us-east-1d -> net-1",
        "net-public-2 Public 10.4.11.0/28 us-east-1f -> igw hosts net-2",
        "net-private-2 Private 10.4.1.0/24 us-east-1f -> net-2",
      ],
    ],
    [
      "Exact: the specs fill the VPC end to end",
      {
        cidrBlock: "10.5.0.0/22",
        numberOfAvailabilityZones: 2,
        subnetStrategy: "Exact",
        subnetSpecs: [{ type: "Isolated", cidrMask: 23 }],
        natGateways: { strategy: "None" },
      },
      [
        "net-isolated-1 Isolated 10.5.0.0/23 us-east-1a -> none",
        "net-isolated-2 Isolated 10.5.2.0/23 us-east-1b -> none",
      ],
    ],
    [
      "Legacy (awsx's default strategy) is not laid out",
      {},
      "subnetStrategy Legacy is not modelled offline (only Auto and Exact are)",
    ],
    [
      "Exact without subnet specs (awsx then uses its Legacy allocator) is not laid out",
      { subnetStrategy: "Exact" },
      "subnetStrategy Exact without subnetSpecs uses awsx's Legacy allocator, which is not modelled offline",
    ],
    [
      "AutoMerge is not laid out",
      { subnetStrategy: "AutoMerge" },
      "subnetStrategy AutoMerge is not modelled offline (only Auto and Exact are)",
    ],
    [
      "an IPAM-allocated range is not known offline",
      { subnetStrategy: "Auto", ipv4IpamPoolId: "ipam-pool-0123456789abcdef0" },
      "the CIDR block comes from an IPAM pool, known only after deployment",
    ],
  ];
  for (const [title, args, expected] of cases) {
    it(title, () => assert.deepEqual(summary(args), expected));
  }

  it("zones are the region's first ones, and say so; given zones are not simulated", () => {
    const simulated = awsxVpcLayout(
      "net",
      { subnetStrategy: "Auto", numberOfAvailabilityZones: 2 },
      "eu-west-1",
    );
    assert.ok(typeof simulated !== "string");
    assert.deepEqual([simulated.zones, simulated.zonesSimulated], [["eu-west-1a", "eu-west-1b"], true]);
    const given = awsxVpcLayout(
      "net",
      { subnetStrategy: "Auto", availabilityZoneNames: ["eu-west-1c", "eu-west-1a"] },
      "eu-west-1",
    );
    assert.ok(typeof given !== "string");
    assert.deepEqual([given.zones, given.zonesSimulated], [["eu-west-1c", "eu-west-1a"], false]);
  });

  it("the Name tag follows subnetNameTagStrategy; the resource name never does", () => {
    const layout = awsxVpcLayout(
      "net",
      { subnetStrategy: "Auto", numberOfAvailabilityZones: 2, subnetNameTagStrategy: "AvailabilityZone" },
      "us-west-2",
    );
    assert.ok(typeof layout !== "string");
    assert.deepEqual(
      layout.subnets.map((s) => `${s.resourceName}=${s.nameTag}`),
      [
        "net-public-1=net-public-2a",
        "net-private-1=net-private-2a",
        "net-public-2=net-public-2b",
        "net-private-2=net-private-2b",
      ],
    );
  });

  it("given Elastic IPs take the place of the EIPs awsx would create", () => {
    const layout = awsxVpcLayout(
      "net",
      {
        subnetStrategy: "Auto",
        numberOfAvailabilityZones: 2,
        natGateways: { strategy: "OnePerAz", elasticIpAllocationIds: ["eipalloc-1", "eipalloc-2"] },
      },
      "us-east-1",
    );
    assert.ok(typeof layout !== "string");
    assert.deepEqual(
      layout.natGateways.map((n) => n.allocationId),
      ["eipalloc-1", "eipalloc-2"],
    );
  });

  it("subnets take IPv6 addresses as their spec says, else as the VPC's assignGeneratedIpv6CidrBlock", () => {
    const layout = awsxVpcLayout(
      "net",
      {
        subnetStrategy: "Auto",
        numberOfAvailabilityZones: 2,
        assignGeneratedIpv6CidrBlock: true,
        subnetSpecs: [
          { type: "Public", name: "public", assignIpv6AddressOnCreation: false },
          { type: "Private", name: "private" },
        ],
      },
      "us-east-1",
    );
    assert.ok(typeof layout !== "string");
    assert.deepEqual(
      layout.subnets.map((s) => `${s.resourceName}=${s.assignIpv6AddressOnCreation}`),
      ["net-public-1=false", "net-private-1=true", "net-public-2=false", "net-private-2=true"],
    );
  });

  const refused: [string, AwsxVpcArgs, RegExp][] = [
    [
      "two specs of one type without distinct names",
      {
        subnetStrategy: "Auto",
        subnetSpecs: [{ type: "Private" }, { type: "Private" }, { type: "Public" }],
      },
      /multiple subnet specs of type "private" require unique names/,
    ],
    [
      "Exact with explicit blocks that leave a gap",
      {
        subnetStrategy: "Exact",
        cidrBlock: "10.0.0.0/23",
        numberOfAvailabilityZones: 2,
        subnetSpecs: [{ type: "Isolated", cidrBlocks: ["10.0.0.0/24", "10.0.1.0/25"] }],
        natGateways: { strategy: "None" },
      },
      /subnetStrategy Exact leaves the end of 10.0.0.0\/23 unused/,
    ],
    [
      "a NAT gateway with no public subnet to host it",
      { subnetStrategy: "Auto", subnetSpecs: [{ type: "Isolated" }], natGateways: { strategy: "Single" } },
      /if NAT Gateway strategy is 'Single', public subnets must be declared to host the NAT Gateway resource/,
    ],
    [
      "awsx's default NAT strategy (OnePerAz) with isolated subnets only",
      { subnetStrategy: "Auto", subnetSpecs: [{ type: "Isolated" }] },
      /if NAT Gateway strategy is 'OnePerAz', public subnets must be declared/,
    ],
    [
      "subnets larger than their zone",
      {
        subnetStrategy: "Auto",
        cidrBlock: "10.0.0.0/16",
        numberOfAvailabilityZones: 2,
        subnetSpecs: privatePublic(17, 18),
      },
      /subnets are too large for VPC. VPC has 32768 addresses, but subnets require 49152 addresses/,
    ],
    [
      "zones both named and counted",
      {
        subnetStrategy: "Auto",
        numberOfAvailabilityZones: 2,
        availabilityZoneNames: ["us-east-1a", "us-east-1b"],
      },
      /only one of \[availabilityZoneNames\] and \[numberOfAvailabilityZones\] can be specified/,
    ],
    [
      "fewer Elastic IPs than zones for OnePerAz",
      {
        subnetStrategy: "Auto",
        natGateways: { strategy: "OnePerAz", elasticIpAllocationIds: ["eipalloc-1"] },
      },
      /must match the number of availability zones \(3\)/,
    ],
    [
      "Elastic IPs without NAT gateways",
      { subnetStrategy: "Auto", natGateways: { strategy: "None", elasticIpAllocationIds: ["eipalloc-1"] } },
      /Elastic IP allocation IDs cannot be specified when NAT Gateway strategy is 'None'/,
    ],
    [
      "explicit blocks that do not cover every zone",
      {
        subnetStrategy: "Auto",
        numberOfAvailabilityZones: 2,
        subnetSpecs: [{ type: "Isolated", cidrBlocks: ["10.0.0.0/24"] }],
        natGateways: { strategy: "None" },
      },
      /subnetSpecs\[0\] must list one CIDR block per availability zone \(2\)/,
    ],
    [
      "explicit blocks that overlap",
      {
        subnetStrategy: "Auto",
        numberOfAvailabilityZones: 2,
        subnetSpecs: [{ type: "Isolated", cidrBlocks: ["10.0.0.0/23", "10.0.1.0/24"] }],
        natGateways: { strategy: "None" },
      },
      /these subnets overlap: net-isolated-1 10.0.0.0\/23, net-isolated-2 10.0.1.0\/24/,
    ],
    [
      "Exact with space left over",
      {
        subnetStrategy: "Exact",
        cidrBlock: "10.0.0.0/22",
        numberOfAvailabilityZones: 2,
        subnetSpecs: [{ type: "Isolated", cidrMask: 24 }],
        natGateways: { strategy: "None" },
      },
      /subnetStrategy Exact leaves a gap before net-isolated-2 \(10.0.2.0\/24\)/,
    ],
  ];
  for (const [title, args, message] of refused) {
    it(`refuses, as awsx does, ${title}`, () =>
      assert.throws(() => awsxVpcLayout("net", args, "us-east-1"), message));
  }
});
