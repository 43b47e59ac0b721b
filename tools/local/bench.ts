/**
 * The local pipeline's benchmark: the dev stack's data path (kinesis-local, the job in a Flink
 * mini-cluster, dynalite) fed at a fixed rate, measuring
 *   - sustained events/s: records the Kinesis source read per second of the sending phase, next to
 *     the offered and the sent rate, with every count checked against the truth at the end;
 *   - close-to-row latency: wall time from putting the event that moves the watermark past a
 *     window's end to that window's row being readable in DynamoDB (probes, after the load). The
 *     event-time wait before it (window.seconds + watermark.delay.seconds) is the job's definition.
 *
 *   npm run --silent bench:local -- [--stack <name>] [--rate N] [--seconds N] [--keys N] [--probes N] [--json]
 *
 * Exit codes: 0 measured (counts exact, nothing dropped as late); 1 the pipeline failed or a count
 * is wrong; 2 bad usage or a missing prerequisite.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { preparePipeline, windowing } from "./cli";
import { PrerequisiteError } from "./emulators";
import { putLines, truthKey, truthOf, windowStartIso } from "./events";
import {
  JobFailed,
  LATE_METRIC,
  checkJobPrerequisites,
  ensureRunning,
  metricSum,
  metricSumWhere,
  startJob,
  waitForShardConsumers,
} from "./flinkJob";
import { PlanError, localPlan, planDocument } from "./localPlan";
import { ProcessGroup, sleep } from "./processes";
import { scanItems } from "./table";

export const USAGE =
  "Usage: npm run --silent bench:local -- [--stack <name>] [--rate N] [--seconds N] [--keys N] [--probes N] [--json]";

interface BenchArgs {
  stack: string;
  rate: number;
  seconds: number;
  keys: number;
  probes: number;
  json: boolean;
}

class UsageError extends Error {}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { stack: "dev", rate: 1000, seconds: 30, keys: 100, probes: 5, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = argv[++i];
    if (flag === "--json") {
      args.json = true;
      i--;
      continue;
    }
    if (next === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === "--stack") {
      if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(next)) throw new UsageError(`--stack must be a stack name`);
      args.stack = next;
    } else if (["--rate", "--seconds", "--keys", "--probes"].includes(flag)) {
      if (!/^[1-9][0-9]*$/.test(next)) throw new UsageError(`${flag} must be a positive whole number`);
      (args as unknown as Record<string, number>)[flag.slice(2)] = Number(next);
    } else throw new UsageError(`unknown option ${JSON.stringify(flag)}`);
  }
  return args;
}

/** Records the Kinesis source operator emitted (its operator-scoped numRecordsOut). */
const sourceRead = (id: string) => /^Source.*\.numRecordsOut$/.test(id);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function bench(args: BenchArgs, group: ProcessGroup, log: (line: string) => void) {
  checkJobPrerequisites();
  const plan = localPlan(await planDocument(args.stack));
  const pipeline = await preparePipeline(group, plan, group.logDir);
  const { windowSeconds, delaySeconds } = windowing(plan);
  const job = await startJob(group, {
    workDir: group.logDir,
    propertiesFile: pipeline.propertiesFile,
    region: plan.region,
    settings: {
      parallelism: plan.parallelism,
      checkpointIntervalMs: 10_000,
      checkpointDir: path.join(group.logDir, "checkpoints"),
    },
  });
  await waitForShardConsumers(job, plan.stream!.shardCount);
  const put = (lines: string[]) => putLines(pipeline.kinesis.endpoint, plan.stream!.arn, lines);

  // Load: event time advances with the send schedule, one second's events each second.
  const baseMs = Date.parse("2026-11-23T15:00:00Z");
  const lines: string[] = [];
  const readBefore = await metricSumWhere(job, sourceRead);
  const started = Date.now();
  for (let second = 0; second < args.seconds; second++) {
    const batch = Array.from({ length: args.rate }, (_, i) =>
      JSON.stringify({
        key: `k-${(second * args.rate + i) % args.keys}`,
        event_time: new Date(baseMs + second * 1000 + Math.floor((i * 1000) / args.rate)).toISOString(),
      }),
    );
    await put(batch);
    lines.push(...batch);
    await ensureRunning(job);
    const wait = started + (second + 1) * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
  }
  const sendSeconds = (Date.now() - started) / 1000;
  // Sustained: what the source read while the load ran and until it caught up (at most 60 s more).
  let read = 0;
  for (let i = 0; i < 600; i++) {
    read = (await metricSumWhere(job, sourceRead)) - readBefore;
    if (read >= lines.length) break;
    await sleep(100);
  }
  const readSeconds = (Date.now() - started) / 1000;
  log(
    `sent ${lines.length} in ${sendSeconds.toFixed(1)} s; source read ${read} after ${readSeconds.toFixed(1)} s`,
  );

  // Close every window of the load, then probe the close-to-row latency.
  const latencies: number[] = [];
  let probeMs = baseMs + (args.seconds + 2 * (windowSeconds + delaySeconds)) * 1000;
  const truthLines = [...lines];
  for (let probe = 0; probe <= args.probes; probe++) {
    const key = `probe-${probe}`;
    const event = JSON.stringify({ key, event_time: new Date(probeMs).toISOString() });
    const closeMs =
      (Math.floor(probeMs / (windowSeconds * 1000)) + 1) * windowSeconds * 1000 + delaySeconds * 1000;
    const closer = JSON.stringify({
      key: `closer-${probe}`,
      event_time: new Date(closeMs + 1).toISOString(),
    });
    await put([event]);
    await sleep(1_000);
    const sentAt = Date.now();
    await put([closer]);
    truthLines.push(event, closer);
    const id = truthKey(key, windowStartIso(probeMs, windowSeconds));
    const deadline = sentAt + 120_000;
    for (;;) {
      await ensureRunning(job);
      const items = await scanItems(pipeline.dynamodb.endpoint, plan.table.name);
      if (
        items.some(
          (item) => truthKey(item[plan.table.partitionKey] as string, item.window_start as string) === id,
        )
      )
        break;
      if (Date.now() > deadline) throw new JobFailed(`probe ${probe}: no row after 120 s`);
      await sleep(50);
    }
    // Probe 0 also closes the load's windows: it is not a latency sample.
    if (probe > 0) latencies.push(Date.now() - sentAt);
    probeMs = closeMs + 2 * windowSeconds * 1000;
  }

  const truth = truthOf(truthLines, windowSeconds, delaySeconds).counts;
  const items = await scanItems(pipeline.dynamodb.endpoint, plan.table.name);
  const counts = new Map(
    items.map((item) => [
      truthKey(item[plan.table.partitionKey] as string, item.window_start as string),
      item.count as number,
    ]),
  );
  const wrong = [...truth].filter(([id, count]) => counts.get(id) !== count).length;
  const late = await metricSum(job, LATE_METRIC);
  return {
    stack: plan.stack,
    cpus: os.cpus().length,
    shards: plan.stream!.shardCount,
    parallelism: plan.parallelism,
    offeredPerSecond: args.rate,
    sent: lines.length,
    sentPerSecond: Math.round(lines.length / sendSeconds),
    readPerSecond: Math.round(read / readSeconds),
    caughtUp: read >= lines.length,
    // Sent well under the offered rate: the sender (the Kinesis emulator's PutRecords) is the limit.
    limitedBy: lines.length / sendSeconds < 0.95 * args.rate ? "sender" : "none",
    closeToRowMs: { median: median(latencies), max: Math.max(...latencies), samples: latencies },
    windows: truth.size,
    wrongCounts: wrong,
    lateDropped: late,
  };
}

export async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const group = new ProcessGroup(fs.mkdtempSync(path.join(os.tmpdir(), "flink-bench-")));
  process.once("exit", () => group.killAllNow());
  process.once("SIGINT", () => process.exit(130));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const result = await bench(args, group, log);
    process.stdout.write(args.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
    return result.wrongCounts === 0 && result.lateDropped === 0 && result.caughtUp ? 0 : 1;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return error instanceof PrerequisiteError || error instanceof PlanError ? 2 : 1;
  } finally {
    await group.stopAll();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
