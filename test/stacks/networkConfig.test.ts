import { strict as assert } from "assert";
import { subnetLayout, subnetPlacementProblem } from "../../components/network";
import {
  NetworkConfig,
  kafkaPortFor,
  readNetwork,
  validateNetworkForSource,
} from "../../stacks/networkConfig";
import { Section } from "../../stacks/validation";
import { PROJECT_DIR, configProblems, onePipelineConfig } from "../helpers";

const context = { project: "flink-pipeline", stack: "team-a", projectDir: PROJECT_DIR, dryRun: true };
const ALL_ENDPOINTS = {
  s3: true,
  dynamodb: true,
  kinesis: true,
  secretsManager: true,
  ssm: true,
  logs: true,
  monitoring: true,
};
const SUBNETS = ["subnet-0aaaaaaaaaaaaaaa0", "subnet-0aaaaaaaaaaaaaaa1"];

/** Reads `flink-pipeline:network` alone, returning the config and the problems. */
function read(raw: unknown): { network: NetworkConfig; problems: string[] } {
  const problems: string[] = [];
  const network = readNetwork(Section.of("flink-pipeline:network", raw, problems));
  return { network, problems };
}

/** Problems of a whole stack config whose network (and source) are `values`. */
function stackProblems(network: unknown): string[] {
  return configProblems(() =>
    onePipelineConfig({ "flink-pipeline:network": JSON.stringify(network) }, context),
  );
}

