import { strict as assert } from "assert";
import { renderDiagram } from "../../tools/diagram";
import { checkPolicies, defaultPolicyConfig } from "../../tools/planPolicies";
import { PlanDocument } from "../../tools/planReport";
import { PlanResult, PlannedResource } from "../../tools/planRuntime";
import { readStackFiles } from "../../tools/stackFiles";
import { PROJECT_DIR, planInProcess, planStack, resourceOf, resourcesOf } from "../helpers";

const AWSX_VPC = "awsx:ec2:Vpc";
const NAT = "aws:ec2/natGateway:NatGateway";
const SUBNET = "aws:ec2/subnet:Subnet";
const ROUTE = "aws:ec2/route:Route";

/** The resources the plan lists inside the stack's awsx VPC. */
function createdByAwsx(plan: PlanResult): PlannedResource[] {
  const vpc = resourceOf(plan, AWSX_VPC);
  return plan.resources.filter((r) => r.createdBy === vpc.urn);
}

/** `type name` per child, counted: `{ "aws:ec2/subnet:Subnet": 6, ... }`. */
function countsByType(resources: PlannedResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

describe("the plan lists what awsx.ec2.Vpc creates", () => {
  let prod: PlanResult;
  before(async function () {
    this.timeout(60000);
    prod = await planStack("prod");
  });

  it("prod: 3 zones, one NAT gateway and EIP per zone, a table, association and route per subnet", () => {
    assert.deepEqual(countsByType(createdByAwsx(prod)), {
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/internetGateway:InternetGateway": 1,
      "aws:ec2/subnet:Subnet": 6,
      "aws:ec2/routeTable:RouteTable": 6,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
      "aws:ec2/eip:Eip": 3,
      "aws:ec2/natGateway:NatGateway": 3,
      "aws:ec2/route:Route": 6,
    });
  });

  it("parents them as awsx does, under the Vpc's URN, with URNs the engine would give them", () => {
    const component = resourceOf(prod, AWSX_VPC);
    const vpc = resourceOf(prod, "aws:ec2/vpc:Vpc");
    assert.equal(vpc.parent, component.urn);
    const subnet = resourceOf(prod, SUBNET, "network-public-1");
    assert.equal(subnet.parent, vpc.urn);
    const nat = resourceOf(prod, NAT, "network-1");
    assert.equal(nat.parent, subnet.urn);
    assert.equal(
      nat.urn,
      "urn:pulumi:prod::flink-pipeline::flink-pipeline:network:PipelineNetwork$awsx:ec2:Vpc$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet$aws:ec2/natGateway:NatGateway::network-1",
    );
    assert.deepEqual(
      nat.dependsOn,
      [resourceOf(prod, "aws:ec2/eip:Eip", "network-1").urn, subnet.urn].sort(),
    );
    // Every child's parent is in the plan, so the tree holds them all.
    const urns = new Set(prod.resources.map((r) => r.urn));
    assert.deepEqual(
      createdByAwsx(prod).filter((r) => !urns.has(r.parent!)),
      [],
    );
  });

  it("gives them the ids the component reports, so endpoints and grants point at listed subnets", () => {
    const component = resourceOf(prod, AWSX_VPC);
    const privateSubnets = resourcesOf(prod, SUBNET).filter((s) => s.name.includes("-private-"));
    assert.deepEqual(
      privateSubnets.map((s) => s.id),
      component.outputs.privateSubnetIds,
    );
    assert.deepEqual(
      privateSubnets.map((s) => s.inputs.cidrBlock),
      ["10.40.0.0/19", "10.40.64.0/19", "10.40.128.0/19"],
    );
    const routes = resourcesOf(prod, ROUTE).filter((r) => r.name.includes("-private-"));
    assert.deepEqual(
      routes.map((r) => r.inputs.natGatewayId),
      resourcesOf(prod, NAT).map((n) => n.id),
    );
  });

  it("the diagram draws the NAT gateways listed in the VPC", () => {
    const diagram = renderDiagram(prod.resources);
    assert.match(
      diagram,
      /subgraph vpc\["VPC 10\.40\.0\.0\/16"\]\n {4}nat0\(\["NAT gateway network-1"\]\)\n {4}nat1\(\["NAT gateway network-2"\]\)\n {4}nat2\(\["NAT gateway network-3"\]\)\n/,
    );
  });

  it("staging: 2 zones and a single NAT gateway that both private routes use", async () => {
    const staging = await planStack("staging");
    const nats = resourcesOf(staging, NAT);
    assert.deepEqual(
      nats.map((n) => n.name),
      ["network-1"],
    );
    assert.deepEqual(
      resourcesOf(staging, ROUTE)
        .filter((r) => r.name.includes("-private-"))
        .map((r) => r.inputs.natGatewayId),
      [nats[0].id, nats[0].id],
    );
  });

  it("without NAT gateways: isolated subnets, no NAT, EIP or route", async () => {
    const plan = await planStack("staging", {
      network: { mode: "create", cidrBlock: "10.30.0.0/16", availabilityZones: 2, natGateways: "none" },
    });
    assert.deepEqual(countsByType(createdByAwsx(plan)), {
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/internetGateway:InternetGateway": 1,
      "aws:ec2/subnet:Subnet": 2,
      "aws:ec2/routeTable:RouteTable": 2,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
    });
    assert.deepEqual(
      resourcesOf(plan, SUBNET).map((s) => (s.inputs.tags as Record<string, string>).SubnetType),
      ["Isolated", "Isolated"],
    );
  });

  it("a first preview lists them too, with ids not known yet", async () => {
    const plan = await planStack("prod", {}, { firstPreview: true });
    const children = createdByAwsx(plan);
    assert.equal(children.length, 32);
    assert.deepEqual(
      children.filter((c) => c.id !== undefined),
      [],
    );
  });

  it("says the list is simulated, in the look-ups and on every listed resource", async () => {
    assert.ok(
      prod.simulated.some((s) =>
        /^awsx:ec2:Vpc network: 32 resources awsx creates, computed from its args .*zones us-east-1a, us-east-1b, us-east-1c/.test(
          s,
        ),
      ),
      prod.simulated.join("\n"),
    );
    const tree = await planInProcess(["--stack", "prod"]);
    assert.match(
      tree.stdout,
      /aws:ec2\/natGateway:NatGateway {2}network-1 {2}\[simulated: created by awsx:ec2:Vpc network\]/,
    );
    const json = await planInProcess(["--stack", "prod", "--json"]);
    const document: PlanDocument = JSON.parse(json.stdout);
    const vpcUrn = document.resources.find((r) => r.type === AWSX_VPC)!.urn;
    assert.deepEqual(
      document.resources.filter((r) => r.createdBy !== undefined).map((r) => r.createdBy),
      Array(32).fill(vpcUrn),
    );
  });

  it("lists nothing for an existing VPC", async () => {
    const plan = await planStack("prod", {
      network: {
        mode: "existing",
        vpcId: "vpc-0123456789abcdef0",
        privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      },
    });
    assert.deepEqual(
      plan.resources.filter((r) => r.createdBy !== undefined),
      [],
    );
  });

  it("the policies judge them: a NAT gateway without the required tags is reported", async () => {
    const files = readStackFiles(PROJECT_DIR, "prod");
    const config = Object.fromEntries(
      Object.entries(files.config).filter(([key]) => key !== "aws:defaultTags"),
    );
    const untagged = await planStack("prod", { "aws:defaultTags": undefined });
    const violations = await checkPolicies(
      untagged.resources,
      { ...files, config },
      defaultPolicyConfig(files),
    );
    const nat = resourceOf(untagged, NAT, "network-1");
    const found = violations.find((v) => v.policy === "required-tags" && v.urn === nat.urn);
    assert.ok(found, JSON.stringify(violations.map((v) => [v.policy, v.urn])));
    assert.match(found.message, /Missing tags: environment, project, owner, cost-center\./);
  });
});
