/**
 * A Mermaid flowchart of a plan: source -> application -> table, the role and its grants, alarms
 * -> topic, the VPC with the NAT gateways the plan lists in it, and its endpoints. GitHub renders it
 * in a pull-request comment.
 */
type Inputs = Record<string, any>;

export interface DiagramResource {
  urn: string;
  type: string;
  name: string;
  inputs: Inputs;
}

/** A Mermaid-safe label: no quotes or brackets. */
const label = (text: unknown) => String(text ?? "?").replace(/["[\]{}<>|]/g, "'");

export function renderDiagram(resources: DiagramResource[]): string {
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const lines = ["flowchart LR"];
  const streams = ofType("aws:kinesis/stream:Stream");
  const topics = ofType("confluentcloud:index/kafkaTopic:KafkaTopic");
  const apps = ofType("aws:kinesisanalyticsv2/application:Application");
  const tables = ofType("aws:dynamodb/table:Table");
  streams.forEach((s, i) => lines.push(`  source${i}[("Kinesis ${label(s.inputs.name)}")]`));
  topics.forEach((t, i) => lines.push(`  kafka${i}[("Kafka topic ${label(t.inputs.topicName)}")]`));
  apps.forEach((a, i) =>
    lines.push(`  app${i}["Managed Flink ${label(a.inputs.name)} ${label(a.inputs.runtimeEnvironment)}"]`),
  );
  tables.forEach((t, i) => lines.push(`  table${i}[("DynamoDB ${label(t.inputs.name)}")]`));
  apps.forEach((_, a) => {
    streams.forEach((__, s) => lines.push(`  source${s} --> app${a}`));
    topics.forEach((__, t) => lines.push(`  kafka${t} --> app${a}`));
    tables.forEach((__, t) => lines.push(`  app${a} --> table${t}`));
  });
  const roles = ofType("aws:iam/role:Role");
  const policies = ofType("aws:iam/rolePolicy:RolePolicy");
  roles.forEach((role, r) => {
    lines.push(`  role${r}{{"IAM role ${label(role.name)}"}}`);
    apps.forEach((_, a) => lines.push(`  role${r} -. assumed by .-> app${a}`));
    policies.forEach((policy, p) => {
      const actions = grantedActions(policy.inputs.policy);
      lines.push(
        `  grant${r}_${p}["${label(policy.name)}: ${label(actions.join(", "))}"]`,
        `  role${r} --- grant${r}_${p}`,
      );
    });
  });
  const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
  const snsTopics = ofType("aws:sns/topic:Topic");
  if (alarms.length > 0) {
    lines.push(`  alarms["${alarms.length} CloudWatch alarms"]`);
    apps.forEach((_, a) => lines.push(`  app${a} -. metrics .-> alarms`));
    snsTopics.forEach((t, i) =>
      lines.push(`  sns${i}>"SNS ${label(t.inputs.name ?? t.name)}"]`, `  alarms --> sns${i}`),
    );
  }
  // The VPC awsx creates, as the plan lists it; the component's args when it cannot list its children.
  const vpcs = [...ofType("aws:ec2/vpc:Vpc"), ...ofType("awsx:ec2:Vpc")];
  const endpoints = ofType("aws:ec2/vpcEndpoint:VpcEndpoint");
  if (vpcs.length > 0 || endpoints.length > 0) {
    lines.push(`  subgraph vpc["VPC ${label(vpcs[0]?.inputs.cidrBlock ?? "existing")}"]`);
    ofType("aws:ec2/natGateway:NatGateway").forEach((n, i) =>
      lines.push(`    nat${i}(["NAT gateway ${label(n.name)}"])`),
    );
    endpoints.forEach((e, i) =>
      lines.push(
        `    endpoint${i}(["${label(e.inputs.vpcEndpointType)} ${label(String(e.inputs.serviceName).split(".").pop())}"])`,
      ),
    );
    lines.push("  end");
    apps.forEach((_, a) => lines.push(`  app${a} --- vpc`));
  }
  return lines.join("\n");
}

function grantedActions(document: unknown): string[] {
  try {
    const parsed = typeof document === "string" ? JSON.parse(document) : document;
    const statements = [parsed?.Statement ?? []].flat();
    return [...new Set(statements.flatMap((s: Inputs) => [s.Action ?? []].flat() as string[]))];
  } catch {
    return [];
  }
}
