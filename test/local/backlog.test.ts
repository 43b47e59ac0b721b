/**
 * Reading a backlog (issue 9, item 5e): a first start at TRIM_HORIZON with records already in every
 * shard, more shards than the parallelism, so one source subtask (one watermark) reads them all.
 * Within the bound app/README.md documents ("Reading a backlog": one 500-record batch of every shard
 * spans at most the watermark delay), Flink's numLateRecordsDropped stays 0 and every count is right.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { putLines } from "../../tools/local/events";
import { LATE_METRIC, metricSum, startJob, waitForShardConsumers } from "../../tools/local/flinkJob";
import { localPropertyGroups, writeProperties } from "../../tools/local/resources";
import { windowing } from "../../tools/local/cli";
import { sleep } from "../../tools/local/processes";
import { interleaved, keysOnShards, sharedPipeline, truthFor, waitForCounts } from "./helpers";

/** Records one GetRecords call returns at most (KINESIS_RECORDS_PER_FETCH in app/main.py). */
const BATCH = 500;

describe("local pipeline (dev stack): a TRIM_HORIZON backlog over more shards than the parallelism", function () {
  this.timeout(600_000);
  const pipeline = sharedPipeline("dev");

  it("drops no record as late within the documented bound, and every count is right", async () => {
    const { plan, kinesis, dynamodb, workDir } = pipeline.get();
    const shards = plan.stream!.shardCount;
    assert.ok(shards > plan.parallelism, `${shards} shards, parallelism ${plan.parallelism}`);
    const { delaySeconds } = windowing(plan);

    // 3 keys a shard (placed by Kinesis' hash rule), so every shard holds the same share of the backlog.
    const keysPerShard = 3;
    const keys = await keysOnShards(pipeline.get(), "h-", keysPerShard);

    // Every key an event every 120 ms: 25 events/s a shard, so one 500-record batch spans 20 s,
    // within the 30 s delay; 75 s of event time, 1 875 records a shard (4 batches).
    const stepMs = 120;
    const seconds = 75;
    const perShardPerSecond = (keysPerShard * 1000) / stepMs;
    assert.ok(BATCH / perShardPerSecond <= delaySeconds, "the backlog is within the documented bound");
    const backlog = interleaved(keys, "2026-11-23T14:00:00Z", seconds, stepMs);
    await putLines(kinesis.endpoint, plan.stream!.arn, backlog);

    const propertiesFile = path.join(workDir, "application_properties.trim-horizon.json");
    const groups = localPropertyGroups(plan, {
      kinesis: kinesis.endpoint.url,
      dynamodb: dynamodb.endpoint.url,
    });
    const source = groups.find((group) => group.PropertyGroupId === "source")!;
    source.PropertyMap = { ...source.PropertyMap, "initial.position": "TRIM_HORIZON" };
    writeProperties(propertiesFile, groups);
    assert.ok(fs.existsSync(propertiesFile));

    const job = await startJob(pipeline.group(), {
      workDir,
      propertiesFile,
      region: plan.region,
      settings: {
        parallelism: plan.parallelism,
        checkpointIntervalMs: 10_000,
        checkpointDir: path.join(workDir, "checkpoints"),
      },
    });
    await waitForShardConsumers(job, shards);
    // Once the backlog is read, one live event closes every window of it.
    const select = (key: string) => keys.includes(key);
    const backlogTruth = truthFor(plan, backlog, select);
    await waitForCounts(pipeline.get(), job, backlogTruth, select);
    await sleep(1_000);
    const closer = JSON.stringify({ key: "h-closer", event_time: "2026-11-23T14:20:00Z" });
    await putLines(kinesis.endpoint, plan.stream!.arn, [closer]);
    const truth = truthFor(plan, [...backlog, closer], select);
    assert.equal(truth.size, keys.length * 2, "two windows a key");
    const counts = await waitForCounts(pipeline.get(), job, truth, select);
    const late = await metricSum(job, LATE_METRIC);
    console.log(
      `      backlog: ${backlog.length} records over ${shards} shards (${BATCH / perShardPerSecond} s of event time a batch, delay ${delaySeconds} s), parallelism ${plan.parallelism}: numLateRecordsDropped = ${late}`,
    );
    assert.equal(late, 0, "records dropped as late");
    assert.deepEqual(counts, truth);
  });
});
