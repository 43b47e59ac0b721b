"""PyFlink job: counts events per key in tumbling event-time windows and writes one
DynamoDB item per key and window.

Reads a Kinesis data stream or Confluent Cloud Kafka topics, as the property group
`source` says (`kind`). Runs on Amazon Managed Service for Apache Flink (runtime
FLINK-1_20, Python 3.11) and locally with IS_LOCAL=true. Everything except main() and the
boto3 client factory is plain Python, so the property handling, the credential loading
(with injected clients) and the SQL can be tested without PyFlink or boto3 installed.
"""

import json
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
# Managed Flink writes the application's runtime properties to this file.
MANAGED_FLINK_PROPERTIES_PATH = Path("/etc/flink/application_properties.json")
LOCAL_PROPERTIES_PATH = APP_DIR / "application_properties.json"
# Locally, this environment variable may name another properties file (e.g. the Kafka sample).
LOCAL_PROPERTIES_ENV = "APPLICATION_PROPERTIES"
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

SOURCE_KINDS = ("kinesis", "confluent")
INITIAL_POSITIONS = ("LATEST", "TRIM_HORIZON")
# `starting.offsets` -> the Kafka connector's `scan.startup.mode`. State restored from a
# snapshot wins over all of them.
KAFKA_STARTUP_MODES = {
    "committed": "group-offsets",
    "earliest": "earliest-offset",
    "latest": "latest-offset",
}
# With group-offsets the connector reads `properties.auto.offset.reset` for partitions the
# group has no committed offset for; unset, it is `none` and the job fails on a new group.
COMMITTED_OFFSETS_FALLBACK = "earliest"
# Kafka topic names: ASCII letters, digits, '.', '_' and '-', at most 249 characters.
KAFKA_TOPIC_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,249}")
# One broker address: host:port, no scheme (the program strips SASL_SSL://).
KAFKA_BROKER_PATTERN = re.compile(r"[A-Za-z0-9.-]+:[0-9]{1,5}")
# GetParametersByPath returns at most 10 parameters a page.
SSM_PAGE_SIZE = 10
# Client properties the job sets from the property group or the secret; an SSM parameter
# of the same name would silently compete with them, so the job refuses it.
JOB_OWNED_CLIENT_PROPERTIES = (
    "bootstrap.servers",
    "group.id",
    "sasl.jaas.config",
    "auto.offset.reset",
)
# Without these the client would talk PLAINTEXT to Confluent Cloud and fail obscurely.
REQUIRED_CLIENT_PROPERTIES = ("security.protocol", "sasl.mechanism")
# flink-sql-connector-kafka relocates the Kafka client, so a login module named in
# sasl.jaas.config must carry this prefix (Flink's Kafka SQL connector docs, "Security").
KAFKA_PACKAGE = "org.apache.kafka."
SHADED_KAFKA_PACKAGE = "org.apache.flink.kafka.shaded.org.apache.kafka."
# Table options whose values are never logged (cf. Flink's own list of sensitive keys).
SENSITIVE_OPTION_FRAGMENTS = (
    "password",
    "secret",
    "jaas.config",
    "token",
    "apikey",
    "access.key",
    "basic.auth",
    "basic-auth",
    "user.info",
    "credentials",
)
REDACTED = "<redacted>"
# boto3 is no dependency of PyFlink: vendor it here (see README) when the runtime lacks it.
VENDORED_PYTHON_DIR = "dep"
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
class KafkaSourceConfig:
    """Where a Confluent Cloud Kafka source connects and reads its credentials; never a
    credential itself."""

    region: str
    bootstrap_servers: str
    topics: tuple[str, ...]
    sink_topics: tuple[str, ...]
    group_id: str
    starting_offsets: str
    kafka_secret_arn: str
    schema_registry_secret_arn: str | None
    consumer_parameters_path: str
    producer_parameters_path: str | None
    api_key_id: str | None


@dataclass(frozen=True)
class KafkaClientSettings:
    """What the job fetched at start-up: the consumer properties from SSM and the JAAS
    configuration from Secrets Manager. The latter holds the API secret: it stays out of
    repr() and must never be logged."""

    consumer_properties: dict
    sasl_jaas_config: str = field(repr=False)


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
    """A SourceConfig (Kinesis) or a KafkaSourceConfig, as property 'kind' says."""
    group = property_group(properties, "source")
    kind = required_property(group, "source", "kind")
    if kind == "kinesis":
        return kinesis_source_config(group)
    if kind == "confluent":
        return kafka_source_config(group)
    raise ConfigError(
        f"property 'kind' in group 'source' is '{kind}': supported are {', '.join(SOURCE_KINDS)}"
    )


def kinesis_source_config(group):
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


