import { TYPES } from "../../../policy/lib/resourceTypes";
import { logGroupRetention } from "../../../policy/policies/logs";
import { secretDescription, ssmSensitiveSecureString } from "../../../policy/policies/secrets";
import { PolicyCaseTable, resource, UNKNOWN_STRING } from "../harness";

const logGroup = (props: Record<string, unknown>) =>
  resource(TYPES.logGroup, "app-logs", { name: "/flink/app", ...props });
const secret = (props: Record<string, unknown>) =>
  resource(TYPES.secret, "kafka", { name: "flink/dev/kafka", ...props });
const parameter = (props: Record<string, unknown>) => resource(TYPES.ssmParameter, "param", props);

export const logsSecretsCases: PolicyCaseTable[] = [
  {
    policy: logGroupRetention,
    cases: [
      {
        title: "30 days of retention complies",
        input: logGroup({ retentionInDays: 30 }),
        expect: "compliant",
      },
      { title: "no retention is reported", input: logGroup({}), expect: [/keeps events forever/] },
      {
        title: "0 (never expire) is reported",
        input: logGroup({ retentionInDays: 0 }),
        expect: [/keeps events forever/],
      },
    ],
  },
  {
    policy: secretDescription,
    cases: [
      {
        title: "a described secret complies",
        input: secret({ description: "Kafka client config for the job" }),
        expect: "compliant",
      },
      {
        title: "preview: a computed description complies",
        input: secret({ description: UNKNOWN_STRING }),
        expect: "compliant",
      },
      {
        title: "a secret without description is reported",
        input: secret({}),
        expect: [/Secret has no description/],
      },
      {
        title: "a blank description is reported",
        input: secret({ description: "  " }),
        expect: [/no description/],
      },
    ],
  },
  {
    policy: ssmSensitiveSecureString,
    cases: [
      {
        title: "a plain setting may be a String",
        input: parameter({
          name: "/flink/dev/consumer_kafka_client/bootstrap.servers",
          type: "String",
          value: "pkc-1:9092",
        }),
        expect: "compliant",
      },
      {
        title: "a path segment named secrets does not make a setting sensitive",
        input: parameter({ name: "/flink/dev/secrets/session.timeout.ms", type: "String", value: "45000" }),
        expect: "compliant",
      },
      {
        title: "a sensitive SecureString complies",
        input: parameter({
          name: "/flink/dev/consumer_kafka_client/sasl.jaas.config",
          type: "SecureString",
          value: "x",
        }),
        expect: "compliant",
      },
      {
        title: "a sensitive name as String is reported",
        input: parameter({
          name: "/flink/dev/consumer_kafka_client/sasl.jaas.config",
          type: "String",
          value: "x",
        }),
        expect: [
          /"\/flink\/dev\/consumer_kafka_client\/sasl.jaas.config" is String but its name says it holds a credential/,
        ],
      },
      {
        title: "an autonamed parameter holding an access key is reported",
        input: parameter({ type: "String", insecureValue: "AKIAIOSFODNN7EXAMPLE" }),
        expect: [/Parameter "param" is String but its value looks like an AWS access key id/],
      },
    ],
  },
];
