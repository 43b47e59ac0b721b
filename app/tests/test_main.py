"""Tests of the job's pure parts: property loading and the generated SQL.

Run from the repository root (no PyFlink needed):
    python3 -m unittest discover -s app/tests -t app
"""

import importlib.util
import json
import os
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from unittest import mock

import main

APP_DIR = Path(main.__file__).resolve().parent
STREAM_ARN = "arn:aws:kinesis:eu-west-1:111122223333:stream/orders"
PREFIX = "/confluent_cloud_resource/orders"
KAFKA_SECRET_ARN = (
    "arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
    f"{PREFIX}/kafka_cluster/java_client-AbCdEf"
)
REGISTRY_SECRET_ARN = (
    "arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
    f"{PREFIX}/schema_registry_cluster/java_client-GhIjKl"
)
CONSUMER_PATH = f"{PREFIX}/consumer_kafka_client"
BOOTSTRAP = "pkc-abc12.eu-west-1.aws.confluent.cloud:9092"
API_SECRET = "s3cr3t-API-value"
JAAS = (
    "org.apache.kafka.common.security.plain.PlainLoginModule required "
    f"username='ABCDEFGHIJKLMNOP' password='{API_SECRET}';"
)


def groups(**property_maps):
    """Properties as load_properties returns them; group ids may contain dots."""
    return {group_id.replace("__", "."): dict(values) for group_id, values in property_maps.items()}


def valid_properties(source=None, sink=None, job=None):
    properties = groups(
        source={
            "kind": "kinesis",
            "stream.name": "orders",
            "stream.arn": STREAM_ARN,
            "aws.region": "eu-west-1",
            "initial.position": "TRIM_HORIZON",
        },
        sink={"table.name": "order-features", "aws.region": "eu-west-1"},
    )
    properties["source"].update(source or {})
    properties["sink"].update(sink or {})
    if job is not None:
        properties["job"] = dict(job)
    return properties


class LoadPropertiesTest(unittest.TestCase):
    def write(self, content):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        path = Path(directory.name) / "application_properties.json"
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    def test_reads_groups_into_a_dict_of_string_maps(self):
        path = self.write(
            [
                {
                    "PropertyGroupId": "job",
                    "PropertyMap": {"window.seconds": 30, "input.format": "json"},
                },
                {
                    "PropertyGroupId": "kinesis.analytics.flink.run.options",
                    "PropertyMap": {"python": "main.py"},
                },
            ]
        )
        self.assertEqual(
            main.load_properties(path),
            {
                "job": {"window.seconds": "30", "input.format": "json"},
                "kinesis.analytics.flink.run.options": {"python": "main.py"},
            },
        )

    def test_missing_file_names_the_path(self):
        with self.assertRaisesRegex(main.ConfigError, "not found"):
            main.load_properties("/nonexistent/application_properties.json")

    def test_invalid_json(self):
        with self.assertRaisesRegex(main.ConfigError, "not valid JSON"):
            main.load_properties(self.write("[{"))

    def test_top_level_must_be_a_list(self):
        with self.assertRaisesRegex(main.ConfigError, "list of property groups"):
            main.load_properties(self.write({"PropertyGroupId": "job", "PropertyMap": {}}))

    def test_entry_needs_id_and_map(self):
        with self.assertRaisesRegex(main.ConfigError, "PropertyGroupId string and a PropertyMap"):
            main.load_properties(self.write([{"PropertyGroupId": "job"}]))

    def test_duplicate_group(self):
        entry = {"PropertyGroupId": "sink", "PropertyMap": {}}
        with self.assertRaisesRegex(main.ConfigError, "'sink' appears twice"):
            main.load_properties(self.write([entry, entry]))

    def test_sample_file_builds_the_whole_job(self):
        statements = main.job_statements(main.load_properties(main.LOCAL_PROPERTIES_PATH))
        self.assertEqual(
            [statement.split("(")[0].split(" AS")[0].strip() for statement in statements],
            [
                "CREATE TABLE `events`",
                "CREATE TEMPORARY VIEW `valid_events`",
                "CREATE TABLE `window_counts`",
                "INSERT INTO `window_counts`",
            ],
        )


