/**
 * Stop and restart (issue 9, item 5d): the job is stopped mid-stream and started again from its
 * retained checkpoint. Window state taken in the checkpoint is kept (a window open across the stop
 * counts the events of both runs), the events sent while it was down are read, and the windows it
 * wrote between the checkpoint and the stop are written again with the same count (upserts).
 */
import { strict as assert } from "assert";
import * as path from "path";
import { putLines } from "../../tools/local/events";
import {
  LATE_METRIC,
  RunningJob,
  currentMetricSum,
  latestCheckpoint,
  restoredFrom,
  startJob,
  triggerCheckpoint,
  waitForShardConsumers,
} from "../../tools/local/flinkJob";
import { sleep } from "../../tools/local/processes";
import { interleaved, keysOnShards, sharedPipeline, truthFor, waitForCounts } from "./helpers";

describe("local pipeline (dev stack): restart from the retained checkpoint", function () {
  this.timeout(600_000);
  const pipeline = sharedPipeline("dev");
  // One key a shard, an event every 50 ms. The replay after the restore is a backlog read by one
  // source subtask (one watermark over 4 shards): a shard read ahead makes the others' records late,
  // and the allowed lateness (app/README.md, "Reading a backlog") must still count them.
  const stepMs = 50;
  const perWindow = 60_000 / stepMs;
  let keys: string[] = [];
  const select = (key: string) => keys.includes(key);
  const phase = (from: string, seconds: number) => interleaved(keys, from, seconds, stepMs);

  async function start(restoreFrom?: string): Promise<RunningJob> {
    const { plan, propertiesFile, workDir } = pipeline.get();
    const job = await startJob(pipeline.group(), {
      workDir,
      propertiesFile,
      region: plan.region,
      name: restoreFrom ? "job-restored" : "job",
      settings: {
        parallelism: plan.parallelism,
        // Checkpoints are taken by the test (triggerCheckpoint), so it knows which one it stops after.
        checkpointIntervalMs: 3_600_000,
        checkpointDir: path.join(workDir, "checkpoints"),
        restoreFrom,
      },
    });
    await waitForShardConsumers(job, plan.stream!.shardCount);
    return job;
  }

  /** Sends in 20 s slices of event time, as a live stream would (one watermark across the shards). */
  async function send(lines: string[]) {
    const { plan, kinesis } = pipeline.get();
    for (let i = 0; i < lines.length; i += 400) {
      await putLines(kinesis.endpoint, plan.stream!.arn, lines.slice(i, i + 400));
      await sleep(200);
    }
  }

  it("keeps window state, loses nothing sent while stopped, and re-writes the same counts", async () => {
    const { plan } = pipeline.get();
    keys = await keysOnShards(pipeline.get(), "r-", 1);
    // A: window 13:00 closes, 13:01 opens. Checkpoint after A.
    const a = phase("2026-11-23T13:00:00Z", 91);
    // B: 13:01 (open across the checkpoint) closes after the checkpoint; the restore re-writes it.
    const b = phase("2026-11-23T13:01:31Z", 60);
    // C: sent while the job is stopped: the rest of 13:02.
    const c = phase("2026-11-23T13:02:31Z", 29);
    // Closes 13:02 and stays within the allowed lateness of it, as live events after a restore do
    // when the replay is shorter than that (app/README.md, "Reading a backlog"): it may be read
    // before the replay of the other shards.
    const closer = JSON.stringify({ key: "r-closer", event_time: "2026-11-23T13:05:00Z" });

    let job = await start();
    await send(a);
    const truthA = truthFor(plan, a, select);
    assert.equal(truthA.size, keys.length, "A closes one window of each key");
    assert.deepEqual(await waitForCounts(pipeline.get(), job, truthA, select), truthA);
    const checkpointId = await triggerCheckpoint(job);

    await send(b);
    const truthAB = truthFor(plan, [...a, ...b], select);
    assert.equal(truthAB.size, 2 * keys.length, "B closes the window open at the checkpoint");
    assert.deepEqual(await waitForCounts(pipeline.get(), job, truthAB, select), truthAB);
    await pipeline.group().stop(job.child);

    const checkpoint = latestCheckpoint(path.join(pipeline.get().workDir, "checkpoints"));
    assert.ok(checkpoint, "a retained checkpoint");
    assert.equal(path.basename(checkpoint), `chk-${checkpointId}`);
    await send(c);

    job = await start(checkpoint);
    assert.equal((await restoredFrom(job))?.replace(/^file:(\/\/)?/, "").replace(/\/+$/, ""), checkpoint);
    await putLines(pipeline.get().kinesis.endpoint, plan.stream!.arn, [closer]);
    const truth = truthFor(plan, [...a, ...b, ...c, closer], select);
    assert.equal(truth.size, 3 * keys.length);
    for (const key of keys) assert.equal(truth.get(`${key}\u00002026-11-23T13:01:00Z`), perWindow);
    assert.deepEqual(await waitForCounts(pipeline.get(), job, truth, select), truth);
    assert.equal(await currentMetricSum(job, LATE_METRIC), 0);
  });
});