describe("network config", () => {
  it("is public when the stack says nothing", () => {
    const config = onePipelineConfig({}, context);
    assert.deepEqual(config.network, { mode: "public" });
  });

  it("fills the create-mode defaults: two zones, a single NAT, every endpoint, open policies", () => {
    assert.deepEqual(read({ mode: "create" }), {
      network: {
        mode: "create",
        cidrBlock: "10.0.0.0/16",
        availabilityZones: 2,
        natGateways: "single",
        endpoints: ALL_ENDPOINTS,
        restrictEndpointPolicies: false,
        privateKafka: false,
      },
      problems: [],
    });
  });

  it("reads an existing VPC with its subnets and route tables", () => {
    const { network, problems } = read({
      mode: "existing",
      vpcId: "vpc-0123456789abcdef0",
      privateSubnetIds: SUBNETS,
      routeTableIds: ["rtb-0123456789abcdef0"],
      internetRoute: true,
      endpoints: { ssm: false },
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(network, {
      mode: "existing",
      vpcId: "vpc-0123456789abcdef0",
      privateSubnetIds: SUBNETS,
      routeTableIds: ["rtb-0123456789abcdef0"],
      internetRoute: true,
      endpoints: { ...ALL_ENDPOINTS, ssm: false },
      restrictEndpointPolicies: false,
      privateKafka: false,
    });
  });

  const badInputs: { name: string; network: unknown; expected: string[] }[] = [
    {
      name: "an unknown mode",
      network: { mode: "private" },
      expected: ['flink-pipeline:network.mode must be one of public, create, existing (got "private")'],
    },
    {
      name: "VPC settings in public mode",
      network: { natGateways: "single", privateKafka: true },
      expected: [
        "flink-pipeline:network.privateKafka applies only when flink-pipeline:network.mode is create or existing (got public)",
        "flink-pipeline:network.natGateways applies only when flink-pipeline:network.mode is create (got public)",
      ],
    },
    {
      name: "an existing VPC's settings in create mode",
      network: { mode: "create", vpcId: "vpc-0123456789abcdef0" },
      expected: [
        "flink-pipeline:network.vpcId applies only when flink-pipeline:network.mode is existing (got create)",
      ],
    },
    {
      name: "NAT settings in existing mode",
      network: {
        mode: "existing",
        vpcId: "vpc-0123456789abcdef0",
        privateSubnetIds: SUBNETS,
        natGateways: "single",
      },
      expected: [
        "flink-pipeline:network.natGateways applies only when flink-pipeline:network.mode is create (got existing)",
      ],
    },
    {
      name: "a created VPC in one zone",
      network: { mode: "create", availabilityZones: 1 },
      expected: ["flink-pipeline:network.availabilityZones must be an integer between 2 and 6 (got 1)"],
    },
    {
      name: "a VPC range awsx cannot split",
      network: { mode: "create", cidrBlock: "10.0.0.0/8" },
      expected: [
        'flink-pipeline:network.cidrBlock must be an IPv4 CIDR block from /16 to /22 (e.g. 10.0.0.0/16) (got "10.0.0.0/8")',
      ],
    },
    {
      name: "an unknown NAT strategy",
      network: { mode: "create", natGateways: "OnePerAz" },
      expected: [
        'flink-pipeline:network.natGateways must be one of none, single, onePerAz (got "OnePerAz"; did you mean onePerAz?)',
      ],
    },
    {
      name: "an unknown endpoint",
      network: { mode: "create", endpoints: { sqs: true } },
      expected: [
        "flink-pipeline:network.endpoints.sqs is not a known key; known keys: dynamodb, kinesis, logs, monitoring, s3, secretsManager, ssm",
      ],
    },
    {
      name: "an existing VPC without its id or subnets",
      network: { mode: "existing" },
      expected: [
        "flink-pipeline:network.vpcId is required when flink-pipeline:network.mode is existing",
        "flink-pipeline:network.privateSubnetIds must list at least two private subnets in different availability zones (Managed Flink places its network interfaces across them); it is required when flink-pipeline:network.mode is existing",
      ],
    },
    {
      name: "a single private subnet",
      network: { mode: "existing", vpcId: "vpc-0123456789abcdef0", privateSubnetIds: [SUBNETS[0]] },
      expected: [
        'flink-pipeline:network.privateSubnetIds must list at least two private subnets in different availability zones (Managed Flink places its network interfaces across them) (got ["subnet-0aaaaaaaaaaaaaaa0"])',
      ],
    },
    {
      name: "the same subnet twice",
      network: {
        mode: "existing",
        vpcId: "vpc-0123456789abcdef0",
        privateSubnetIds: [SUBNETS[0], SUBNETS[0]],
      },
      expected: [
        'flink-pipeline:network.privateSubnetIds must list at least two private subnets in different availability zones (Managed Flink places its network interfaces across them) (got ["subnet-0aaaaaaaaaaaaaaa0","subnet-0aaaaaaaaaaaaaaa0"])',
        "flink-pipeline:network.privateSubnetIds lists subnet-0aaaaaaaaaaaaaaa0 more than once",
      ],
    },
    {
      name: "malformed ids",
      network: { mode: "existing", vpcId: "my-vpc", privateSubnetIds: ["subnet-1", SUBNETS[0]] },
      expected: [
        'flink-pipeline:network.vpcId must be a VPC id (vpc-0123456789abcdef0) (got "my-vpc")',
        'flink-pipeline:network.privateSubnetIds entries must each be a subnet id (subnet-0123456789abcdef0) (got "subnet-1")',
      ],
    },
    {
      name: "subnets given as one string",
      network: { mode: "existing", vpcId: "vpc-0123456789abcdef0", privateSubnetIds: SUBNETS.join(",") },
      expected: [
        'flink-pipeline:network.privateSubnetIds must be a list of strings (got "subnet-0aaaaaaaaaaaaaaa0,subnet-0aaaaaaaaaaaaaaa1")',
      ],
    },
    {
      name: "isolated subnets without the DynamoDB endpoint the sink needs",
      network: { mode: "create", natGateways: "none", endpoints: { dynamodb: false } },
      expected: [
        "flink-pipeline:network.endpoints.dynamodb must be true when flink-pipeline:network.natGateways is none: the job writes its features to DynamoDB and the VPC has no other way to reach it",
      ],
    },
    {
      name: "existing subnets without a route and without the Kinesis endpoint the source needs",
      network: {
        mode: "existing",
        vpcId: "vpc-0123456789abcdef0",
        privateSubnetIds: SUBNETS,
        endpoints: { kinesis: false },
      },
      expected: [
        "flink-pipeline:network.endpoints.kinesis must be true when flink-pipeline:network.internetRoute is false: the subnets have no route to the internet: the job reads a Kinesis stream and the VPC has no other way to reach it",
      ],
    },
  ];

  for (const { name, network, expected } of badInputs) {
    it(`rejects ${name}`, () => {
      assert.deepEqual(stackProblems(network).sort(), [...expected].sort());
    });
  }

  it("accepts a NAT-less VPC whose endpoints cover the source and the sink", () => {
    assert.deepEqual(
      stackProblems({ mode: "create", natGateways: "none", endpoints: { ssm: false, logs: false } }),
      [],
    );
  });
});

describe("what a source needs from the network", () => {
  const created = (natGateways: "none" | "single", extra: object = {}): NetworkConfig =>
    ({
      ...(read({ mode: "create", natGateways }).network as object),
      ...extra,
    }) as NetworkConfig;
  const existing = (internetRoute: boolean, extra: object = {}): NetworkConfig =>
    ({
      ...(read({ mode: "existing", vpcId: "vpc-0123456789abcdef0", privateSubnetIds: SUBNETS, internetRoute })
        .network as object),
      ...extra,
    }) as NetworkConfig;
  const confluentWithoutRoute =
    "flink-pipeline:network.mode create cannot reach a confluent source: an application in a VPC has no public IP, so its brokers are reachable only through a NAT gateway or private connectivity, and flink-pipeline:network.natGateways is none. Use flink-pipeline:network.natGateways single or onePerAz, or connect the cluster privately (VPC peering, Transit Gateway or PrivateLink) and set flink-pipeline:network.privateKafka: true";

  const cases: { name: string; network: NetworkConfig; kind: string; expected: string[] }[] = [
    {
      name: "a public application reaches anything",
      network: { mode: "public" },
      kind: "confluent",
      expected: [],
    },
    { name: "a NAT gateway reaches Confluent", network: created("single"), kind: "confluent", expected: [] },
    {
      name: "no NAT and no private link cannot",
      network: created("none"),
      kind: "confluent",
      expected: [confluentWithoutRoute],
    },
    {
      name: "private connectivity replaces the NAT",
      network: created("none", { privateKafka: true }),
      kind: "confluent",
      expected: [],
    },
    {
      name: "Kinesis needs no route to the internet",
      network: created("none"),
      kind: "kinesis",
      expected: [],
    },
    {
      name: "existing subnets without a route cannot reach Confluent",
      network: existing(false),
      kind: "confluent",
      expected: [
        "flink-pipeline:network.mode existing cannot reach a confluent source: an application in a VPC has no public IP, so its brokers are reachable only through a NAT gateway or private connectivity, and flink-pipeline:network.internetRoute is false: the subnets have no route to the internet. Use subnets that route through a NAT and set flink-pipeline:network.internetRoute: true, or connect the cluster privately (VPC peering, Transit Gateway or PrivateLink) and set flink-pipeline:network.privateKafka: true",
      ],
    },
    { name: "existing subnets with a route can", network: existing(true), kind: "confluent", expected: [] },
    {
      name: "a private Confluent link without NAT still needs Secrets Manager for the Kafka credentials",
      network: created("none", {
        privateKafka: true,
        endpoints: { ...ALL_ENDPOINTS, secretsManager: false },
      }),
      kind: "confluent",
      expected: [
        "flink-pipeline:network.endpoints.secretsManager must be true when flink-pipeline:network.natGateways is none: the job reads its Kafka credentials from Secrets Manager at startup and the VPC has no other way to reach it",
      ],
    },
    {
      name: "a private Confluent link without NAT still needs SSM for the Kafka client settings",
      network: created("none", { privateKafka: true, endpoints: { ...ALL_ENDPOINTS, ssm: false } }),
      kind: "confluent",
      expected: [
        "flink-pipeline:network.endpoints.ssm must be true when flink-pipeline:network.natGateways is none: the job reads its Kafka client settings from SSM Parameter Store at startup and the VPC has no other way to reach it",
      ],
    },
    {
      name: "existing subnets without a route need both Confluent startup endpoints",
      network: existing(false, {
        privateKafka: true,
        endpoints: { ...ALL_ENDPOINTS, secretsManager: false, ssm: false },
      }),
      kind: "confluent",
      expected: [
        "flink-pipeline:network.endpoints.secretsManager must be true when flink-pipeline:network.internetRoute is false: the subnets have no route to the internet: the job reads its Kafka credentials from Secrets Manager at startup and the VPC has no other way to reach it",
        "flink-pipeline:network.endpoints.ssm must be true when flink-pipeline:network.internetRoute is false: the subnets have no route to the internet: the job reads its Kafka client settings from SSM Parameter Store at startup and the VPC has no other way to reach it",
      ],
    },
    {
      name: "with a NAT, Confluent reaches Secrets Manager and SSM without endpoints",
      network: created("single", { endpoints: { ...ALL_ENDPOINTS, secretsManager: false, ssm: false } }),
      kind: "confluent",
      expected: [],
    },
    {
      name: "a Kinesis source needs neither Secrets Manager nor SSM endpoints",
      network: created("none", { endpoints: { ...ALL_ENDPOINTS, secretsManager: false, ssm: false } }),
      kind: "kinesis",
      expected: [],
    },
  ];
  for (const { name, network, kind, expected } of cases) {
    it(name, () => assert.deepEqual(validateNetworkForSource(network, kind), expected));
  }

  it("opens the Kafka port only for Kafka sources", () => {
    assert.deepEqual(
      ["kinesis", "confluent", "kafka"].map((kind) => kafkaPortFor(kind)),
      [undefined, 9092, 9092],
    );
  });
});

describe("subnet placement", () => {
  const vpc = "vpc-0123456789abcdef0";
  it("accepts subnets of the VPC in two zones", () => {
    assert.equal(
      subnetPlacementProblem(vpc, [
        { id: "subnet-a", vpcId: vpc, availabilityZone: "us-east-1a" },
        { id: "subnet-b", vpcId: vpc, availabilityZone: "us-east-1b" },
      ]),
      undefined,
    );
  });

  it("names every subnet and its zone when they share one zone", () => {
    assert.equal(
      subnetPlacementProblem(vpc, [
        { id: "subnet-a", vpcId: vpc, availabilityZone: "us-east-1a" },
        { id: "subnet-b", vpcId: vpc, availabilityZone: "us-east-1a" },
      ]),
      "the private subnets must span at least two availability zones so the application survives the loss of one (got subnet-a in us-east-1a, subnet-b in us-east-1a)",
    );
  });

  it("names the subnets of another VPC", () => {
    assert.equal(
      subnetPlacementProblem(vpc, [
        { id: "subnet-a", vpcId: vpc, availabilityZone: "us-east-1a" },
        { id: "subnet-b", vpcId: "vpc-0ffffffffffffffff", availabilityZone: "us-east-1b" },
      ]),
      "the private subnets must belong to VPC vpc-0123456789abcdef0: subnet-b is in vpc-0ffffffffffffffff",
    );
  });
});

describe("created subnet layout", () => {
  const cases: { cidr: string; zones: number; nat: boolean; expected: ReturnType<typeof subnetLayout> }[] = [
    {
      cidr: "10.0.0.0/16",
      zones: 2,
      nat: true,
      expected: {
        availabilityZoneCidrMask: 17,
        subnetSpecs: [
          { type: "Private", name: "private", cidrMask: 18 },
          { type: "Public", name: "public", cidrMask: 19 },
        ],
      },
    },
    {
      cidr: "10.40.0.0/16",
      zones: 3,
      nat: true,
      expected: {
        availabilityZoneCidrMask: 18,
        subnetSpecs: [
          { type: "Private", name: "private", cidrMask: 19 },
          { type: "Public", name: "public", cidrMask: 20 },
        ],
      },
    },
    {
      cidr: "10.0.0.0/22",
      zones: 6,
      nat: false,
      expected: {
        availabilityZoneCidrMask: 25,
        subnetSpecs: [{ type: "Isolated", name: "private", cidrMask: 26 }],
      },
    },
  ];
  for (const { cidr, zones, nat, expected } of cases) {
    it(`splits ${cidr} over ${zones} zones ${nat ? "with" : "without"} public subnets`, () => {
      assert.deepEqual(subnetLayout(cidr, zones, nat), expected);
    });
  }
});
