import { ResourceCheckContext, resourcePolicy } from "../lib/definePolicy";
import { asList, asRecord, dig, Props, UNKNOWN } from "../lib/known";
import { TYPES } from "../lib/resourceTypes";
import { isCredentialReference, isSensitiveName, secretShape } from "../lib/sensitive";

/** Runtimes the installed @pulumi/aws documents that AWS still supports; older ones are out of support. */
export const SUPPORTED_FLINK_RUNTIMES = ["FLINK-1_18", "FLINK-1_19", "FLINK-1_20", "FLINK-2_2"];

/** Each `flinkApplicationConfiguration` block only counts with this type; otherwise AWS defaults apply. */
const CUSTOM = "CUSTOM";

/** Parallelism AWS uses when the parallelism block is absent or not CUSTOM. */
const DEFAULT_PARALLELISM = 1;

const FLINK_CONFIGURATION = ["applicationConfiguration", "flinkApplicationConfiguration"];

/** The Flink checks do not apply to SQL or Studio (Zeppelin) applications of the same resource type. */
function requireFlinkRuntime(props: Props, context: ResourceCheckContext<object>): void {
  const runtime = props.runtimeEnvironment;
  if (typeof runtime === "string" && !runtime.startsWith("FLINK-")) {
    context.notApplicable(`runtime ${runtime} is not an Apache Flink runtime`);
  }
}

export const flinkSupportedRuntime = resourcePolicy<{ supportedRuntimes: string[] }>({
  name: "flink-supported-runtime",
  description: "Managed Flink applications run a supported Flink runtime.",
  severity: "high",
  remediationSteps:
    "set runtimeEnvironment to one of the supported runtimes (in this project: flink-pipeline:flink.runtime (pipelines.<name>.flink.runtime in a stack of several pipelines); take a snapshot before upgrading).",
  configSchema: {
    properties: {
      supportedRuntimes: {
        type: "array",
        items: { type: "string", minLength: 1 },
        default: SUPPORTED_FLINK_RUNTIMES,
        description: "Accepted values of runtimeEnvironment.",
      },
    },
  },
  resourceTypes: [TYPES.flinkApplication],
  check: (props, context) => {
    requireFlinkRuntime(props, context);
    const runtime = props.runtimeEnvironment;
    const supported = context.config.supportedRuntimes;
    return runtime === UNKNOWN || (typeof runtime === "string" && supported.includes(runtime))
      ? []
      : [`Runtime ${String(runtime)} is not one of ${supported.join(", ")}.`];
  },
});

export const flinkCheckpointing = resourcePolicy({
  name: "flink-checkpointing-enabled",
  description: "Managed Flink applications checkpoint (the DEFAULT configuration does; CUSTOM must say so).",
  severity: "high",
  remediationSteps:
    'leave checkpointConfiguration at configurationType "DEFAULT", or set checkpointingEnabled: true with ' +
    '"CUSTOM".',
  resourceTypes: [TYPES.flinkApplication],
  check: (props, context) => {
    requireFlinkRuntime(props, context);
    const checkpoint = dig(props, ...FLINK_CONFIGURATION, "checkpointConfiguration");
    const type = dig(checkpoint, "configurationType");
    if (type !== CUSTOM) {
      return [];
    }
    const enabled = dig(checkpoint, "checkpointingEnabled");
    return enabled === true || enabled === UNKNOWN
      ? []
      : ["CUSTOM checkpoint configuration does not set checkpointingEnabled: true."];
  },
});

export const flinkSnapshots = resourcePolicy({
  name: "flink-snapshots-enabled",
  description: "Managed Flink applications take snapshots on stop and update (required in prod).",
  severity: "medium",
  remediationSteps:
    "set applicationConfiguration.applicationSnapshotConfiguration.snapshotsEnabled: true (in this project: flink-pipeline:flink.snapshots (pipelines.<name>.flink.snapshots in a stack of several pipelines): true).",
  resourceTypes: [TYPES.flinkApplication],
  check: (props, context) => {
    requireFlinkRuntime(props, context);
    const enabled = dig(
      props,
      "applicationConfiguration",
      "applicationSnapshotConfiguration",
      "snapshotsEnabled",
    );
    return enabled === true || enabled === UNKNOWN ? [] : ["Snapshots are not enabled."];
  },
});