class SourceConfigTest(unittest.TestCase):
    def test_reads_the_group(self):
        self.assertEqual(
            main.source_config(valid_properties()),
            main.SourceConfig(
                stream_name="orders",
                stream_arn=STREAM_ARN,
                region="eu-west-1",
                initial_position="TRIM_HORIZON",
                efo_consumer_name=None,
            ),
        )

    def test_initial_position_defaults_to_latest(self):
        properties = valid_properties()
        del properties["source"]["initial.position"]
        self.assertEqual(main.source_config(properties).initial_position, "LATEST")

    def test_efo_consumer_name(self):
        config = main.source_config(valid_properties(source={"efo.consumer.name": "orders-flink"}))
        self.assertEqual(config.efo_consumer_name, "orders-flink")

    def test_missing_group(self):
        with self.assertRaisesRegex(main.ConfigError, "property group 'source' is missing"):
            main.source_config({"sink": {}})

    def test_missing_property_names_property_and_group(self):
        for name in ("kind", "stream.name", "stream.arn", "aws.region"):
            properties = valid_properties()
            del properties["source"][name]
            with self.subTest(name), self.assertRaisesRegex(
                main.ConfigError, f"property '{name}' is missing from group 'source'"
            ):
                main.source_config(properties)

    def test_blank_value_counts_as_missing(self):
        with self.assertRaisesRegex(main.ConfigError, "'aws.region' is missing"):
            main.source_config(valid_properties(source={"aws.region": "  "}))

    def test_unknown_kind(self):
        with self.assertRaisesRegex(
            main.ConfigError,
            "property 'kind' in group 'source' is 'kafka': supported are kinesis, confluent",
        ):
            main.source_config(valid_properties(source={"kind": "kafka"}))

    def test_initial_position_values(self):
        with self.assertRaisesRegex(main.ConfigError, "LATEST, TRIM_HORIZON, got 'AT_TIMESTAMP'"):
            main.source_config(valid_properties(source={"initial.position": "AT_TIMESTAMP"}))

    def test_arn_must_be_a_kinesis_stream_arn(self):
        with self.assertRaisesRegex(main.ConfigError, "not a Kinesis stream ARN"):
            main.source_config(valid_properties(source={"stream.arn": "orders"}))

    def test_arn_must_name_the_stream(self):
        with self.assertRaisesRegex(main.ConfigError, "does not name stream 'payments'"):
            main.source_config(valid_properties(source={"stream.name": "payments"}))

    def test_arn_region_must_match(self):
        with self.assertRaisesRegex(
            main.ConfigError, "region 'eu-west-1' but property 'aws.region' is 'us-east-1'"
        ):
            main.source_config(valid_properties(source={"aws.region": "us-east-1"}))


def kafka_properties(**source):
    properties = groups(
        source={
            "kind": "confluent",
            "aws.region": "eu-west-1",
            "bootstrap.servers": BOOTSTRAP,
            "topics": "orders, payments",
            "group.id": "orders-flink",
            "starting.offsets": "committed",
            "kafka.secret.arn": KAFKA_SECRET_ARN,
            "schema.registry.secret.arn": REGISTRY_SECRET_ARN,
            "consumer.parameters.path": CONSUMER_PATH,
            "producer.parameters.path": f"{PREFIX}/producer_kafka_client",
            "api.key.id": "ABCDEFGHIJKLMNOP",
        },
        sink={"table.name": "order-features", "aws.region": "eu-west-1"},
    )
    properties["source"].update(source)
    return properties


def parameter(name, value, type_="String"):
    return {"Name": f"{CONSUMER_PATH}/{name}", "Type": type_, "Value": value}


CONSUMER_PARAMETERS = [
    parameter("client.dns.lookup", "use_all_dns_ips"),
    parameter("sasl.mechanism", "PLAIN"),
    parameter("security.protocol", "SASL_SSL"),
    parameter("session.timeout.ms", "45000"),
]


class FakeSsm:
    """GetParametersByPath in pages, each but the last with a NextToken."""

    def __init__(self, *pages):
        self.pages = pages
        self.requests = []

    def get_parameters_by_path(self, **request):
        self.requests.append(request)
        index = int(request.get("NextToken", "0"))
        page = {"Parameters": self.pages[index]}
        if index + 1 < len(self.pages):
            page["NextToken"] = str(index + 1)
        return page


class FakeSecretsManager:
    def __init__(self, secrets):
        self.secrets = secrets
        self.requests = []

    def get_secret_value(self, SecretId):
        self.requests.append(SecretId)
        return {"ARN": SecretId, "SecretString": self.secrets[SecretId]}


def kafka_secret(**overrides):
    return json.dumps({"sasl.jaas.config": JAAS, "bootstrap.servers": BOOTSTRAP, **overrides})


def client_settings(**consumer_properties):
    return main.KafkaClientSettings(
        consumer_properties=consumer_properties
        or {"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN"},
        sasl_jaas_config=main.relocate_login_module(JAAS),
    )


