/**
 * How the offline plan shows what a program registers: a resource tree with the settings that
 * matter per type, or one JSON document.
 */
import { PlanResult, PlannedResource, redactSecrets } from "./planRuntime";

type Inputs = Record<string, any>;

/** The settings worth a glance, per resource type; every other input is in `--json`. */
const KEY_SETTINGS: Record<string, (inputs: Inputs) => (string | undefined)[]> = {
  "aws:kinesis/stream:Stream": (i) => [
    `mode=${i.streamModeDetails?.streamMode}`,
    i.shardCount !== undefined ? `shards=${i.shardCount}` : undefined,
    `retention=${i.retentionPeriod}h`,
    `encryption=${i.encryptionType}:${i.kmsKeyId}`,
  ],
  "aws:dynamodb/table:Table": (i) => [
    `keys=${i.hashKey}/${i.rangeKey}`,
    `billing=${i.billingMode}`,
    `ttl=${i.ttl?.attributeName}`,
    `sse=${i.serverSideEncryption?.enabled}`,
    `pitr=${i.pointInTimeRecovery?.enabled}`,
    `deletionProtection=${i.deletionProtectionEnabled}`,
  ],
  "aws:s3/bucket:Bucket": (i) => [`forceDestroy=${i.forceDestroy}`],
  "aws:s3/bucketObject:BucketObject": (i) => [`key=${i.key}`],
  "aws:s3/bucketVersioning:BucketVersioning": (i) => [`status=${i.versioningConfiguration?.status}`],
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (i) => [
    `sse=${i.rules?.[0]?.applyServerSideEncryptionByDefault?.sseAlgorithm}`,
  ],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (i) => [`ownership=${i.rule?.objectOwnership}`],
  "aws:cloudwatch/logGroup:LogGroup": (i) => [`name=${i.name}`, `retention=${i.retentionInDays}d`],
  "aws:iam/role:Role": (i) => statements(i.assumeRolePolicy).map((s) => `trust: ${describeStatement(s)}`),
  "aws:iam/rolePolicy:RolePolicy": (i) => statements(i.policy).map(describeStatement),
  "aws:s3/bucketPolicy:BucketPolicy": (i) => statements(i.policy).map(describeStatement),
  "awsx:ec2:Vpc": (i) => [
    `cidr=${i.cidrBlock}`,
    `zones=${i.numberOfAvailabilityZones}`,
    `nat=${i.natGateways?.strategy}`,
    `subnets=${(i.subnetSpecs ?? []).map((spec: Inputs) => `${spec.type}/${spec.cidrMask}`).join(",")} (${i.subnetStrategy})`,
  ],
  "aws:ec2/vpc:Vpc": (i) => [`cidr=${i.cidrBlock}`],
  "aws:ec2/subnet:Subnet": (i) => [
    `${i.tags?.SubnetType} ${i.cidrBlock} in ${i.availabilityZone}`,
    i.mapPublicIpOnLaunch ? "mapPublicIpOnLaunch=true" : undefined,
  ],
  "aws:ec2/route:Route": (i) => [
    `${i.destinationCidrBlock} -> ${i.natGatewayId ?? i.gatewayId ?? "(known after deployment)"}`,
  ],
  "aws:ec2/natGateway:NatGateway": (i) => [`subnet=${i.subnetId ?? "(known after deployment)"}`],
  "aws:ec2/securityGroup:SecurityGroup": (i) => [`description=${i.description}`],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (i) => [
    `egress ${i.ipProtocol} ${i.fromPort}-${i.toPort} to ${rulePeer(i)}`,
  ],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (i) => [
    `ingress ${i.ipProtocol} ${i.fromPort}-${i.toPort} from ${rulePeer(i)}`,
  ],
  "aws:ec2/vpcEndpoint:VpcEndpoint": (i) => [
    `${i.vpcEndpointType} ${i.serviceName}`,
    i.vpcEndpointType === "Interface"
      ? `privateDns=${i.privateDnsEnabled} subnets=${(i.subnetIds ?? []).length}`
      : undefined,
    i.vpcEndpointType === "Gateway" ? `routeTables=${(i.routeTableIds ?? []).length}` : undefined,
    i.policy === undefined ? "policy=full access (AWS default)" : undefined,
    ...statements(i.policy).map((s) => `policy: ${describeStatement(s)}`),
  ],
  "aws:kinesisanalyticsv2/application:Application": (i) => {
    const config = i.applicationConfiguration ?? {};
    const flink = config.flinkApplicationConfiguration ?? {};
    const checkpoint = flink.checkpointConfiguration ?? {};
    const parallelism = flink.parallelismConfiguration ?? {};
    return [
      `name=${i.name}`,
      `runtime=${i.runtimeEnvironment}`,
      `start=${i.startApplication}`,
      `parallelism=${parallelism.parallelism}x${parallelism.parallelismPerKpu}/KPU autoscaling=${parallelism.autoScalingEnabled}`,
      `checkpoints=${checkpoint.checkpointingEnabled} every ${checkpoint.checkpointInterval}ms`,
      `snapshots=${config.applicationSnapshotConfiguration?.snapshotsEnabled}`,
      `restore=${config.runConfiguration?.applicationRestoreConfiguration?.applicationRestoreType}`,
      `forceStop=${i.forceStop}`,
      `code=${config.applicationCodeConfiguration?.codeContent?.s3ContentLocation?.fileKey}`,
      `propertyGroups=${(config.environmentProperties?.propertyGroups ?? []).map((g: Inputs) => g.propertyGroupId).join(",")}`,
      `allowNonRestoredState=${config.runConfiguration?.flinkRunConfiguration?.allowNonRestoredState}`,
      config.vpcConfiguration
        ? `vpc: subnets=${(config.vpcConfiguration.subnetIds ?? []).join(",")} securityGroups=${(config.vpcConfiguration.securityGroupIds ?? []).join(",")}`
        : undefined,
    ];
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (i) => [
    `${describeAlarmMetric(i)} ${COMPARISONS[i.comparisonOperator] ?? i.comparisonOperator} ${i.threshold}`,
    `periods=${i.datapointsToAlarm ?? i.evaluationPeriods}/${i.evaluationPeriods} missingData=${i.treatMissingData}`,
    `actions=${(i.alarmActions ?? []).join(",")}`,
  ],
  "aws:cloudwatch/dashboard:Dashboard": (i) => [`name=${i.dashboardName}`],
  "aws:sns/topic:Topic": (i) => [`name=${i.name}`, `kms=${i.kmsMasterKeyId}`],
  "aws:sns/topicPolicy:TopicPolicy": (i) => statements(i.policy).map(describeStatement),
  "aws:sns/topicSubscription:TopicSubscription": (i) => [`${i.protocol}=${i.endpoint}`],
  "aws:kms/key:Key": (i) => [
    `rotation=${i.enableKeyRotation}`,
    ...statements(i.policy).map(describeStatement),
  ],
  "pulumi:providers:confluentcloud": (i) => [
    `cloudApiKey=${i.cloudApiKey ?? "(from CONFLUENT_CLOUD_API_KEY)"}`,
    `cloudApiSecret=${i.cloudApiSecret ?? "(from CONFLUENT_CLOUD_API_SECRET)"}`,
  ],
  "confluentcloud:index/serviceAccount:ServiceAccount": (i) => [`displayName=${i.displayName}`],
  "confluentcloud:index/apiKey:ApiKey": (i) => [
    `displayName=${i.displayName}`,
    `for ${i.managedResource?.kind ?? "?"} ${i.managedResource?.id ?? "(known after deployment)"} (${i.managedResource?.apiVersion ?? "?"})`,
  ],
  "confluentcloud:index/kafkaTopic:KafkaTopic": (i) => [
    `topic=${i.topicName}`,
    `partitions=${i.partitionsCount}`,
    ...Object.entries(i.config ?? {}).map(([key, value]) => `${key}=${value}`),
    `credentials=${i.credentials ?? "(the provider's)"}`,
  ],
  "confluentcloud:index/kafkaAcl:KafkaAcl": (i) => [
    `${i.permission} ${i.operation} on ${i.resourceType} ${i.resourceName} (${i.patternType}) for ${i.principal ?? "(known after deployment)"}`,
  ],
  "confluentcloud:index/roleBinding:RoleBinding": (i) => [
    `${i.roleName} on ${i.crnPattern ?? "(known after deployment)"} for ${i.principal ?? "(known after deployment)"}`,
  ],
  "aws:secretsmanager/secret:Secret": (i) => [`name=${i.name}`, `kms=${i.kmsKeyId ?? "aws/secretsmanager"}`],
  "aws:secretsmanager/secretVersion:SecretVersion": (i) => [`secretString=${i.secretString}`],
  "aws:ssm/parameter:Parameter": (i) => [`${i.name}=${i.insecureValue ?? i.value}`, `type=${i.type}`],
};

const COMPARISONS: Record<string, string> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: ">=",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
};