def kafka_source_config(group):
    region = required_property(group, "source", "aws.region")
    bootstrap_servers = required_property(group, "source", "bootstrap.servers")
    check_bootstrap_servers(bootstrap_servers)
    starting_offsets = optional_property(group, "starting.offsets", "committed")
    if starting_offsets not in KAFKA_STARTUP_MODES:
        raise ConfigError(
            f"property 'starting.offsets' in group 'source' must be one of "
            f"{', '.join(KAFKA_STARTUP_MODES)}, got '{starting_offsets}'"
        )
    kafka_secret_arn = required_property(group, "source", "kafka.secret.arn")
    check_secret_arn("kafka.secret.arn", kafka_secret_arn, region)
    schema_registry_secret_arn = optional_property(group, "schema.registry.secret.arn", None)
    if schema_registry_secret_arn:
        check_secret_arn("schema.registry.secret.arn", schema_registry_secret_arn, region)
    producer_parameters_path = optional_property(group, "producer.parameters.path", None)
    if producer_parameters_path:
        producer_parameters_path = parameter_path(
            "producer.parameters.path", producer_parameters_path
        )
    return KafkaSourceConfig(
        region=region,
        bootstrap_servers=bootstrap_servers,
        topics=topic_list(group, "topics", required=True),
        sink_topics=topic_list(group, "sink.topics", required=False),
        group_id=required_property(group, "source", "group.id"),
        starting_offsets=starting_offsets,
        kafka_secret_arn=kafka_secret_arn,
        schema_registry_secret_arn=schema_registry_secret_arn,
        consumer_parameters_path=parameter_path(
            "consumer.parameters.path",
            required_property(group, "source", "consumer.parameters.path"),
        ),
        producer_parameters_path=producer_parameters_path,
        api_key_id=optional_property(group, "api.key.id", None),
    )


def topic_list(group, name, *, required):
    text = required_property(group, "source", name) if required else group.get(name, "")
    topics = tuple(topic.strip() for topic in text.split(",") if topic.strip())
    for topic in topics:
        if not KAFKA_TOPIC_PATTERN.fullmatch(topic):
            raise ConfigError(
                f"property '{name}' in group 'source' holds '{topic}', which is not a Kafka "
                f"topic name (letters, digits, '.', '_', '-'; comma-separated)"
            )
    if required and not topics:
        raise ConfigError(f"property '{name}' in group 'source' names no topic")
    if len(set(topics)) != len(topics):
        raise ConfigError(f"property '{name}' in group 'source' names a topic twice")
    return topics


def check_bootstrap_servers(bootstrap_servers):
    for broker in bootstrap_servers.split(","):
        if not KAFKA_BROKER_PATTERN.fullmatch(broker.strip()):
            raise ConfigError(
                f"property 'bootstrap.servers' in group 'source' must be host:port entries "
                f"without a scheme, got '{bootstrap_servers}'"
            )


def check_secret_arn(name, arn, region):
    """The clients are made for `aws.region`: a secret elsewhere would fail as not found."""
    parts = arn.split(":", 6)
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "secretsmanager" or parts[5] != "secret":
        raise ConfigError(
            f"property '{name}' in group 'source' is not a Secrets Manager secret ARN: '{arn}'"
        )
    if parts[3] != region:
        raise ConfigError(
            f"property '{name}' in group 'source' is in region '{parts[3]}' but "
            f"property 'aws.region' is '{region}'"
        )


def parameter_path(name, path):
    if not path.startswith("/") or len(path.rstrip("/")) == 0:
        raise ConfigError(
            f"property '{name}' in group 'source' must be an SSM parameter path starting "
            f"with '/', got '{path}'"
        )
    return path.rstrip("/")


def fetch_client_properties(ssm, path):
    """Every parameter directly under `path`, as {property name: value}: one String
    parameter per Kafka client property, `<path>/<property>`. GetParametersByPath pages
    its results (10 at most), so this follows NextToken until it is absent."""
    prefix = path + "/"
    properties = {}
    request = {"Path": path, "Recursive": False, "MaxResults": SSM_PAGE_SIZE}
    while True:
        page = ssm.get_parameters_by_path(**request)
        for parameter in page.get("Parameters", []):
            name = parameter["Name"]
            if not name.startswith(prefix) or "/" in name[len(prefix) :]:
                raise ConfigError(f"SSM returned parameter '{name}', which is not under {path}")
            if parameter.get("Type") == "SecureString":
                # Credentials belong in the secret; the role may not decrypt parameters.
                raise ConfigError(
                    f"SSM parameter '{name}' is a SecureString: client settings must be "
                    f"String parameters, credentials belong in the Kafka secret"
                )
            properties[name[len(prefix) :]] = parameter["Value"]
        token = page.get("NextToken")
        if not token:
            break
        request["NextToken"] = token
    if not properties:
        raise ConfigError(f"no SSM parameters found under {path}: expected one per client property")
    return properties


