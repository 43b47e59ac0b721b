"""The job's SQL run by Flink: a PyFlink mini-cluster (one per test module) reads JSON-lines files
through the job's own source schema, filter, window and item columns."""

import json
import tempfile
import unittest
from pathlib import Path

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

    def json_sink(self, name, columns):
        path = Path(self.tmp.name) / f"{name}-{self.runs}"
        defs = ", ".join(f"`{c}` {t}" for c, t in columns)
        ddl = f"CREATE TABLE `{name}` ({defs}) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'json')"
        return ddl, path

    def run_pipeline(self, lines, job=None, delay=main.DEFAULT_WATERMARK_DELAY_SECONDS):
        """Runs the job's statement set into file sinks; returns (items, dropped count)."""
        source = self.file_source(lines, delay)
        types = ["STRING", "STRING", "BIGINT", "STRING", "STRING", "BIGINT"]
        items_ddl, items_path = self.json_sink("items", zip(main.item_columns(SINK), types))
        dropped_ddl, dropped_path = self.json_sink("dropped", [("counted", "BOOLEAN")])
        statements = main.define_pipeline(self.env, source, items_ddl, job or {}, dropped_sink=dropped_ddl)
        statements.execute().wait()
        rows = [json.loads(line) for f in sorted(items_path.rglob("*")) if f.is_file()
                for line in f.read_text(encoding="utf-8").splitlines()]
        dropped = [json.loads(line) for f in sorted(dropped_path.rglob("*")) if f.is_file()
                   for line in f.read_text(encoding="utf-8").splitlines()]
        self.assertTrue(all(row == {"counted": True} for row in dropped))
        return sorted(tuple(row[c] for c in main.item_columns(SINK)) for row in rows), len(dropped)

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

    def test_a_record_later_than_the_watermark_delay_is_not_counted(self):
        lines = [
            event("a", "2026-11-23T10:00:10Z"),
            event("a", "2026-11-23T10:02:00Z"),
            event("a", "2026-11-23T10:00:20Z"),  # 100 s behind: its window closed at 10:01:30
            event("a", "2026-11-23T10:01:40Z"),  # 20 s behind: within the 30 s delay
        ]
        items, dropped = self.run_pipeline(lines)
        self.assertEqual([(i[1], i[2]) for i in items], [
            ("event_count_60s#2026-11-23T10:00:00Z", 1),
            ("event_count_60s#2026-11-23T10:01:00Z", 1),
            ("event_count_60s#2026-11-23T10:02:00Z", 1),
        ])
        self.assertEqual(dropped, 0)
        items, _ = self.run_pipeline(lines, job={"watermark.delay.seconds": "120"}, delay=120)
        self.assertEqual(items[0][2], 2)

    def test_window_and_ttl_follow_the_job_group(self):
        lines = [event("a", "2026-11-23T10:00:00Z"), event("a", "2026-11-23T10:04:59Z")]
        items, _ = self.run_pipeline(lines, job={"window.seconds": "300", "ttl.days": "1"})
        self.assertEqual(items, [("a", "event_count_300s#2026-11-23T10:00:00Z", 2, "2026-11-23T10:00:00Z",
                                  "2026-11-23T10:05:00Z", 1795428300 + 86_400)])

    def test_the_real_connectors_accept_the_generated_tables(self):
        endpoints = {"kinesis": "http://127.0.0.1:4567", "dynamodb": "http://127.0.0.1:4568"}
        for source in (KINESIS, {**KINESIS, "efo.consumer.name": "job", "initial.position": "TRIM_HORIZON"}):
            with self.subTest(source=source):
                self.file_source([], 30)
                self.env.execute_sql(main.source_ddl(main.kinesis_options(source, endpoints), 30))
                self.env.execute_sql(main.valid_events_view())
                self.env.execute_sql(main.sink_ddl(SINK, endpoints))
                plan = self.env.explain_sql(f"INSERT INTO `items` {main.window_query(60, 7)}")
                self.assertIn("TableSourceScan(table=[[default_catalog, default_database, events]]", plan)
                self.assertIn("Sink(table=[default_catalog.default_database.items]", plan)


if __name__ == "__main__":
    unittest.main()