class KafkaSourceConfigTest(unittest.TestCase):
    def test_reads_the_group(self):
        self.assertEqual(
            main.source_config(kafka_properties()),
            main.KafkaSourceConfig(
                region="eu-west-1",
                bootstrap_servers=BOOTSTRAP,
                topics=("orders", "payments"),
                sink_topics=(),
                group_id="orders-flink",
                starting_offsets="committed",
                kafka_secret_arn=KAFKA_SECRET_ARN,
                schema_registry_secret_arn=REGISTRY_SECRET_ARN,
                consumer_parameters_path=CONSUMER_PATH,
                producer_parameters_path=f"{PREFIX}/producer_kafka_client",
                api_key_id="ABCDEFGHIJKLMNOP",
            ),
        )

    def test_optional_properties(self):
        properties = kafka_properties(**{"sink.topics": "scores,alerts"})
        for name in (
            "starting.offsets",
            "schema.registry.secret.arn",
            "producer.parameters.path",
            "api.key.id",
        ):
            del properties["source"][name]
        config = main.source_config(properties)
        self.assertEqual(config.starting_offsets, "committed")
        self.assertEqual(config.sink_topics, ("scores", "alerts"))
        self.assertIsNone(config.schema_registry_secret_arn)
        self.assertIsNone(config.producer_parameters_path)
        self.assertIsNone(config.api_key_id)

    def test_missing_property_names_property_and_group(self):
        for name in (
            "aws.region",
            "bootstrap.servers",
            "topics",
            "group.id",
            "kafka.secret.arn",
            "consumer.parameters.path",
        ):
            properties = kafka_properties()
            del properties["source"][name]
            with self.subTest(name), self.assertRaisesRegex(
                main.ConfigError, f"property '{name}' is missing from group 'source'"
            ):
                main.source_config(properties)

    def test_starting_offsets_values(self):
        for value in ("earliest", "latest"):
            self.assertEqual(
                main.source_config(
                    kafka_properties(**{"starting.offsets": value})
                ).starting_offsets,
                value,
            )
        with self.assertRaisesRegex(
            main.ConfigError, "one of committed, earliest, latest, got 'timestamp'"
        ):
            main.source_config(kafka_properties(**{"starting.offsets": "timestamp"}))

    def test_bootstrap_servers_without_scheme(self):
        self.assertEqual(
            main.source_config(
                kafka_properties(**{"bootstrap.servers": "b-1:9092,b-2:9092"})
            ).bootstrap_servers,
            "b-1:9092,b-2:9092",
        )
        for value in (f"SASL_SSL://{BOOTSTRAP}", "pkc-abc12.confluent.cloud"):
            with self.subTest(value), self.assertRaisesRegex(
                main.ConfigError, "host:port entries without a scheme"
            ):
                main.source_config(kafka_properties(**{"bootstrap.servers": value}))

    def test_topic_names(self):
        for value, message in (
            ("orders;payments", "'orders;payments', which is not a Kafka topic name"),
            (" , ", "'topics' in group 'source' names no topic"),
            ("", "'topics' is missing"),
            ("orders,orders", "names a topic twice"),
        ):
            with self.subTest(value), self.assertRaisesRegex(main.ConfigError, message):
                main.source_config(kafka_properties(topics=value))

    def test_secret_arn(self):
        with self.assertRaisesRegex(
            main.ConfigError, "'kafka.secret.arn' in group 'source' is not a Secrets Manager"
        ):
            main.source_config(kafka_properties(**{"kafka.secret.arn": "kafka_cluster/java"}))
        with self.assertRaisesRegex(
            main.ConfigError, "in region 'eu-west-1' but property 'aws.region' is 'us-east-1'"
        ):
            main.source_config(kafka_properties(**{"aws.region": "us-east-1"}))

    def test_parameter_path(self):
        config = main.source_config(
            kafka_properties(**{"consumer.parameters.path": CONSUMER_PATH + "/"})
        )
        self.assertEqual(config.consumer_parameters_path, CONSUMER_PATH)
        with self.assertRaisesRegex(main.ConfigError, "SSM parameter path starting with '/'"):
            main.source_config(
                kafka_properties(**{"consumer.parameters.path": "consumer_kafka_client"})
            )


class FetchClientPropertiesTest(unittest.TestCase):
    def test_follows_next_token_and_strips_the_path(self):
        first = [parameter(f"p{i}", str(i)) for i in range(10)]
        ssm = FakeSsm(first, CONSUMER_PARAMETERS)
        properties = main.fetch_client_properties(ssm, CONSUMER_PATH)
        self.assertEqual(len(properties), 14)
        self.assertEqual(properties["p9"], "9")
        self.assertEqual(properties["security.protocol"], "SASL_SSL")
        self.assertEqual(properties["session.timeout.ms"], "45000")
        self.assertEqual(
            ssm.requests,
            [
                {"Path": CONSUMER_PATH, "Recursive": False, "MaxResults": 10},
                {"Path": CONSUMER_PATH, "Recursive": False, "MaxResults": 10, "NextToken": "1"},
            ],
        )

    def test_empty_path(self):
        with self.assertRaisesRegex(main.ConfigError, f"no SSM parameters found under {PREFIX}"):
            main.fetch_client_properties(FakeSsm([]), CONSUMER_PATH)

    def test_secure_string_is_refused(self):
        ssm = FakeSsm([parameter("ssl.key.password", "hidden", "SecureString")])
        with self.assertRaisesRegex(main.ConfigError, "ssl.key.password' is a SecureString"):
            main.fetch_client_properties(ssm, CONSUMER_PATH)

    def test_parameter_outside_the_path(self):
        ssm = FakeSsm([{"Name": "/elsewhere/acks", "Type": "String", "Value": "all"}])
        with self.assertRaisesRegex(main.ConfigError, "'/elsewhere/acks', which is not under"):
            main.fetch_client_properties(ssm, CONSUMER_PATH)


