import { GetMetricDataCommand, GetMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import { DescribeApplicationCommand } from "@aws-sdk/client-kinesis-analytics-v2";
import { strict as assert } from "assert";
import { alarmDefinitions } from "../../../components/flinkMonitoring";
import { evaluateSignals, metricQueries, periodStarts } from "../../../tools/flink/health";
import { HEALTHY, T0, application, harness, metricAnswer } from "./harness";

const MINUTE = 60_000;

describe("npm run flink -- verify", () => {
  function healthyRun(series: (signal: string, t: number) => number | undefined = (s) => HEALTHY[s]) {
    const h = harness();
    h.flink.on(DescribeApplicationCommand).resolves(application("RUNNING", 7));
    h.cloudwatch.on(GetMetricDataCommand).callsFake((input) => metricAnswer(input, series));
    return h;
  }

  it("is healthy (exit 0) when RUNNING on one version and every signal stays quiet for the window", async () => {
    const h = healthyRun();
    const { code, out, err } = await h.run("verify", "--stack", "dev", "--for", "5m");
    assert.equal(code, 0, err);
    assert.match(out, /^flink-pipeline-dev HEALTHY for 5m \(version 7\)/);
    assert.equal(h.now(), T0 + 5 * MINUTE, "watched the whole window");
    assert.equal(h.flink.commandCalls(DescribeApplicationCommand).length, 1 + 20, "polled every 15 s");
    assert.match(err, /5m of 5m, RUNNING, version 7/);
    const input = h.cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0]
      .input as GetMetricDataCommandInput;
    assert.deepEqual([input.StartTime, input.EndTime], [new Date(T0), new Date(T0 + 5 * MINUTE)]);
  });

  it("queries the very metrics the alarms watch (names, statistics, dimensions, metric math)", async () => {
    const h = healthyRun();
    await h.run("verify", "--stack", "dev");
    const queries = (
      h.cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input as GetMetricDataCommandInput
    ).MetricDataQueries!;
    const byLabel = Object.fromEntries(queries.filter((q) => q.Label).map((q) => [q.Label, q]));
    assert.deepEqual(Object.keys(byLabel), [
      "downtime",
      "failed-checkpoints",
      "checkpoint-duration",
      "restarts",
      "source-lag",
    ]);
    assert.deepEqual(byLabel["source-lag"].MetricStat, {
      Metric: {
        Namespace: "AWS/Kinesis",
        MetricName: "GetRecords.IteratorAgeMilliseconds",
        Dimensions: [{ Name: "StreamName", Value: "flink-pipeline-dev-events" }],
      },
      Period: 60,
      Stat: "Maximum",
    });
    const restarts = byLabel.restarts;
    assert.match(restarts.Expression!, /^RATE\((s\d+_m1)\)$/);
    const input = queries.find((q) => q.Id === /RATE\((.+)\)/.exec(restarts.Expression!)![1])!;
    assert.equal(input.ReturnData, false);
    assert.equal(input.MetricStat!.Metric!.MetricName, "fullRestarts");
  });

  it("is unhealthy (exit 1) naming the signal when the source lag goes over the alarm threshold", async () => {
    const h = healthyRun((signal, t) =>
      signal === "source-lag" && t >= T0 + 90_000 ? 90_000 : HEALTHY[signal],
    );
    const { code, out } = await h.run("verify", "--stack", "dev", "--for", "5m");
    assert.equal(code, 1);
    assert.match(out, /^flink-pipeline-dev UNHEALTHY: source-lag\n/);
    assert.match(
      out,
      /FAIL source-lag: GetRecords\.IteratorAgeMilliseconds \(Maximum\) above 60000 in 3 of 4 periods \(max 90000, first at 12:02Z\)/,
    );
  });

  it("treats gaps in the lag metric as unproven, naming the first gap; the newest period may be late", async () => {
    const gap = healthyRun((signal, t) =>
      signal === "source-lag" && t === T0 + 90_000 ? undefined : HEALTHY[signal],
    );
    const gapped = await gap.run("verify", "--stack", "dev", "--for", "5m");
    assert.equal(gapped.code, 1);
    assert.match(
      gapped.out,
      /FAIL source-lag: GetRecords\.IteratorAgeMilliseconds \(Maximum\): no data in 1 of 4 periods \(first gap at 12:02Z\)/,
    );

    const late = healthyRun((signal, t) => (t >= T0 + 4 * MINUTE ? undefined : HEALTHY[signal]));
    const lateRun = await late.run("verify", "--stack", "dev", "--for", "5m");
    assert.equal(lateRun.code, 0, lateRun.out);
  });

  it("counts missing downtime data as an outage, as the alarm does", async () => {
    const h = healthyRun((signal) => (signal === "downtime" ? undefined : HEALTHY[signal]));
    const { code, out } = await h.run("verify", "--stack", "dev", "--json");
    assert.equal(code, 1);
    const result = JSON.parse(out);
    assert.equal(result.healthy, false);
    const downtime = result.signals.find((s: { signal: string }) => s.signal === "downtime");
    assert.equal(downtime.healthy, false);
    assert.match(downtime.detail, /no data in 4 of 4 periods.*missing data counts as an outage/);
  });

  it("is unhealthy when the job restarts or a checkpoint fails", async () => {
    const h = healthyRun((signal, t) =>
      (signal === "restarts" || signal === "failed-checkpoints") && t === T0 + 150_000
        ? 0.5
        : HEALTHY[signal],
    );
    const { code, out } = await h.run("verify", "--stack", "dev");
    assert.equal(code, 1);
    assert.match(out, /UNHEALTHY: failed-checkpoints, restarts\n/);
  });

  it("is unhealthy when the application leaves RUNNING or changes version during the window", async () => {
    const h = harness();
    h.flink
      .on(DescribeApplicationCommand)
      .resolvesOnce(application("RUNNING", 7))
      .resolvesOnce(application("RUNNING", 7))
      .resolvesOnce(application("AUTOSCALING", 7))
      .resolves(application("RUNNING", 8));
    h.cloudwatch.on(GetMetricDataCommand).callsFake((input) => metricAnswer(input, (s) => HEALTHY[s]));
    const { code, out } = await h.run("verify", "--stack", "dev", "--for", "2m");
    assert.equal(code, 1);
    assert.match(out, /UNHEALTHY: status\n/);
    assert.match(
      out,
      /FAIL status: not RUNNING on version 7 throughout: AUTOSCALING at 12:01:00Z, version 8 at 12:01:15Z \(was 7\)/,
    );
  });

  it("waits for a starting application, and is unhealthy when it never reaches RUNNING", async () => {
    const h = harness();
    h.flink.on(DescribeApplicationCommand).resolves(application("STARTING", 7));
    const { code, out } = await h.run("verify", "--stack", "dev", "--timeout", "10m");
    assert.equal(code, 1);
    assert.match(
      out,
      /UNHEALTHY: status\n {2}FAIL status: verify: flink-pipeline-dev still STARTING after 10m; it never reached RUNNING/,
    );
    assert.equal(h.cloudwatch.commandCalls(GetMetricDataCommand).length, 0);
  });

  it("is unhealthy at once when the application is stopped", async () => {
    const h = harness();
    h.flink.on(DescribeApplicationCommand).resolves(application("READY", 7));
    const { code, out } = await h.run("verify", "--stack", "dev", "--timeout", "10m");
    assert.equal(code, 1);
    assert.match(out, /FAIL status: verify: flink-pipeline-dev is READY, not RUNNING/);
    assert.deepEqual(h.sleeps, [], "a stopped application does not start by itself");
  });

  it("follows GetMetricData's NextToken", async () => {
    const h = harness();
    h.flink.on(DescribeApplicationCommand).resolves(application("RUNNING", 7));
    h.cloudwatch
      .on(GetMetricDataCommand)
      .callsFakeOnce((input) => ({
        ...metricAnswer(input, (s, t) => (t < T0 + 3 * MINUTE ? HEALTHY[s] : undefined)),
        NextToken: "page-2",
      }))
      .callsFake((input) => metricAnswer(input, (s, t) => (t >= T0 + 3 * MINUTE ? HEALTHY[s] : undefined)));
    const { code } = await h.run("verify", "--stack", "dev", "--for", "5m");
    assert.equal(code, 0);
    const calls = h.cloudwatch.commandCalls(GetMetricDataCommand);
    assert.equal(calls.length, 2);
    assert.equal((calls[1].args[0].input as GetMetricDataCommandInput).NextToken, "page-2");
  });
});

