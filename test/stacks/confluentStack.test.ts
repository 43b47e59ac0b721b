import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { planDocument, renderTree } from "../../tools/planReport";
import { PlanResult, unwrapSecrets } from "../../tools/planRuntime";
import {
  API_KEY,
  CLOUD_API_KEY,
  CLOUD_API_SECRET,
  generationOf,
  idOf,
  jobKeys,
  planKafka,
  propertyGroups,
  secretValue,
} from "../confluentHelpers";
import { grantedStatements, inputsOf, planStack, resourceOf, resourcesOf, statementsOf } from "../helpers";

const NOW = "2025-03-10T09:00:00Z";
const PREFIX = "/confluent_cloud_resource/flink-pipeline-kafka-dev";
const SECRETS_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";
const PARAMETER_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter";
const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const credentials = {
  secrets: { "confluentcloud:cloudApiKey": CLOUD_API_KEY, "confluentcloud:cloudApiSecret": CLOUD_API_SECRET },
};

/** Every secret value the plan holds: API key secrets, the cloud key, and the secret strings. */
function secretValues(result: PlanResult): string[] {
  const keySecrets = resourcesOf(result, API_KEY).map((key) => String(unwrapSecrets(key.outputs.secret)));
  assert.ok(
    keySecrets.every((secret) => secret.startsWith("cflt")),
    "every API key has a mock secret",
  );
  return [...keySecrets, CLOUD_API_KEY, CLOUD_API_SECRET];
}

function assertFreeOf(text: string, secrets: string[], where: string): void {
  for (const secret of secrets)
    assert.ok(!text.includes(secret), `${where} holds the secret ${secret.slice(0, 8)}...`);
}