export const flinkLogging = resourcePolicy({
  name: "flink-cloudwatch-logging",
  description: "Managed Flink applications send their logs to a CloudWatch log stream.",
  severity: "medium",
  remediationSteps: "set cloudwatchLoggingOptions.logStreamArn to a log stream in the app's log group.",
  resourceTypes: [TYPES.flinkApplication],
  check: (props, context) => {
    requireFlinkRuntime(props, context);
    const logStreamArn = dig(props, "cloudwatchLoggingOptions", "logStreamArn");
    return logStreamArn === UNKNOWN || (typeof logStreamArn === "string" && logStreamArn !== "")
      ? []
      : ["No CloudWatch log stream is configured (cloudwatchLoggingOptions.logStreamArn)."];
  },
});

export const flinkParallelismBounds = resourcePolicy<{ minParallelism: number; maxParallelism: number }>({
  name: "flink-parallelism-bounds",
  description: "Managed Flink parallelism stays within the stack's bounds (cost and quota guard).",
  severity: "low",
  remediationSteps:
    "set parallelismConfiguration.parallelism (in this project: flink-pipeline:flink.parallelism (pipelines.<name>.flink.parallelism in a stack of several pipelines)) within minParallelism..maxParallelism of flink-parallelism-bounds in policy/config/<environment>.json.",
  configSchema: {
    properties: {
      minParallelism: { type: "integer", minimum: 1, default: 1, description: "Least parallelism." },
      maxParallelism: { type: "integer", minimum: 1, default: 32, description: "Greatest parallelism." },
    },
  },
  resourceTypes: [TYPES.flinkApplication],
  check: (props, context) => {
    requireFlinkRuntime(props, context);
    const { minParallelism, maxParallelism } = context.config;
    const parallelismBlock = dig(props, ...FLINK_CONFIGURATION, "parallelismConfiguration");
    const type = dig(parallelismBlock, "configurationType");
    if (type === UNKNOWN) {
      return [];
    }
    const parallelism =
      type === CUSTOM ? (dig(parallelismBlock, "parallelism") ?? DEFAULT_PARALLELISM) : DEFAULT_PARALLELISM;
    if (typeof parallelism !== "number") {
      return [];
    }
    return parallelism < minParallelism || parallelism > maxParallelism
      ? [`Parallelism ${parallelism} is outside ${minParallelism}..${maxParallelism}.`]
      : [];
  },
});

export const flinkNoPlaintextSecrets = resourcePolicy({
  name: "flink-no-plaintext-secrets",
  description:
    "Managed Flink runtime properties hold no credentials (passwords, secrets, sasl.jaas.config, API keys).",
  severity: "critical",
  remediationSteps:
    "store the credential in Secrets Manager, pass its name or ARN in a property ending in .arn/.name, and " +
    "grant the app's role secretsmanager:GetSecretValue on it.",
  resourceTypes: [TYPES.flinkApplication],
  check: (props, context) => {
    requireFlinkRuntime(props, context);
    const groups = dig(props, "applicationConfiguration", "environmentProperties", "propertyGroups");
    return asList(groups).flatMap((group) => {
      const groupId = dig(group, "propertyGroupId");
      const properties = asRecord(dig(group, "propertyMap"));
      if (properties === undefined || properties === UNKNOWN) {
        return [];
      }
      return Object.entries(properties).flatMap(([key, value]) => {
        const problem = credentialProblem(key, value);
        return problem ? [`Property group "${String(groupId)}", key "${key}": ${problem}.`] : [];
      });
    });
  },
});

/** Why a runtime property looks like it holds a credential, or undefined. Never includes the value. */
function credentialProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== "string" || value === "" || isCredentialReference(value)) {
    return undefined;
  }
  return secretShape(value, key) ?? (isSensitiveName(key) ? "the key names a credential" : undefined);
}