class KafkaSecretTest(unittest.TestCase):
    def test_relocates_the_login_module_for_the_sql_connector(self):
        jaas = main.parse_kafka_secret(kafka_secret(), KAFKA_SECRET_ARN, BOOTSTRAP)
        self.assertEqual(
            jaas,
            "org.apache.flink.kafka.shaded.org.apache.kafka.common.security.plain."
            f"PlainLoginModule required username='ABCDEFGHIJKLMNOP' password='{API_SECRET}';",
        )
        self.assertEqual(main.relocate_login_module(jaas), jaas)

    def test_errors_name_the_secret_never_its_value(self):
        for secret_string, message in (
            ("{not json " + API_SECRET, "does not hold a JSON object"),
            (json.dumps([API_SECRET]), "does not hold a JSON object"),
            (json.dumps({"bootstrap.servers": BOOTSTRAP}), "lacks 'sasl.jaas.config'"),
            (kafka_secret(**{"sasl.jaas.config": JAAS[:-1]}), "must end with ';'"),
            (
                kafka_secret(**{"bootstrap.servers": "pkc-other:9092"}),
                "is for bootstrap servers 'pkc-other:9092'",
            ),
        ):
            with self.subTest(message):
                with self.assertRaisesRegex(main.ConfigError, message) as raised:
                    main.parse_kafka_secret(secret_string, KAFKA_SECRET_ARN, BOOTSTRAP)
                self.assertIn(KAFKA_SECRET_ARN, str(raised.exception))
                self.assertNotIn(API_SECRET, str(raised.exception))
                self.assertIsNone(raised.exception.__cause__)

    def test_secret_without_a_string(self):
        class BinarySecret:
            def get_secret_value(self, SecretId):
                return {"ARN": SecretId, "SecretBinary": b"..."}

        with self.assertRaisesRegex(main.ConfigError, "has no string value"):
            main.fetch_secret_string(BinarySecret(), KAFKA_SECRET_ARN)


class LoadKafkaClientTest(unittest.TestCase):
    def load(self, *pages):
        source = main.source_config(kafka_properties())
        secrets = FakeSecretsManager({KAFKA_SECRET_ARN: kafka_secret()})
        return main.load_kafka_client(source, FakeSsm(*pages), secrets), secrets

    def test_reads_consumer_parameters_and_the_kafka_secret_only(self):
        client, secrets = self.load(CONSUMER_PARAMETERS[:2], CONSUMER_PARAMETERS[2:])
        self.assertEqual(
            client.consumer_properties,
            {
                "client.dns.lookup": "use_all_dns_ips",
                "sasl.mechanism": "PLAIN",
                "security.protocol": "SASL_SSL",
                "session.timeout.ms": "45000",
            },
        )
        self.assertTrue(client.sasl_jaas_config.startswith("org.apache.flink.kafka.shaded."))
        self.assertEqual(secrets.requests, [KAFKA_SECRET_ARN])
        self.assertNotIn(API_SECRET, repr(client))

    def test_parameters_the_job_sets_itself_are_refused(self):
        for name in ("group.id", "bootstrap.servers", "sasl.jaas.config", "auto.offset.reset"):
            with self.subTest(name), self.assertRaisesRegex(
                main.ConfigError, f"set {name}, which the job sets itself"
            ):
                self.load([*CONSUMER_PARAMETERS, parameter(name, "x")])

    def test_security_settings_are_required(self):
        with self.assertRaisesRegex(main.ConfigError, "lack security.protocol, sasl.mechanism"):
            self.load([parameter("session.timeout.ms", "45000")])


@unittest.skipUnless(importlib.util.find_spec("botocore"), "boto3 is not installed")
class Boto3RequestShapeTest(unittest.TestCase):
    """The calls above, against real boto3 clients (stubbed: no network, no credentials)."""

    def test_requests_validate_against_the_aws_models(self):
        import boto3
        from botocore.stub import Stubber

        source = main.source_config(kafka_properties())
        session = boto3.session.Session(
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x", region_name="eu-west-1"
        )
        ssm = session.client("ssm")
        secrets = session.client("secretsmanager")
        with Stubber(ssm) as ssm_stub, Stubber(secrets) as secrets_stub:
            request = {"Path": CONSUMER_PATH, "Recursive": False, "MaxResults": 10}
            ssm_stub.add_response(
                "get_parameters_by_path",
                {"Parameters": CONSUMER_PARAMETERS[:2], "NextToken": "t1"},
                request,
            )
            ssm_stub.add_response(
                "get_parameters_by_path",
                {"Parameters": CONSUMER_PARAMETERS[2:]},
                {**request, "NextToken": "t1"},
            )
            secrets_stub.add_response(
                "get_secret_value",
                {"ARN": KAFKA_SECRET_ARN, "SecretString": kafka_secret()},
                {"SecretId": KAFKA_SECRET_ARN},
            )
            client = main.load_kafka_client(source, ssm, secrets)
            ssm_stub.assert_no_pending_responses()
            secrets_stub.assert_no_pending_responses()
        self.assertEqual(len(client.consumer_properties), 4)


