"""The job's SQL run by Flink: a PyFlink mini-cluster (one per test module) reads JSON-lines files
through the job's own source schema, filter, window and item columns."""

import json
import tempfile
import unittest
from pathlib import Path

from pyflink.table import ExplainDetail

import kafka_client
import main

JAR = Path(main.DEPENDENCIES_JAR)
SINK = {"table.name": "features", "aws.region": "us-east-1", "partition.key": "key", "sort.key": "featureName"}
KINESIS = {
    "kind": "kinesis",
    "stream.name": "events",
    "stream.arn": "arn:aws:kinesis:us-east-1:123456789012:stream/events",
    "aws.region": "us-east-1",
}
# 682 x U+20AC (3 bytes each) = 2046 bytes, + "ab" = 2048: the longest key DynamoDB takes.
LONGEST_KEY = "\u20ac" * 682 + "ab"
TOO_LONG_KEY = "\u20ac" * 682 + "abc"


def event(key, time, **extra):
    return json.dumps({"key": key, "event_time": time, **extra})


VALID_LINES = [
    event("a", "2026-11-23T10:00:00Z"),
    event("a", "2026-11-23T10:00:59.999Z"),
    event("b", "2026-11-23T10:00:30.25Z", page="/checkout"),
    event(LONGEST_KEY, "2026-11-23T10:00:10Z"),
    event("a", "2026-11-23T10:01:00Z"),
    json.dumps({"key": 42, "event_time": "2026-11-23T10:01:05Z"}),
]
INVALID_LINES = [
    "{not json",
    json.dumps({"key": "a"}),
    event("a", "2026-11-23 10:00:00"),
    event("a", "yesterday"),
    event("a", "2026-13-45T10:00:00Z"),
    json.dumps({"event_time": "2026-11-23T10:00:00Z"}),
    event("", "2026-11-23T10:00:00Z"),
    event(TOO_LONG_KEY, "2026-11-23T10:00:00Z"),
]


def item(key, start, end, count):
    ttl_base = {"10:01:00Z": 1795428060, "10:02:00Z": 1795428120}[end[-9:]]
    return (key, f"event_count_60s#{start}", count, start, end, ttl_base + 7 * 86_400)


class PipelineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = main.create_table_environment(JAR)
        cls.env.get_config().set("parallelism.default", "1")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.runs = 0

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def file_source(self, lines, delay):
        """The job's source table, reading `lines` from a file instead of a stream."""
        PipelineTest.runs += 1
        path = Path(self.tmp.name) / f"input-{self.runs}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        for view in ("valid_events", "dropped_events"):
            self.env.execute_sql(f"DROP TEMPORARY VIEW IF EXISTS `{view}`")
        for table in ("events", "items", "dropped"):
            self.env.execute_sql(f"DROP TEMPORARY TABLE IF EXISTS `{table}`")
            self.env.execute_sql(f"DROP TABLE IF EXISTS `{table}`")
        return main.source_ddl({"connector": "filesystem", "path": str(path)}, delay)

    def json_sink(self, name, columns, json_format="json"):
        path = Path(self.tmp.name) / f"{name}-{self.runs}"
        defs = ", ".join(f"`{c}` {t}" for c, t in columns)
        ddl = (f"CREATE TABLE `{name}` ({defs}) WITH "
               f"('connector' = 'filesystem', 'path' = '{path}', 'format' = '{json_format}')")
        return ddl, path

    def run_pipeline(self, lines, job=None, delay=main.DEFAULT_WATERMARK_DELAY_SECONDS):
        """Runs the job's statement set into file sinks; returns (items, dropped count)."""
        source = self.file_source(lines, delay)
        types = ["STRING", "STRING", "BIGINT", "STRING", "STRING", "BIGINT"]
        # The window's output is a changelog (a late record updates an item): written as Debezium
        # JSON and replayed here, as the DynamoDB sink applies it.
        items_ddl, items_path = self.json_sink("items", zip(main.item_columns(SINK), types), "debezium-json")
        dropped_ddl, dropped_path = self.json_sink("dropped", [("counted", "BOOLEAN")])
        statements = main.define_pipeline(self.env, source, items_ddl, job or {}, dropped_sink=dropped_ddl)
        statements.execute().wait()
        items = {}
        for change in self.lines_of(items_path):
            row = change["after"] if change["op"] == "c" else change["before"]
            columns = tuple(row[c] for c in main.item_columns(SINK))
            if change["op"] == "c":
                items[columns[:2]] = columns
            else:
                del items[columns[:2]]
        dropped = self.lines_of(dropped_path)
        self.assertTrue(all(row == {"counted": True} for row in dropped))
        return sorted(items.values()), len(dropped)

    @staticmethod
    def lines_of(path):
        return [json.loads(line) for f in sorted(path.rglob("*")) if f.is_file()
                for line in f.read_text(encoding="utf-8").splitlines()]

    def test_counts_per_key_and_window_and_counts_every_invalid_record(self):
        items, dropped = self.run_pipeline(INVALID_LINES[:4] + VALID_LINES + INVALID_LINES[4:])
        self.assertEqual(items, sorted([
            item("42", "2026-11-23T10:01:00Z", "2026-11-23T10:02:00Z", 1),
            item("a", "2026-11-23T10:00:00Z", "2026-11-23T10:01:00Z", 2),
            item("a", "2026-11-23T10:01:00Z", "2026-11-23T10:02:00Z", 1),
            item("b", "2026-11-23T10:00:00Z", "2026-11-23T10:01:00Z", 1),
            item(LONGEST_KEY, "2026-11-23T10:00:00Z", "2026-11-23T10:01:00Z", 1),
        ]))
        self.assertEqual(dropped, len(INVALID_LINES))

    def test_a_late_record_updates_its_window_within_the_allowed_lateness(self):
        lines = [
            event("a", "2026-11-23T10:00:10Z"),
            event("a", "2026-11-23T10:02:00Z"),
            event("a", "2026-11-23T10:00:20Z"),  # 100 s behind: its window fired at 10:01:30
            event("a", "2026-11-23T10:01:40Z"),  # 20 s behind: within the 30 s delay
        ]
        items, dropped = self.run_pipeline(lines)
        self.assertEqual([(i[1], i[2]) for i in items], [
            ("event_count_60s#2026-11-23T10:00:00Z", 2),
            ("event_count_60s#2026-11-23T10:01:00Z", 1),
            ("event_count_60s#2026-11-23T10:02:00Z", 1),
        ])
        self.assertEqual(dropped, 0)
        items, _ = self.run_pipeline(lines, job={"allowed.lateness.seconds": "0"})
        self.assertEqual(items[0][2], 1, "without lateness the late record is not counted")
        items, _ = self.run_pipeline(lines, job={"watermark.delay.seconds": "120", "allowed.lateness.seconds": "0"},
                                     delay=120)
        self.assertEqual(items[0][2], 2, "within the watermark delay it is not late")

    def test_a_record_later_than_the_allowed_lateness_is_not_counted(self):
        lines = [
            event("a", "2026-11-23T10:00:10Z"),
            event("a", "2026-11-23T10:20:00Z"),
            event("a", "2026-11-23T10:00:20Z"),  # its window's state was dropped at 10:11:00 (600 s)
        ]
        items, dropped = self.run_pipeline(lines)
        self.assertEqual([(i[1], i[2]) for i in items], [
            ("event_count_60s#2026-11-23T10:00:00Z", 1),
            ("event_count_60s#2026-11-23T10:20:00Z", 1),
        ])
        self.assertEqual(dropped, 0, "late records are Flink's numLateRecordsDropped, not droppedRecords")

    def test_window_and_ttl_follow_the_job_group(self):
        lines = [event("a", "2026-11-23T10:00:00Z"), event("a", "2026-11-23T10:04:59Z")]
        items, _ = self.run_pipeline(lines, job={"window.seconds": "300", "ttl.days": "1"})
        self.assertEqual(items, [("a", "event_count_300s#2026-11-23T10:00:00Z", 2, "2026-11-23T10:00:00Z",
                                  "2026-11-23T10:05:00Z", 1795428300 + 86_400)])

    def test_the_real_connectors_accept_the_generated_tables(self):
        endpoints = {"kinesis": "http://127.0.0.1:4567", "dynamodb": "http://127.0.0.1:4568"}
        kafka = {"topics": "a,b", "bootstrap.servers": "127.0.0.1:9092", "group.id": "g"}
        client = kafka_client.KafkaClient(
            {"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN"},
            "org.apache.kafka.common.security.plain.PlainLoginModule required username='k' password='s';",
        )
        for options in (
            main.kinesis_options(KINESIS, endpoints),
            main.kinesis_options({**KINESIS, "efo.consumer.name": "job", "initial.position": "TRIM_HORIZON"}, {}),
            main.kafka_options(kafka, client),
        ):
            with self.subTest(connector=options["connector"]):
                self.file_source([], 30)
                self.env.execute_sql(main.source_ddl(options, 30))
                self.env.execute_sql(main.valid_events_view())
                self.env.execute_sql(main.sink_ddl(SINK, endpoints))
                for key, value in main.emit_options(main.DEFAULT_ALLOWED_LATENESS_SECONDS).items():
                    self.env.get_config().set(key, value)
                plan = self.env.explain_sql(f"INSERT INTO `items` {main.window_query(60, 7)}",
                                            ExplainDetail.CHANGELOG_MODE)
                self.assertIn("TableSourceScan(table=[[default_catalog, default_database, events", plan)
                self.assertIn("Sink(table=[default_catalog.default_database.items]", plan)
                # README.md, "Reading a backlog": Kinesis gets one watermark operator after the source (per
                # subtask); the Kafka source takes the watermark in (per partition).
                physical = plan.split("== Optimized Execution Plan ==")[1]
                pushed_down = "events, watermark=[" in physical
                self.assertEqual(pushed_down, options["connector"] == "kafka")
                self.assertEqual("WatermarkAssigner(" in physical, not pushed_down)
                # A late record's update (main.emit_options) reaches `upsert-dynamodb` whole, which
                # drops its UPDATE_BEFORE: no materializer turns it into the DELETE the connector gets wrong.
                self.assertIn("emit=[late no delay], changelogMode=[I,UB,UA]", plan)
                self.assertNotIn("upsertMaterialize=[true]", plan)


if __name__ == "__main__":
    unittest.main()
