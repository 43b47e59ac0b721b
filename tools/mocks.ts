/**
 * Mock provider behaviour for the offline plan and the tests: realistic physical names, ids and
 * ARNs (one fixed account, the stack's region), so the scoping of every IAM statement can be read.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_CONFLUENT_ORGANIZATION = "1111aaaa-11aa-11aa-11aa-111111aaaaaa";

export interface MockContext {
  /** The resource's logical name. */
  name: string;
  inputs: Record<string, any>;
  region: string;
  account: string;
  /** `inputs[field]` when set, else a Pulumi-style auto-name (`<name>-<7 hex>`), stable across runs. */
  physicalName(field?: string): string;
  /** `arn:aws:<service>:<region>:<account>:<resource>` */
  arn(service: string, resource: string, scope?: { region?: string; account?: string }): string;
}

export interface MockState {
  id: string;
  state: Record<string, unknown>;
}

type ResourceMock = (context: MockContext) => MockState;
/** What a function mock knows besides its inputs. */
export interface CallContext {
  region: string;
  account: string;
  /** The existing VPC the stack's config names, when it names one. */
  existingVpc?: SimulatedVpc;
  /** Records an answer the offline plan made up (no EC2 to ask), for the plan to show. */
  simulated(answer: string): void;
}

type CallMock = (inputs: Record<string, any>, context: CallContext) => Record<string, unknown>;

/**
 * The existing VPC of a stack's config (`<project>:network` with `mode: existing`): the only VPC the
 * offline plan knows, holding exactly the listed private subnets. EC2 is not there to say which zone
 * each subnet is in, so they get a documented assignment: the n-th listed subnet is in the region's
 * n-th zone (`a`, `b`, `c`, then `a` again).
 */
export interface SimulatedVpc {
  vpcId: string;
  subnetIds: string[];
}

export const SIMULATED_ZONE_LETTERS = "abc";

