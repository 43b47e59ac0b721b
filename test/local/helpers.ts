/**
 * Helpers of the local end-to-end tests: one emulator set per test file, the ground truth of what
 * a test sent, and a check that every process a run started is gone.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { callAws } from "../../tools/local/awsJson";
import { LocalPipeline, preparePipeline, windowing } from "../../tools/local/cli";
import { truthKey, truthOf } from "../../tools/local/events";
import { LocalPlan, localPlan, planDocument } from "../../tools/local/localPlan";
import { ProcessGroup, RUN_MARKER_ENV, sleep } from "../../tools/local/processes";
import { PlainValue, scanItems } from "../../tools/local/table";
import { RunningJob, ensureRunning } from "../../tools/local/flinkJob";

const plans = new Map<string, Promise<LocalPlan>>();

/** The local view of a shipped stack's offline plan (planned once per stack and test process). */
export function planOf(stack: string): Promise<LocalPlan> {
  if (!plans.has(stack)) plans.set(stack, planDocument(stack).then(localPlan));
  return plans.get(stack)!;
}

/** Pids of the live processes started by the run whose log folder is `marker`. */
export function processesOfRun(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      const state = fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.[0];
      if (state !== "Z" && environ.includes(`${RUN_MARKER_ENV}=${marker}`)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** The run's processes still alive after up to 5 s (a killed process takes a moment to leave /proc). */
export async function remainingProcesses(marker: string): Promise<number[]> {
  for (let i = 0; i < 25 && processesOfRun(marker).length > 0; i++) await sleep(200);
  return processesOfRun(marker);
}

/** A pipeline's emulators for one test file: started in `before`, stopped (and checked gone) in `after`. */
export function sharedPipeline(stack: string): { get: () => LocalPipeline; group: () => ProcessGroup } {
  let pipeline: LocalPipeline | undefined;
  let group: ProcessGroup | undefined;
  before(async function () {
    this.timeout(180_000);
    group = new ProcessGroup(fs.mkdtempSync(path.join(os.tmpdir(), "flink-local-test-")));
    pipeline = await preparePipeline(group, await planOf(stack), group.logDir);
  });
  after(async function () {
    this.timeout(60_000);
    if (!group) return;
    await group.stopAll();
    assert.deepEqual(await remainingProcesses(group.logDir), [], "every process the run started is stopped");
    const failed = this.test?.parent?.tests.some((test) => test.state === "failed");
    if (failed) console.log(`      the failed run's logs are kept in ${group.logDir}`);
    else fs.rmSync(group.logDir, { recursive: true, force: true });
  });
  return { get: () => pipeline!, group: () => group! };
}

/** Counts per `<key>\0<window start>` in the table, for the keys `select` accepts. */
export function countsOf(
  items: { [name: string]: PlainValue }[],
  plan: LocalPlan,
  select: (key: string) => boolean,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = item[plan.table.partitionKey] as string;
    if (select(key)) counts.set(truthKey(key, item.window_start as string), item.count as number);
  }
  return counts;
}

/** Waits until the table holds the truth's items for the selected keys, then returns their counts. */
export async function waitForCounts(
  pipeline: LocalPipeline,
  job: RunningJob,
  expected: Map<string, number>,
  select: (key: string) => boolean,
  timeoutMs = 120_000,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let counts = new Map<string, number>();
  while (Date.now() < deadline) {
    await ensureRunning(job);
    counts = countsOf(
      await scanItems(pipeline.dynamodb.endpoint, pipeline.plan.table.name),
      pipeline.plan,
      select,
    );
    if ([...expected].every(([id, count]) => counts.get(id) === count) && counts.size >= expected.size)
      return counts;
    await sleep(500);
  }
  return counts;
}

/** The ground truth of `lines` under the plan's window and watermark delay, for keys `select` accepts. */
export function truthFor(
  plan: LocalPlan,
  lines: string[],
  select: (key: string) => boolean,
): Map<string, number> {
  const { windowSeconds, delaySeconds } = windowing(plan);
  const truth = truthOf(lines, windowSeconds, delaySeconds).counts;
  return new Map([...truth].filter(([id]) => select(id.split("\u0000")[0])));
}

/** `count` events for `key`, spaced `stepMs` apart from `startIso`. */
export function eventLines(key: string, startIso: string, count: number, stepMs: number): string[] {
  const start = Date.parse(startIso);
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({ key, event_time: new Date(start + i * stepMs).toISOString() }),
  );
}

/**
 * `perShard` keys for every shard of the pipeline's stream, placed by Kinesis' rule (the MD5 of the
 * partition key falls in the shard's hash key range), so each shard carries the same share.
 */
export async function keysOnShards(
  pipeline: LocalPipeline,
  prefix: string,
  perShard: number,
): Promise<string[]> {
  const { Shards } = await callAws(pipeline.kinesis.endpoint, "kinesis", "ListShards", {
    StreamName: pipeline.plan.stream!.name,
  });
  const ranges = (Shards as { HashKeyRange: { StartingHashKey: string; EndingHashKey: string } }[]).map(
    (shard) => [BigInt(shard.HashKeyRange.StartingHashKey), BigInt(shard.HashKeyRange.EndingHashKey)],
  );
  const keys: string[] = [];
  const onShard = new Array(ranges.length).fill(0);
  for (let i = 0; keys.length < ranges.length * perShard; i++) {
    const hash = BigInt(`0x${createHash("md5").update(`${prefix}${i}`, "utf8").digest("hex")}`);
    const shard = ranges.findIndex(([start, end]) => hash >= start && hash <= end);
    if (onShard[shard] < perShard) {
      onShard[shard]++;
      keys.push(`${prefix}${i}`);
    }
  }
  return keys;
}

/** The events of every key in `keys` from `from` for `seconds` s, one every `stepMs`, in event-time order. */
export function interleaved(keys: string[], from: string, seconds: number, stepMs: number): string[] {
  const perKey = keys.map((key) => eventLines(key, from, (seconds * 1000) / stepMs, stepMs));
  return perKey[0].flatMap((_, i) => perKey.map((lines) => lines[i]));
}
