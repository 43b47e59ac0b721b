/**
 * The monthly cost of a plan: what each resource the program registers costs in a month at list
 * prices, under stated workload assumptions. Prices come from a dated table per region (below);
 * a region without one says so rather than guessing. Free tiers and taxes are not counted.
 */
import { UsageError } from "./stackFiles";

type Inputs = Record<string, any>;

export interface CostResource {
  urn: string;
  type: string;
  inputs: Inputs;
}

/** Workload the prices apply to; each is a plan flag. */
export interface CostAssumptions {
  /** Records per second into the source. @default 100 */
  eventsPerSecond: number;
  /** Bytes per record. @default 1024 */
  eventBytes: number;
  /** DynamoDB writes per second (the job writes window aggregates, not every record). @default 10 */
  writesPerSecond: number;
  /** Items stored in the table, GB. @default 1 */
  dynamodbGb: number;
  /** Application logs ingested per month, GB (kept for the log group's retention). @default 5 */
  logGbPerMonth: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  eventsPerSecond: 100,
  eventBytes: 1024,
  writesPerSecond: 10,
  dynamodbGb: 1,
  logGbPerMonth: 5,
};

export const HOURS_PER_MONTH = 730;
/** Managed Flink's default quota of KPUs per application: where autoscaling stops. */
export const MAX_KPUS = 64;

export interface PriceTable {
  source: string;
  date: string;
  usd: {
    kpuHour: number;
    runningStorageGbMonth: number;
    kinesisShardHour: number;
    kinesisExtendedRetentionShardHour: number;
    kinesisPutMillionUnits: number;
    kinesisOnDemandStreamHour: number;
    kinesisOnDemandIngestGb: number;
    kinesisOnDemandRetrievalGb: number;
    efoConsumerShardHour: number;
    efoRetrievalGb: number;
    dynamodbMillionWrites: number;
    dynamodbStorageGbMonth: number;
    dynamodbPitrGbMonth: number;
    natGatewayHour: number;
    natGatewayGb: number;
    publicIpv4Hour: number;
    interfaceEndpointHour: number;
    kmsKeyMonth: number;
    secretMonth: number;
    ssmAdvancedParameterMonth: number;
    alarmMetricMonth: number;
    dashboardMonth: number;
    logIngestGb: number;
    logStorageGbMonth: number;
  };
}

/** List prices per region, on-demand, USD. */
export const PRICES: Record<string, PriceTable> = {
  "us-east-1": {
    source:
      "AWS public pricing pages (Managed Service for Apache Flink, Kinesis Data Streams, DynamoDB on-demand, VPC NAT gateway, public IPv4 address and PrivateLink, KMS, Secrets Manager, Systems Manager, CloudWatch), US East (N. Virginia)",
    date: "2025-06-01",
    usd: {
      kpuHour: 0.11,
      runningStorageGbMonth: 0.1,
      kinesisShardHour: 0.015,
      kinesisExtendedRetentionShardHour: 0.02,
      kinesisPutMillionUnits: 0.014,
      kinesisOnDemandStreamHour: 0.04,
      kinesisOnDemandIngestGb: 0.08,
      kinesisOnDemandRetrievalGb: 0.04,
      efoConsumerShardHour: 0.015,
      efoRetrievalGb: 0.013,
      dynamodbMillionWrites: 0.625,
      dynamodbStorageGbMonth: 0.25,
      dynamodbPitrGbMonth: 0.2,
      natGatewayHour: 0.045,
      natGatewayGb: 0.045,
      publicIpv4Hour: 0.005,
      interfaceEndpointHour: 0.01,
      kmsKeyMonth: 1,
      secretMonth: 0.4,
      ssmAdvancedParameterMonth: 0.05,
      alarmMetricMonth: 0.1,
      dashboardMonth: 3,
      logIngestGb: 0.5,
      logStorageGbMonth: 0.03,
    },
  },
};

/** Running storage Managed Flink gives (and bills) each KPU. */
const STORAGE_GB_PER_KPU = 50;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

export interface CostItem {
  urn: string;
  what: string;
  monthlyUsd: number;
  basis: string;
}

