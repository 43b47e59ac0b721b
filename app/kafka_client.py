"""The Kafka client configuration of a `kind: confluent` stack, read once at start-up: the consumer
properties from SSM (one String parameter per property under `consumer.parameters.path`) and the
JAAS configuration from the Kafka secret (`kafka.secret.arn`), as the Pulumi program writes them.
Only these two are read; the role is granted nothing else.
"""

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Where the build step vendors boto3 into a Kafka stack's artifact (PyFlink does not bring it).
VENDORED_DIR = Path(__file__).resolve().parent / "dep"
# Client properties the job sets itself: an SSM parameter of the same name would compete with them.
JOB_OWNED_PROPERTIES = ("bootstrap.servers", "group.id", "sasl.jaas.config", "auto.offset.reset")


class KafkaConfigError(ValueError):
    """The parameters or the secret are not as the program writes them."""


@dataclass(frozen=True)
class KafkaClient:
    consumer_properties: dict
    # Holds the API secret: kept out of repr(), never logged.
    sasl_jaas_config: str = field(repr=False)


def consumer_properties(ssm, path):
    """Every parameter directly under `path` as {property: value}, following NextToken (10 a page)."""
    path = path.rstrip("/")
    properties = {}
    request = {"Path": path, "Recursive": False, "MaxResults": 10}
    while True:
        page = ssm.get_parameters_by_path(**request)
        for parameter in page.get("Parameters", []):
            name = parameter["Name"][len(path) + 1 :]
            if parameter.get("Type") == "SecureString":
                raise KafkaConfigError(f"SSM parameter {parameter['Name']} is a SecureString: credentials belong in the secret")
            properties[name] = parameter["Value"]
        if not page.get("NextToken"):
            break
        request["NextToken"] = page["NextToken"]
    owned = sorted(set(properties) & set(JOB_OWNED_PROPERTIES))
    if owned:
        raise KafkaConfigError(f"SSM parameters under {path} set {', '.join(owned)}, which the job sets itself")
    if not properties:
        raise KafkaConfigError(f"no SSM parameters under {path}")
    return properties


def jaas_config(secrets_manager, arn):
    """`sasl.jaas.config` of the Kafka secret. Errors name the secret and key, never a value."""
    secret_string = secrets_manager.get_secret_value(SecretId=arn).get("SecretString") or ""
    try:
        secret = json.loads(secret_string)
    except ValueError:
        secret = None
    value = secret.get("sasl.jaas.config") if isinstance(secret, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise KafkaConfigError(f"secret {arn} holds no JSON object with 'sasl.jaas.config'")
    return value.strip()


def read(source, ssm, secrets_manager):
    return KafkaClient(
        consumer_properties=consumer_properties(ssm, source["consumer.parameters.path"]),
        sasl_jaas_config=jaas_config(secrets_manager, source["kafka.secret.arn"]),
    )


def load(source, endpoints):
    """Reads with boto3 in the source's region; `endpoints` (group `endpoints`) may point SSM and
    Secrets Manager elsewhere, for a local run."""
    if VENDORED_DIR.is_dir() and str(VENDORED_DIR) not in sys.path:
        # Appended, so packages PyFlink brings keep their versions.
        sys.path.append(str(VENDORED_DIR))
    import boto3

    def client(service):
        return boto3.client(service, region_name=source["aws.region"], endpoint_url=endpoints.get(service))

    return read(source, client("ssm"), client("secretsmanager"))
