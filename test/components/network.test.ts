import { strict as assert } from "assert";
import { PipelineNetwork, PipelineNetworkArgs, findRouteTables } from "../../components/network";
import {
  CALL_MOCKS,
  mockExplicitRouteTableId,
  mockMainRouteTableId,
  mockSecurityGroupId,
} from "../../tools/mocks";
import { planDocument, renderTree } from "../../tools/planReport";
import { PlanResult, PlannedResource, runProgram } from "../../tools/planRuntime";
import {
  inputsOf,
  planStack,
  rejectedConfigProblems,
  resourceOf,
  resourcesOf,
  statementsOf,
} from "../helpers";

const VPC = "awsx:ec2:Vpc";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const APPLICATION = "aws:kinesisanalyticsv2/application:Application";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

/** The existing VPC the configs below name; the mocks know it and exactly the subnets listed. */
const EXISTING_VPC = "vpc-0e1d2c3b4a5968778";
/** Listed first and second: the mocks put them in us-east-1a and us-east-1b. */
const ZONE_A = "subnet-0aaaaaaaaaaaaaaa0";
const ZONE_B = "subnet-0aaaaaaaaaaaaaaa1";
const ZONE_A_AGAIN = "subnet-0aaaaaaaaaaaaaaa3";
/** Subnets the tests below give no explicit route table association: they use the VPC's main one. */
const ZONE_B_MAIN_TABLE = "subnet-0aaaaaaaaaaaaaaf1";
const ZONE_C_MAIN_TABLE = "subnet-0aaaaaaaaaaaaaaf2";
const IMPLICIT = [ZONE_B_MAIN_TABLE, ZONE_C_MAIN_TABLE];
const explicitTableOf = mockExplicitRouteTableId;
const existing = (extra: object = {}) => ({
  network: { mode: "existing", vpcId: EXISTING_VPC, privateSubnetIds: [ZONE_A, ZONE_B], ...extra },
});

/** Runs `body` with one function mock replaced, as EC2 would answer in the case under test. */
async function withCallMock<T>(
  token: string,
  answer: (original: (typeof CALL_MOCKS)[string]) => (typeof CALL_MOCKS)[string],
  body: () => Promise<T>,
): Promise<T> {
  const original = CALL_MOCKS[token];
  CALL_MOCKS[token] = answer(original);
  try {
    return await body();
  } finally {
    CALL_MOCKS[token] = original;
  }
}

/** Runs `body` while EC2 shows no explicit route table association for the {@link IMPLICIT} subnets. */
function withImplicitAssociations<T>(body: () => Promise<T>): Promise<T> {
  return withCallMock(
    "aws:ec2/getRouteTables:getRouteTables",
    (original) => (inputs, context) => {
      const filter = (inputs.filters ?? []).find((f: { name: string }) => f.name === "association.subnet-id");
      if (filter === undefined) return original(inputs, context);
      const explicit = filter.values.filter((id: string) => !IMPLICIT.includes(id));
      return { id: String(inputs.vpcId), ids: explicit.map(mockExplicitRouteTableId), tags: {} };
    },
    body,
  );
}

/** Runs `body` while EC2 reports the subnets at these places (the checks the simulation always passes). */
function withSubnetsAt<T>(
  places: Record<string, { vpcId?: string; availabilityZone?: string }>,
  body: () => Promise<T>,
): Promise<T> {
  return withCallMock(
    "aws:ec2/getSubnet:getSubnet",
    (original) => (inputs, context) => ({ ...original(inputs, context), ...places[String(inputs.id)] }),
    body,
  );
}

/** What the mocks report for an awsx VPC or a VPC endpoint (see tools/mocks.ts). */
interface MockOutputs {
  vpcId: string;
  privateSubnetIds: string[];
  isolatedSubnetIds: string[];
  subnets: { id: string; type: string; availabilityZone: string }[];
  routeTableAssociations: { subnetId: string; routeTableId: string }[];
  routes: { routeTableId: string; natGatewayId?: string; gatewayId?: string }[];
  natGateways: { id: string; availabilityZone: string }[];
  prefixListId: string;
  arn: string;
}

