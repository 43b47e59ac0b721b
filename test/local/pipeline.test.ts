/**
 * The dev stack's data path end to end: the job under a Flink mini-cluster reading the Kinesis
 * emulator and writing the DynamoDB emulator, each count checked against the truth computed here
 * from the events sent. One emulator set and one job for the whole file; each test uses its own
 * keys and a later hour of event time, so the watermark only moves forward.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { MAX_KEY_BYTES, putLines, validEvent } from "../../tools/local/events";
import { sleep } from "../../tools/local/processes";
import {
  DROPPED_METRIC,
  RunningJob,
  ensureRunning,
  metricSum,
  startJob,
  waitForShardConsumers,
} from "../../tools/local/flinkJob";
import { eventLines, sharedPipeline, truthFor, waitForCounts } from "./helpers";

describe("local pipeline (dev stack): counts in DynamoDB equal the truth", function () {
  this.timeout(600_000);
  const pipeline = sharedPipeline("dev");
  let job: RunningJob;

  before(async function () {
    this.timeout(400_000);
    const { plan, propertiesFile, workDir } = pipeline.get();
    job = await startJob(pipeline.group(), {
      workDir,
      propertiesFile,
      region: plan.region,
      settings: {
        parallelism: plan.parallelism,
        checkpointIntervalMs: 5_000,
        checkpointDir: path.join(workDir, "checkpoints"),
      },
    });
    await waitForShardConsumers(job, plan.stream!.shardCount);
  });

  /**
   * Sends `lines` as a live stream would: in event-time order, 20 s of event time at a time, then a
   * closing event (its own key) far enough on to close every window they fill. The job has one
   * watermark per source subtask across its shards, so records sent long out of order across
   * shards would be late (the backlog case, app/README.md).
   */
  async function send(lines: string[], closeAt: string, prefix: string) {
    const { plan, kinesis } = pipeline.get();
    const time = (line: string) => validEvent(line)?.eventTimeMs;
    const ordered = [...lines].sort((a, b) => (time(a) ?? 0) - (time(b) ?? 0));
    let chunk: string[] = [];
    let chunkEnd = -Infinity;
    for (const line of ordered) {
      const at = time(line) ?? chunkEnd;
      if (at >= chunkEnd && chunk.length > 0) {
        await putLines(kinesis.endpoint, plan.stream!.arn, chunk);
        await sleep(500);
        chunk = [];
      }
      if (at >= chunkEnd) chunkEnd = at + 20_000;
      chunk.push(line);
    }
    await putLines(kinesis.endpoint, plan.stream!.arn, chunk);
    await sleep(2_000);
    const closer = JSON.stringify({ key: `${prefix}closer`, event_time: closeAt });
    await putLines(kinesis.endpoint, plan.stream!.arn, [closer]);
    return [...lines, closer];
  }

  it("counts per key and window over several shards and windows", async () => {
    const { plan } = pipeline.get();
    const lines = Array.from({ length: 8 }, (_, k) =>
      eventLines(`a-${k}`, "2026-11-23T10:00:05Z", 3 * (k + 1), 37_000),
    ).flat();
    const all = await send(lines, "2026-11-23T10:20:00Z", "a-");
    const select = (key: string) => key.startsWith("a-") && key !== "a-closer";
    const truth = truthFor(plan, all, select);
    assert.ok(new Set([...truth.keys()].map((id) => id.split("\u0000")[1])).size >= 3, "several windows");
    assert.deepEqual(await waitForCounts(pipeline.get(), job, truth, select), truth);
  });

  it("drops and counts malformed JSON, bad event times and bad keys; every other count is right", async () => {
    const { plan } = pipeline.get();
    const before = await metricSum(job, DROPPED_METRIC);
    const bad = [
      '{"key": "b-0", "event_time": ',
      JSON.stringify({ key: "b-0" }),
      JSON.stringify({ key: "b-0", event_time: "not a time" }),
      JSON.stringify({ event_time: "2026-11-23T11:00:10Z" }),
      JSON.stringify({ key: "", event_time: "2026-11-23T11:00:10Z" }),
      JSON.stringify({ key: "b".repeat(MAX_KEY_BYTES + 1), event_time: "2026-11-23T11:00:10Z" }),
    ];
    const good = [
      ...eventLines("b-0", "2026-11-23T11:00:00Z", 5, 1_000),
      ...eventLines("b-1", "2026-11-23T11:00:30Z", 4, 1_000),
    ];
    const lines = [good[0], ...bad.slice(0, 3), ...good.slice(1, 5), ...bad.slice(3), ...good.slice(5)];
    const all = await send(lines, "2026-11-23T11:20:00Z", "b-");
    const select = (key: string) => key.startsWith("b-") && key !== "b-closer";
    const truth = truthFor(plan, all, select);
    assert.deepEqual([...truth.values()], [5, 4]);
    assert.deepEqual(await waitForCounts(pipeline.get(), job, truth, select), truth);
    // The Python worker reports its metrics to Flink in bundles: poll for up to 30 s.
    let counted = 0;
    for (let i = 0; i < 60 && counted < bad.length; i++, await sleep(500)) {
      counted = (await metricSum(job, DROPPED_METRIC)) - before;
    }
    assert.equal(counted, bad.length);
    await ensureRunning(job);
  });

  it("writes many events of one key in one window without a duplicate-key batch error", async () => {
    const { plan } = pipeline.get();
    const lines = eventLines("c-hot", "2026-11-23T12:00:00Z", 1_500, 30);
    const all = await send(lines, "2026-11-23T12:20:00Z", "c-");
    const select = (key: string) => key === "c-hot";
    const truth = truthFor(plan, all, select);
    assert.deepEqual([...truth.values()], [1_500]);
    assert.deepEqual(await waitForCounts(pipeline.get(), job, truth, select), truth);
    await ensureRunning(job);
  });
});
