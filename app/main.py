"""PyFlink job: counts events per key in tumbling event-time windows and writes one
DynamoDB item per key and window.

Runs on Amazon Managed Service for Apache Flink (runtime FLINK-1_20, Python 3.11) and
locally with IS_LOCAL=true. Everything except main() is plain Python, so the property
handling and the SQL can be tested without PyFlink installed.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
# Managed Flink writes the application's runtime properties to this file.
MANAGED_FLINK_PROPERTIES_PATH = Path("/etc/flink/application_properties.json")
LOCAL_PROPERTIES_PATH = APP_DIR / "application_properties.json"
# Built by `mvn -f app/pom.xml package`; on Managed Flink the `jarfile` run option names it.
DEPENDENCIES_JAR = APP_DIR / "lib" / "pyflink-dependencies.jar"

SOURCE_TABLE = "events"
VALID_EVENTS_VIEW = "valid_events"
SINK_TABLE = "window_counts"
# Records may arrive this much out of event-time order before they count as late.
WATERMARK_DELAY_SECONDS = 5
# A Kinesis shard without traffic would otherwise hold the watermark back and keep
# every window open.
SOURCE_IDLE_TIMEOUT = "1 min"

INITIAL_POSITIONS = ("LATEST", "TRIM_HORIZON")
SUPPORTED_INPUT_FORMATS = ("json",)
# Item attributes the job always writes, besides the configurable key and TTL names.
FIXED_ATTRIBUTES = ("count", "window_start", "window_end")
SECONDS_PER_DAY = 86_400
# Written to DynamoDB as e.g. 2026-11-23T10:00:00Z (SimpleDateFormat pattern).
ISO_8601_UTC_PATTERN = "yyyy-MM-dd'T'HH:mm:ss'Z'"
# Flink 1.20 rejects day-time interval literals whose leading field has more than
# 3 digits, and Calcite assumes 2 unless a precision is given.
MAX_INTERVAL_DIGITS = 3
DEFAULT_INTERVAL_DIGITS = 2
INTERVAL_UNITS = (("DAY", SECONDS_PER_DAY), ("HOUR", 3_600), ("MINUTE", 60), ("SECOND", 1))


class ConfigError(ValueError):
    """The runtime properties are missing or invalid."""


@dataclass(frozen=True)
class SourceConfig:
    stream_name: str
    stream_arn: str
    region: str
    initial_position: str
    efo_consumer_name: str | None


@dataclass(frozen=True)
class SinkConfig:
    table_name: str
    region: str
    partition_key: str
    sort_key: str
    ttl_attribute: str


@dataclass(frozen=True)
class JobConfig:
    window_seconds: int
    ttl_days: int
    input_format: str


def load_properties(path):
    """Reads a Managed Flink properties file into {group id: {property: value}}."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"runtime properties file {path} not found") from None
    try:
        groups = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(groups, list):
        raise ConfigError(f"{path} must hold a list of property groups")

    properties = {}
    for group in groups:
        if not (
            isinstance(group, dict)
            and isinstance(group.get("PropertyGroupId"), str)
            and isinstance(group.get("PropertyMap"), dict)
        ):
            raise ConfigError(
                f"{path}: every entry needs a PropertyGroupId string and a PropertyMap object"
            )
        group_id = group["PropertyGroupId"]
        if group_id in properties:
            raise ConfigError(f"{path}: property group '{group_id}' appears twice")
        # Managed Flink only has string values; accept numbers in a hand-written local file.
        properties[group_id] = {name: str(value) for name, value in group["PropertyMap"].items()}
    return properties


def property_group(properties, group_id, *, required=True):
    if group_id in properties:
        return properties[group_id]
    if required:
        raise ConfigError(f"property group '{group_id}' is missing")
    return {}


def required_property(group, group_id, name):
    value = group.get(name, "").strip()
    if not value:
        raise ConfigError(f"property '{name}' is missing from group '{group_id}'")
    return value


def optional_property(group, name, default):
    return group.get(name, "").strip() or default


def positive_int_property(group, group_id, name, default):
    value = optional_property(group, name, str(default))
    if not (value.isascii() and value.isdigit()) or int(value) == 0:
        raise ConfigError(
            f"property '{name}' in group '{group_id}' must be a positive whole number, "
            f"got '{value}'"
        )
    return int(value)


