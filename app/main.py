"""PyFlink job: counts events per key in tumbling event-time windows and writes one DynamoDB item
per key and window.

    source (Kinesis or Kafka) -> validity filter -> tumbling window count -> DynamoDB
                             \\-> invalid records -> counter kinesisanalytics.droppedRecords

Runs on Amazon Managed Service for Apache Flink (runtime FLINK-1_20, Python 3.11) and locally with
IS_LOCAL=true. The Pulumi program writes and validates the property groups; this file reads them.
"""

import json
import os
from pathlib import Path

from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.udf import ScalarFunction, udf

APP_DIR = Path(__file__).resolve().parent
MANAGED_FLINK_PROPERTIES = Path("/etc/flink/application_properties.json")
DEPENDENCIES_JAR = APP_DIR / "lib" / "pyflink-dependencies.jar"

# Defaults of the `job` group (README.md, "Runtime properties").
DEFAULT_WINDOW_SECONDS = 60
DEFAULT_TTL_DAYS = 7
# How far the watermark trails the newest event time: a window's first item is written this long
# after its end (in event time).
DEFAULT_WATERMARK_DELAY_SECONDS = 30
# How long after the watermark passed a window's end a record still updates the window's item: it
# bounds how far apart the shards may be read in a backlog or a replay (README.md, "Reading a backlog").
DEFAULT_ALLOWED_LATENESS_SECONDS = 600
# Records one GetRecords call returns at most, far below the connector's default of 10 000: smaller
# batches keep the shards one subtask reads closer in event time while it reads a backlog.
KINESIS_RECORDS_PER_FETCH = 500
# A source subtask whose shards or partitions are all quiet this long stops holding windows open.
SOURCE_IDLE_TIMEOUT = "1 min"

# DynamoDB's limit for a string partition key, in UTF-8 bytes (HEX() writes two characters a byte).
MAX_PARTITION_KEY_BYTES = 2048
# Event times: ISO-8601 UTC with a trailing Z and an optional fraction, 2026-11-23T10:00:00.250Z.
EVENT_TIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$"
ISO_8601_UTC = "yyyy-MM-dd'T'HH:mm:ss'Z'"
INTERVAL_UNITS = (("DAY", 86_400), ("HOUR", 3_600), ("MINUTE", 60), ("SECOND", 1))
KAFKA_STARTUP_MODES = {"committed": "group-offsets", "earliest": "earliest-offset", "latest": "latest-offset"}


def load_properties(path):
    """A Managed Flink properties file as {group id: {property: value}}."""
    groups = json.loads(Path(path).read_text(encoding="utf-8"))
    return {g["PropertyGroupId"]: {k: str(v) for k, v in g["PropertyMap"].items()} for g in groups}


def quote_identifier(name):
    return "`" + name.replace("`", "``") + "`"


def quote_literal(value):
    return "'" + str(value).replace("'", "''") + "'"


def with_clause(options):
    return ",\n".join(f"  {quote_literal(k)} = {quote_literal(v)}" for k, v in options.items())