/** `AWS/KinesisAnalytics cpuUtilization Maximum {Application=app}`, or the metric-math expression with its metrics. */
function describeAlarmMetric(i: Inputs): string {
  const dimensions = (d: Inputs | undefined) =>
    `{${Object.entries(d ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(",")}}`;
  if (i.metricName !== undefined)
    return `${i.namespace} ${i.metricName} ${i.statistic}/${i.period}s ${dimensions(i.dimensions)}`;
  const queries: Inputs[] = i.metricQueries ?? [];
  const expression = queries.find((q) => q.expression !== undefined)?.expression;
  const inputs = queries
    .filter((q) => q.metric !== undefined)
    .map(
      (q) =>
        `${q.id}=${q.metric.namespace} ${q.metric.metricName} ${q.metric.stat}/${q.metric.period}s ${dimensions(q.metric.dimensions)}`,
    );
  return `${expression} where ${inputs.join("; ")}`;
}

function statements(document: unknown): Inputs[] {
  if (typeof document !== "string") return [];
  try {
    const parsed = JSON.parse(document);
    return Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  } catch {
    return [];
  }
}

/** The peer of a security group rule: a CIDR, a prefix list or another security group. */
function rulePeer(rule: Inputs): string {
  return rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.prefixListId ?? rule.referencedSecurityGroupId;
}

