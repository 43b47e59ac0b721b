/**
 * Runs the operations CLI against aws-sdk-client-mock stubs (no network) with a fake clock, and
 * records every call it sends.
 */
import { CloudWatchClient, GetMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import { KinesisAnalyticsV2Client } from "@aws-sdk/client-kinesis-analytics-v2";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { main } from "../../../tools/flink/cli";
import { PROJECT_DIR } from "../../helpers";

// The SDK's notice about Node 20 would clutter the test output (the CLI turns it off the same way).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export const T0 = Date.parse("2026-12-02T12:00:30Z");
export const APP = "flink-pipeline-dev";

export interface Harness {
  flink: AwsClientStub<KinesisAnalyticsV2Client>;
  cloudwatch: AwsClientStub<CloudWatchClient>;
  /** Every wait the CLI made, in ms. */
  sleeps: number[];
  now(): number;
  run(...argv: string[]): Promise<{ code: number; out: string; err: string }>;
  /** The calls sent to Managed Flink: `[operation, input]`. */
  flinkCalls(): [string, any][];
}

/** `projectDir`: where Pulumi.yaml and the stack files are. @default the project itself */
export function harness(projectDir = PROJECT_DIR): Harness {
  const flinkClient = new KinesisAnalyticsV2Client({ region: "us-east-1" });
  const cloudwatchClient = new CloudWatchClient({ region: "us-east-1" });
  const flink = mockClient(flinkClient);
  const cloudwatch = mockClient(cloudwatchClient);
  let now = T0;
  const sleeps: number[] = [];
  const clock = {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return {
    flink,
    cloudwatch,
    sleeps,
    now: () => now,
    async run(...argv) {
      let out = "";
      let err = "";
      const code = await main(argv, {
        projectDir,
        clients: () => ({ flink: flinkClient, cloudwatch: cloudwatchClient }),
        clock,
        pollMs: 15_000,
        stdout: (text) => (out += text),
        stderr: (text) => (err += text),
      });
      return { code, out, err };
    },
    flinkCalls: () =>
      flink.calls().map((call) => {
        const command = call.args[0] as unknown as { constructor: { name: string }; input: unknown };
        return [command.constructor.name.replace(/Command$/, ""), command.input];
      }),
  };
}

export function application(status: string, version = 7, extra: Record<string, unknown> = {}, name = APP) {
  return {
    ApplicationDetail: {
      ApplicationARN: `arn:aws:kinesisanalytics:us-east-1:123456789012:application/${name}`,
      ApplicationName: name,
      RuntimeEnvironment: "FLINK-1_20",
      ApplicationStatus: status,
      ApplicationVersionId: version,
      LastUpdateTimestamp: new Date("2026-12-02T11:50:00Z"),
      ...extra,
    },
  } as any;
}

/** An AWS error as the SDK raises it. */
export function awsError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

/**
 * A GetMetricData answer: for each returned query (its Label is the signal), one value per period
 * start from `series(signal, periodStart)`; `undefined` leaves a gap.
 */
export function metricAnswer(
  input: GetMetricDataCommandInput,
  series: (signal: string, periodStart: number) => number | undefined,
) {
  const period = 60_000;
  const first = Math.floor(input.StartTime!.getTime() / period) * period;
  const results = input
    .MetricDataQueries!.filter((q) => q.ReturnData)
    .map((q) => {
      const timestamps: Date[] = [];
      const values: number[] = [];
      for (let t = first; t < input.EndTime!.getTime(); t += period) {
        const value = series(q.Label!, t);
        if (value === undefined) continue;
        timestamps.push(new Date(t));
        values.push(value);
      }
      return { Id: q.Id, Label: q.Label, Timestamps: timestamps, Values: values, StatusCode: "Complete" };
    });
  return { MetricDataResults: results };
}

/** Values of a healthy job. */
export const HEALTHY: Record<string, number> = {
  downtime: 0,
  "failed-checkpoints": 0,
  "checkpoint-duration": 1200,
  restarts: 0,
  "source-lag": 800,
};