export interface Cost {
  region: string;
  /** Null when the region has no price table. */
  monthlyUsd: number | null;
  /** With every autoscaling application at its KPU maximum; equals monthlyUsd without autoscaling. */
  maxMonthlyUsd: number | null;
  items: CostItem[];
  assumptions: CostAssumptions;
  prices: { region: string; source: string; date: string } | { region: string; missing: string };
}

const round = (usd: number) => Math.round(usd * 100) / 100;

export function estimateCost(
  resources: CostResource[],
  region: string,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
): Cost {
  const table = PRICES[region];
  if (!table)
    return {
      region,
      monthlyUsd: null,
      maxMonthlyUsd: null,
      items: [],
      assumptions,
      prices: {
        region,
        missing: `no price table for ${region} (tables: ${Object.keys(PRICES).join(", ")}); add one to tools/cost.ts`,
      },
    };
  const p = table.usd;
  const items: CostItem[] = [];
  let extraAtMax = 0;
  const add = (urn: string, what: string, usd: number, basis: string) =>
    items.push({ urn, what, monthlyUsd: round(usd), basis });
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const ingestGbMonth = (assumptions.eventsPerSecond * assumptions.eventBytes * SECONDS_PER_MONTH) / 1e9;
  const applications = ofType("aws:kinesisanalyticsv2/application:Application");
  const efoConsumers = applications.filter((app) =>
    (app.inputs.applicationConfiguration?.environmentProperties?.propertyGroups ?? []).some(
      (g: Inputs) => g.propertyGroupId === "source" && g.propertyMap?.["efo.consumer.name"],
    ),
  ).length;

  for (const app of applications) {
    const parallelism =
      app.inputs.applicationConfiguration?.flinkApplicationConfiguration?.parallelismConfiguration ?? {};
    const perKpu = parallelism.parallelismPerKpu ?? 1;
    const kpus = Math.ceil((parallelism.parallelism ?? 1) / perKpu) + 1;
    const monthly = (k: number) =>
      k * p.kpuHour * HOURS_PER_MONTH + (k - 1) * STORAGE_GB_PER_KPU * p.runningStorageGbMonth;
    add(
      app.urn,
      `Managed Flink ${app.inputs.name}: ${kpus} KPU`,
      monthly(kpus),
      `(ceil(parallelism ${parallelism.parallelism ?? 1} / ${perKpu} per KPU) + 1 orchestration) KPU x $${p.kpuHour}/h x ${HOURS_PER_MONTH} h + ${kpus - 1} x ${STORAGE_GB_PER_KPU} GB running storage x $${p.runningStorageGbMonth}/GB-month`,
    );
    if (parallelism.autoScalingEnabled) extraAtMax += monthly(MAX_KPUS + 1) - monthly(kpus);
  }

  for (const stream of ofType("aws:kinesis/stream:Stream")) {
    const mode = stream.inputs.streamModeDetails?.streamMode ?? "PROVISIONED";
    if (mode === "ON_DEMAND") {
      add(
        stream.urn,
        `Kinesis ${stream.inputs.name} (on-demand)`,
        HOURS_PER_MONTH * p.kinesisOnDemandStreamHour +
          ingestGbMonth * p.kinesisOnDemandIngestGb +
          ingestGbMonth * (efoConsumers > 0 ? p.efoRetrievalGb : p.kinesisOnDemandRetrievalGb),
        `${HOURS_PER_MONTH} stream-h x $${p.kinesisOnDemandStreamHour} + ${ingestGbMonth.toFixed(1)} GB in x $${p.kinesisOnDemandIngestGb} + read once x $${efoConsumers > 0 ? p.efoRetrievalGb : p.kinesisOnDemandRetrievalGb}/GB`,
      );
      continue;
    }
    const shards = stream.inputs.shardCount ?? 1;
    const putUnits =
      assumptions.eventsPerSecond * Math.ceil(assumptions.eventBytes / 25600) * SECONDS_PER_MONTH;
    const extended = (stream.inputs.retentionPeriod ?? 24) > 24;
    add(
      stream.urn,
      `Kinesis ${stream.inputs.name}: ${shards} shard(s)`,
      shards * HOURS_PER_MONTH * (p.kinesisShardHour + (extended ? p.kinesisExtendedRetentionShardHour : 0)) +
        (putUnits / 1e6) * p.kinesisPutMillionUnits,
      `${shards} shard x ${HOURS_PER_MONTH} h x $${p.kinesisShardHour}${extended ? ` (+$${p.kinesisExtendedRetentionShardHour} retention over 24 h)` : ""} + ${(putUnits / 1e6).toFixed(1)} M PUT units x $${p.kinesisPutMillionUnits}`,
    );
    if (efoConsumers > 0)
      add(
        stream.urn,
        `Kinesis ${stream.inputs.name}: enhanced fan-out`,
        efoConsumers * shards * HOURS_PER_MONTH * p.efoConsumerShardHour +
          ingestGbMonth * efoConsumers * p.efoRetrievalGb,
        `${efoConsumers} consumer x ${shards} shard x ${HOURS_PER_MONTH} h x $${p.efoConsumerShardHour} + ${ingestGbMonth.toFixed(1)} GB x $${p.efoRetrievalGb}`,
      );
  }

  for (const table of ofType("aws:dynamodb/table:Table")) {
    const writes = (assumptions.writesPerSecond * SECONDS_PER_MONTH) / 1e6;
    const pitr = table.inputs.pointInTimeRecovery?.enabled === true;
    add(
      table.urn,
      `DynamoDB ${table.inputs.name}${table.inputs.billingMode === "PAY_PER_REQUEST" ? " (on-demand)" : ""}`,
      writes * p.dynamodbMillionWrites +
        assumptions.dynamodbGb * (p.dynamodbStorageGbMonth + (pitr ? p.dynamodbPitrGbMonth : 0)),
      `${writes.toFixed(2)} M writes x $${p.dynamodbMillionWrites} + ${assumptions.dynamodbGb} GB x $${p.dynamodbStorageGbMonth}${pitr ? ` + PITR $${p.dynamodbPitrGbMonth}` : ""}/GB-month`,
    );
  }

  // awsx's NAT gateways and their addresses are listed by the plan (tools/awsxVpc.ts).
  for (const nat of ofType("aws:ec2/natGateway:NatGateway"))
    add(
      nat.urn,
      `NAT gateway ${nat.inputs.tags?.Name ?? ""}`.trim(),
      HOURS_PER_MONTH * p.natGatewayHour,
      `${HOURS_PER_MONTH} h x $${p.natGatewayHour} (data processed not counted: endpoints carry AWS traffic)`,
    );
  for (const eip of ofType("aws:ec2/eip:Eip"))
    add(
      eip.urn,
      `public IPv4 address ${eip.inputs.tags?.Name ?? ""}`.trim(),
      HOURS_PER_MONTH * p.publicIpv4Hour,
      `${HOURS_PER_MONTH} h x $${p.publicIpv4Hour}`,
    );

  for (const endpoint of ofType("aws:ec2/vpcEndpoint:VpcEndpoint")) {
    if (endpoint.inputs.vpcEndpointType !== "Interface") continue;
    const zones = (endpoint.inputs.subnetIds ?? []).length || 1;
    add(
      endpoint.urn,
      `interface endpoint ${endpoint.inputs.serviceName}`,
      zones * HOURS_PER_MONTH * p.interfaceEndpointHour,
      `${zones} zone x ${HOURS_PER_MONTH} h x $${p.interfaceEndpointHour}`,
    );
  }

  const flat = (type: string, what: string, usd: number, basis: string, counts = (_: CostResource) => true) =>
    ofType(type)
      .filter(counts)
      .forEach((r) => add(r.urn, what, usd, basis));
  flat("aws:kms/key:Key", "KMS key", p.kmsKeyMonth, `$${p.kmsKeyMonth}/key-month`);
  flat("aws:secretsmanager/secret:Secret", "secret", p.secretMonth, `$${p.secretMonth}/secret-month`);
  flat(
    "aws:ssm/parameter:Parameter",
    "SSM advanced parameter",
    p.ssmAdvancedParameterMonth,
    `$${p.ssmAdvancedParameterMonth}/parameter-month`,
    (r) => r.inputs.tier === "Advanced",
  );
  for (const alarm of ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) {
    const metrics =
      alarm.inputs.metricName !== undefined
        ? 1
        : (alarm.inputs.metricQueries ?? []).filter((q: Inputs) => q.metric).length;
    add(
      alarm.urn,
      `alarm ${alarm.inputs.name ?? alarm.inputs.alarmName ?? ""}`.trim(),
      metrics * p.alarmMetricMonth,
      `${metrics} metric x $${p.alarmMetricMonth}/month`,
    );
  }
  flat(
    "aws:cloudwatch/dashboard:Dashboard",
    "dashboard",
    p.dashboardMonth,
    `$${p.dashboardMonth}/dashboard-month`,
  );
  for (const group of ofType("aws:cloudwatch/logGroup:LogGroup")) {
    const retainedGb = assumptions.logGbPerMonth * Math.min((group.inputs.retentionInDays ?? 3653) / 30, 120);
    add(
      group.urn,
      `logs ${group.inputs.name}`,
      assumptions.logGbPerMonth * p.logIngestGb + retainedGb * p.logStorageGbMonth,
      `${assumptions.logGbPerMonth} GB in x $${p.logIngestGb} + ${retainedGb.toFixed(1)} GB kept (retention ${group.inputs.retentionInDays ?? "never expires: 10 years"} d) x $${p.logStorageGbMonth}`,
    );
  }

  const total = round(items.reduce((sum, item) => sum + item.monthlyUsd, 0));
  return {
    region,
    monthlyUsd: total,
    maxMonthlyUsd: round(total + extraAtMax),
    items,
    assumptions,
    prices: { region, source: table.source, date: table.date },
  };
}