class KafkaSourceDdlTest(unittest.TestCase):
    def ddl(self, starting_offsets="committed", **consumer_properties):
        source = main.source_config(kafka_properties(**{"starting.offsets": starting_offsets}))
        return main.kafka_source_ddl(source, client_settings(**consumer_properties), "json")

    def test_connector_options(self):
        ddl = self.ddl(
            **{
                "security.protocol": "SASL_SSL",
                "sasl.mechanism": "PLAIN",
                "client.dns.lookup": "use_all_dns_ips",
            }
        )
        for option in (
            "'connector' = 'kafka'",
            "'topic' = 'orders;payments'",
            f"'properties.bootstrap.servers' = '{BOOTSTRAP}'",
            "'properties.group.id' = 'orders-flink'",
            "'scan.startup.mode' = 'group-offsets'",
            "'properties.auto.offset.reset' = 'earliest'",
            "'properties.security.protocol' = 'SASL_SSL'",
            "'properties.sasl.mechanism' = 'PLAIN'",
            "'properties.client.dns.lookup' = 'use_all_dns_ips'",
            "'properties.sasl.jaas.config' = 'org.apache.flink.kafka.shaded.org.apache.kafka."
            "common.security.plain.PlainLoginModule required username=''ABCDEFGHIJKLMNOP'' "
            f"password=''{API_SECRET}'';'",
            "'format' = 'json'",
            "'json.timestamp-format.standard' = 'ISO-8601'",
            "'json.ignore-parse-errors' = 'true'",
        ):
            self.assertIn(option, ddl)

    def test_startup_modes(self):
        for offsets, mode in (("earliest", "earliest-offset"), ("latest", "latest-offset")):
            with self.subTest(offsets):
                ddl = self.ddl(offsets)
                self.assertIn(f"'scan.startup.mode' = '{mode}'", ddl)
                self.assertNotIn("auto.offset.reset", ddl)

    def test_same_schema_and_watermark_as_kinesis(self):
        kinesis = main.source_ddl(main.source_config(valid_properties()), "json")
        self.assertEqual(self.ddl().split(") WITH (")[0], kinesis.split(") WITH (")[0])

    def test_job_statements_load_the_client_after_checking_every_group(self):
        properties = kafka_properties()
        loaded = []

        def load(source):
            loaded.append(source)
            return client_settings()

        statements = main.job_statements(properties, load_kafka=load)
        self.assertEqual(loaded, [main.source_config(properties)])
        self.assertIn("'connector' = 'kafka'", statements[0])
        self.assertTrue(statements[-1].startswith("INSERT INTO `window_counts`"))

        del properties["sink"]["table.name"]
        with self.assertRaisesRegex(main.ConfigError, "'table.name' is missing"):
            main.job_statements(properties, load_kafka=self.fail)
        with self.assertRaisesRegex(main.ConfigError, "needs its client settings"):
            main.job_statements(kafka_properties())

    def test_kafka_sample_file_builds_the_whole_job(self):
        properties = main.load_properties(APP_DIR / "application_properties.kafka.json")
        statements = main.job_statements(properties, load_kafka=lambda source: client_settings())
        self.assertIn("'connector' = 'kafka'", statements[0])
        self.assertEqual(len(statements), 4)


class RedactionTest(unittest.TestCase):
    def test_logged_statement_hides_the_jaas_config(self):
        source = main.source_config(kafka_properties())
        ddl = main.kafka_source_ddl(source, client_settings(), "json")
        self.assertIn(API_SECRET, ddl)
        redacted = main.redact_statement(ddl)
        self.assertNotIn(API_SECRET, redacted)
        self.assertNotIn("PlainLoginModule", redacted)
        self.assertIn("'properties.sasl.jaas.config' = '<redacted>'", redacted)
        # Everything else stays readable.
        self.assertIn("'topic' = 'orders;payments'", redacted)
        self.assertIn("'properties.security.protocol' = 'SASL_SSL'", redacted)
        self.assertEqual(
            redacted.replace("'<redacted>'", ""), ddl.replace(main.quote_literal(JAAS_SHADED), "")
        )

    def test_other_sensitive_options_and_quotes(self):
        statement = (
            "CREATE TABLE t (\n"
            + main.with_clause(
                {
                    "properties.ssl.truststore.password": "it's-secret",
                    "properties.basic.auth.user.info": "key:secret",
                    "aws.region": "eu-west-1",
                }
            )
            + "\n)"
        )
        redacted = main.redact_statement(statement)
        self.assertNotIn("it''s-secret", redacted)
        self.assertNotIn("key:secret", redacted)
        self.assertIn("'aws.region' = 'eu-west-1'", redacted)

    def test_kinesis_statement_is_unchanged(self):
        ddl = main.source_ddl(main.source_config(valid_properties()), "json")
        self.assertEqual(main.redact_statement(ddl), ddl)

    def test_main_logs_only_redacted_statements(self):
        source = main.source_config(kafka_properties())
        with mock.patch.object(
            main, "load_properties", return_value=kafka_properties()
        ), mock.patch.object(
            main, "load_kafka_client_from_aws", return_value=client_settings()
        ), mock.patch.dict(
            sys.modules, {"pyflink": None}
        ), self.assertLogs(
            "flink-pipeline", "INFO"
        ) as logs, self.assertRaises(
            ImportError
        ):
            main.main()
        output = "\n".join(logs.output)
        self.assertIn("API key ABCDEFGHIJKLMNOP", output)
        self.assertIn(source.consumer_parameters_path, output)
        self.assertNotIn(API_SECRET, output)