function describeStatement(statement: Inputs): string {
  const list = (value: unknown) => (Array.isArray(value) ? value.join(",") : String(value));
  const who = statement.Principal ? ` for ${JSON.stringify(statement.Principal)}` : "";
  const resource = statement.Resource !== undefined ? ` on ${list(statement.Resource)}` : "";
  const condition = statement.Condition ? ` if ${JSON.stringify(statement.Condition)}` : "";
  return `${statement.Effect ?? "Allow"} ${list(statement.Action)}${who}${resource}${condition}`;
}

export function keySettings(resource: PlannedResource): string[] {
  const describe = KEY_SETTINGS[resource.type];
  const inputs = redactSecrets(resource.inputs) as Inputs;
  const settings = (describe ? describe(inputs) : []).filter(
    (setting): setting is string => setting !== undefined,
  );
  const timeouts = resource.customTimeouts;
  if (timeouts)
    settings.push(
      `timeouts=${Object.entries(timeouts)
        .map(([op, d]) => `${op}:${d}`)
        .join(",")}`,
    );
  return settings;
}

/** The resource tree: components with their children, settings indented under each. */
export function renderTree(result: PlanResult, header: string): string {
  const children = new Map<string | undefined, PlannedResource[]>();
  const urns = new Set(result.resources.map((r) => r.urn));
  for (const resource of result.resources) {
    const parent = resource.parent && urns.has(resource.parent) ? resource.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), resource]);
  }
  const lines = [header, ""];
  if (result.simulated.length > 0) {
    lines.push(
      "Simulated look-ups (no AWS to ask: the offline plan answers from the stack's config; `pulumi preview` asks EC2):",
      ...result.simulated.map((answer) => `  ${answer}`),
      "",
    );
  }
  const walk = (parent: string | undefined, indent: string) => {
    const siblings = (children.get(parent) ?? []).sort((a, b) => a.urn.localeCompare(b.urn));
    siblings.forEach((resource, index) => {
      const last = index === siblings.length - 1;
      const flags = [
        resource.protect ? "protect" : "",
        resource.retainOnDelete ? "retainOnDelete" : "",
        resource.createdBy ? `simulated: created by ${componentOf(resource.createdBy)}` : "",
      ].filter(Boolean);
      const branch = parent === undefined ? "" : last ? "└─ " : "├─ ";
      lines.push(
        `${indent}${branch}${resource.type}  ${resource.name}${flags.length ? `  [${flags.join(", ")}]` : ""}`,
      );
      const childIndent = parent === undefined ? indent : indent + (last ? "   " : "│  ");
      for (const setting of keySettings(resource))
        lines.push(`${childIndent}${children.has(resource.urn) ? "│  " : "   "}· ${setting}`);
      walk(resource.urn, childIndent);
    });
  };
  walk(undefined, "");
  lines.push("", "Outputs:");
  const width = Math.max(0, ...Object.keys(result.outputs).map((k) => k.length));
  for (const [key, output] of Object.entries(result.outputs)) {
    lines.push(`  ${key.padEnd(width)}  ${output.secret ? "[secret]" : formatValue(output.value)}`);
  }
  return lines.join("\n");
}

/** `awsx:ec2:Vpc network` for that component's URN. */
function componentOf(urn: string): string {
  const [, , qualifiedType, name] = urn.split("::");
  return `${qualifiedType.split("$").pop()} ${name}`;
}

function formatValue(value: unknown): string {
  if (value === undefined) return "(known after deployment)";
  return typeof value === "string" ? value : JSON.stringify(redactSecrets(value));
}

export interface PlanDocument {
  project: string;
  stack: string;
  resources: {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    protect: boolean;
    retainOnDelete: boolean;
    dependsOn: string[];
    customTimeouts: { create?: string; update?: string; delete?: string } | null;
    inputs: unknown;
    outputs: unknown;
    /** Only on a resource a remote component creates, which the plan lists from its args: that component's URN. */
    createdBy?: string;
  }[];
  outputs: Record<string, unknown>;
  /** Look-up answers the offline plan made up; present only when there are any. */
  simulated?: string[];
}

/** The `--json` document; every secret reads `"[secret]"`. */
export function planDocument(project: string, stack: string, result: PlanResult): PlanDocument {
  return {
    project,
    stack,
    resources: result.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent ?? null,
      protect: r.protect,
      retainOnDelete: r.retainOnDelete,
      dependsOn: r.dependsOn,
      customTimeouts: r.customTimeouts ?? null,
      inputs: redactSecrets(r.inputs),
      outputs: redactSecrets(r.outputs),
      ...(r.createdBy ? { createdBy: r.createdBy } : {}),
    })),
    outputs: Object.fromEntries(
      Object.entries(result.outputs).map(([key, output]) => [
        key,
        output.secret ? "[secret]" : redactSecrets(output.value),
      ]),
    ),
    ...(result.simulated.length > 0 ? { simulated: result.simulated } : {}),
  };
}
