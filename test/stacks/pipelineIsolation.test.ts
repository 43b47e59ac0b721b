/**
 * Isolation of the pipelines of one stack: every IAM statement a pipeline's role holds, read
 * without its conditions (so a condition never hides a reach), reaches none of another
 * pipeline's stream (and consumers), table (and indexes), artifact object, secrets or Kafka client
 * parameters; each Confluent pipeline's Kafka ACLs name only its own topics.
 */
import { strict as assert } from "assert";
import { PlanResult } from "../../tools/planRuntime";
import { PolicyStatement, inputsOf, pipelineOf, planStack, resourcesOf, statementsOf } from "../helpers";
import { isAllowed } from "../iamSimulation";

/** The ARNs of what is a pipeline's own, by pipeline: what no other pipeline's role may reach. */
function ownResources(plan: PlanResult): Map<string, string[]> {
  const derived: Record<string, (arn: string) => string[]> = {
    "aws:kinesis/stream:Stream": (arn) => [arn, `${arn}/consumer/any-consumer:1700000000`],
    "aws:dynamodb/table:Table": (arn) => [
      arn,
      `${arn}/index/any-index`,
      `${arn}/stream/2025-01-01T00:00:00.000`,
    ],
    "aws:s3/bucketObject:BucketObject": (arn) => [arn],
    "aws:secretsmanager/secret:Secret": (arn) => [arn],
    "aws:ssm/parameter:Parameter": (arn) => [arn],
  };
  const own = new Map<string, string[]>();
  for (const resource of plan.resources) {
    const expand = derived[resource.type];
    const pipeline = pipelineOf(plan, resource);
    if (!expand || pipeline === undefined) continue;
    own.set(pipeline, [...(own.get(pipeline) ?? []), ...expand(resource.outputs.arn as string)]);
  }
  return own;
}

/** Every statement of each pipeline's role, by pipeline (grants parented anywhere, matched by role name). */
function roleStatements(plan: PlanResult): Map<string, PolicyStatement[]> {
  const pipelineByRole = new Map(
    resourcesOf(plan, "aws:iam/role:Role").map((role) => [
      role.outputs.name as string,
      pipelineOf(plan, role)!,
    ]),
  );
  const statements = new Map<string, PolicyStatement[]>();
  for (const policy of resourcesOf(plan, "aws:iam/rolePolicy:RolePolicy")) {
    const pipeline = pipelineByRole.get(inputsOf(policy).role);
    assert.ok(pipeline, `${policy.name} grants a role of no pipeline`);
    statements.set(pipeline, [...(statements.get(pipeline) ?? []), ...statementsOf(policy)]);
  }
  return statements;
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const serviceOf = (arn: string) => arn.split(":")[2];

/** Every (action, resource) a role's statements allow among `resources`, conditions ignored. */
function reaches(statements: PolicyStatement[], resources: string[]): string[] {
  const allows = statements
    .filter((statement) => statement.Effect === "Allow")
    .map((statement) => ({ ...statement, Condition: undefined }));
  const found: string[] = [];
  for (const statement of allows) {
    for (const action of list(statement.Action)) {
      for (const resource of resources.filter((arn) => serviceOf(arn) === action.split(":")[0])) {
        if (isAllowed(allows, { action, resource })) found.push(`${action} ${resource}`);
      }
    }
  }
  return [...new Set(found)];
}

describe("the pipelines of a stack are isolated", () => {
  let plan: PlanResult;
  let own: Map<string, string[]>;
  let statements: Map<string, PolicyStatement[]>;
  before(async () => {
    plan = await planStack("pipelines-dev");
    own = ownResources(plan);
    statements = roleStatements(plan);
  });

  it("reads a role and resources for each of the three pipelines", () => {
    assert.deepEqual([...statements.keys()].sort(), ["clicks", "orders", "payments"]);
    assert.deepEqual([...own.keys()].sort(), ["clicks", "orders", "payments"]);
  });

  it("lets each role reach its own source, table and artifact object", () => {
    for (const [pipeline, granted] of statements) {
      const reached = reaches(granted, own.get(pipeline)!);
      for (const service of ["dynamodb", "s3", pipeline === "payments" ? "secretsmanager" : "kinesis"]) {
        assert.ok(
          reached.some((entry) => entry.startsWith(`${service}:`)),
          `${pipeline} reaches no ${service} resource of its own: ${reached.join(", ")}`,
        );
      }
    }
  });

  it("lets no role reach another pipeline's stream, table, artifact object, secrets or parameters", () => {
    for (const [pipeline, granted] of statements) {
      for (const [other, resources] of own) {
        if (other === pipeline) continue;
        assert.deepEqual(reaches(granted, resources), [], `${pipeline}'s role reaches ${other}'s resources`);
      }
    }
  });

  it("finds a reach when a grant names a pattern over the stack's tables", () => {
    const table = own.get("orders")!.find((arn) => serviceOf(arn) === "dynamodb")!;
    const leaky: PolicyStatement = {
      Effect: "Allow",
      Action: ["dynamodb:BatchWriteItem"],
      Resource: table.replace(/table\/.*$/, "table/flink-pipeline-pipelines-dev-*"),
    };
    assert.deepEqual(reaches([...statements.get("clicks")!, leaky], own.get("orders")!), [
      `dynamodb:BatchWriteItem ${table}`,
      `dynamodb:BatchWriteItem ${table}/index/any-index`,
      `dynamodb:BatchWriteItem ${table}/stream/2025-01-01T00:00:00.000`,
    ]);
  });

  it("gives each Confluent job ACLs on its own topics only", () => {
    const topicsOf = new Map<string, Set<string>>();
    for (const topic of resourcesOf(plan, "confluentcloud:index/kafkaTopic:KafkaTopic")) {
      const pipeline = pipelineOf(plan, topic)!;
      topicsOf.set(pipeline, new Set([...(topicsOf.get(pipeline) ?? []), inputsOf(topic).topicName]));
    }
    const acls = resourcesOf(plan, "confluentcloud:index/kafkaAcl:KafkaAcl").filter(
      (acl) => inputsOf(acl).resourceType === "TOPIC",
    );
    assert.ok(acls.length > 0);
    for (const acl of acls) {
      assert.ok(topicsOf.get(pipelineOf(plan, acl)!)?.has(inputsOf(acl).resourceName), acl.name);
    }
  });
});