/** The existing VPC a stack's config names, or undefined. */
export function simulatedVpcOf(config: Record<string, string>, project: string): SimulatedVpc | undefined {
  const text = config[`${project}:network`];
  if (text === undefined) return undefined;
  let network: Record<string, unknown>;
  try {
    network = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { mode, vpcId, privateSubnetIds } = network ?? {};
  if (mode !== "existing" || typeof vpcId !== "string" || !Array.isArray(privateSubnetIds)) return undefined;
  return { vpcId, subnetIds: privateSubnetIds.filter((id): id is string => typeof id === "string") };
}

/** The zone the offline plan gives the `index`-th listed subnet. */
export function simulatedZone(region: string, index: number): string {
  return `${region}${SIMULATED_ZONE_LETTERS[index % SIMULATED_ZONE_LETTERS.length]}`;
}

function named(
  field: string,
  service: string,
  resource: (name: string) => string,
  idIsArn = false,
): ResourceMock {
  return (c) => {
    const name = c.physicalName(field);
    const arn = c.arn(service, resource(name));
    return { id: idIsArn ? arn : name, state: { [field]: name, arn } };
  };
}

/** Per resource type: the id and computed outputs the provider would return. */
export const RESOURCE_MOCKS: Record<string, ResourceMock> = {
  "aws:kinesis/stream:Stream": named("name", "kinesis", (n) => `stream/${n}`, true),
  "aws:dynamodb/table:Table": named("name", "dynamodb", (n) => `table/${n}`),
  "aws:s3/bucket:Bucket": (c) => {
    const bucket = c.physicalName("bucket");
    return {
      id: bucket,
      state: {
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        region: c.region,
      },
    };
  },
  "aws:s3/bucketObject:BucketObject": (c) => ({
    id: c.inputs.key,
    state: {
      arn: `arn:aws:s3:::${c.inputs.bucket}/${c.inputs.key}`,
      versionId: mockHex(c.inputs.key, 32),
      etag: mockHex(c.inputs.key, 32),
    },
  }),
  "aws:iam/role:Role": (c) => {
    const name = c.physicalName("name");
    return {
      id: name,
      state: {
        name,
        arn: c.arn("iam", `role/${name}`, { region: "" }),
        uniqueId: `AROA${mockHex(name, 16).toUpperCase()}`,
      },
    };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => {
    const name = c.physicalName("name");
    return { id: `${c.inputs.role}:${name}`, state: { name } };
  },
  "aws:iam/policy:Policy": named("name", "iam", (n) => `policy/${n}`),
  "aws:cloudwatch/logGroup:LogGroup": named("name", "logs", (n) => `log-group:${n}`),
  "aws:cloudwatch/logStream:LogStream": (c) => {
    const name = c.physicalName("name");
    return {
      id: name,
      state: { name, arn: c.arn("logs", `log-group:${c.inputs.logGroupName}:log-stream:${name}`) },
    };
  },
  "aws:kinesisanalyticsv2/application:Application": (c) => {
    const name = c.physicalName("name");
    const arn = c.arn("kinesisanalytics", `application/${name}`);
    return {
      id: arn,
      state: { name, arn, status: c.inputs.startApplication ? "RUNNING" : "READY", versionId: 1 },
    };
  },
  "aws:secretsmanager/secret:Secret": (c) => {
    const name = c.physicalName("name");
    const arn = c.arn("secretsmanager", `secret:${name}-${mockHex(name, 6)}`);
    return { id: arn, state: { name, arn } };
  },
  "aws:ssm/parameter:Parameter": (c) => {
    const name = c.physicalName("name");
    return {
      id: name,
      state: { name, arn: c.arn("ssm", `parameter/${name.replace(/^\//, "")}`), version: 1 },
    };
  },
  "aws:sns/topic:Topic": named("name", "sns", (n) => n, true),
  "aws:cloudwatch/metricAlarm:MetricAlarm": named("name", "cloudwatch", (n) => `alarm:${n}`),
  "aws:cloudwatch/dashboard:Dashboard": (c) => {
    const name = c.physicalName("dashboardName");
    return {
      id: name,
      state: { dashboardName: name, dashboardArn: c.arn("cloudwatch", `dashboard/${name}`, { region: "" }) },
    };
  },
  // One resource under mocks: awsx:ec2:Vpc is a remote (multi-language) component, so its
  // children live in the awsx plugin. The outputs follow the args: see mockVpc.
  "awsx:ec2:Vpc": (c) => mockVpc(c),
  "aws:ec2/securityGroup:SecurityGroup": (c) => {
    const id = mockSecurityGroupId(c.name);
    return {
      id,
      state: { name: c.physicalName("name"), arn: c.arn("ec2", `security-group/${id}`), ownerId: c.account },
    };
  },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (c) => securityGroupRule(c),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (c) => securityGroupRule(c),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (c) => {
    const id = `vpce-${mockHex(`vpce::${c.name}`, 17)}`;
    const service = String(c.inputs.serviceName);
    const gateway = c.inputs.vpcEndpointType === "Gateway";
    return {
      id,
      state: {
        arn: c.arn("ec2", `vpc-endpoint/${id}`),
        state: "available",
        ownerId: c.account,
        prefixListId: gateway ? `pl-${mockHex(service, 8)}` : undefined,
        networkInterfaceIds: gateway
          ? []
          : (c.inputs.subnetIds ?? []).map((s: string) => `eni-${mockHex(`${id}::${s}`, 17)}`),
        dnsEntries: gateway
          ? []
          : [
              {
                dnsName: `${id}.${service.split(".").slice(2).join(".")}.${c.region}.vpce.amazonaws.com`,
                hostedZoneId: "Z7HUB22UULQXV",
              },
            ],
      },
    };
  },
  "aws:secretsmanager/secretVersion:SecretVersion": (c) => {
    const versionId = uuidFrom(
      `${c.name}:${JSON.stringify(pulumi.runtime.unwrapRpcSecret(c.inputs.secretString) ?? "")}`,
    );
    return { id: `${c.inputs.secretId}|${versionId}`, state: { versionId, versionStages: ["AWSCURRENT"] } };
  },
  "confluentcloud:index/serviceAccount:ServiceAccount": (c) => ({
    id: `sa-${mockHex(`sa::${c.name}`, 6)}`,
    state: { apiVersion: "iam/v2", kind: "ServiceAccount" },
  }),
  // Key ids are 16 upper-case characters; the secret is a Pulumi secret, as the provider marks it.
  "confluentcloud:index/apiKey:ApiKey": (c) => ({
    id: mockHex(`key::${c.name}`, 16).toUpperCase(),
    state: { secret: rpcSecret(`cflt${mockHex(`secret::${c.name}`, 60)}`), disableWaitForReady: false },
  }),
  "confluentcloud:index/kafkaTopic:KafkaTopic": (c) => ({
    id: `${c.inputs.kafkaCluster?.id}/${c.inputs.topicName}`,
    state: {},
  }),
  "confluentcloud:index/kafkaAcl:KafkaAcl": (c) => ({
    id: [
      c.inputs.kafkaCluster?.id,
      c.inputs.resourceType,
      c.inputs.resourceName,
      c.inputs.patternType,
      c.inputs.principal,
      c.inputs.host,
      c.inputs.operation,
      c.inputs.permission,
    ].join("#"),
    state: {},
  }),
  "confluentcloud:index/roleBinding:RoleBinding": (c) => ({
    id: `rb-${mockHex(`rb::${c.name}`, 6)}`,
    state: {},
  }),
  "aws:kms/key:Key": (c) => {
    const keyId = uuidFrom(c.name);
    return { id: keyId, state: { keyId, arn: c.arn("kms", `key/${keyId}`) } };
  },
  "aws:kms/alias:Alias": (c) => {
    const name = c.physicalName("name");
    return {
      id: name,
      state: { name, arn: c.arn("kms", name), targetKeyArn: c.arn("kms", `key/${c.inputs.targetKeyId}`) },
    };
  },
  "aws:sns/topicPolicy:TopicPolicy": (c) => ({ id: c.inputs.arn, state: { owner: c.account } }),
  "aws:sns/topicSubscription:TopicSubscription": (c) => ({
    id: `${c.inputs.topic}:${uuidFrom(`${c.name}:${c.inputs.endpoint}`)}`,
    // An e-mail subscription stays pending until its owner confirms it.
    state: {
      arn: `${c.inputs.topic}:${uuidFrom(`${c.name}:${c.inputs.endpoint}`)}`,
      pendingConfirmation: c.inputs.protocol === "email",
    },
  }),
};

/** Per function token: what the provider function returns. */
export const CALL_MOCKS: Record<string, CallMock> = {
  "aws:index/getCallerIdentity:getCallerIdentity": (_inputs, c) => ({
    accountId: c.account,
    arn: `arn:aws:iam::${c.account}:user/offline-plan`,
    userId: "AIDAOFFLINEPLAN",
    id: c.account,
  }),
  "aws:index/getRegion:getRegion": (_inputs, c) => ({
    region: c.region,
    name: c.region,
    id: c.region,
    endpoint: `ec2.${c.region}.amazonaws.com`,
    description: c.region,
  }),
  // Existing subnets: those the stack's config lists, in its VPC, zones by the documented assignment
  // (SimulatedVpc); EC2 would find no other subnet.
  "aws:ec2/getSubnet:getSubnet": (inputs, c) => {
    const id = String(inputs.id);
    const index = c.existingVpc?.subnetIds.indexOf(id) ?? -1;
    if (c.existingVpc === undefined || index < 0) {
      throw new Error(
        `InvalidSubnetID.NotFound: the offline plan knows only the subnets the stack's network.privateSubnetIds lists, not ${id}`,
      );
    }
    const zone = simulatedZone(c.region, index);
    c.simulated(
      `aws:ec2/getSubnet ${id}: in ${c.existingVpc.vpcId} (network.vpcId), zone ${zone} (listed subnet #${index + 1} gets the region's zone ${SIMULATED_ZONE_LETTERS[index % SIMULATED_ZONE_LETTERS.length]})`,
    );
    return {
      id,
      arn: `arn:aws:ec2:${c.region}:${c.account}:subnet/${id}`,
      availabilityZone: zone,
      availabilityZoneId: `${c.region}-az${(index % SIMULATED_ZONE_LETTERS.length) + 1}`,
      cidrBlock: `10.${parseInt(mockHex(id, 2), 16)}.0.0/20`,
      vpcId: c.existingVpc.vpcId,
      ownerId: c.account,
      mapPublicIpOnLaunch: false,
      state: "available",
      tags: {},
    };
  },
  // Route tables of the VPC the query names: each named subnet has an explicitly associated table of
  // its own; `association.main` = true finds the VPC's main route table.
  "aws:ec2/getRouteTables:getRouteTables": (inputs, c) => {
    const filter = (name: string): string[] | undefined =>
      (inputs.filters ?? []).find((f: { name: string }) => f.name === name)?.values;
    const vpcId = String(inputs.vpcId);
    const subnets = filter("association.subnet-id") ?? [];
    const main = filter("association.main")?.includes("true") ?? false;
    const ids = main ? [mockMainRouteTableId(vpcId)] : subnets.map(mockExplicitRouteTableId);
    c.simulated(
      main
        ? `aws:ec2/getRouteTables main of ${vpcId}: ${ids[0]}`
        : `aws:ec2/getRouteTables of ${subnets.join(", ")}: ${ids.join(", ")} (an explicit association each)`,
    );
    return { id: vpcId, ids, tags: {} };
  },
  "aws:index/getPartition:getPartition": () => ({
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
    id: "aws",
  }),
  // Existing clusters are referenced by id: answer for whatever id the stack names.
  "confluentcloud:index/getKafkaCluster:getKafkaCluster": (inputs, c) => {
    const host = `pkc-${mockHex(`pkc::${inputs.id}`, 5)}.${c.region}.aws.confluent.cloud`;
    const environmentId = inputs.environment?.id;
    return {
      id: inputs.id,
      apiVersion: "cmk/v2",
      kind: "Cluster",
      displayName: `cluster-${inputs.id}`,
      availability: "SINGLE_ZONE",
      cloud: "AWS",
      region: c.region,
      bootstrapEndpoint: `SASL_SSL://${host}:9092`,
      restEndpoint: `https://${host}:443`,
      rbacCrn: `crn://confluent.cloud/organization=${MOCK_CONFLUENT_ORGANIZATION}/environment=${environmentId}/cloud-cluster=${inputs.id}`,
      environment: { id: environmentId },
      basics: [],
      byokKeys: [],
      endpoints: [],
      networks: [],
    };
  },
  "confluentcloud:index/getSchemaRegistryCluster:getSchemaRegistryCluster": (inputs, c) => {
    const environmentId = inputs.environment?.id;
    const id = `lsrc-${mockHex(`lsrc::${environmentId}`, 5)}`;
    return {
      id,
      apiVersion: "srcm/v3",
      kind: "Cluster",
      displayName: "Stream Governance Package",
      package: "ESSENTIALS",
      cloud: "AWS",
      region: c.region,
      restEndpoint: `https://psrc-${mockHex(`psrc::${environmentId}`, 5)}.${c.region}.aws.confluent.cloud`,
      catalogEndpoint: `https://psrc-${mockHex(`psrc::${environmentId}`, 5)}.${c.region}.aws.confluent.cloud`,
      privateRestEndpoint: "",
      privateRegionalRestEndpoints: {},
      resourceName: `crn://confluent.cloud/organization=${MOCK_CONFLUENT_ORGANIZATION}/environment=${environmentId}/schema-registry=${id}`,
      environment: { id: environmentId },
    };
  },
};

/** The id the mocks give the security group named `name` (ids are not among the recorded outputs). */
export function mockSecurityGroupId(name: string): string {
  return `sg-${mockHex(`sg::${name}`, 17)}`;
}

/** The route table the mocks report as explicitly associated with an existing subnet. */
export function mockExplicitRouteTableId(subnetId: string): string {
  return `rtb-${mockHex(`rtb::${subnetId}`, 17)}`;
}

/** The id the mocks give the main route table of `vpcId`. */
export function mockMainRouteTableId(vpcId: string): string {
  return `rtb-${mockHex(`rtb-main::${vpcId}`, 17)}`;
}

function securityGroupRule(c: MockContext): MockState {
  const id = `sgr-${mockHex(`sgr::${c.name}`, 17)}`;
  return { id, state: { securityGroupRuleId: id, arn: c.arn("ec2", `security-group-rule/${id}`) } };
}

/**
 * What awsx reports for a VPC built from these args: zones `<region>a`, `b`, ... (the first
 * `numberOfAvailabilityZones`, default 3), one subnet per spec per zone (default specs: Private and
 * Public) carved from `cidrBlock` at the spec's `cidrMask`, NAT gateways per `natGateways.strategy`
 * (one per zone, one, or none; awsx's default is one per zone when there are public subnets).
 * Like awsx, every subnet gets its own route table and association; public tables route 0.0.0.0/0
 * to the internet gateway, private ones to their zone's NAT gateway (or the single one), isolated
 * ones nowhere. Resource-valued outputs (subnets, routeTables, routeTableAssociations, routes,
 * natGateways, eips) are plain descriptions ({ id, ... }) with plain string fields.
 */
function mockVpc(c: MockContext): MockState {
  const inputs = c.inputs;
  const vpcId = `vpc-${mockHex(`vpc::${c.name}`, 17)}`;
  const cidrBlock: string = inputs.cidrBlock ?? "10.0.0.0/16";
  const zones: string[] =
    inputs.availabilityZoneNames ??
    [..."abcdef"].slice(0, inputs.numberOfAvailabilityZones ?? 3).map((l) => `${c.region}${l}`);
  const specs: { type: string; name?: string; cidrMask?: number }[] = inputs.subnetSpecs ?? [
    { type: "Private" },
    { type: "Public" },
  ];
  const [base, prefix] = cidrBlock.split("/");
  const baseAddress = base.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const zoneMask: number =
    inputs.availabilityZoneCidrMask ?? Number(prefix) + Math.ceil(Math.log2(zones.length));
  const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
  const subnets = zones.flatMap((zone, z) => {
    let offset = baseAddress + z * 2 ** (32 - zoneMask);
    return specs.map((spec) => {
      const mask = spec.cidrMask ?? zoneMask + 1;
      const subnet = {
        id: `subnet-${mockHex(`subnet::${c.name}::${spec.type}::${zone}`, 17)}`,
        type: spec.type,
        name: `${c.name}-${(spec.name ?? spec.type).toLowerCase()}-${z + 1}`,
        availabilityZone: zone,
        cidrBlock: `${toIp(offset)}/${mask}`,
        vpcId,
      };
      offset += 2 ** (32 - mask);
      return subnet;
    });
  });
  const ofType = (type: string) => subnets.filter((s) => s.type === type);
  const publicSubnets = ofType("Public");
  const strategy =
    inputs.natGateways?.strategy ??
    (publicSubnets.length > 0 && ofType("Private").length > 0 ? "OnePerAz" : "None");
  const natSubnets =
    strategy === "OnePerAz" ? publicSubnets : strategy === "Single" ? publicSubnets.slice(0, 1) : [];
  const natGateways = natSubnets.map((s) => ({
    id: `nat-${mockHex(`nat::${s.id}`, 17)}`,
    subnetId: s.id,
    availabilityZone: s.availabilityZone,
    connectivityType: "public",
  }));
  const internetGatewayId = `igw-${mockHex(`igw::${c.name}`, 17)}`;
  const routeTables = subnets.map((s) => ({
    id: `rtb-${mockHex(`rtb::${s.id}`, 17)}`,
    vpcId,
    tags: { Name: s.name, SubnetType: s.type },
  }));
  const routeTableAssociations = subnets.map((s, index) => ({
    id: `rtbassoc-${mockHex(`rtbassoc::${s.id}`, 17)}`,
    subnetId: s.id,
    routeTableId: routeTables[index].id,
  }));
  const routes = subnets.flatMap((s, index) => {
    const nat = natGateways.find((n) => n.availabilityZone === s.availabilityZone) ?? natGateways[0];
    const target =
      s.type === "Public"
        ? { gatewayId: internetGatewayId }
        : s.type === "Private" && nat !== undefined
          ? { natGatewayId: nat.id }
          : undefined;
    if (target === undefined) return [];
    return [
      {
        id: `r-${routeTables[index].id}1080289494`,
        routeTableId: routeTables[index].id,
        destinationCidrBlock: "0.0.0.0/0",
        ...target,
      },
    ];
  });
  return {
    id: "",
    state: {
      vpcId,
      vpc: { id: vpcId, cidrBlock, arn: c.arn("ec2", `vpc/${vpcId}`) },
      subnets,
      privateSubnetIds: ofType("Private").map((s) => s.id),
      publicSubnetIds: publicSubnets.map((s) => s.id),
      isolatedSubnetIds: ofType("Isolated").map((s) => s.id),
      natGateways,
      eips: natGateways.map((n) => ({ id: `eipalloc-${mockHex(`eip::${n.id}`, 17)}` })),
      routeTables,
      routeTableAssociations,
      routes,
      internetGateway: { id: internetGatewayId },
    },
  };
}

/** A value the mock runtime hands back as a Pulumi secret (as `additionalSecretOutputs` would). */
function rpcSecret(value: unknown): Record<string, unknown> {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

export function mockHex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function uuidFrom(seed: string): string {
  const hex = mockHex(seed, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The input each provider fills in itself before creating (auto-naming in its check), so a first
 * preview knows it; every other output of a resource that does not exist yet is unknown.
 */
export const AUTONAMED_FIELDS: Record<string, string> = {
  "aws:kinesis/stream:Stream": "name",
  "aws:dynamodb/table:Table": "name",
  "aws:s3/bucket:Bucket": "bucket",
  "aws:iam/role:Role": "name",
  "aws:iam/rolePolicy:RolePolicy": "name",
  "aws:iam/policy:Policy": "name",
  "aws:cloudwatch/logGroup:LogGroup": "name",
  "aws:cloudwatch/logStream:LogStream": "name",
  "aws:kinesisanalyticsv2/application:Application": "name",
  "aws:secretsmanager/secret:Secret": "name",
  "aws:ssm/parameter:Parameter": "name",
  "aws:sns/topic:Topic": "name",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
  "aws:kms/alias:Alias": "name",
  "aws:ec2/securityGroup:SecurityGroup": "name",
};

export interface PipelineMocksOptions {
  /**
   * Answer as a stack's first `pulumi preview` does: no resource exists, so only the inputs and the
   * provider's auto-names are known (ids, ARNs and other computed outputs are not). Function calls are
   * answered as always: they run during a preview. @default false
   */
  firstPreview?: boolean;
  /** The existing VPC the stack's config names (see {@link simulatedVpcOf}). @default none */
  existingVpc?: SimulatedVpc;
}

/** Pulumi mocks answering with {@link RESOURCE_MOCKS} and {@link CALL_MOCKS}. */
export class PipelineMocks implements pulumi.runtime.Mocks {
  /** Answers made up without AWS (see {@link CallContext.simulated}), in the order first given. */
  public readonly simulated = new Set<string>();

  constructor(
    private readonly region: string,
    private readonly account = MOCK_ACCOUNT_ID,
    private readonly options: PipelineMocksOptions = {},
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): MockState {
    const inputs = args.inputs as Record<string, any>;
    const context: MockContext = {
      name: args.name,
      inputs,
      region: this.region,
      account: this.account,
      physicalName: (field = "name") => {
        const given = pulumi.runtime.unwrapRpcSecret(inputs[field]);
        return typeof given === "string" && given !== ""
          ? given
          : `${args.name}-${mockHex(`${args.type}::${args.name}`, 7)}`;
      },
      arn: (service, resource, scope = {}) =>
        `arn:aws:${service}:${scope.region ?? this.region}:${scope.account ?? this.account}:${resource}`,
    };
    if (this.options.firstPreview) {
      const field = AUTONAMED_FIELDS[args.type];
      // An empty id is unknown in a preview, as a resource's id is before it is created.
      return { id: "", state: { ...inputs, ...(field ? { [field]: context.physicalName(field) } : {}) } };
    }
    const mock = RESOURCE_MOCKS[args.type];
    const result = mock ? mock(context) : { id: `${args.name}-id`, state: {} };
    return { id: result.id, state: { ...inputs, ...result.state } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const mock = CALL_MOCKS[args.token];
    if (!mock) throw new Error(`the offline plan has no mock for the function ${args.token}`);
    return mock(args.inputs, {
      region: this.region,
      account: this.account,
      existingVpc: this.options.existingVpc,
      simulated: (answer) => this.simulated.add(answer),
    });
  }
}