const outputsOf = (resource: PlannedResource) => resource.outputs as unknown as MockOutputs;

/** The rules of one security group: protocol, ports and peer, sorted. */
function rulesOf(result: PlanResult, type: string, groupId: string): string[] {
  return resourcesOf(result, type)
    .map(inputsOf)
    .filter((rule) => rule.securityGroupId === groupId)
    .map((rule) => {
      const peer = rule.cidrIpv4 ?? rule.prefixListId ?? rule.referencedSecurityGroupId;
      return `${rule.ipProtocol} ${rule.fromPort}-${rule.toPort} ${peer}`;
    })
    .sort();
}

function groupId(result: PlanResult, name: string): string {
  resourceOf(result, SECURITY_GROUP, name);
  return mockSecurityGroupId(name);
}

function endpointsOf(result: PlanResult): Record<string, string> {
  return Object.fromEntries(
    resourcesOf(result, ENDPOINT).map((e) => [inputsOf(e).serviceName, inputsOf(e).vpcEndpointType]),
  );
}

/** Plans a program that builds one PipelineNetwork, for args the stacks do not exercise. */
async function planNetwork(args: PipelineNetworkArgs): Promise<PlanResult> {
  return runProgram(
    () => {
      const network = new PipelineNetwork("network", args);
      return { securityGroupId: network.securityGroupId };
    },
    { project: "flink-pipeline", stack: "unit", config: { "aws:region": "us-east-1" } },
  );
}

/** The route tables awsx associated with `subnetIds`, in their order. */
function tablesOf(vpc: PlannedResource, subnetIds: string[]): string[] {
  const associations = outputsOf(vpc).routeTableAssociations;
  return subnetIds.map((id) => associations.find((a) => a.subnetId === id)!.routeTableId);
}

/** Runs `body` while EC2 shows no main route table (as for a participant in a VPC shared through RAM). */
async function withoutMainRouteTable<T>(body: () => Promise<T>): Promise<T> {
  const token = "aws:ec2/getRouteTables:getRouteTables";
  const original = CALL_MOCKS[token];
  CALL_MOCKS[token] = (inputs, context) => {
    const main = (inputs.filters ?? []).some((f: { name: string }) => f.name === "association.main");
    return main ? { id: String(inputs.vpcId), ids: [], tags: {} } : original(inputs, context);
  };
  try {
    return await body();
  } finally {
    CALL_MOCKS[token] = original;
  }
}