JAAS_SHADED = main.relocate_login_module(JAAS)


class ImportBoto3Test(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.app_dir = Path(directory.name)
        patches = (
            mock.patch.object(sys, "path", list(sys.path)),
            mock.patch.dict(sys.modules),
        )
        for patch in patches:
            patch.start()
            self.addCleanup(patch.stop)
        sys.modules.pop("boto3", None)

    def test_uses_the_vendored_directory(self):
        # Hide an installed boto3, as on a runtime without it.
        sys.path[:] = [entry for entry in sys.path if "-packages" not in entry]
        package = self.app_dir / "dep" / "boto3"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("VENDORED = True\n")
        self.assertTrue(main.import_boto3(self.app_dir).VENDORED)
        # Appended: packages PyFlink brings keep precedence.
        self.assertEqual(sys.path[-1], str(self.app_dir / "dep"))

    def test_missing_boto3_says_how_to_vendor_it(self):
        sys.modules["boto3"] = None
        with self.assertRaisesRegex(ModuleNotFoundError, "pip install -r app/requirements.txt"):
            main.import_boto3(self.app_dir)


class SinkConfigTest(unittest.TestCase):
    def test_attribute_names_default(self):
        self.assertEqual(
            main.sink_config(valid_properties()),
            main.SinkConfig(
                table_name="order-features",
                region="eu-west-1",
                partition_key="key",
                sort_key="featureName",
                ttl_attribute="ttl",
            ),
        )

    def test_attribute_names_from_the_group(self):
        config = main.sink_config(
            valid_properties(
                sink={"partition.key": "pk", "sort.key": "sk", "ttl.attribute": "expires_at"}
            )
        )
        self.assertEqual(
            (config.partition_key, config.sort_key, config.ttl_attribute),
            ("pk", "sk", "expires_at"),
        )

    def test_missing_table_name(self):
        properties = valid_properties()
        del properties["sink"]["table.name"]
        with self.assertRaisesRegex(
            main.ConfigError, "property 'table.name' is missing from group 'sink'"
        ):
            main.sink_config(properties)

    def test_attribute_names_must_differ(self):
        for overrides, clash in (
            ({"sort.key": "key"}, "key"),
            ({"ttl.attribute": "count"}, "count"),
            ({"partition.key": "window_start"}, "window_start"),
        ):
            with self.subTest(overrides), self.assertRaisesRegex(
                main.ConfigError, f"same name: {clash} "
            ):
                main.sink_config(valid_properties(sink=overrides))


class JobConfigTest(unittest.TestCase):
    def test_group_is_optional(self):
        self.assertEqual(
            main.job_config(valid_properties()),
            main.JobConfig(window_seconds=60, ttl_days=7, input_format="json"),
        )

    def test_values_from_the_group(self):
        config = main.job_config(valid_properties(job={"window.seconds": "300", "ttl.days": "30"}))
        self.assertEqual((config.window_seconds, config.ttl_days), (300, 30))

    def test_numbers_must_be_positive_whole_numbers(self):
        for value in ("0", "-5", "1.5", "ten", "²"):
            with self.subTest(value), self.assertRaisesRegex(
                main.ConfigError,
                f"'window.seconds' in group 'job' must be a positive whole number, got '{value}'",
            ):
                main.job_config(valid_properties(job={"window.seconds": value}))

    def test_only_json_input(self):
        with self.assertRaisesRegex(main.ConfigError, "'input.format' in group 'job' is 'avro'"):
            main.job_config(valid_properties(job={"input.format": "avro"}))


class IntervalLiteralTest(unittest.TestCase):
    def test_uses_the_largest_whole_unit(self):
        for seconds, literal in (
            (5, "INTERVAL '5' SECOND"),
            (60, "INTERVAL '1' MINUTE"),
            (90, "INTERVAL '90' SECOND"),
            (150, "INTERVAL '150' SECOND(3)"),
            (3_600, "INTERVAL '1' HOUR"),
            (5_400, "INTERVAL '90' MINUTE"),
            (86_400, "INTERVAL '1' DAY"),
            (999 * 86_400, "INTERVAL '999' DAY(3)"),
        ):
            with self.subTest(seconds):
                self.assertEqual(main.interval_literal(seconds), literal)

    def test_rejects_more_than_three_digits(self):
        for seconds in (1_000, 60_000):
            with self.subTest(seconds), self.assertRaisesRegex(
                main.ConfigError, f"'window.seconds' in group 'job' is {seconds}"
            ):
                main.interval_literal(seconds)


class QuotingTest(unittest.TestCase):
    def test_identifier(self):
        self.assertEqual(main.quote_identifier("feature`name"), "`feature``name`")

    def test_literal(self):
        self.assertEqual(main.quote_literal("it's"), "'it''s'")


class SourceDdlTest(unittest.TestCase):
    def ddl(self, **source):
        return main.source_ddl(main.source_config(valid_properties(source=source)), "json")

    def test_connector_options(self):
        ddl = self.ddl()
        for option in (
            "'connector' = 'kinesis'",
            f"'stream.arn' = '{STREAM_ARN}'",
            "'aws.region' = 'eu-west-1'",
            "'source.init.position' = 'TRIM_HORIZON'",
            "'format' = 'json'",
            "'json.timestamp-format.standard' = 'ISO-8601'",
            "'json.ignore-parse-errors' = 'true'",
        ):
            self.assertIn(option, ddl)
        self.assertNotIn("source.reader.type", ddl)

    def test_schema_and_watermark(self):
        ddl = self.ddl()
        self.assertTrue(ddl.startswith("CREATE TABLE `events` ("))
        self.assertIn("`key` STRING,", ddl)
        self.assertIn("`event_time` TIMESTAMP_LTZ(3),", ddl)
        self.assertIn("WATERMARK FOR `event_time` AS `event_time` - INTERVAL '5' SECOND", ddl)

    def test_enhanced_fan_out_when_a_consumer_is_named(self):
        ddl = self.ddl(**{"efo.consumer.name": "orders-flink"})
        self.assertIn("'source.reader.type' = 'EFO'", ddl)
        self.assertIn("'source.efo.consumer.name' = 'orders-flink'", ddl)


class ValidEventsViewTest(unittest.TestCase):
    def test_drops_records_without_key_or_event_time(self):
        view = main.valid_events_view()
        self.assertTrue(view.startswith("CREATE TEMPORARY VIEW `valid_events` AS"))
        self.assertIn("FROM `events`", view)
        self.assertIn("WHERE `key` IS NOT NULL AND `key` <> '' AND `event_time` IS NOT NULL", view)


class SinkDdlTest(unittest.TestCase):
    def test_default_attribute_names(self):
        ddl = main.sink_ddl(main.sink_config(valid_properties()))
        self.assertTrue(ddl.startswith("CREATE TABLE `window_counts` ("))
        for column in (
            "`key` STRING",
            "`featureName` STRING",
            "`count` BIGINT",
            "`window_start` STRING",
            "`window_end` STRING",
            "`ttl` BIGINT",
        ):
            self.assertIn(column, ddl)
        self.assertIn("PARTITIONED BY (`key`, `featureName`)", ddl)
        for option in (
            "'connector' = 'dynamodb'",
            "'table-name' = 'order-features'",
            "'aws.region' = 'eu-west-1'",
        ):
            self.assertIn(option, ddl)

    def test_configured_attribute_names_are_quoted(self):
        sink = main.sink_config(
            valid_properties(
                sink={
                    "partition.key": "user id",
                    "sort.key": "feature`name",
                    "ttl.attribute": "expiresAt",
                }
            )
        )
        ddl = main.sink_ddl(sink)
        self.assertIn("`user id` STRING", ddl)
        self.assertIn("`feature``name` STRING", ddl)
        self.assertIn("`expiresAt` BIGINT", ddl)
        self.assertIn("PARTITIONED BY (`user id`, `feature``name`)", ddl)


class WindowQueryTest(unittest.TestCase):
    def query(self, sink=None, job=None):
        properties = valid_properties(sink=sink, job=job)
        return main.window_query(main.sink_config(properties), main.job_config(properties))

    def test_writes_every_sink_column_by_name(self):
        self.assertTrue(
            self.query().startswith(
                "INSERT INTO `window_counts` "
                "(`key`, `featureName`, `count`, `window_start`, `window_end`, `ttl`)\nSELECT"
            )
        )
        custom = self.query(
            sink={"partition.key": "pk", "sort.key": "sk", "ttl.attribute": "expires_at"}
        )
        self.assertIn("(`pk`, `sk`, `count`, `window_start`, `window_end`, `expires_at`)", custom)

    def test_tumbling_window_over_valid_events(self):
        query = self.query()
        self.assertIn(
            "TUMBLE(TABLE `valid_events`, DESCRIPTOR(`event_time`), INTERVAL '1' MINUTE)", query
        )
        self.assertIn("COUNT(*)", query)
        self.assertTrue(query.endswith("GROUP BY `key`, `window_start`, `window_end`"))

    def test_sort_key_names_the_window(self):
        iso = "'yyyy-MM-dd''T''HH:mm:ss''Z'''"
        query = self.query()
        self.assertIn(f"CONCAT('event_count_60s#', DATE_FORMAT(`window_start`, {iso}))", query)
        self.assertIn(f"DATE_FORMAT(`window_end`, {iso})", query)
        ninety = self.query(job={"window.seconds": "90"})
        self.assertIn("'event_count_90s#'", ninety)
        self.assertIn("INTERVAL '90' SECOND)", ninety)

    def test_ttl_is_window_end_plus_ttl_days_in_epoch_seconds(self):
        ttl = "UNIX_TIMESTAMP(DATE_FORMAT(`window_end`, 'yyyy-MM-dd HH:mm:ss')) + "
        self.assertIn(ttl + "604800\n", self.query())
        self.assertIn(ttl + "2592000\n", self.query(job={"ttl.days": "30"}))

    def test_one_select_expression_per_sink_column(self):
        select = self.query().split("SELECT\n", 1)[1].split("\nFROM", 1)[0]
        self.assertEqual(
            len(select.splitlines()), len(main.sink_columns(main.sink_config(valid_properties())))
        )


class LocalRunTest(unittest.TestCase):
    def test_is_local_flag(self):
        for value, expected in (
            ("true", True),
            ("TRUE", True),
            ("1", True),
            ("", False),
            ("false", False),
        ):
            with self.subTest(value):
                self.assertEqual(main.is_local_run({"IS_LOCAL": value}), expected)
        self.assertFalse(main.is_local_run({}))

    def test_properties_file_may_be_overridden_locally(self):
        self.assertEqual(main.local_properties_path({}), main.LOCAL_PROPERTIES_PATH)
        self.assertEqual(
            main.local_properties_path({"APPLICATION_PROPERTIES": "app/other.json"}),
            Path("app/other.json"),
        )

    def test_properties_are_checked_before_pyflink_is_needed(self):
        with mock.patch.dict(os.environ, {"IS_LOCAL": "true"}), mock.patch.object(
            main, "LOCAL_PROPERTIES_PATH", APP_DIR / "missing.json"
        ), self.assertRaisesRegex(main.ConfigError, "missing.json not found"):
            main.main()


class BuildTest(unittest.TestCase):
    """The Maven build cannot run offline; check that it produces what the job expects."""

    NS = {"m": "http://maven.apache.org/POM/4.0.0"}

    @classmethod
    def setUpClass(cls):
        cls.pom = ElementTree.parse(APP_DIR / "pom.xml").getroot()

    def test_bundles_both_connectors_for_flink_1_20(self):
        dependencies = {
            dependency.findtext("m:artifactId", namespaces=self.NS): dependency
            for dependency in self.pom.findall("m:dependencies/m:dependency", self.NS)
        }
        connector_version = self.pom.findtext(
            "m:properties/m:aws.connector.version", namespaces=self.NS
        )
        self.assertEqual(connector_version, "5.0.0-1.20")
        for artifact in ("flink-connector-aws-kinesis-streams", "flink-connector-dynamodb"):
            self.assertEqual(
                dependencies[artifact].findtext("m:version", namespaces=self.NS),
                "${aws.connector.version}",
            )
            self.assertIsNone(dependencies[artifact].find("m:scope", self.NS))
        self.assertNotIn("flink-connector-kinesis", dependencies)

    def test_bundles_the_shaded_kafka_sql_connector(self):
        dependencies = {
            dependency.findtext("m:artifactId", namespaces=self.NS): dependency
            for dependency in self.pom.findall("m:dependencies/m:dependency", self.NS)
        }
        kafka = dependencies["flink-sql-connector-kafka"]
        self.assertEqual(kafka.findtext("m:groupId", namespaces=self.NS), "org.apache.flink")
        self.assertEqual(
            kafka.findtext("m:version", namespaces=self.NS), "${kafka.connector.version}"
        )
        self.assertIsNone(kafka.find("m:scope", self.NS))
        self.assertEqual(
            self.pom.findtext("m:properties/m:kafka.connector.version", namespaces=self.NS),
            "3.3.0-1.20",
        )
        # main.py relocates the JAAS login module for this (shaded) jar, not the plain one.
        self.assertNotIn("flink-connector-kafka", dependencies)
        self.assertTrue(main.SHADED_KAFKA_PACKAGE.startswith("org.apache.flink.kafka.shaded."))

    def test_shaded_jar_lands_where_the_job_looks(self):
        shade = self.pom.find(
            "m:build/m:plugins/m:plugin[m:artifactId='maven-shade-plugin']", self.NS
        )
        configuration = shade.find("m:executions/m:execution/m:configuration", self.NS)
        output = configuration.findtext("m:outputFile", namespaces=self.NS)
        self.assertEqual(
            output.replace("${project.basedir}", str(APP_DIR)), str(main.DEPENDENCIES_JAR)
        )
        self.assertEqual(
            configuration.findtext("m:createDependencyReducedPom", namespaces=self.NS), "false"
        )
        transformers = [
            t.get("implementation")
            for t in configuration.findall("m:transformers/m:transformer", self.NS)
        ]
        self.assertIn(
            "org.apache.maven.plugins.shade.resource.ServicesResourceTransformer", transformers
        )


if __name__ == "__main__":
    unittest.main()
