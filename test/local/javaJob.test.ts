/**
 * The java-dev stack's data path end to end: the app-java jar under a Flink 1.20 mini-cluster
 * (the runtime PyFlink ships) reading the Kinesis emulator and writing the DynamoDB emulator. Each
 * key's item must hold exactly its running total of the events sent; malformed records are dropped
 * and counted; a hot key flushed several times within one sink batch window must not fail a batch.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  DROPPED_METRIC,
  RunningJob,
  ensureRunning,
  currentMetricSum,
  waitForShardConsumers,
} from "../../tools/local/flinkJob";
import { putLines } from "../../tools/local/events";
import {
  JAVA_MAX_KEY_BYTES,
  drainRunningTotals,
  javaEventKey,
  runningTotals,
  startStackJob,
  tableTotals,
} from "../../tools/local/javaJob";
import { sleep } from "../../tools/local/processes";
import { scanItems } from "../../tools/local/table";
import { sharedPipeline } from "./helpers";

/**
 * flush.seconds for this file: the stack's 60 would make each check wait a minute; 1 s also puts
 * several flushes of the hot key inside one DynamoDB sink buffer (5 s), the duplicate-key case.
 */
const FLUSH_SECONDS = 1;

describe("local pipeline (java-dev stack): running totals in DynamoDB equal the truth", function () {
  this.timeout(600_000);
  const pipeline = sharedPipeline("java-dev");
  let job: RunningJob;

  before(async function () {
    this.timeout(400_000);
    const { plan, propertiesFile, workDir } = pipeline.get();
    assert.equal(plan.language, "java", "the plan of java-dev carries no PyFlink run options");
    const groups = JSON.parse(fs.readFileSync(propertiesFile, "utf8"));
    groups.find((group: any) => group.PropertyGroupId === "job").PropertyMap["flush.seconds"] =
      `${FLUSH_SECONDS}`;
    fs.writeFileSync(propertiesFile, JSON.stringify(groups, null, 2));
    job = await startStackJob(plan, pipeline.group(), {
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

  it("the Java job's own key rules decide what counts", function () {
    assert.equal(javaEventKey('{"key":"a"}'), "a", "event_time is not needed");
    for (const bad of ["not json", "[1]", '"key"', '{"key":7}', '{"key":""}', "null"])
      assert.equal(javaEventKey(bad), undefined, bad);
    assert.equal(javaEventKey(JSON.stringify({ key: "é".repeat(JAVA_MAX_KEY_BYTES / 2) })), "é".repeat(1024));
    assert.equal(javaEventKey(JSON.stringify({ key: "é".repeat(JAVA_MAX_KEY_BYTES / 2) + "x" })), undefined);
  });

  it("writes exact running totals per key, drops and counts malformed records, survives a hot key", async function () {
    const { plan, kinesis, dynamodb } = pipeline.get();
    const lines: string[] = [];
    const malformed = [
      "not json",
      "[1,2]",
      '{"key": 7}',
      '{"key": ""}',
      '{"other": "x"}',
      JSON.stringify({ key: "k".repeat(JAVA_MAX_KEY_BYTES + 1) }),
    ];
    // Four rounds, FLUSH_SECONDS + 0.5 s apart: the hot key is flushed once per round, several
    // times within one sink buffer; the cold keys get a few events per round.
    for (let round = 0; round < 4; round++) {
      const batch: string[] = [];
      for (let i = 0; i < 150; i++) batch.push(JSON.stringify({ key: "hot", seq: i }));
      for (let k = 0; k < 12; k++)
        for (let i = 0; i <= (k + round) % 3; i++) batch.push(JSON.stringify({ key: `cold-${k}` }));
      if (round === 1) batch.push(...malformed, JSON.stringify({ key: "k".repeat(JAVA_MAX_KEY_BYTES) }));
      await putLines(kinesis.endpoint, plan.stream!.arn, batch, lines.length);
      lines.push(...batch);
      await sleep(FLUSH_SECONDS * 1000 + 500);
    }
    const truth = runningTotals(lines);
    assert.equal(truth.get("hot"), 600);
    await drainRunningTotals(job, dynamodb.endpoint, plan, lines, () => {}, 90_000);
    assert.deepEqual(await tableTotals(dynamodb.endpoint, plan), truth);

    // One item per key, in the layout app-java/README.md documents.
    const items = await scanItems(dynamodb.endpoint, plan.table.name);
    assert.equal(items.length, truth.size);
    for (const item of items) {
      assert.equal(item[plan.table.sortKey!], "event_count_total");
      assert.equal(typeof item[plan.table.ttlAttribute!], "number");
    }
    assert.equal(await currentMetricSum(job, DROPPED_METRIC), malformed.length);
    await ensureRunning(job);
    const exceptions: any = await (await fetch(`${job.restUrl}/jobs/${job.jobId}/exceptions`)).json();
    assert.deepEqual(exceptions.exceptionHistory.entries, [], "no failed sink batch, no restart");
  });
});
