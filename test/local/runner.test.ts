/**
 * The local runner's own behaviour, with real emulators: the plan's stream and table on them, the
 * properties the job will read, the feeder, the ground truth, exit codes and clean-up.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { callAws } from "../../tools/local/awsJson";
import { parseArgs, UsageError } from "../../tools/local/cli";
import { MAX_KEY_BYTES, putLines, truthKey, truthOf, validEvent } from "../../tools/local/events";
import { firstFailure } from "../../tools/local/flinkJob";
import { ProcessGroup, sleep } from "../../tools/local/processes";
import { PROJECT_DIR } from "../../tools/local/emulators";
import { planOf, processesOfRun, remainingProcesses, sharedPipeline } from "./helpers";

describe("npm run local: a job that failed once is a failed run", () => {
  const cases: [string, Parameters<typeof firstFailure>[0], string | undefined][] = [
    ["no failure", { exceptionHistory: { entries: [] } }, undefined],
    ["an older Flink without the history", {}, undefined],
    [
      "a failure: the first line of its trace",
      {
        exceptionHistory: {
          entries: [
            {
              exceptionName: "org.apache.flink.table.api.TableException",
              stacktrace:
                "org.apache.flink.table.api.TableException: Unsupported message kind: UPDATE_BEFORE\n\tat x",
            },
          ],
        },
      },
      "org.apache.flink.table.api.TableException: Unsupported message kind: UPDATE_BEFORE",
    ],
    ["a failure without a trace", { exceptionHistory: { entries: [{ exceptionName: "E" }] } }, "E"],
  ];
  for (const [name, exceptions, expected] of cases) {
    it(name, () => assert.equal(firstFailure(exceptions), expected));
  }
});

describe("npm run local: arguments", () => {
  const usageErrors: [string[], RegExp][] = [
    [["--rate", "0"], /--rate must be a positive whole number/],
    [["--keys", "x"], /--keys must be a positive whole number/],
    [["--stack"], /--stack needs a value/],
    [["--stack", "../etc"], /--stack must be a stack name/],
    [["--events", "a.jsonl", "--seconds", "3"], /--events cannot be combined with --seconds/],
    [["--bogus"], /unknown option "--bogus"/],
  ];
  for (const [argv, message] of usageErrors) {
    it(`refuses ${argv.join(" ")}`, () => {
      assert.throws(
        () => parseArgs(argv),
        (error: Error) => error instanceof UsageError && message.test(error.message),
      );
    });
  }

  it("defaults to the dev stack and 10 events/s over 5 keys for 10 s", () => {
    assert.deepEqual(parseArgs([]), {
      stack: "dev",
      rate: 10,
      keys: 5,
      seconds: 10,
      drain: false,
      json: false,
      help: false,
    });
  });

  it("exits 2 with the usage on a bad flag, before starting anything", async () => {
    const child = spawn(
      process.execPath,
      ["-r", "./tools/register.js", "tools/local/cli.ts", "--rate", "-1"],
      {
        cwd: PROJECT_DIR,
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    assert.equal(code, 2);
    assert.match(
      stderr,
      /--rate must be a positive whole number \(got "-1"\)\nUsage: npm run --silent local/,
    );
  });
});

describe("npm run local: the ground truth", () => {
  const at = (key: unknown, eventTime: unknown) => JSON.stringify({ key, event_time: eventTime });
  const dropped: [string, string][] = [
    ["malformed JSON", '{"key": "a", "event_time": '],
    ["a JSON array", '["a"]'],
    ["no event_time", JSON.stringify({ key: "a" })],
    ["an unparseable event_time", at("a", "yesterday")],
    ["an event_time without zone", at("a", "2026-11-23T10:00:00")],
    ["no key", JSON.stringify({ event_time: "2026-11-23T10:00:00Z" })],
    ["an empty key", at("", "2026-11-23T10:00:00Z")],
    ["a numeric key", at(7, "2026-11-23T10:00:00Z")],
    ["a key over 2048 bytes", at("é".repeat(MAX_KEY_BYTES / 2 + 1), "2026-11-23T10:00:00Z")],
  ];
  for (const [what, line] of dropped) {
    it(`does not count ${what}`, () => assert.equal(validEvent(line), undefined));
  }

  it("counts a key of exactly 2048 bytes and a fractional event_time", () => {
    assert.deepEqual(validEvent(at("é".repeat(MAX_KEY_BYTES / 2), "2026-11-23T10:00:00.250Z")), {
      key: "é".repeat(MAX_KEY_BYTES / 2),
      eventTimeMs: Date.parse("2026-11-23T10:00:00.250Z"),
    });
  });

  it("expects only the windows the watermark (largest event time - delay) closes", () => {
    const lines = [
      at("a", "2026-11-23T10:00:10Z"),
      at("a", "2026-11-23T10:00:50Z"),
      at("b", "2026-11-23T10:01:30Z"),
      at("c", "2026-11-23T10:02:04Z"), // watermark 10:01:59: closes 10:00, not 10:01
      "not json",
    ];
    const truth = truthOf(lines, 60, 5);
    assert.deepEqual([...truth.counts], [[truthKey("a", "2026-11-23T10:00:00Z"), 2]]);
    assert.equal(truth.valid, 4);
    assert.equal(truth.invalid, 1);
    const closing = truthOf([...lines, at("c", "2026-11-23T10:02:05Z")], 60, 5);
    assert.equal(closing.counts.get(truthKey("b", "2026-11-23T10:01:00Z")), 1);
  });
});

describe("npm run local: the stack's resources on the emulators", function () {
  this.timeout(120_000);
  const pipeline = sharedPipeline("dev");

  it("creates the stream the dev plan declares: its name, its ARN, 4 shards for on-demand", async () => {
    const { plan, kinesis } = pipeline.get();
    const summary = (
      await callAws(kinesis.endpoint, "kinesis", "DescribeStreamSummary", {
        StreamName: "flink-pipeline-dev-events",
      })
    ).StreamDescriptionSummary;
    assert.equal(
      summary.StreamARN,
      "arn:aws:kinesis:us-east-1:123456789012:stream/flink-pipeline-dev-events",
    );
    assert.equal(
      summary.StreamARN,
      plan.propertyGroups.find((g) => g.PropertyGroupId === "source")!.PropertyMap["stream.arn"],
    );
    assert.equal(summary.OpenShardCount, 4);
  });

  it("creates the table with the plan's key schema; the TTL attribute goes to the job", async () => {
    const { dynamodb } = pipeline.get();
    const table = (
      await callAws(dynamodb.endpoint, "dynamodb", "DescribeTable", {
        TableName: "flink-pipeline-dev-features",
      })
    ).Table;
    assert.deepEqual(table.KeySchema, [
      { AttributeName: "key", KeyType: "HASH" },
      { AttributeName: "featureName", KeyType: "RANGE" },
    ]);
    // dynalite has no TTL API; the plan's TTL attribute reaches the job through the sink group.
    const sink = pipeline.get().plan.propertyGroups.find((g) => g.PropertyGroupId === "sink")!.PropertyMap;
    assert.equal(pipeline.get().plan.table.ttlAttribute, "ttl");
    assert.equal(sink["ttl.attribute"], "ttl");
  });

  it("writes the plan's property groups unchanged, plus the endpoints of the emulators", async () => {
    const { plan, propertiesFile, kinesis, dynamodb } = pipeline.get();
    const written = JSON.parse(fs.readFileSync(propertiesFile, "utf8"));
    assert.deepEqual(written, [
      ...plan.propertyGroups,
      {
        PropertyGroupId: "endpoints",
        PropertyMap: { kinesis: kinesis.endpoint.url, dynamodb: dynamodb.endpoint.url },
      },
    ]);
    assert.match(kinesis.endpoint.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("sends every line as it is, malformed ones too, spread over the shards", async () => {
    const { plan, kinesis } = pipeline.get();
    const lines = [
      ...Array.from({ length: 40 }, (_, i) =>
        JSON.stringify({ key: `k${i}`, event_time: "2026-11-23T10:00:00Z" }),
      ),
      "{oops",
    ];
    await putLines(kinesis.endpoint, plan.stream!.arn, lines);
    const { Shards } = await callAws(kinesis.endpoint, "kinesis", "ListShards", {
      StreamARN: plan.stream!.arn,
    });
    const received: string[] = [];
    let shardsWithData = 0;
    for (const shard of Shards) {
      const { ShardIterator } = await callAws(kinesis.endpoint, "kinesis", "GetShardIterator", {
        StreamARN: plan.stream!.arn,
        ShardId: shard.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      });
      const { Records } = await callAws(kinesis.endpoint, "kinesis", "GetRecords", {
        StreamARN: plan.stream!.arn,
        ShardIterator,
      });
      if (Records.length > 0) shardsWithData++;
      received.push(
        ...Records.map((record: { Data: string }) => Buffer.from(record.Data, "base64").toString("utf8")),
      );
    }
    assert.deepEqual(received.sort(), [...lines].sort());
    assert.ok(shardsWithData > 1, `records landed on ${shardsWithData} shard(s)`);
  });

  it("binds every emulator to 127.0.0.1 only", () => {
    // Listening sockets (state 0A) from /proc/net/tcp{,6}: local address -> socket inode.
    const loopback = ["0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"];
    const listening = ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
      fs
        .readFileSync(file, "utf8")
        .split("\n")
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields[3] === "0A")
        .map((fields) => ({ address: fields[1], inode: fields[9] })),
    );
    let checked = 0;
    for (const pid of processesOfRun(pipeline.group().logDir)) {
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        let link = "";
        try {
          link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const socket = listening.find((entry) => link === `socket:[${entry.inode}]`);
        if (!socket) continue;
        checked++;
        assert.ok(loopback.includes(socket.address.split(":")[0]), `pid ${pid} listens on ${socket.address}`);
      }
    }
    assert.ok(checked >= 3, `found ${checked} listening sockets (kinesis plain + TLS, dynalite)`);
  });
});

describe("npm run local: processes", function () {
  this.timeout(60_000);

  it("stops a child's whole process group, grandchildren included", async () => {
    const group = new ProcessGroup(fs.mkdtempSync(path.join(os.tmpdir(), "flink-local-test-")));
    group.start("tree", "bash", ["-c", "sleep 300 & sleep 300 & wait"]);
    await sleep(300);
    assert.equal(processesOfRun(group.logDir).length, 3);
    await group.stopAll();
    assert.deepEqual(await remainingProcesses(group.logDir), []);
  });

  it("on Ctrl-C stops every process it started and exits 130", async () => {
    const child = spawn(
      process.execPath,
      ["-r", "./tools/register.js", "tools/local/cli.ts", "--seconds", "600"],
      {
        cwd: PROJECT_DIR,
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    // Interrupt once the emulators run and the stream and table exist.
    while (!/and table .* created/.test(stderr)) {
      assert.equal(child.exitCode, null, stderr);
      await sleep(200);
    }
    const marker = /checkpoints in (\S+)/.exec(stderr)![1];
    assert.ok(processesOfRun(marker).length >= 2);
    child.kill("SIGINT");
    assert.equal(await exited, 130);
    assert.deepEqual(await remainingProcesses(marker), []);
    await planOf("dev"); // the plan itself is unaffected
  });
});