def source_config(properties):
    group = property_group(properties, "source")
    kind = required_property(group, "source", "kind")
    if kind != "kinesis":
        raise ConfigError(
            f"property 'kind' in group 'source' is '{kind}': this job reads Kinesis only"
        )
    stream_name = required_property(group, "source", "stream.name")
    stream_arn = required_property(group, "source", "stream.arn")
    region = required_property(group, "source", "aws.region")
    check_stream_arn(stream_arn, stream_name, region)

    initial_position = optional_property(group, "initial.position", "LATEST")
    if initial_position not in INITIAL_POSITIONS:
        raise ConfigError(
            f"property 'initial.position' in group 'source' must be one of "
            f"{', '.join(INITIAL_POSITIONS)}, got '{initial_position}'"
        )
    return SourceConfig(
        stream_name=stream_name,
        stream_arn=stream_arn,
        region=region,
        initial_position=initial_position,
        efo_consumer_name=optional_property(group, "efo.consumer.name", None),
    )


def check_stream_arn(stream_arn, stream_name, region):
    """The connector only takes the ARN: catch a hand-edited file whose ARN drifted
    from the stream name or region before the job fails with an AWS error."""
    parts = stream_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "kinesis":
        raise ConfigError(
            f"property 'stream.arn' in group 'source' is not a Kinesis stream ARN: '{stream_arn}'"
        )
    if parts[5] != f"stream/{stream_name}":
        raise ConfigError(
            f"property 'stream.arn' in group 'source' ('{stream_arn}') does not name "
            f"stream '{stream_name}' from property 'stream.name'"
        )
    if parts[3] != region:
        raise ConfigError(
            f"property 'stream.arn' in group 'source' is in region '{parts[3]}' but "
            f"property 'aws.region' is '{region}'"
        )


def sink_config(properties):
    group = property_group(properties, "sink")
    config = SinkConfig(
        table_name=required_property(group, "sink", "table.name"),
        region=required_property(group, "sink", "aws.region"),
        partition_key=optional_property(group, "partition.key", "key"),
        sort_key=optional_property(group, "sort.key", "featureName"),
        ttl_attribute=optional_property(group, "ttl.attribute", "ttl"),
    )
    attributes = [config.partition_key, config.sort_key, config.ttl_attribute, *FIXED_ATTRIBUTES]
    clashes = sorted({name for name in attributes if attributes.count(name) > 1})
    if clashes:
        raise ConfigError(
            f"group 'sink' maps two item attributes to the same name: {', '.join(clashes)} "
            f"(the job also writes {', '.join(FIXED_ATTRIBUTES)})"
        )
    return config


def job_config(properties):
    group = property_group(properties, "job", required=False)
    input_format = optional_property(group, "input.format", "json")
    if input_format not in SUPPORTED_INPUT_FORMATS:
        raise ConfigError(
            f"property 'input.format' in group 'job' is '{input_format}': "
            f"supported are {', '.join(SUPPORTED_INPUT_FORMATS)}"
        )
    return JobConfig(
        window_seconds=positive_int_property(group, "job", "window.seconds", 60),
        ttl_days=positive_int_property(group, "job", "ttl.days", 7),
        input_format=input_format,
    )


def quote_identifier(name):
    return "`" + name.replace("`", "``") + "`"


def quote_literal(value):
    return "'" + value.replace("'", "''") + "'"


def with_clause(options):
    return ",\n".join(
        f"  {quote_literal(key)} = {quote_literal(value)}" for key, value in options.items()
    )