def check_client_properties(properties, path):
    owned = sorted(name for name in properties if name in JOB_OWNED_CLIENT_PROPERTIES)
    if owned:
        raise ConfigError(
            f"SSM parameters under {path} set {', '.join(owned)}, which the job sets itself "
            f"(from group 'source' or the Kafka secret): delete them"
        )
    missing = [name for name in REQUIRED_CLIENT_PROPERTIES if name not in properties]
    if missing:
        raise ConfigError(f"SSM parameters under {path} lack {', '.join(missing)}")


def fetch_secret_string(secrets_manager, arn):
    response = secrets_manager.get_secret_value(SecretId=arn)
    secret_string = response.get("SecretString")
    if not secret_string:
        raise ConfigError(f"secret {arn} has no string value")
    return secret_string


def parse_kafka_secret(secret_string, arn, bootstrap_servers):
    """The JAAS configuration from the Kafka secret, its login module relocated for the
    shaded connector. Errors name the secret and the key, never a value."""
    try:
        secret = json.loads(secret_string)
    except (TypeError, ValueError):
        secret = None
    if not isinstance(secret, dict):
        raise ConfigError(f"secret {arn} does not hold a JSON object") from None
    jaas_config = secret.get("sasl.jaas.config")
    if not isinstance(jaas_config, str) or not jaas_config.strip():
        raise ConfigError(f"secret {arn} lacks 'sasl.jaas.config'")
    jaas_config = jaas_config.strip()
    if not jaas_config.endswith(";"):
        raise ConfigError(f"'sasl.jaas.config' in secret {arn} must end with ';'")
    secret_servers = secret.get("bootstrap.servers")
    if isinstance(secret_servers, str) and secret_servers.strip() not in (
        "",
        bootstrap_servers,
    ):
        raise ConfigError(
            f"secret {arn} is for bootstrap servers '{secret_servers.strip()}' but property "
            f"'bootstrap.servers' in group 'source' is '{bootstrap_servers}'"
        )
    return relocate_login_module(jaas_config)


def relocate_login_module(jaas_config):
    """`org.apache.kafka....PlainLoginModule required ...;` as written for plain Java
    clients -> the class name inside flink-sql-connector-kafka."""
    if jaas_config.startswith(KAFKA_PACKAGE):
        return SHADED_KAFKA_PACKAGE + jaas_config[len(KAFKA_PACKAGE) :]
    return jaas_config


def load_kafka_client(source, ssm, secrets_manager):
    """Reads the consumer properties (SSM) and the Kafka credentials (Secrets Manager)
    with the given boto3-style clients. The Schema Registry secret and the producer
    parameters are not read: the job parses JSON and writes to DynamoDB."""
    consumer_properties = fetch_client_properties(ssm, source.consumer_parameters_path)
    check_client_properties(consumer_properties, source.consumer_parameters_path)
    secret_string = fetch_secret_string(secrets_manager, source.kafka_secret_arn)
    return KafkaClientSettings(
        consumer_properties=consumer_properties,
        sasl_jaas_config=parse_kafka_secret(
            secret_string, source.kafka_secret_arn, source.bootstrap_servers
        ),
    )


def import_boto3(app_dir=APP_DIR):
    """boto3, from the environment or else from the vendored `dep/` directory. Appended
    to sys.path, so that packages PyFlink brings (urllib3, dateutil) keep their versions.
    """
    vendored = str(Path(app_dir) / VENDORED_PYTHON_DIR)
    if Path(vendored).is_dir() and vendored not in sys.path:
        sys.path.append(vendored)
    try:
        import boto3
    except ImportError:
        raise ModuleNotFoundError(
            f"boto3 is needed to read the Kafka credentials but is not installed, and "
            f"{vendored} does not provide it: vendor it with `pip install -r "
            f"app/requirements.txt --target app/{VENDORED_PYTHON_DIR}` (see app/README.md)"
        ) from None
    return boto3


def load_kafka_client_from_aws(source):
    """The Managed Flink role (or, locally, the default AWS credential chain) reads SSM
    and Secrets Manager in the source's region."""
    boto3 = import_boto3()
    return load_kafka_client(
        source,
        boto3.client("ssm", region_name=source.region),
        boto3.client("secretsmanager", region_name=source.region),
    )


def describe_source(source):
    """One log line about the source; holds no credential."""
    if isinstance(source, KafkaSourceConfig):
        return (
            f"source: Kafka topics {', '.join(source.topics)} at {source.bootstrap_servers}, "
            f"group {source.group_id}, starting offsets {source.starting_offsets}, "
            f"API key {source.api_key_id or '(not given)'}, client properties from "
            f"{source.consumer_parameters_path}"
        )
    return f"source: Kinesis stream {source.stream_arn}"