export function renderCost(cost: Cost): string {
  if (cost.monthlyUsd === null)
    return `Monthly cost: unknown: ${"missing" in cost.prices ? cost.prices.missing : ""}`;
  const width = Math.max(...cost.items.map((i) => i.what.length), 0);
  const a = cost.assumptions;
  return [
    `Monthly cost: $${cost.monthlyUsd.toFixed(2)}${cost.maxMonthlyUsd !== cost.monthlyUsd ? ` (up to $${cost.maxMonthlyUsd!.toFixed(2)} with autoscaling at ${MAX_KPUS} KPU)` : ""}`,
    ...cost.items.map(
      (i) => `  ${i.what.padEnd(width)}  $${i.monthlyUsd.toFixed(2).padStart(8)}  ${i.basis}`,
    ),
    `  assumptions: ${a.eventsPerSecond} events/s of ${a.eventBytes} B, ${a.writesPerSecond} table writes/s, ${a.dynamodbGb} GB in the table, ${a.logGbPerMonth} GB logs/month`,
    `  prices: ${"source" in cost.prices ? `${cost.prices.source}, as of ${cost.prices.date}` : ""}; free tiers and S3/SNS/data transfer not counted`,
  ].join("\n");
}

/** The plan's flags for the assumptions. */
export const COST_FLAGS: Record<string, keyof CostAssumptions> = {
  "--events-per-second": "eventsPerSecond",
  "--event-bytes": "eventBytes",
  "--writes-per-second": "writesPerSecond",
  "--dynamodb-gb": "dynamodbGb",
  "--log-gb-per-month": "logGbPerMonth",
};

export const COST_USAGE = `  --events-per-second <n>  cost: records per second into the source (default ${DEFAULT_ASSUMPTIONS.eventsPerSecond})
  --event-bytes <n>        cost: bytes per record (default ${DEFAULT_ASSUMPTIONS.eventBytes})
  --writes-per-second <n>  cost: DynamoDB writes per second (default ${DEFAULT_ASSUMPTIONS.writesPerSecond})
  --dynamodb-gb <n>        cost: GB stored in the table (default ${DEFAULT_ASSUMPTIONS.dynamodbGb})
  --log-gb-per-month <n>   cost: application logs per month, GB (default ${DEFAULT_ASSUMPTIONS.logGbPerMonth})`;

/** A non-negative number, or a UsageError naming the flag. */
export function costFlagValue(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0)
    throw new UsageError(`${flag} must be a non-negative number (got ${JSON.stringify(text)})`);
  return value;
}
