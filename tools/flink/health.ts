/**
 * Health from the metrics the alarms watch: the queries are built from the alarm definitions of
 * components/flinkMonitoring.ts (same metrics, statistics, dimensions, metric math and thresholds),
 * so `verify` and the alarms can never disagree on what a signal is.
 */
import { GetMetricDataCommand, MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { AlarmDefinition, AlarmMetric, FLINK_NAMESPACE } from "../../components/flinkMonitoring";

/** The alarms a healthy deployment must keep quiet: running, no restart, checkpoints completing, lag. */
export const HEALTH_SIGNALS = [
  "downtime",
  "restarts",
  "failed-checkpoints",
  "checkpoint-duration",
  "source-lag",
];

/** Signals whose every period must carry data: missing data is an outage, or leaves lag unproven. */
const DATA_REQUIRED = new Set(["source-lag"]);

export interface SignalResult {
  signal: string;
  healthy: boolean;
  /** What was watched, e.g. `RATE(numRestarts)` or `millisBehindLatest (Maximum)`. */
  metric: string;
  threshold: number;
  /** The highest value seen, when any. */
  max?: number;
  periods: number;
  periodsWithData: number;
  detail: string;
}

/** A time series as GetMetricData returns it. */
export interface Series {
  timestamps: Date[];
  values: number[];
}

export function healthDefinitions(alarms: AlarmDefinition[]): AlarmDefinition[] {
  return alarms.filter((alarm) => HEALTH_SIGNALS.includes(alarm.key));
}

const queryId = (index: number) => `s${index}`;

/** The GetMetricData queries of the health signals; the returned series of signal i has id `s<i>`. */
export function metricQueries(definitions: AlarmDefinition[], periodSeconds: number): MetricDataQuery[] {
  const stat = (metric: AlarmMetric, id: string, returnData: boolean, label?: string): MetricDataQuery => ({
    Id: id,
    ...(label !== undefined ? { Label: label } : {}),
    MetricStat: {
      Metric: {
        Namespace: metric.namespace ?? FLINK_NAMESPACE,
        MetricName: metric.metricName,
        Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({
          Name,
          Value: String(Value),
        })),
      },
      Period: periodSeconds,
      Stat: metric.statistic,
    },
    ReturnData: returnData,
  });
  return definitions.flatMap((definition, index) => {
    const id = queryId(index);
    if (definition.metric) return [stat(definition.metric, id, true, definition.key)];
    // Metric math: the alarm's inputs m1, m2, ... become s<i>_m1, s<i>_m2, ... (ids are global).
    const inputs = (definition.metrics ?? []).map((metric, m) => stat(metric, `${id}_m${m + 1}`, false));
    return [
      {
        Id: id,
        Label: definition.key,
        Expression: definition.expression!.replace(/\bm(\d+)\b/g, `${id}_m$1`),
        Period: periodSeconds,
        ReturnData: true,
      },
      ...inputs,
    ];
  });
}

/** What a signal watches, for messages. */
export function describeMetric(definition: AlarmDefinition): string {
  if (definition.metric) return `${definition.metric.metricName} (${definition.metric.statistic})`;
  return definition
    .expression!.replace(/\bm(\d+)\b/g, (_, n) => definition.metrics![Number(n) - 1].metricName)
    .replace(/ /g, "");
}

/** The period starts wholly inside [start, end). */
export function periodStarts(start: Date, end: Date, periodSeconds: number): number[] {
  const period = periodSeconds * 1000;
  const first = Math.ceil(start.getTime() / period) * period;
  const starts: number[] = [];
  for (let t = first; t + period <= end.getTime(); t += period) starts.push(t);
  return starts;
}

const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 16) + "Z";

/**
 * Judges each signal over the window: a value above the alarm's threshold is unhealthy; missing data
 * is unhealthy where the alarm treats it as breaching (downtime) and for the source lag (it must be
 * shown under the limit for the whole window). The newest period may lack data without counting:
 * Managed Flink publishes a minute or two late.
 */
export function evaluateSignals(
  definitions: AlarmDefinition[],
  data: Map<string, Series>,
  window: { start: Date; end: Date; periodSeconds: number },
): SignalResult[] {
  const starts = periodStarts(window.start, window.end, window.periodSeconds);
  return definitions.map((definition, index) => {
    const series = data.get(queryId(index)) ?? { timestamps: [], values: [] };
    const byTime = new Map(series.timestamps.map((t, i) => [t.getTime(), series.values[i]]));
    const inWindow = starts.filter((t) => byTime.has(t));
    const values = inWindow.map((t) => byTime.get(t)!);
    const max = values.length > 0 ? Math.max(...values) : undefined;
    const metric = describeMetric(definition);
    const base = {
      signal: definition.key,
      metric,
      threshold: definition.threshold,
      ...(max !== undefined ? { max } : {}),
      periods: starts.length,
      periodsWithData: inWindow.length,
    };
    const breaches = inWindow.filter((t) => byTime.get(t)! > definition.threshold);
    if (breaches.length > 0) {
      return {
        ...base,
        healthy: false,
        detail: `${metric} above ${definition.threshold} in ${breaches.length} of ${starts.length} periods (max ${max}, first at ${clockTime(breaches[0])})`,
      };
    }
    const mustHaveData = definition.treatMissingData === "breaching" || DATA_REQUIRED.has(definition.key);
    const gaps = starts.slice(0, -1).filter((t) => !byTime.has(t));
    if (mustHaveData && (gaps.length > 0 || inWindow.length === 0)) {
      const missing = starts.length - inWindow.length;
      return {
        ...base,
        healthy: false,
        detail: `${metric}: no data in ${missing} of ${starts.length} periods${gaps.length > 0 ? ` (first gap at ${clockTime(gaps[0])})` : ""}${definition.treatMissingData === "breaching" ? ": missing data counts as an outage, as in the alarm" : ": cannot show it stayed under the limit"}`,
      };
    }
    return {
      ...base,
      healthy: true,
      detail:
        inWindow.length === 0
          ? `${metric}: no data (none expected while nothing happens)`
          : `${metric} at most ${max} (limit ${definition.threshold})`,
    };
  });
}

/** Every series of the queries over [start, end), following NextToken. */
export async function fetchSeries(
  sendCloudWatch: (command: GetMetricDataCommand) => Promise<{
    MetricDataResults?: { Id?: string; Timestamps?: Date[]; Values?: number[] }[];
    NextToken?: string;
  }>,
  queries: MetricDataQuery[],
  start: Date,
  end: Date,
): Promise<Map<string, Series>> {
  const data = new Map<string, Series>();
  let token: string | undefined;
  do {
    const page = await sendCloudWatch(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: start,
        EndTime: end,
        ScanBy: "TimestampAscending",
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const result of page.MetricDataResults ?? []) {
      const series = data.get(result.Id!) ?? { timestamps: [], values: [] };
      series.timestamps.push(...(result.Timestamps ?? []).map((t) => new Date(t)));
      series.values.push(...(result.Values ?? []));
      data.set(result.Id!, series);
    }
    token = page.NextToken;
  } while (token);
  return data;
}