def is_sensitive_option(key):
    key = key.lower()
    return any(fragment in key for fragment in SENSITIVE_OPTION_FRAGMENTS)


# One table option as with_clause() writes it: '<key>' = '<value>', quotes doubled inside.
OPTION_PATTERN = re.compile(r"^(\s*'((?:[^']|'')*)'\s*=\s*)'(?:[^']|'')*'", re.MULTILINE)


def redact_statement(statement):
    """The statement with the values of sensitive table options replaced: the only form
    in which a statement may be logged or printed."""

    def replace(match):
        key = match.group(2).replace("''", "'")
        if is_sensitive_option(key):
            return match.group(1) + quote_literal(REDACTED)
        return match.group(0)

    return OPTION_PATTERN.sub(replace, statement)


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


def format_options(input_format):
    return {
        "format": input_format,
        # event_time arrives as e.g. 2026-11-23T10:00:00Z, which JSON reads into TIMESTAMP_LTZ.
        "json.timestamp-format.standard": "ISO-8601",
        # A malformed record must not fail the job on every restart: its fields become
        # NULL and the valid_events view drops it.
        "json.ignore-parse-errors": "true",
    }


def source_ddl(source, input_format):
    """The Kinesis source table."""
    options = {
        "connector": "kinesis",
        "stream.arn": source.stream_arn,
        "aws.region": source.region,
        "source.init.position": source.initial_position,
        **format_options(input_format),
    }
    if source.efo_consumer_name:
        options["source.reader.type"] = "EFO"
        options["source.efo.consumer.name"] = source.efo_consumer_name
    return source_table_ddl(options)


def kafka_source_ddl(source, client, input_format):
    """The Kafka source table. It holds the JAAS configuration, a credential: log it only
    through redact_statement()."""
    options = {
        "connector": "kafka",
        # The connector takes a topic list separated by semicolons.
        "topic": ";".join(source.topics),
        "properties.bootstrap.servers": source.bootstrap_servers,
        "properties.group.id": source.group_id,
        "scan.startup.mode": KAFKA_STARTUP_MODES[source.starting_offsets],
    }
    if source.starting_offsets == "committed":
        options["properties.auto.offset.reset"] = COMMITTED_OFFSETS_FALLBACK
    for name, value in sorted(client.consumer_properties.items()):
        options[f"properties.{name}"] = value
    options["properties.sasl.jaas.config"] = client.sasl_jaas_config
    options.update(format_options(input_format))
    return source_table_ddl(options)


def source_table_ddl(options):
    # Both sources have the same schema and watermark.
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


def job_statements(properties, load_kafka=None):
    """The job's SQL, in execution order; the last statement is the INSERT.

    For a Kafka source, `load_kafka(source)` returns the KafkaClientSettings; it is called
    only after every property group has been checked."""
    source = source_config(properties)
    sink = sink_config(properties)
    job = job_config(properties)
    if isinstance(source, KafkaSourceConfig):
        if load_kafka is None:
            raise ConfigError("a Kafka source needs its client settings loaded at start-up")
        source_statement = kafka_source_ddl(source, load_kafka(source), job.input_format)
    else:
        source_statement = source_ddl(source, job.input_format)
    return [
        source_statement,
        valid_events_view(),
        sink_ddl(sink),
        window_query(sink, job),
    ]


def is_local_run(environ=os.environ):
    # Managed Flink gives PyFlink no way to tell where it runs; the AWS samples use IS_LOCAL.
    return environ.get("IS_LOCAL", "").strip().lower() in ("1", "true", "yes")


def local_properties_path(environ=os.environ):
    override = environ.get(LOCAL_PROPERTIES_ENV, "").strip()
    return Path(override) if override else LOCAL_PROPERTIES_PATH


def main():
    local = is_local_run()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    log = logging.getLogger("flink-pipeline")
    properties = load_properties(
        local_properties_path() if local else MANAGED_FLINK_PROPERTIES_PATH
    )
    log.info(describe_source(source_config(properties)))
    *definitions, insert = job_statements(properties, load_kafka=load_kafka_client_from_aws)

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

    for statement in [*definitions, insert]:
        # Never the statement itself: the Kafka source table holds the JAAS configuration.
        log.info("executing:\n%s", redact_statement(statement))
    for statement in definitions:
        table_env.execute_sql(statement)
    result = table_env.execute_sql(insert)
    if local:
        # Locally the job runs inside this process, so keep it alive. On Managed Flink
        # main() must return once the job is submitted.
        result.wait()


if __name__ == "__main__":
    main()