describe("confluent stack", function () {
  this.timeout(60_000);
  let result: PlanResult;
  before(async () => {
    result = await planKafka(NOW, credentials);
  });

  describe("client configs", () => {
    it("writes the Kafka secret with exactly sasl.jaas.config and bootstrap.servers, without the scheme", () => {
      const newest = jobKeys(result, "kafka").at(-1)!;
      const secret = secretValue(result, "/kafka_cluster/java_client");
      assert.deepEqual(Object.keys(secret).sort(), ["bootstrap.servers", "sasl.jaas.config"]);
      assert.match(secret["bootstrap.servers"], /^pkc-[0-9a-f]{5}\.us-east-1\.aws\.confluent\.cloud:9092$/);
      const keySecret = String(unwrapSecrets(newest.outputs.secret));
      assert.equal(
        secret["sasl.jaas.config"],
        `org.apache.kafka.common.security.plain.PlainLoginModule required username='${idOf(newest)}' password='${keySecret}';`,
      );
    });

    it("writes the Schema Registry secret with the three client keys", () => {
      const newest = jobKeys(result, "sr").at(-1)!;
      const secret = secretValue(result, "/schema_registry_cluster/java_client");
      assert.deepEqual(secret, {
        "basic.auth.credentials.source": "USER_INFO",
        "basic.auth.user.info": `${idOf(newest)}:${String(unwrapSecrets(newest.outputs.secret))}`,
        "schema.registry.url": secret["schema.registry.url"],
      });
      assert.match(
        secret["schema.registry.url"],
        /^https:\/\/psrc-[0-9a-f]{5}\.us-east-1\.aws\.confluent\.cloud$/,
      );
    });

    it("names the secrets under the default prefix of the service account", () => {
      const names = resourcesOf(result, "aws:secretsmanager/secret:Secret")
        .map((s) => inputsOf(s).name)
        .sort();
      assert.deepEqual(names, [
        `${PREFIX}/kafka_cluster/java_client`,
        `${PREFIX}/schema_registry_cluster/java_client`,
      ]);
    });

    it("deletes the secrets at once in a destroyable stack, and keeps them recoverable in a protected one", async () => {
      const windows = (plan: PlanResult) =>
        resourcesOf(plan, "aws:secretsmanager/secret:Secret").map((s) => inputsOf(s).recoveryWindowInDays);
      assert.deepEqual(windows(result), [0, 0]);
      const protectedPlan = await planKafka(NOW, { ...credentials, overrides: { protect: "true" } });
      assert.deepEqual(windows(protectedPlan), [30, 30]);
    });

    it("writes one plain SSM parameter per client setting, Confluent's recommendations by default", () => {
      const parameters = Object.fromEntries(
        resourcesOf(result, "aws:ssm/parameter:Parameter").map((p) => {
          const inputs = inputsOf(p);
          assert.equal(inputs.type, "String");
          return [inputs.name, inputs.insecureValue];
        }),
      );
      assert.deepEqual(parameters, {
        [`${PREFIX}/consumer_kafka_client/client.dns.lookup`]: "use_all_dns_ips",
        [`${PREFIX}/consumer_kafka_client/sasl.mechanism`]: "PLAIN",
        [`${PREFIX}/consumer_kafka_client/security.protocol`]: "SASL_SSL",
        [`${PREFIX}/consumer_kafka_client/session.timeout.ms`]: "45000",
        [`${PREFIX}/producer_kafka_client/acks`]: "all",
        [`${PREFIX}/producer_kafka_client/client.dns.lookup`]: "use_all_dns_ips",
        [`${PREFIX}/producer_kafka_client/sasl.mechanism`]: "PLAIN",
        [`${PREFIX}/producer_kafka_client/security.protocol`]: "SASL_SSL",
        [`${PREFIX}/producer_kafka_client/session.timeout.ms`]: "45000",
        [`${PREFIX}/producer_kafka_client/transaction.timeout.ms`]: "900000",
      });
    });

    it("takes the stack's prefix and overrides", async () => {
      const custom = await planKafka(NOW, {
        overrides: {
          source: {
            kind: "confluent",
            environmentId: "env-abc123",
            clusterId: "lkc-abc123",
            topics: [{ name: "orders" }],
            clientConfig: { prefix: "/teams/scoring", consumer: { "max.poll.records": 200 } },
          },
        },
      });
      const names = resourcesOf(custom, "aws:ssm/parameter:Parameter").map((p) => inputsOf(p).name);
      assert.ok(names.includes("/teams/scoring/consumer_kafka_client/max.poll.records"));
      assert.ok(names.every((name) => name.startsWith("/teams/scoring/")));
      assert.equal(
        secretValue(custom, "/kafka_cluster/java_client")["bootstrap.servers"].includes("://"),
        false,
      );
      assert.ok(
        resourcesOf(custom, "aws:secretsmanager/secret:Secret").every((s) =>
          inputsOf(s).name.startsWith("/teams/scoring/"),
        ),
      );
    });
  });

  describe("IAM", () => {
    it("lets the Flink role read exactly what the job reads: the Kafka secret and the consumer path", () => {
      const policy = resourceOf(result, "aws:iam/rolePolicy:RolePolicy", "kafka-client-read");
      const secretArns = resourcesOf(result, "aws:secretsmanager/secret:Secret")
        .map((s) => String(s.outputs.arn))
        .sort();
      assert.equal(secretArns.length, 2);
      assert.ok(secretArns.every((arn) => arn.startsWith(`${SECRETS_ARN}${PREFIX}/`)));
      assert.deepEqual(statementsOf(policy), [
        {
          Sid: "ReadKafkaClientSecrets",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue"],
          Resource: [secretArns.find((arn) => arn.includes("/kafka_cluster/"))],
        },
        {
          Sid: "ReadKafkaClientParameters",
          Effect: "Allow",
          Action: ["ssm:GetParametersByPath"],
          Resource: [
            `${PARAMETER_ARN}${PREFIX}/consumer_kafka_client`,
            `${PARAMETER_ARN}${PREFIX}/consumer_kafka_client/*`,
          ],
        },
      ]);
    });

    it("grants no KMS, Kinesis or wildcard secret access without a customer-managed key", () => {
      const statements = grantedStatements(result);
      const actions = statements.flatMap((s) => [s.Action].flat());
      assert.ok(!actions.some((a) => a.startsWith("kms:") || a.startsWith("kinesis:")), actions.join(","));
      for (const statement of statements) {
        const resources = [statement.Resource].flat();
        const touchesSecrets = [statement.Action]
          .flat()
          .some((a) => a.startsWith("secretsmanager:") || a.startsWith("ssm:"));
        if (touchesSecrets) assert.ok(!resources.includes("*"), `${statement.Sid} on *`);
      }
    });

    it("adds kms:Decrypt on the configured key only, through Secrets Manager", async () => {
      const withKey = await planKafka(NOW, {
        overrides: {
          source: {
            kind: "confluent",
            environmentId: "env-abc123",
            clusterId: "lkc-abc123",
            topics: [{ name: "orders" }],
            secretsKmsKeyArn: KMS_KEY,
          },
        },
      });
      const decrypt = grantedStatements(withKey).filter((s) =>
        [s.Action].flat().some((a) => a.startsWith("kms:")),
      );
      assert.deepEqual(decrypt, [
        {
          Sid: "DecryptKafkaClientSecrets",
          Effect: "Allow",
          Action: ["kms:Decrypt"],
          Resource: KMS_KEY,
          Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
        },
      ]);
      for (const secret of resourcesOf(withKey, "aws:secretsmanager/secret:Secret")) {
        assert.equal(inputsOf(secret).kmsKeyId, KMS_KEY);
      }
    });
  });

  describe("Confluent access", () => {
    it("creates the topics with their partitions and config, managed with the stable manager key", () => {
      const managerKey = resourceOf(result, API_KEY, "source-manager-key");
      const topic = inputsOf(resourceOf(result, "confluentcloud:index/kafkaTopic:KafkaTopic"));
      assert.equal(topic.topicName, "feature-events");
      assert.equal(topic.partitionsCount, 6);
      assert.deepEqual(topic.config, { "retention.ms": "604800000", "cleanup.policy": "delete" });
      assert.equal(topic.credentials.key, idOf(managerKey));
      assert.equal(topic.kafkaCluster.id, "lkc-abc123");
      assert.match(topic.restEndpoint, /^https:\/\/pkc-[0-9a-f]{5}\.us-east-1\.aws\.confluent\.cloud:443$/);
      for (const acl of resourcesOf(result, "confluentcloud:index/kafkaAcl:KafkaAcl")) {
        assert.equal(inputsOf(acl).credentials.key, idOf(managerKey), `${acl.name} uses the manager key`);
      }
    });

    it("gives the job's account read on its topic and group prefix, and nothing else", () => {
      const account = resourceOf(
        result,
        "confluentcloud:index/serviceAccount:ServiceAccount",
        "source-account",
      );
      const acls = resourcesOf(result, "confluentcloud:index/kafkaAcl:KafkaAcl").map((acl) => {
        const i = inputsOf(acl);
        return `${i.permission} ${i.operation} ${i.resourceType}:${i.resourceName} ${i.patternType} ${i.principal} ${i.host}`;
      });
      assert.deepEqual(acls.sort(), [
        `ALLOW READ GROUP:flink-pipeline-kafka-dev PREFIXED User:${idOf(account)} *`,
        `ALLOW READ TOPIC:feature-events LITERAL User:${idOf(account)} *`,
      ]);
    });

    it("adds write on sink topics, and Schema Registry roles on exactly their subjects", async () => {
      const withSink = await planKafka(NOW, {
        overrides: {
          source: {
            kind: "confluent",
            environmentId: "env-abc123",
            clusterId: "lkc-abc123",
            topics: [{ name: "orders" }],
            sinkTopics: [{ name: "order-features", partitions: 3 }],
          },
        },
      });
      const acls = resourcesOf(withSink, "confluentcloud:index/kafkaAcl:KafkaAcl").map((acl) => {
        const i = inputsOf(acl);
        return `${i.operation} ${i.resourceType}:${i.resourceName} ${i.patternType}`;
      });
      assert.deepEqual(acls.sort(), [
        "READ GROUP:flink-pipeline-kafka-dev PREFIXED",
        "READ TOPIC:orders LITERAL",
        "WRITE TOPIC:order-features LITERAL",
      ]);
      const bindings = resourcesOf(withSink, "confluentcloud:index/roleBinding:RoleBinding").map((b) => {
        const i = inputsOf(b);
        return `${i.roleName} ${i.crnPattern.replace(/^.*\/schema-registry=lsrc-[0-9a-f]+\//, "")}`;
      });
      assert.deepEqual(bindings.sort(), [
        "CloudClusterAdmin crn://confluent.cloud/organization=1111aaaa-11aa-11aa-11aa-111111aaaaaa/environment=env-abc123/cloud-cluster=lkc-abc123",
        "DeveloperRead subject=orders-key",
        "DeveloperRead subject=orders-value",
        "DeveloperWrite subject=order-features-key",
        "DeveloperWrite subject=order-features-value",
      ]);
      const admin = resourceOf(
        withSink,
        "confluentcloud:index/roleBinding:RoleBinding",
        "source-manager-admin",
      );
      const manager = resourceOf(
        withSink,
        "confluentcloud:index/serviceAccount:ServiceAccount",
        "source-manager",
      );
      assert.equal(inputsOf(admin).principal, `User:${idOf(manager)}`);
    });

    it("owns one Kafka and one Schema Registry key per live generation by the job's account", () => {
      const account = resourceOf(
        result,
        "confluentcloud:index/serviceAccount:ServiceAccount",
        "source-account",
      );
      for (const kind of ["kafka", "sr"] as const) {
        const keys = jobKeys(result, kind);
        assert.deepEqual(keys.map(generationOf), ["g0001", "g0002"]);
        for (const key of keys) {
          const i = inputsOf(key);
          assert.deepEqual(i.owner, { id: idOf(account), apiVersion: "iam/v2", kind: "ServiceAccount" });
          assert.equal(i.managedResource.environment.id, "env-abc123");
          assert.equal(i.managedResource.kind, "Cluster");
          assert.equal(i.managedResource.apiVersion, kind === "kafka" ? "cmk/v2" : "srcm/v3");
        }
      }
    });
  });

  describe("the application", () => {
    it("gets where to connect and where to read credentials in its source group, never a credential", () => {
      const source = propertyGroups(result).source;
      const kafkaSecret = resourcesOf(result, "aws:secretsmanager/secret:Secret").find(
        (s) => s.name === "kafka-client-kafka",
      )!;
      const registrySecret = resourcesOf(result, "aws:secretsmanager/secret:Secret").find(
        (s) => s.name === "kafka-client-schema-registry",
      )!;
      assert.deepEqual(source, {
        kind: "confluent",
        "bootstrap.servers": source["bootstrap.servers"],
        topics: "feature-events",
        "group.id": "flink-pipeline-kafka-dev",
        "starting.offsets": "committed",
        "kafka.secret.arn": kafkaSecret.outputs.arn,
        "schema.registry.secret.arn": registrySecret.outputs.arn,
        "consumer.parameters.path": `${PREFIX}/consumer_kafka_client`,
        "producer.parameters.path": `${PREFIX}/producer_kafka_client`,
        "api.key.id": idOf(jobKeys(result, "kafka").at(-1)!),
        "aws.region": "us-east-1",
      });
      assert.ok(!source["bootstrap.servers"].includes("SASL_SSL://"));
    });

    it("holds no secret value in any property group, and its property groups are not secret", () => {
      const app = resourceOf(result, "aws:kinesisanalyticsv2/application:Application");
      const configuration = app.inputs.applicationConfiguration as {
        environmentProperties: { propertyGroups: unknown };
      };
      assert.equal(pulumi.runtime.isRpcSecret(configuration), false);
      assert.equal(pulumi.runtime.isRpcSecret(configuration.environmentProperties.propertyGroups), false);
      const text = JSON.stringify(propertyGroups(result));
      assertFreeOf(text, secretValues(result), "the property groups");
      assert.ok(!/sasl\.jaas\.config|basic\.auth\.user\.info|password/.test(text));
    });

    it("restarts only after the secrets and parameters hold the new key", () => {
      const app = resourceOf(result, "aws:kinesisanalyticsv2/application:Application");
      const waitsFor = [
        ...resourcesOf(result, "aws:secretsmanager/secretVersion:SecretVersion"),
        ...resourcesOf(result, "aws:ssm/parameter:Parameter"),
        resourceOf(result, "aws:iam/rolePolicy:RolePolicy", "kafka-client-read"),
      ];
      for (const resource of waitsFor)
        assert.ok(app.dependsOn.includes(resource.urn), `the application waits for ${resource.name}`);
    });

    it("changes its api.key.id, so it restarts, when a deployment rotates the key", async () => {
      const before = await planKafka("2025-03-31T09:00:00Z");
      const after = await planKafka("2025-04-01T09:00:00Z");
      assert.deepEqual(jobKeys(before, "kafka").map(generationOf), ["g0001", "g0002"]);
      assert.deepEqual(jobKeys(after, "kafka").map(generationOf), ["g0002", "g0003"]);
      assert.notEqual(
        propertyGroups(before).source["api.key.id"],
        propertyGroups(after).source["api.key.id"],
      );
      assert.equal(propertyGroups(after).source["api.key.id"], idOf(jobKeys(after, "kafka").at(-1)!));
    });

    it("registers the same keys and properties for two deployments within a period", async () => {
      const early = await planKafka("2025-03-03T09:00:00Z");
      const late = await planKafka("2025-03-31T23:59:59Z");
      assert.deepEqual(
        jobKeys(early, "kafka").map((k) => k.name),
        jobKeys(late, "kafka").map((k) => k.name),
      );
      assert.deepEqual(
        jobKeys(early, "kafka").map((k) => inputsOf(k)),
        jobKeys(late, "kafka").map((k) => inputsOf(k)),
      );
      assert.deepEqual(propertyGroups(early), propertyGroups(late));
    });
  });

  describe("secrets", () => {
    it("keeps the provider's credentials, the API key secrets and the secret strings as Pulumi secrets", () => {
      const provider = resourceOf(result, "pulumi:providers:confluentcloud");
      assert.equal(pulumi.runtime.isRpcSecret(provider.inputs.cloudApiKey), true);
      assert.equal(pulumi.runtime.isRpcSecret(provider.inputs.cloudApiSecret), true);
      for (const key of resourcesOf(result, API_KEY)) {
        assert.equal(pulumi.runtime.isRpcSecret(key.outputs.secret), true, `${key.name}.secret`);
      }
      for (const version of resourcesOf(result, "aws:secretsmanager/secretVersion:SecretVersion")) {
        assert.equal(
          pulumi.runtime.isRpcSecret(version.inputs.secretString),
          true,
          `${version.name}.secretString`,
        );
      }
    });

    it("prints no secret in the plan's tree or JSON, and marks them [secret]", () => {
      const tree = renderTree(result, "plan");
      const json = JSON.stringify(planDocument("flink-pipeline", "kafka-dev", result));
      const secrets = secretValues(result);
      assertFreeOf(tree, secrets, "the plan tree");
      assertFreeOf(json, secrets, "the JSON plan");
      assert.match(tree, /cloudApiSecret=\[secret\]/);
      assert.match(tree, /secretString=\[secret\]/);
      assert.ok(!json.includes("PlainLoginModule"), "the JAAS config is redacted as a whole");
    });

    it("outputs where the job connects, no stream, and nothing secret", () => {
      assert.deepEqual(Object.keys(result.outputs).sort(), [
        "activeApiKeyId",
        "alarmNames",
        "alarmTopicArn",
        "applicationArn",
        "applicationName",
        "artifactBucket",
        "artifactKey",
        "bootstrapServers",
        "consoleUrl",
        "consumerGroup",
        "consumerParametersPath",
        "dashboardName",
        "dashboardUrl",
        "kafkaSecretArn",
        "keyGenerations",
        "logGroupName",
        "nextKeyRotation",
        "producerParametersPath",
        "roleArn",
        "schemaRegistrySecretArn",
        "serviceAccountId",
        "tableName",
        "topics",
      ]);
      assert.deepEqual(result.outputs.keyGenerations.value, ["g0001", "g0002"]);
      assert.equal(result.outputs.nextKeyRotation.value, "2025-04-01T00:00:00.000Z");
      for (const [key, output] of Object.entries(result.outputs))
        assert.equal(output.secret, false, `${key} is plain`);
      assertFreeOf(JSON.stringify(result.outputs), secretValues(result), "the stack outputs");
    });
  });

  it("leaves Kinesis stacks without any Confluent resource", async () => {
    const dev = await planStack("dev");
    assert.deepEqual(
      dev.resources.filter(
        (r) =>
          r.type.startsWith("confluentcloud:") || r.type.includes("secretsmanager") || r.type.includes("ssm"),
      ),
      [],
    );
    assert.ok("streamName" in dev.outputs && !("bootstrapServers" in dev.outputs));
    assert.equal(propertyGroups(dev).source.kind, "kinesis");
  });
});
