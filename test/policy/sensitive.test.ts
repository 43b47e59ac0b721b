import * as assert from "assert";
import { isSensitiveName, secretShape } from "../../policy/lib/sensitive";

describe("credential heuristics", () => {
  const names: [string, boolean][] = [
    ["sasl.jaas.config", true],
    ["basic.auth.user.info", true],
    ["schema.registry.password", true],
    ["kafka.api.key", true],
    ["kafka.api_secret", true],
    ["client.secret.arn", false],
    ["kafkaSecretName", false],
    ["secret.id", false],
    ["bootstrap.servers", false],
    ["stream.name", false],
  ];
  for (const [name, sensitive] of names) {
    it(`${name} ${sensitive ? "names" : "does not name"} a credential`, () =>
      assert.strictEqual(isSensitiveName(name), sensitive));
  }

  const values: [string, RegExp | undefined][] = [
    ["org.apache.kafka.common.security.scram.ScramLoginModule required username='u' password='p';", /JAAS/],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIE...", /PEM private key/],
    ["AKIAIOSFODNN7EXAMPLE", /AWS access key id/],
    ["ZLDTNNFDQYOVUXSM", /Confluent Cloud API key/],
    ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", /high-entropy/],
    ["FlinkPipelineDevConsumerGroupNumber2024Orders", undefined],
    ["a3f9c2e1d4b5a6978877665544332211aabbccddeeff00112233445566778899", undefined],
    ["flink-pipeline/dev/kafka_cluster/java_client", undefined],
    ["pkc-12345.us-east-1.aws.confluent.cloud:9092", undefined],
    ["TRIM_HORIZON", undefined],
  ];
  for (const [value, shape] of values) {
    it(`${JSON.stringify(value.slice(0, 40))} ${shape ? "looks" : "does not look"} like a credential`, () => {
      const found = secretShape(value);
      if (shape) {
        assert.match(found ?? "", shape);
      } else {
        assert.strictEqual(found, undefined);
      }
    });
  }
  const named: [string, string, RegExp | undefined][] = [
    ["api.key.id", "ZLDTNNFDQYOVUXSM", undefined],
    ["kafka.api-key-id", "ZLDTNNFDQYOVUXSM", undefined],
    ["client.id", "ZLDTNNFDQYOVUXSM", /Confluent Cloud API key/],
    ["api.key.id", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", /high-entropy/],
  ];
  for (const [name, value, shape] of named) {
    it(`under ${name}, ${JSON.stringify(value.slice(0, 20))} ${shape ? "looks" : "does not look"} like a credential`, () => {
      const found = secretShape(value, name);
      if (shape) {
        assert.match(found ?? "", shape);
      } else {
        assert.strictEqual(found, undefined);
      }
    });
  }
});