describe("private networking", () => {
  describe("public mode (dev)", () => {
    it("creates no network and leaves the application off any VPC", async () => {
      const result = await planStack("dev");
      assert.deepEqual(resourcesOf(result, VPC), []);
      assert.deepEqual(resourcesOf(result, SECURITY_GROUP), []);
      assert.deepEqual(resourcesOf(result, ENDPOINT), []);
      assert.equal(
        inputsOf(resourceOf(result, APPLICATION)).applicationConfiguration.vpcConfiguration,
        undefined,
      );
      const actions = resourcesOf(result, ROLE_POLICY).flatMap((p) =>
        statementsOf(p).flatMap((s) => s.Action),
      );
      assert.deepEqual(
        actions.filter((action) => action.startsWith("ec2:")),
        [],
      );
      assert.equal(result.outputs.vpcId, undefined);
    });
  });

  describe("create mode", () => {
    it("prod builds three zones of private and public subnets with a NAT gateway in each", async () => {
      const result = await planStack("prod");
      const vpc = resourceOf(result, VPC, "network");
      assert.deepEqual(inputsOf(vpc), {
        cidrBlock: "10.40.0.0/16",
        numberOfAvailabilityZones: 3,
        subnetStrategy: "Auto",
        availabilityZoneCidrMask: 18,
        subnetSpecs: [
          { type: "Private", name: "private", cidrMask: 19 },
          { type: "Public", name: "public", cidrMask: 20 },
        ],
        natGateways: { strategy: "OnePerAz" },
        enableDnsHostnames: true,
        enableDnsSupport: true,
      });
      const outputs = outputsOf(vpc);
      const privateZones = outputs.subnets.filter((s) => s.type === "Private").map((s) => s.availabilityZone);
      assert.deepEqual(privateZones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
      assert.equal(outputs.natGateways.length, 3);
      assert.deepEqual(
        outputs.natGateways.map((n) => n.availabilityZone),
        ["us-east-1a", "us-east-1b", "us-east-1c"],
      );
    });

    it("staging shares one NAT gateway between its two zones", async () => {
      const result = await planStack("staging");
      const vpc = resourceOf(result, VPC, "network");
      assert.equal(inputsOf(vpc).numberOfAvailabilityZones, 2);
      assert.deepEqual(inputsOf(vpc).natGateways, { strategy: "Single" });
      assert.equal(outputsOf(vpc).natGateways.length, 1);
      assert.equal(outputsOf(vpc).privateSubnetIds.length, 2);
    });

    it("the defaults are two zones and a single NAT gateway", async () => {
      const result = await planStack("dev", { network: { mode: "create" } });
      const vpc = resourceOf(result, VPC, "network");
      assert.equal(inputsOf(vpc).numberOfAvailabilityZones, 2);
      assert.equal(inputsOf(vpc).cidrBlock, "10.0.0.0/16");
      assert.deepEqual(inputsOf(vpc).natGateways, { strategy: "Single" });
      assert.equal(outputsOf(vpc).natGateways.length, 1);
    });

    it("without NAT gateways the subnets are isolated and the application goes in them", async () => {
      const result = await planStack("dev", { network: { mode: "create", natGateways: "none" } });
      const vpc = resourceOf(result, VPC, "network");
      assert.deepEqual(inputsOf(vpc).natGateways, { strategy: "None" });
      assert.deepEqual(inputsOf(vpc).subnetSpecs, [{ type: "Isolated", name: "private", cidrMask: 18 }]);
      assert.equal(outputsOf(vpc).natGateways.length, 0);
      const subnetIds = inputsOf(resourceOf(result, APPLICATION)).applicationConfiguration.vpcConfiguration
        .subnetIds;
      assert.deepEqual(subnetIds, outputsOf(vpc).isolatedSubnetIds);
      assert.equal(subnetIds.length, 2);
    });

    it("attaches the application to the private subnets with its own security group", async () => {
      const result = await planStack("prod");
      const vpc = resourceOf(result, VPC, "network");
      assert.deepEqual(inputsOf(resourceOf(result, APPLICATION)).applicationConfiguration.vpcConfiguration, {
        subnetIds: outputsOf(vpc).privateSubnetIds,
        securityGroupIds: [groupId(result, "network-app")],
      });
      assert.deepEqual(result.outputs.privateSubnetIds.value, outputsOf(vpc).privateSubnetIds);
      assert.equal(result.outputs.securityGroupId.value, groupId(result, "network-app"));
      assert.equal(result.outputs.vpcId.value, outputsOf(vpc).vpcId);
    });
  });

  describe("security groups", () => {
    it("the application's group admits nothing and sends only HTTPS when there is a NAT", async () => {
      const result = await planStack("prod");
      const app = groupId(result, "network-app");
      assert.equal(inputsOf(resourceOf(result, SECURITY_GROUP, "network-app")).ingress, undefined);
      assert.equal(inputsOf(resourceOf(result, SECURITY_GROUP, "network-app")).egress, undefined);
      assert.deepEqual(rulesOf(result, INGRESS, app), []);
      assert.deepEqual(rulesOf(result, EGRESS, app), ["tcp 443-443 0.0.0.0/0"]);
    });

    it("the endpoints' group admits HTTPS from the application's group only", async () => {
      const result = await planStack("prod");
      const endpoints = groupId(result, "network-endpoints");
      assert.deepEqual(rulesOf(result, INGRESS, endpoints), [
        `tcp 443-443 ${groupId(result, "network-app")}`,
      ]);
      assert.deepEqual(rulesOf(result, EGRESS, endpoints), []);
    });

    it("without a route to the internet HTTPS goes only to the endpoints and the gateway prefix lists", async () => {
      const result = await planStack("dev", { network: { mode: "create", natGateways: "none" } });
      const prefixLists = ["network-s3", "network-dynamodb"].map(
        (name) => outputsOf(resourceOf(result, ENDPOINT, name)).prefixListId,
      );
      assert.deepEqual(
        rulesOf(result, EGRESS, groupId(result, "network-app")),
        [
          `tcp 443-443 ${groupId(result, "network-endpoints")}`,
          `tcp 443-443 ${prefixLists[0]}`,
          `tcp 443-443 ${prefixLists[1]}`,
        ].sort(),
      );
    });

    it("a Kinesis source opens no Kafka port", async () => {
      const result = await planStack("prod");
      const ports = resourcesOf(result, EGRESS).map((rule) => inputsOf(rule).fromPort);
      assert.ok(!ports.includes(9092));
    });

    it("a Kafka port opens one more egress rule, to that port only", async () => {
      const result = await planNetwork({ vpc: { mode: "create" }, kafkaPort: 9092 });
      assert.deepEqual(rulesOf(result, EGRESS, groupId(result, "network-app")), [
        "tcp 443-443 0.0.0.0/0",
        "tcp 9092-9092 0.0.0.0/0",
      ]);
      assert.equal(
        inputsOf(resourceOf(result, EGRESS, "network-app-kafka")).description,
        "Kafka brokers (SASL_SSL)",
      );
    });

    it("refuses a Kafka port that is not a port", async () => {
      await assert.rejects(planNetwork({ vpc: { mode: "create" }, kafkaPort: 70000 }), {
        message: "PipelineNetwork network: kafkaPort must be a port between 1 and 65535 (got 70000)",
      });
    });
  });

  describe("ENI permissions", () => {
    it("grants exactly what Managed Flink needs to place its interfaces, scoped to this network", async () => {
      const result = await planStack("prod");
      const vpc = outputsOf(resourceOf(result, VPC, "network"));
      const account = "arn:aws:ec2:us-east-1:123456789012";
      assert.deepEqual(statementsOf(resourceOf(result, ROLE_POLICY, "network-eni")), [
        {
          Effect: "Allow",
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
          Effect: "Allow",
          Sid: "CreateEnisInAppSubnets",
          Action: ["ec2:CreateNetworkInterface"],
          Resource: [
            ...vpc.privateSubnetIds.map((id: string) => `${account}:subnet/${id}`),
            `${account}:security-group/${groupId(result, "network-app")}`,
          ],
        },
        {
          Effect: "Allow",
          Sid: "ManageEnisInAppVpc",
          Action: [
            "ec2:CreateNetworkInterface",
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
          ],
          Resource: `${account}:network-interface/*`,
          Condition: { ArnEquals: { "ec2:Vpc": `${account}:vpc/${vpc.vpcId}` } },
        },
      ]);
    });

    it("the application waits for the ENI grant", async () => {
      const result = await planStack("prod");
      const grant = resourceOf(result, ROLE_POLICY, "network-eni");
      assert.ok(resourceOf(result, APPLICATION).dependsOn.includes(grant.urn));
    });
  });

  describe("endpoints", () => {
    it("prod keeps every AWS service inside the VPC", async () => {
      const result = await planStack("prod");
      assert.deepEqual(endpointsOf(result), {
        "com.amazonaws.us-east-1.s3": "Gateway",
        "com.amazonaws.us-east-1.dynamodb": "Gateway",
        "com.amazonaws.us-east-1.kinesis-streams": "Interface",
        "com.amazonaws.us-east-1.secretsmanager": "Interface",
        "com.amazonaws.us-east-1.ssm": "Interface",
        "com.amazonaws.us-east-1.logs": "Interface",
        "com.amazonaws.us-east-1.monitoring": "Interface",
      });
    });

    it("interface endpoints sit in every private subnet behind the endpoints' group, with private DNS", async () => {
      const result = await planStack("prod");
      const subnets = outputsOf(resourceOf(result, VPC, "network")).privateSubnetIds;
      const kinesis = inputsOf(resourceOf(result, ENDPOINT, "network-kinesis"));
      assert.deepEqual(kinesis.subnetIds, subnets);
      assert.deepEqual(kinesis.securityGroupIds, [groupId(result, "network-endpoints")]);
      assert.equal(kinesis.privateDnsEnabled, true);
    });

    it("gateway endpoints go on the private subnets' route tables awsx created, one per zone", async () => {
      const result = await planStack("prod");
      const vpc = resourceOf(result, VPC, "network");
      const privateTables = tablesOf(vpc, outputsOf(vpc).privateSubnetIds);
      assert.equal(new Set(privateTables).size, 3);
      for (const name of ["network-s3", "network-dynamodb"]) {
        const endpoint = resourceOf(result, ENDPOINT, name);
        assert.deepEqual(inputsOf(endpoint).routeTableIds, privateTables);
        assert.equal(inputsOf(endpoint).subnetIds, undefined);
        // The tables come from the VPC's outputs, so the endpoint waits for awsx to create them.
        assert.ok(endpoint.dependsOn.includes(vpc.urn), name);
      }
      // Each of those tables is the one routing its zone through that zone's NAT gateway.
      const natRoutes = outputsOf(vpc).routes.filter((r) => r.natGatewayId !== undefined);
      assert.deepEqual(natRoutes.map((r) => r.routeTableId).sort(), [...privateTables].sort());
    });

    it("gateway endpoints leave the public subnets' route tables alone", async () => {
      const result = await planStack("staging");
      const vpc = resourceOf(result, VPC, "network");
      const publicTables = tablesOf(
        vpc,
        outputsOf(vpc)
          .subnets.filter((s) => s.type === "Public")
          .map((s) => s.id),
      );
      const s3 = inputsOf(resourceOf(result, ENDPOINT, "network-s3")).routeTableIds;
      assert.deepEqual(s3, tablesOf(vpc, outputsOf(vpc).privateSubnetIds));
      assert.equal(s3.length, 2);
      assert.ok(!s3.some((id: string) => publicTables.includes(id)));
    });

    it("without NAT the gateway endpoints go on the isolated subnets' route tables", async () => {
      const result = await planStack("dev", { network: { mode: "create", natGateways: "none" } });
      const vpc = resourceOf(result, VPC, "network");
      const isolated = outputsOf(vpc).isolatedSubnetIds;
      assert.equal(isolated.length, 2);
      assert.deepEqual(
        inputsOf(resourceOf(result, ENDPOINT, "network-dynamodb")).routeTableIds,
        tablesOf(vpc, isolated),
      );
    });

    it("staging keeps only the free gateway endpoints", async () => {
      const result = await planStack("staging");
      assert.deepEqual(endpointsOf(result), {
        "com.amazonaws.us-east-1.s3": "Gateway",
        "com.amazonaws.us-east-1.dynamodb": "Gateway",
      });
      assert.deepEqual(
        resourcesOf(result, SECURITY_GROUP).map((g) => g.name),
        ["network-app"],
      );
    });

    it("turning every endpoint off creates none", async () => {
      const off = {
        s3: false,
        dynamodb: false,
        kinesis: false,
        secretsManager: false,
        ssm: false,
        logs: false,
        monitoring: false,
      };
      const result = await planStack("dev", { network: { mode: "create", endpoints: off } });
      assert.deepEqual(resourcesOf(result, ENDPOINT), []);
      assert.deepEqual(resourcesOf(result, INGRESS), []);
    });

    it("restricted policies admit only this account's principals and this stack's resources", async () => {
      const result = await planStack("prod");
      const table = outputsOf(resourceOf(result, "aws:dynamodb/table:Table")).arn;
      assert.deepEqual(statementsOf(resourceOf(result, ENDPOINT, "network-dynamodb")), [
        {
          Sid: "ThisAccountsPrincipalsOnly",
          Effect: "Allow",
          Principal: "*",
          Action: "dynamodb:*",
          Resource: [table, `${table}/index/*`],
          Condition: { StringEquals: { "aws:PrincipalAccount": "123456789012" } },
        },
      ]);
      const logs = statementsOf(resourceOf(result, ENDPOINT, "network-logs"))[0];
      assert.deepEqual(logs.Resource, [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/kinesis-analytics/flink-pipeline-prod",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/kinesis-analytics/flink-pipeline-prod:*",
      ]);
      for (const endpoint of resourcesOf(result, ENDPOINT)) {
        const [statement] = statementsOf(endpoint);
        assert.deepEqual(statement.Condition, { StringEquals: { "aws:PrincipalAccount": "123456789012" } });
        assert.notEqual(statement.Action, "*");
      }
    });

    it("unrestricted endpoints keep AWS's default policy", async () => {
      const result = await planStack("dev", { network: { mode: "create" } });
      assert.ok(resourcesOf(result, ENDPOINT).length > 0);
      assert.deepEqual(
        resourcesOf(result, ENDPOINT).map((e) => inputsOf(e).policy),
        resourcesOf(result, ENDPOINT).map(() => undefined),
      );
    });
  });

  describe("existing mode", () => {
    it("attaches the application to the given subnets, in the given VPC, with no VPC of its own", async () => {
      const result = await planStack("dev", existing());
      assert.deepEqual(resourcesOf(result, VPC), []);
      assert.equal(inputsOf(resourceOf(result, SECURITY_GROUP, "network-app")).vpcId, EXISTING_VPC);
      assert.deepEqual(inputsOf(resourceOf(result, APPLICATION)).applicationConfiguration.vpcConfiguration, {
        subnetIds: [ZONE_A, ZONE_B],
        securityGroupIds: [groupId(result, "network-app")],
      });
      const [, create] = statementsOf(resourceOf(result, ROLE_POLICY, "network-eni"));
      assert.deepEqual(create.Resource, [
        `arn:aws:ec2:us-east-1:123456789012:subnet/${ZONE_A}`,
        `arn:aws:ec2:us-east-1:123456789012:subnet/${ZONE_B}`,
        `arn:aws:ec2:us-east-1:123456789012:security-group/${groupId(result, "network-app")}`,
      ]);
    });

    it("without a route to the internet the application reaches AWS through the endpoints only", async () => {
      const result = await planStack("dev", existing());
      const egress = rulesOf(result, EGRESS, groupId(result, "network-app"));
      assert.ok(!egress.some((rule) => rule.endsWith("0.0.0.0/0")));
      assert.ok(egress.includes(`tcp 443-443 ${groupId(result, "network-endpoints")}`));
    });

    it("with its own route to the internet the application may send HTTPS anywhere", async () => {
      const result = await planStack("dev", existing({ internetRoute: true }));
      assert.deepEqual(rulesOf(result, EGRESS, groupId(result, "network-app")), ["tcp 443-443 0.0.0.0/0"]);
    });

    it("looks up the subnets' route tables for the gateway endpoints, or takes the given ones", async () => {
      const lookedUp = await planStack("dev", existing());
      assert.deepEqual(inputsOf(resourceOf(lookedUp, ENDPOINT, "network-s3")).routeTableIds, [
        explicitTableOf(ZONE_A),
        explicitTableOf(ZONE_B),
      ]);
      const given = await planStack("dev", existing({ routeTableIds: ["rtb-0123456789abcdef0"] }));
      assert.deepEqual(inputsOf(resourceOf(given, ENDPOINT, "network-s3")).routeTableIds, [
        "rtb-0123456789abcdef0",
      ]);
    });

    it("asks EC2 for the route tables once per deployment, before any resource", async () => {
      const lookup = CALL_MOCKS["aws:ec2/getRouteTables:getRouteTables"];
      let calls = 0;
      CALL_MOCKS["aws:ec2/getRouteTables:getRouteTables"] = (inputs, context) => {
        calls++;
        return lookup(inputs, context);
      };
      try {
        await planStack("dev", existing());
      } finally {
        CALL_MOCKS["aws:ec2/getRouteTables:getRouteTables"] = lookup;
      }
      // One explicit-association query per subnet; the component reuses what validation found.
      assert.equal(calls, 2);
    });

    it("a subnet without an explicit association gets the VPC's main route table", async () => {
      const result = await withImplicitAssociations(() =>
        planStack("dev", existing({ privateSubnetIds: [ZONE_A, ZONE_B_MAIN_TABLE] })),
      );
      for (const name of ["network-s3", "network-dynamodb"]) {
        assert.deepEqual(inputsOf(resourceOf(result, ENDPOINT, name)).routeTableIds, [
          explicitTableOf(ZONE_A),
          mockMainRouteTableId(EXISTING_VPC),
        ]);
      }
    });

    it("subnets that all use the main route table share it", async () => {
      const result = await withImplicitAssociations(() =>
        planStack("dev", existing({ privateSubnetIds: [ZONE_B_MAIN_TABLE, ZONE_C_MAIN_TABLE] })),
      );
      assert.deepEqual(inputsOf(resourceOf(result, ENDPOINT, "network-s3")).routeTableIds, [
        mockMainRouteTableId(EXISTING_VPC),
      ]);
    });

    it("stops before any resource when EC2 shows no route table for a subnet", async () => {
      const problems = await withImplicitAssociations(() =>
        withoutMainRouteTable(() =>
          rejectedConfigProblems(
            planStack("dev", existing({ privateSubnetIds: [ZONE_A, ZONE_B_MAIN_TABLE] })),
          ),
        ),
      );
      assert.deepEqual(problems, [
        `flink-pipeline:network.routeTableIds must list the private subnets' route tables: EC2 shows none for ${ZONE_B_MAIN_TABLE} (no explicit association, and no main route table of ${EXISTING_VPC} visible to this account, as in a VPC shared through RAM), so the s3 and dynamodb gateway endpoints would get no route and the job could not reach them`,
      ]);
    });

    it("given route tables, or no gateway endpoint, need no route table lookup", async () => {
      const subnets = { privateSubnetIds: [ZONE_A, ZONE_B_MAIN_TABLE] };
      const given = await withoutMainRouteTable(() =>
        planStack("dev", existing({ ...subnets, routeTableIds: ["rtb-0123456789abcdef0"] })),
      );
      assert.deepEqual(inputsOf(resourceOf(given, ENDPOINT, "network-s3")).routeTableIds, [
        "rtb-0123456789abcdef0",
      ]);
      const interfacesOnly = await withoutMainRouteTable(() =>
        planStack(
          "dev",
          existing({ ...subnets, internetRoute: true, endpoints: { s3: false, dynamodb: false } }),
        ),
      );
      assert.deepEqual(
        resourcesOf(interfacesOnly, ENDPOINT)
          .map((e) => inputsOf(e).vpcEndpointType)
          .sort(),
        ["Interface", "Interface", "Interface", "Interface", "Interface"],
      );
    });

    it("reports the subnets it finds no route table for, and the tables it does find", async () => {
      const lookup = (subnets: string[]) =>
        runProgram(async () => ({ found: await findRouteTables(EXISTING_VPC, subnets) }), {
          project: "flink-pipeline",
          stack: "unit",
          config: { "aws:region": "us-east-1" },
        }).then((result) => result.outputs.found.value);
      assert.deepEqual(
        await withImplicitAssociations(() => lookup([ZONE_A, ZONE_B_MAIN_TABLE, ZONE_C_MAIN_TABLE])),
        {
          routeTableIds: [explicitTableOf(ZONE_A), mockMainRouteTableId(EXISTING_VPC)],
          unrouted: [],
        },
      );
      assert.deepEqual(
        await withImplicitAssociations(() =>
          withoutMainRouteTable(() => lookup([ZONE_A, ZONE_B_MAIN_TABLE, ZONE_C_MAIN_TABLE])),
        ),
        {
          routeTableIds: [explicitTableOf(ZONE_A)],
          unrouted: [ZONE_B_MAIN_TABLE, ZONE_C_MAIN_TABLE],
        },
      );
    });

    it("stops before any resource when the subnets share one availability zone", async () => {
      const problems = await withSubnetsAt({ [ZONE_A_AGAIN]: { availabilityZone: "us-east-1a" } }, () =>
        rejectedConfigProblems(planStack("dev", existing({ privateSubnetIds: [ZONE_A, ZONE_A_AGAIN] }))),
      );
      assert.deepEqual(problems, [
        `flink-pipeline:network.privateSubnetIds: the private subnets must span at least two availability zones so the application survives the loss of one (got ${ZONE_A} in us-east-1a, ${ZONE_A_AGAIN} in us-east-1a)`,
      ]);
    });

    it("stops before any resource when the subnets are in another VPC", async () => {
      const elsewhere = "vpc-0123456789abcdef0";
      const problems = await withSubnetsAt(
        { [ZONE_A]: { vpcId: elsewhere }, [ZONE_B]: { vpcId: elsewhere } },
        () => rejectedConfigProblems(planStack("dev", existing())),
      );
      assert.deepEqual(problems, [
        `flink-pipeline:network.privateSubnetIds: the private subnets must belong to VPC ${EXISTING_VPC}: ${ZONE_A} is in ${elsewhere}, ${ZONE_B} is in ${elsewhere}`,
      ]);
    });

    it("answers from the stack's own ids, and the plan says which answers it made up", async () => {
      const vpcId = "vpc-0fedcba9876543210";
      const subnets = ["subnet-0123456789abcdef0", "subnet-0fedcba98765432aa", "subnet-00000000000000001"];
      const result = await planStack("dev", {
        network: { mode: "existing", vpcId, privateSubnetIds: subnets },
      });
      assert.equal(inputsOf(resourceOf(result, SECURITY_GROUP, "network-app")).vpcId, vpcId);
      assert.deepEqual(
        inputsOf(resourceOf(result, ENDPOINT, "network-s3")).routeTableIds,
        subnets.map(explicitTableOf),
      );
      assert.deepEqual(
        result.simulated.filter((answer) => answer.startsWith("aws:ec2/getSubnet")),
        [
          `aws:ec2/getSubnet ${subnets[0]}: in ${vpcId} (network.vpcId), zone us-east-1a (listed subnet #1 gets the region's zone a)`,
          `aws:ec2/getSubnet ${subnets[1]}: in ${vpcId} (network.vpcId), zone us-east-1b (listed subnet #2 gets the region's zone b)`,
          `aws:ec2/getSubnet ${subnets[2]}: in ${vpcId} (network.vpcId), zone us-east-1c (listed subnet #3 gets the region's zone c)`,
        ],
      );
      assert.ok(result.simulated.some((answer) => answer.startsWith("aws:ec2/getRouteTables")));
      const tree = renderTree(result, "plan");
      assert.match(tree, /^Simulated look-ups \(no AWS to ask/m);
      for (const answer of result.simulated) assert.ok(tree.includes(`  ${answer}\n`), answer);
      assert.deepEqual(planDocument("flink-pipeline", "dev", result).simulated, result.simulated);
      assert.deepEqual((await planStack("dev")).simulated, [], "nothing is made up for a public stack");
    });
  });

  describe("validation through the stack", () => {
    it("names the key to change when a NAT-less VPC lacks the sink's endpoint", async () => {
      const problems = await rejectedConfigProblems(
        planStack("dev", {
          network: { mode: "create", natGateways: "none", endpoints: { dynamodb: false } },
        }),
      );
      assert.deepEqual(problems, [
        "flink-pipeline:network.endpoints.dynamodb must be true when flink-pipeline:network.natGateways is none: the job writes its features to DynamoDB and the VPC has no other way to reach it",
      ]);
    });
  });
});
