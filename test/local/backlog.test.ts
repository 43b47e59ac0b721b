/**
 * Backlog (issue 9, item 5e): a first start at TRIM_HORIZON over more shards than the parallelism.
 * The dev stack's 4 shards are read by its one source subtask, whose single watermark follows the
 * shard read furthest ahead: records of the shards behind arrive late, and the allowed lateness
 * must still count every one (app/README.md, "Reading a backlog").
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { putLines } from "../../tools/local/events";
import { LATE_METRIC, currentMetricSum, startJob, waitForShardConsumers } from "../../tools/local/flinkJob";
import { eventLines, keysOnShards, sharedPipeline, truthFor, waitForCounts } from "./helpers";

describe("local pipeline (dev stack): a backlog read from TRIM_HORIZON", function () {
  this.timeout(600_000);
  const pipeline = sharedPipeline("dev");

  it("counts every record of a backlog over more shards than the parallelism; none dropped as late", async () => {
    const { plan, kinesis, propertiesFile, workDir } = pipeline.get();
    assert.ok(plan.stream!.shardCount > plan.parallelism, "more shards than source subtasks");
    // The stack reads from LATEST; a first start at TRIM_HORIZON is the same stack with
    // flink-pipeline:source.initialPosition set, which only changes this property.
    const groups = JSON.parse(fs.readFileSync(propertiesFile, "utf8"));
    groups.find((g: { PropertyGroupId: string }) => g.PropertyGroupId === "source").PropertyMap[
      "initial.position"
    ] = "TRIM_HORIZON";
    fs.writeFileSync(propertiesFile, JSON.stringify(groups));

    // 9 minutes of event time: one dense shard (10 events/s: a 500-record batch spans 50 s, more
    // than the watermark delay) and sparse ones (an event every 2 s: one batch holds their whole
    // backlog, so reading it first moves the watermark 9 minutes ahead of the dense shard).
    const [dense, ...sparse] = await keysOnShards(pipeline.get(), "b-", 1);
    const from = "2026-11-23T14:00:00Z";
    const lines = [
      ...eventLines(dense, from, 5400, 100),
      ...sparse.flatMap((key) => eventLines(key, from, 270, 2000)),
      JSON.stringify({ key: "b-closer", event_time: "2026-11-23T14:09:45Z" }),
    ];
    await putLines(kinesis.endpoint, plan.stream!.arn, lines);

    const job = await startJob(pipeline.group(), {
      workDir,
      propertiesFile,
      region: plan.region,
      settings: {
        parallelism: plan.parallelism,
        checkpointIntervalMs: 60_000,
        checkpointDir: path.join(workDir, "checkpoints"),
      },
    });
    await waitForShardConsumers(job, plan.stream!.shardCount);
    const select = (key: string) => key.startsWith("b-");
    const truth = truthFor(plan, lines, select);
    assert.equal(truth.size, 4 * 9, "the backlog closes 9 windows of each key");
    const counts = await waitForCounts(pipeline.get(), job, truth, select, 240_000);
    const late = await currentMetricSum(job, LATE_METRIC);
    console.log(
      `      backlog of ${lines.length} records on ${plan.stream!.shardCount} shards: ${late} dropped as late`,
    );
    assert.deepEqual(counts, truth);
    assert.equal(late, 0);
  });
});