def interval_literal(seconds):
    """An INTERVAL literal for `seconds`, in the largest unit that divides it."""
    unit, amount = next(
        (unit, seconds // unit_seconds)
        for unit, unit_seconds in INTERVAL_UNITS
        if seconds % unit_seconds == 0
    )
    digits = len(str(amount))
    if digits > MAX_INTERVAL_DIGITS:
        raise ConfigError(
            f"property 'window.seconds' in group 'job' is {seconds}: Flink SQL cannot write "
            f"that as an interval; use at most 999 seconds, or a whole number of minutes, "
            f"hours or days up to 999"
        )
    precision = f"({digits})" if digits > DEFAULT_INTERVAL_DIGITS else ""
    return f"INTERVAL '{amount}' {unit}{precision}"


def source_ddl(source, input_format):
    options = {
        "connector": "kinesis",
        "stream.arn": source.stream_arn,
        "aws.region": source.region,
        "source.init.position": source.initial_position,
        "format": input_format,
        # event_time arrives as e.g. 2026-11-23T10:00:00Z, which JSON reads into TIMESTAMP_LTZ.
        "json.timestamp-format.standard": "ISO-8601",
        # A malformed record must not fail the job on every restart: its fields become
        # NULL and the valid_events view drops it.
        "json.ignore-parse-errors": "true",
    }
    if source.efo_consumer_name:
        options["source.reader.type"] = "EFO"
        options["source.efo.consumer.name"] = source.efo_consumer_name
    return f"""CREATE TABLE {quote_identifier(SOURCE_TABLE)} (
  `key` STRING,
  `event_time` TIMESTAMP_LTZ(3),
  WATERMARK FOR `event_time` AS `event_time` - INTERVAL '{WATERMARK_DELAY_SECONDS}' SECOND
) WITH (
{with_clause(options)}
)"""


def valid_events_view():
    # Window operators fail on a NULL event time, and DynamoDB rejects an empty key.
    return f"""CREATE TEMPORARY VIEW {quote_identifier(VALID_EVENTS_VIEW)} AS
SELECT `key`, `event_time`
FROM {quote_identifier(SOURCE_TABLE)}
WHERE `key` IS NOT NULL AND `key` <> '' AND `event_time` IS NOT NULL"""


def sink_columns(sink):
    return [sink.partition_key, sink.sort_key, *FIXED_ATTRIBUTES, sink.ttl_attribute]


def sink_ddl(sink):
    column_types = ["STRING", "STRING", "BIGINT", "STRING", "STRING", "BIGINT"]
    columns = ",\n".join(
        f"  {quote_identifier(name)} {column_type}"
        for name, column_type in zip(sink_columns(sink), column_types, strict=True)
    )
    # PARTITIONED BY makes the sink keep only the latest row per item key within a
    # batch: DynamoDB rejects a BatchWriteItem that holds the same key twice.
    partition_keys = ", ".join(
        quote_identifier(name) for name in (sink.partition_key, sink.sort_key)
    )
    options = {
        "connector": "dynamodb",
        "table-name": sink.table_name,
        "aws.region": sink.region,
    }
    return f"""CREATE TABLE {quote_identifier(SINK_TABLE)} (
{columns}
) PARTITIONED BY ({partition_keys})
WITH (
{with_clause(options)}
)"""


def window_query(sink, job):
    # The window start is part of the sort key, so each window gets its own item and a
    # later window never overwrites an earlier count.
    feature_prefix = f"event_count_{job.window_seconds}s#"
    iso_pattern = quote_literal(ISO_8601_UTC_PATTERN)
    ttl_seconds = job.ttl_days * SECONDS_PER_DAY
    window_size = interval_literal(job.window_seconds)
    target_columns = ", ".join(quote_identifier(name) for name in sink_columns(sink))
    return f"""INSERT INTO {quote_identifier(SINK_TABLE)} ({target_columns})
SELECT
  `key`,
  CONCAT({quote_literal(feature_prefix)}, DATE_FORMAT(`window_start`, {iso_pattern})),
  COUNT(*),
  DATE_FORMAT(`window_start`, {iso_pattern}),
  DATE_FORMAT(`window_end`, {iso_pattern}),
  UNIX_TIMESTAMP(DATE_FORMAT(`window_end`, 'yyyy-MM-dd HH:mm:ss')) + {ttl_seconds}
FROM TABLE(
  TUMBLE(TABLE {quote_identifier(VALID_EVENTS_VIEW)}, DESCRIPTOR(`event_time`), {window_size})
)
GROUP BY `key`, `window_start`, `window_end`"""


def job_statements(properties):
    """The job's SQL, in execution order; the last statement is the INSERT."""
    source = source_config(properties)
    sink = sink_config(properties)
    job = job_config(properties)
    return [
        source_ddl(source, job.input_format),
        valid_events_view(),
        sink_ddl(sink),
        window_query(sink, job),
    ]


def is_local_run(environ=os.environ):
    # Managed Flink gives PyFlink no way to tell where it runs; the AWS samples use IS_LOCAL.
    return environ.get("IS_LOCAL", "").strip().lower() in ("1", "true", "yes")


def main():
    local = is_local_run()
    properties = load_properties(LOCAL_PROPERTIES_PATH if local else MANAGED_FLINK_PROPERTIES_PATH)
    *definitions, insert = job_statements(properties)

    # Imported here so that the functions above stay importable without PyFlink.
    from pyflink.datastream import StreamExecutionEnvironment
    from pyflink.table import StreamTableEnvironment

    table_env = StreamTableEnvironment.create(
        StreamExecutionEnvironment.get_execution_environment()
    )
    table_config = table_env.get_config()
    # Window boundaries, their ISO-8601 text and the TTL are all computed in the
    # session time zone.
    table_config.set("table.local-time-zone", "UTC")
    table_config.set("table.exec.source.idle-timeout", SOURCE_IDLE_TIMEOUT)
    if local:
        if not DEPENDENCIES_JAR.is_file():
            raise FileNotFoundError(
                f"{DEPENDENCIES_JAR} not found: build it with `mvn -f app/pom.xml package`"
            )
        # On Managed Flink the `jarfile` run option adds the jar; locally the job must.
        table_config.set("pipeline.jars", DEPENDENCIES_JAR.as_uri())

    for statement in definitions:
        table_env.execute_sql(statement)
    result = table_env.execute_sql(insert)
    if local:
        # Locally the job runs inside this process, so keep it alive. On Managed Flink
        # main() must return once the job is submitted.
        result.wait()


if __name__ == "__main__":
    main()
