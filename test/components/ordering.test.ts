import { strict as assert } from "assert";
import { PlanResult } from "../../tools/planRuntime";
import { planStack, resourceOf, resourcesOf } from "../helpers";

const APPLICATION = "aws:kinesisanalyticsv2/application:Application";

/** URNs of every resource of `types` the application does not wait for. */
function notAwaited(plan: PlanResult, types: string[]): string[] {
  const awaited = new Set(resourceOf(plan, APPLICATION).dependsOn);
  return types.flatMap((type) =>
    resourcesOf(plan, type)
      .map((resource) => resource.urn)
      .filter((urn) => !awaited.has(urn)),
  );
}

/** The application starts only once everything it reads or connects to at its first start exists. */
describe("what the application waits for", () => {
  it("a Kafka job: its topics, ACLs, Schema Registry role bindings and client configs", async () => {
    const plan = await planStack("kafka-dev");
    const types = [
      "confluentcloud:index/kafkaTopic:KafkaTopic",
      "confluentcloud:index/kafkaAcl:KafkaAcl",
      "confluentcloud:index/roleBinding:RoleBinding",
      "aws:secretsmanager/secretVersion:SecretVersion",
      "aws:ssm/parameter:Parameter",
    ];
    for (const type of types) assert.ok(resourcesOf(plan, type).length > 0, `kafka-dev has no ${type}`);
    assert.deepEqual(notAwaited(plan, types), []);
  });

  for (const stack of ["staging", "prod"]) {
    it(`${stack} in its VPC: every security-group rule and VPC endpoint`, async () => {
      const plan = await planStack(stack);
      const types = [
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
      ];
      for (const type of [types[0], types[2]]) {
        assert.ok(resourcesOf(plan, type).length > 0, `${stack} has no ${type}`);
      }
      assert.deepEqual(notAwaited(plan, types), []);
    });
  }

  it("every stack: its grants and its code object", async () => {
    const plan = await planStack("dev");
    assert.deepEqual(
      notAwaited(plan, ["aws:iam/rolePolicy:RolePolicy", "aws:s3/bucketObject:BucketObject"]),
      [],
    );
  });
});
