"""Pure configuration handling: the connector options built from the property groups, and the
Kafka client configuration read from (fake) SSM and Secrets Manager clients."""

import json
import unittest

import kafka_client
import main

KAFKA_SOURCE = {
    "kind": "confluent",
    "aws.region": "us-east-1",
    "bootstrap.servers": "broker:9092",
    "topics": "a, b",
    "group.id": "g",
    "kafka.secret.arn": "arn:aws:secretsmanager:us-east-1:1:secret:k",
    "consumer.parameters.path": "/p/consumer_kafka_client/",
}
JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required username='k' password='s';"


class FakeSsm:
    def __init__(self, pages):
        self.pages, self.requests = pages, []

    def get_parameters_by_path(self, **request):
        self.requests.append(request)
        return self.pages[len(self.requests) - 1]


class FakeSecrets:
    def __init__(self, secret_string):
        self.secret_string = secret_string

    def get_secret_value(self, SecretId):
        return {"SecretString": self.secret_string}


def parameter(name, value, kind="String"):
    return {"Name": f"/p/consumer_kafka_client/{name}", "Value": value, "Type": kind}


class OptionsTest(unittest.TestCase):
    def test_interval_literals(self):
        for seconds, literal in [
            (60, "INTERVAL '1' MINUTE"),
            (90, "INTERVAL '90' SECOND"),
            (999, "INTERVAL '999' SECOND(3)"),
            (7200, "INTERVAL '2' HOUR"),
            (86_400 * 100, "INTERVAL '100' DAY(3)"),
        ]:
            with self.subTest(seconds=seconds):
                self.assertEqual(main.interval_literal(seconds), literal)

    def test_kinesis_options(self):
        source = {"stream.name": "s", "aws.region": "eu-west-1"}
        for extra, endpoints, expected in [
            ({}, {}, {"scan.stream.initpos": "LATEST"}),
            ({"initial.position": "TRIM_HORIZON"}, {}, {"scan.stream.initpos": "TRIM_HORIZON"}),
            ({"efo.consumer.name": "c"}, {}, {"scan.stream.recordpublisher": "EFO", "scan.stream.efo.consumername": "c"}),
            ({}, {"kinesis": "http://127.0.0.1:1"}, {"aws.endpoint": "http://127.0.0.1:1"}),
        ]:
            with self.subTest(extra=extra, endpoints=endpoints):
                options = main.kinesis_options({**source, **extra}, endpoints)
                self.assertEqual(options["stream"], "s")
                self.assertEqual(options["aws.region"], "eu-west-1")
                self.assertEqual(options["scan.shard.getrecords.maxrecordcount"], "500")
                self.assertLessEqual(expected.items(), options.items())
                self.assertEqual("aws.endpoint" in options, bool(endpoints))

    def test_sink_endpoint_only_when_given(self):
        sink = {"table.name": "t", "aws.region": "us-east-1"}
        self.assertNotIn("aws.endpoint", main.sink_ddl(sink, {}))
        self.assertIn("'aws.endpoint' = 'http://127.0.0.1:2'", main.sink_ddl(sink, {"dynamodb": "http://127.0.0.1:2"}))
        self.assertIn("PARTITIONED BY (`key`, `featureName`)", main.sink_ddl(sink, {}))

    def test_kafka_options(self):
        client = kafka_client.KafkaClient({"security.protocol": "SASL_SSL"}, JAAS)
        for offsets, mode in [(None, "group-offsets"), ("earliest", "earliest-offset"), ("latest", "latest-offset")]:
            with self.subTest(offsets=offsets):
                source = dict(KAFKA_SOURCE, **({"starting.offsets": offsets} if offsets else {}))
                options = main.kafka_options(source, client)
                self.assertEqual(options["scan.startup.mode"], mode)
                self.assertEqual(options["topic"], "a;b")
                self.assertEqual(options["properties.security.protocol"], "SASL_SSL")
                self.assertEqual(options["properties.sasl.jaas.config"], JAAS)

    def test_load_properties_reads_strings(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "p.json"
            path.write_text(json.dumps([{"PropertyGroupId": "job", "PropertyMap": {"window.seconds": 60}}]))
            self.assertEqual(main.load_properties(path), {"job": {"window.seconds": "60"}})


class KafkaClientTest(unittest.TestCase):
    def test_reads_every_page_and_the_secret(self):
        ssm = FakeSsm([
            {"Parameters": [parameter("security.protocol", "SASL_SSL")], "NextToken": "t"},
            {"Parameters": [parameter("sasl.mechanism", "PLAIN")]},
        ])
        client = kafka_client.read(KAFKA_SOURCE, ssm, FakeSecrets(json.dumps({"sasl.jaas.config": JAAS})))
        self.assertEqual(client.consumer_properties, {"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN"})
        self.assertEqual(client.sasl_jaas_config, JAAS)
        self.assertEqual([r.get("NextToken") for r in ssm.requests], [None, "t"])
        self.assertEqual(ssm.requests[0]["Path"], "/p/consumer_kafka_client")
        self.assertNotIn("password", repr(client))

    def test_refuses(self):
        good_secret = FakeSecrets(json.dumps({"sasl.jaas.config": JAAS}))
        for name, pages, secrets, message in [
            ("secure string", [{"Parameters": [parameter("x", "y", "SecureString")]}], good_secret, "SecureString"),
            ("job-owned", [{"Parameters": [parameter("group.id", "y")]}], good_secret, "group.id"),
            ("empty path", [{"Parameters": []}], good_secret, "no SSM parameters"),
            ("not json", [{"Parameters": [parameter("x", "y")]}], FakeSecrets("s3cret"), "sasl.jaas.config"),
            ("no jaas", [{"Parameters": [parameter("x", "y")]}], FakeSecrets("{}"), "sasl.jaas.config"),
        ]:
            with self.subTest(name):
                with self.assertRaisesRegex(kafka_client.KafkaConfigError, message) as raised:
                    kafka_client.read(KAFKA_SOURCE, FakeSsm(pages), secrets)
                self.assertNotIn("s3cret", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
