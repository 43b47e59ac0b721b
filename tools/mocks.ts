/**
 * Mock provider behaviour for the offline plan and the tests: realistic physical names, ids and
 * ARNs (one fixed account, the stack's region), so the scoping of every IAM statement can be read.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { AwsxVpcLayout, awsxVpcLayout } from "./awsxVpc";

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

/** A resource awsx creates inside an `awsx:ec2:Vpc`, as the plan lists it. */
export interface AwsxVpcChild {
  type: string;
  name: string;
  /** Index (in the list) of the parent; undefined: the awsx component itself. */
  parent?: number;
  /** Indexes of the children it waits for (awsx's `dependsOn` and the ids its inputs take). */
  dependsOn: number[];
  /** Undefined in a first preview: nothing exists yet. */
  id?: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** The types awsx creates for a VPC (tools/awsxVpc.ts). */
export const AWSX_VPC_CHILD_TYPES = {
  vpc: "aws:ec2/vpc:Vpc",
  internetGateway: "aws:ec2/internetGateway:InternetGateway",
  subnet: "aws:ec2/subnet:Subnet",
  routeTable: "aws:ec2/routeTable:RouteTable",
  routeTableAssociation: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  route: "aws:ec2/route:Route",
  eip: "aws:ec2/eip:Eip",
  natGateway: "aws:ec2/natGateway:NatGateway",
} as const;

/** The args of `awsx.ec2.Vpc` that are also `aws.ec2.Vpc` inputs: awsx passes all its args on, the SDK keeps these. */
const VPC_INPUTS = [
  "assignGeneratedIpv6CidrBlock",
  "enableDnsHostnames",
  "enableDnsSupport",
  "enableNetworkAddressUsageMetrics",
  "instanceTenancy",
  "ipv4IpamPoolId",
  "ipv4NetmaskLength",
  "ipv6CidrBlock",
  "ipv6CidrBlockNetworkBorderGroup",
  "ipv6IpamPoolId",
  "ipv6NetmaskLength",
  "region",
];

/**
 * The children `awsx.ec2.Vpc` named `name` creates for `inputs` (its args), in awsx's creation order,
 * with the ids the mocks give them: the layout of {@link awsxVpcLayout}, the inputs and parents awsx
 * gives each child (pulumi/pulumi-awsx awsx/ec2/vpc.ts `initialize`). `known` false: a first preview,
 * where no id exists yet. A string: why the plan cannot list them.
 */
export function awsxVpcChildren(
  name: string,
  inputs: Record<string, any>,
  region: string,
  account: string,
  known = true,
): { layout: AwsxVpcLayout; children: AwsxVpcChild[] } | string {
  // awsx looks zones up, and creates its children, in its `region` arg when given.
  const vpcRegion: string = inputs.region ?? region;
  const layout = awsxVpcLayout(name, inputs, vpcRegion);
  if (typeof layout === "string") return layout;
  const T = AWSX_VPC_CHILD_TYPES;
  const children: AwsxVpcChild[] = [];
  const regionArg = inputs.region === undefined ? {} : { region: inputs.region };
  const add = (child: Omit<AwsxVpcChild, "outputs">, computed: Record<string, unknown> = {}): number => {
    child.inputs = { ...regionArg, ...child.inputs };
    children.push({
      ...child,
      id: known ? child.id : undefined,
      outputs: known ? { ...child.inputs, ...computed } : child.inputs,
    });
    return children.length - 1;
  };
  const idOf = (index: number) => (known ? children[index].id : pulumi.unknown);
  const arn = (resource: string) => `arn:aws:ec2:${vpcRegion}:${account}:${resource}`;
  const sharedTags = { Name: name, ...inputs.tags };

  const vpcId = `vpc-${mockHex(`vpc::${name}`, 17)}`;
  const vpc = add(
    {
      type: T.vpc,
      name,
      dependsOn: [],
      id: vpcId,
      inputs: {
        ...Object.fromEntries(
          VPC_INPUTS.filter((key) => inputs[key] !== undefined).map((key) => [key, inputs[key]]),
        ),
        cidrBlock: layout.cidrBlock,
        tags: sharedTags,
      },
    },
    { arn: arn(`vpc/${vpcId}`) },
  );
  const igwId = `igw-${mockHex(`igw::${name}`, 17)}`;
  const igw = add(
    {
      type: T.internetGateway,
      name,
      parent: vpc,
      dependsOn: [vpc],
      id: igwId,
      inputs: { vpcId: idOf(vpc), tags: sharedTags },
    },
    { arn: arn(`internet-gateway/${igwId}`) },
  );
  const nats = new Map<string, number>();
  for (const spec of layout.subnets) {
    const subnetId = `subnet-${mockHex(`subnet::${name}::${spec.type}::${spec.zone}`, 17)}`;
    const subnet = add(
      {
        type: T.subnet,
        name: spec.resourceName,
        parent: vpc,
        dependsOn: [vpc],
        id: subnetId,
        inputs: {
          vpcId: idOf(vpc),
          availabilityZone: spec.zone,
          mapPublicIpOnLaunch: spec.type.toLowerCase() === "public",
          cidrBlock: spec.cidrBlock,
          assignIpv6AddressOnCreation: spec.assignIpv6AddressOnCreation,
          // awsx carves it from the VPC's IPv6 block, which AWS assigns.
          ...(spec.assignIpv6AddressOnCreation ? { ipv6CidrBlock: pulumi.unknown } : {}),
          tags: { ...sharedTags, ...spec.tags, Name: spec.nameTag, SubnetType: spec.type },
        },
      },
      { arn: arn(`subnet/${subnetId}`) },
    );
    const routeTableId = `rtb-${mockHex(`rtb::${subnetId}`, 17)}`;
    const routeTable = add(
      {
        type: T.routeTable,
        name: spec.resourceName,
        parent: subnet,
        dependsOn: [subnet, vpc],
        id: routeTableId,
        inputs: { vpcId: idOf(vpc), tags: { ...sharedTags, Name: spec.nameTag, SubnetType: spec.type } },
      },
      { arn: arn(`route-table/${routeTableId}`) },
    );
    add({
      type: T.routeTableAssociation,
      name: spec.resourceName,
      parent: routeTable,
      dependsOn: [routeTable, subnet],
      id: `rtbassoc-${mockHex(`rtbassoc::${subnetId}`, 17)}`,
      inputs: { routeTableId: idOf(routeTable), subnetId: idOf(subnet) },
    });
    const nat = layout.natGateways.find((n) => n.subnet === spec.resourceName);
    if (nat !== undefined) {
      const natId = `nat-${mockHex(`nat::${subnetId}`, 17)}`;
      const natTags = { ...inputs.tags, Name: nat.name };
      const eip =
        nat.allocationId === undefined
          ? add(
              {
                type: T.eip,
                name: nat.name,
                parent: subnet,
                dependsOn: [subnet],
                id: `eipalloc-${mockHex(`eip::${natId}`, 17)}`,
                inputs: { tags: natTags },
              },
              { domain: "vpc" },
            )
          : undefined;
      if (eip !== undefined) children[eip].outputs.allocationId = children[eip].id;
      const index = add(
        {
          type: T.natGateway,
          name: nat.name,
          parent: subnet,
          dependsOn: eip === undefined ? [subnet] : [subnet, eip],
          id: natId,
          inputs: {
            subnetId: idOf(subnet),
            allocationId: eip === undefined ? nat.allocationId : idOf(eip),
            tags: natTags,
          },
        },
        { connectivityType: "public" },
      );
      nats.set(nat.name, index);
    }
    const route = layout.routes[spec.resourceName];
    if (route !== undefined) {
      const target = "natGateway" in route ? nats.get(route.natGateway)! : igw;
      add({
        type: T.route,
        name: spec.resourceName,
        parent: routeTable,
        dependsOn: [routeTable, target],
        id: `r-${routeTableId}1080289494`,
        inputs: {
          routeTableId: idOf(routeTable),
          destinationCidrBlock: "0.0.0.0/0",
          ...("natGateway" in route ? { natGatewayId: idOf(target) } : { gatewayId: idOf(target) }),
        },
      });
    }
  }
  return { layout, children };
}

/**
 * What awsx reports for a VPC built from these args: the ids and descriptions of the children
 * {@link awsxVpcChildren} lists (resource-valued outputs such as `subnets` and `natGateways` are plain
 * descriptions `{ id, ... }`). Args the plan cannot lay out leave those outputs unknown.
 */
function mockVpc(c: MockContext): MockState {
  const listed = awsxVpcChildren(c.name, c.inputs, c.region, c.account);
  if (typeof listed === "string") return { id: "", state: {} };
  const { layout, children } = listed;
  const T = AWSX_VPC_CHILD_TYPES;
  const ofType = (type: string) => children.filter((child) => child.type === type);
  const vpc = ofType(T.vpc)[0];
  const zoneOf = (subnetId: unknown) =>
    ofType(T.subnet).find((s) => s.id === subnetId)?.inputs.availabilityZone as string;
  const subnets = ofType(T.subnet).map((s) => ({
    id: s.id!,
    type: (s.inputs.tags as Record<string, string>).SubnetType,
    name: s.name,
    availabilityZone: s.inputs.availabilityZone as string,
    cidrBlock: s.inputs.cidrBlock as string,
    vpcId: vpc.id,
  }));
  const idsOf = (type: string) => subnets.filter((s) => s.type.toLowerCase() === type).map((s) => s.id);
  return {
    id: "",
    state: {
      vpcId: vpc.id,
      vpc: { id: vpc.id, cidrBlock: layout.cidrBlock, arn: vpc.outputs.arn },
      subnets,
      privateSubnetIds: idsOf("private"),
      publicSubnetIds: idsOf("public"),
      isolatedSubnetIds: idsOf("isolated"),
      natGateways: ofType(T.natGateway).map((n) => ({
        id: n.id,
        subnetId: n.inputs.subnetId,
        availabilityZone: zoneOf(n.inputs.subnetId),
        connectivityType: "public",
      })),
      eips: ofType(T.eip).map((e) => ({ id: e.id })),
      routeTables: ofType(T.routeTable).map((t) => ({ id: t.id, vpcId: vpc.id, tags: t.inputs.tags })),
      routeTableAssociations: ofType(T.routeTableAssociation).map((a) => ({ id: a.id, ...a.inputs })),
      routes: ofType(T.route).map((r) => ({ id: r.id, ...r.inputs })),
      internetGateway: { id: ofType(T.internetGateway)[0].id },
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