def interval_literal(seconds):
    """INTERVAL 'n' UNIT in the largest unit dividing `seconds`; Calcite needs the precision above 2 digits."""
    unit, amount = next((u, seconds // s) for u, s in INTERVAL_UNITS if seconds % s == 0)
    precision = f"({len(str(amount))})" if amount > 99 else ""
    return f"INTERVAL '{amount}' {unit}{precision}"


def kinesis_options(source, endpoints):
    """The legacy `kinesis` SQL connector (FlinkKinesisConsumer): `scan.*` maps to its `flink.*` settings."""
    options = {
        "connector": "kinesis",
        "stream": source["stream.name"],
        "aws.region": source["aws.region"],
        "scan.stream.initpos": source.get("initial.position", "LATEST"),
        "scan.shard.getrecords.maxrecordcount": str(KINESIS_RECORDS_PER_FETCH),
    }
    if source.get("efo.consumer.name"):
        options["scan.stream.recordpublisher"] = "EFO"
        options["scan.stream.efo.consumername"] = source["efo.consumer.name"]
    if "kinesis" in endpoints:
        options["aws.endpoint"] = endpoints["kinesis"]
    return options


def kafka_options(source, client):
    """The `kafka` SQL connector; `client` (kafka_client.KafkaClient) holds the credential."""
    options = {
        "connector": "kafka",
        "topic": ";".join(t.strip() for t in source["topics"].split(",") if t.strip()),
        "properties.bootstrap.servers": source["bootstrap.servers"],
        "properties.group.id": source["group.id"],
        "scan.startup.mode": KAFKA_STARTUP_MODES[source.get("starting.offsets", "committed")],
        # For partitions the group has no offset for yet; unset, a new group fails.
        "properties.auto.offset.reset": "earliest",
    }
    options.update({f"properties.{k}": v for k, v in sorted(client.consumer_properties.items())})
    options["properties.sasl.jaas.config"] = client.sasl_jaas_config
    return options


def event_time_expression():
    """The event time, or NULL when `event_time` is missing or not ISO-8601 UTC."""
    text = "JSON_VALUE(`payload`, '$.event_time')"
    return (
        f"CASE WHEN REGEXP({text}, {quote_literal(EVENT_TIME_PATTERN)}) THEN TRY_CAST("
        f"REPLACE(REPLACE({text}, 'T', ' '), 'Z', '') AS TIMESTAMP(3)) END"
    )


def source_ddl(options, watermark_delay_seconds):
    """Each record is read whole (`raw`), so a malformed one still reaches the filter and is counted.
    The watermark is on `rowtime`, which is never NULL: Flink's watermark operator runs before any
    filter and fails the job on a NULL rowtime. An invalid record's rowtime (1970) never raises it."""
    return f"""CREATE TABLE `events` (
  `payload` STRING,
  `key` AS JSON_VALUE(`payload`, '$.key'),
  `event_time` AS {event_time_expression()},
  `rowtime` AS COALESCE({event_time_expression()}, TIMESTAMP '1970-01-01 00:00:00.000'),
  WATERMARK FOR `rowtime` AS `rowtime` - {interval_literal(watermark_delay_seconds)}
) WITH (
{with_clause({**options, "format": "raw"})}
)"""


# DynamoDB rejects an empty key and one over 2048 bytes, fatally for the sink writer.
VALID_EVENT = (
    "`key` IS NOT NULL AND `key` <> '' AND `event_time` IS NOT NULL"
    f" AND CHAR_LENGTH(HEX(`key`)) <= {2 * MAX_PARTITION_KEY_BYTES}"
)


def valid_events_view():
    return f"CREATE TEMPORARY VIEW `valid_events` AS\nSELECT `key`, `rowtime` FROM `events` WHERE {VALID_EVENT}"


def dropped_events_view():
    return f"CREATE TEMPORARY VIEW `dropped_events` AS\nSELECT `payload` FROM `events` WHERE NOT ({VALID_EVENT})"


def item_columns(sink):
    return [sink.get("partition.key", "key"), sink.get("sort.key", "featureName"), "count",
            "window_start", "window_end", sink.get("ttl.attribute", "ttl")]


def sink_ddl(sink, endpoints):
    """`upsert-dynamodb` (our connector in lib/pyflink-dependencies.jar, app/src) is the `dynamodb`
    connector without the UPDATE_BEFORE half of an update, which it refuses, and with one batch in
    flight: a late record's update is a put of the item, in order. PARTITIONED BY the item key: the connector then keeps the latest row per
    key in a batch, as DynamoDB rejects a BatchWriteItem holding one key twice."""
    types = ["STRING", "STRING", "BIGINT", "STRING", "STRING", "BIGINT"]
    keys = ", ".join(quote_identifier(c) for c in item_columns(sink)[:2])
    columns = ",\n".join(f"  {quote_identifier(c)} {t}" for c, t in zip(item_columns(sink), types))
    options = {"connector": "upsert-dynamodb", "table-name": sink["table.name"], "aws.region": sink["aws.region"]}
    if "dynamodb" in endpoints:
        options["aws.endpoint"] = endpoints["dynamodb"]
    return f"CREATE TABLE `items` (\n{columns}\n) PARTITIONED BY ({keys})\nWITH (\n{with_clause(options)}\n)"


def window_query(window_seconds, ttl_days):
    """One row per key and window, the item's columns in order. The window start is part of the sort
    key, so each window has its own item; a late record updates it (see emit_options). A group window
    (GROUP BY TUMBLE), as Flink's window table functions do not fire late."""
    iso = quote_literal(ISO_8601_UTC)
    window = f"`rowtime`, {interval_literal(window_seconds)}"
    return f"""SELECT
  `key`,
  CONCAT({quote_literal(f"event_count_{window_seconds}s#")}, DATE_FORMAT(TUMBLE_START({window}), {iso})),
  COUNT(*),
  DATE_FORMAT(TUMBLE_START({window}), {iso}),
  DATE_FORMAT(TUMBLE_END({window}), {iso}),
  UNIX_TIMESTAMP(DATE_FORMAT(TUMBLE_END({window}), 'yyyy-MM-dd HH:mm:ss')) + {ttl_days * 86_400}
FROM `valid_events`
GROUP BY `key`, TUMBLE({window})"""


def emit_options(allowed_lateness_seconds):
    """Table options under which a window keeps its state for the allowed lateness after it fired and
    fires again on every late record, so the item is rewritten with the count that includes it. One
    window operator subtask emits all updates of an item, in order, to the sink subtask it feeds."""
    return {
        "table.exec.emit.late-fire.enabled": str(allowed_lateness_seconds > 0).lower(),
        "table.exec.emit.late-fire.delay": "0 s",
        "table.exec.emit.allow-lateness": f"{allowed_lateness_seconds} s",
    }


class CountDropped(ScalarFunction):
    """Counts the records it sees in counter `droppedRecords` of metric group `kinesisanalytics`,
    which Managed Flink publishes to CloudWatch."""

    def open(self, function_context):
        self.dropped = function_context.get_metric_group().add_group("kinesisanalytics").counter("droppedRecords")

    def eval(self, payload):
        self.dropped.inc()
        return True


count_dropped = udf(CountDropped(), result_type=DataTypes.BOOLEAN())


def create_table_environment(jar=None):
    table_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    config = table_env.get_config()
    # Window boundaries, their ISO-8601 text and the TTL are computed in the session time zone.
    config.set("table.local-time-zone", "UTC")
    config.set("table.exec.source.idle-timeout", SOURCE_IDLE_TIMEOUT)
    if jar is not None:
        # On Managed Flink the `jarfile` run option adds the jar; locally the job must.
        config.set("pipeline.jars", Path(jar).resolve().as_uri())
    table_env.create_temporary_function("count_dropped", count_dropped)
    return table_env


DROPPED_SINK = "CREATE TEMPORARY TABLE `dropped` (`counted` BOOLEAN) WITH ('connector' = 'blackhole')"


def define_pipeline(table_env, source_statement, sink_statement, job, dropped_sink=DROPPED_SINK):
    """Creates the tables and views and returns the statement set writing items and counting drops."""
    for statement in (source_statement, valid_events_view(), dropped_events_view(), sink_statement, dropped_sink):
        table_env.execute_sql(statement)
    window_seconds = int(job.get("window.seconds", DEFAULT_WINDOW_SECONDS))
    ttl_days = int(job.get("ttl.days", DEFAULT_TTL_DAYS))
    lateness = int(job.get("allowed.lateness.seconds", DEFAULT_ALLOWED_LATENESS_SECONDS))
    for key, value in emit_options(lateness).items():
        table_env.get_config().set(key, value)
    statements = table_env.create_statement_set()
    statements.add_insert_sql(f"INSERT INTO `items` {window_query(window_seconds, ttl_days)}")
    statements.add_insert_sql("INSERT INTO `dropped` SELECT count_dropped(`payload`) FROM `dropped_events`")
    return statements


def source_statement(properties, endpoints):
    source = properties["source"]
    delay = int(properties.get("job", {}).get("watermark.delay.seconds", DEFAULT_WATERMARK_DELAY_SECONDS))
    if source["kind"] == "confluent":
        import kafka_client  # boto3 is needed, and vendored, for Kafka stacks only

        options = kafka_options(source, kafka_client.load(source, endpoints))
    else:
        options = kinesis_options(source, endpoints)
    return source_ddl(options, delay)


def main():
    local = os.environ.get("IS_LOCAL", "").strip().lower() in ("1", "true", "yes")
    path = os.environ.get("APPLICATION_PROPERTIES") or APP_DIR / "application_properties.json"
    properties = load_properties(path if local else MANAGED_FLINK_PROPERTIES)
    endpoints = properties.get("endpoints", {})
    table_env = create_table_environment(DEPENDENCIES_JAR if local else None)
    if local:
        # npm run local (tools/local) sets parallelism, checkpointing and a restore path this way.
        for key, value in json.loads(os.environ.get("FLINK_LOCAL_CONFIG") or "{}").items():
            table_env.get_config().set(key, str(value))
    statements = define_pipeline(
        table_env,
        source_statement(properties, endpoints),
        sink_ddl(properties["sink"], endpoints),
        properties.get("job", {}),
    )
    result = statements.execute()
    if local:
        # Locally the job runs in this process; on Managed Flink main() returns once it is submitted.
        result.wait()


if __name__ == "__main__":
    main()