describe("health signals (pure)", () => {
  it("counts only periods wholly inside the window", () => {
    assert.deepEqual(
      periodStarts(new Date("2026-12-02T12:00:30Z"), new Date("2026-12-02T12:03:30Z"), 60).map((t) =>
        new Date(t).toISOString(),
      ),
      ["2026-12-02T12:01:00.000Z", "2026-12-02T12:02:00.000Z"],
    );
  });

  it("uses Flink 2.x's metric names for a FLINK-2_2 application", () => {
    const definitions = alarmDefinitions({
      applicationName: "a",
      runtime: "FLINK-2_2",
      source: { kind: "kafka" },
    }).filter((d) => ["downtime", "restarts"].includes(d.key));
    const queries = metricQueries(definitions, 60);
    assert.deepEqual(
      queries.map((q) => q.Expression ?? q.MetricStat!.Metric!.MetricName),
      ["s0_m1 + s0_m2", "restartingTime", "failingTime", "RATE(s1_m1)", "numRestarts"],
    );
    const start = new Date("2026-12-02T12:00:00Z");
    const results = evaluateSignals(definitions, new Map(), {
      start,
      end: new Date(start.getTime() + 3 * MINUTE),
      periodSeconds: 60,
    });
    assert.deepEqual(
      results.map((r) => [r.signal, r.healthy, r.metric]),
      [
        ["downtime", false, "restartingTime+failingTime"],
        ["restarts", true, "RATE(numRestarts)"],
      ],
    );
  });
});
