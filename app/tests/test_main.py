"""Tests of the job's pure parts: property loading and the generated SQL.

Run from the repository root (no PyFlink needed):
    python3 -m unittest discover -s app/tests -t app
"""

import json
import os
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from unittest import mock

import main

APP_DIR = Path(main.__file__).resolve().parent
STREAM_ARN = "arn:aws:kinesis:eu-west-1:111122223333:stream/orders"


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

    def test_only_kinesis(self):
        with self.assertRaisesRegex(main.ConfigError, "'kafka': this job reads Kinesis only"):
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
