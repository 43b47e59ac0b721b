import { strict as assert } from "assert";
import { DEFAULT_ASSUMPTIONS, costFlagValue, estimateCost } from "../../tools/cost";
import { parseArgs } from "../../tools/plan";
import { planStack } from "../helpers";

/**
 * Totals worked out by hand from the us-east-1 table (730 h a month; 100 events/s of 1 KiB =
 * 269.1072 GB a month; 10 writes/s = 26.28 M writes):
 * - dev: Flink 2 KPU 2x0.11x730 + 50 GBx0.10 = 165.60; on-demand stream 29.20 + 269.1072x0.08
 *   + 269.1072x0.04 = 61.49; table 26.28x0.625 + 0.25 = 16.68; KMS 1; 8 alarms 0.80; dashboard 3;
 *   logs 5x0.50 + (5x7/30)x0.03 = 2.54 -> 251.11
 * - staging: Flink 3 KPU 240.90 + 10 = 250.90; stream 61.49; table + PITR 16.88; 1 NAT 32.85
 *   and its public IPv4 address 730x0.005 = 3.65; KMS 1; alarms 0.80; dashboard 3;
 *   logs 2.5 + 5x0.03 = 2.65 -> 373.22
 * - prod: Flink 5 KPU 401.50 + 20 = 421.50; 4 shards x730x(0.015+0.02 retention) + 262.8 M PUT
 *   units x0.014 = 105.88; EFO 4x730x0.015 + 269.1072x0.013 = 47.30; table 16.88; 3 NAT 98.55
 *   and their 3 public IPv4 addresses 10.95; 5 interface endpoints x3 zones x730x0.01 = 109.50;
 *   KMS 1; alarms 0.80; dashboard 3; logs 2.5 + (5x365/30)x0.03 = 4.32 -> 819.68; autoscaling to
 *   64+1 KPU adds 5539.50 - 421.50
 * - kafka-dev: Flink 165.60; table 16.68; KMS 1; 2 secrets 0.80; alarms 0.80; dashboard 3;
 *   logs 2.54 -> 190.42
 */
const EXPECTED: Record<string, { monthlyUsd: number; maxMonthlyUsd: number }> = {
  dev: { monthlyUsd: 251.11, maxMonthlyUsd: 251.11 },
  staging: { monthlyUsd: 373.22, maxMonthlyUsd: 5661.82 },
  prod: { monthlyUsd: 819.68, maxMonthlyUsd: 5937.68 },
  "kafka-dev": { monthlyUsd: 190.42, maxMonthlyUsd: 190.42 },
};

describe("monthly cost of the plan", function () {
  this.timeout(60000);
  for (const [stack, expected] of Object.entries(EXPECTED)) {
    it(`${stack}: $${expected.monthlyUsd} a month, hand-computed`, async () => {
      const cost = estimateCost((await planStack(stack)).resources, "us-east-1");
      assert.equal(cost.monthlyUsd, expected.monthlyUsd, JSON.stringify(cost.items, null, 1));
      assert.equal(cost.maxMonthlyUsd, expected.maxMonthlyUsd);
      assert.ok("source" in cost.prices && cost.prices.date === "2025-06-01");
    });
  }

  it("prod's items: KPUs, shards, fan-out, each NAT gateway awsx creates and its address, endpoints per zone", async () => {
    const items = estimateCost((await planStack("prod")).resources, "us-east-1").items;
    const usd = (what: RegExp) => items.filter((i) => what.test(i.what)).map((i) => i.monthlyUsd);
    assert.deepEqual(usd(/^Managed Flink/), [421.5]);
    assert.deepEqual(usd(/shard/), [105.88]);
    assert.deepEqual(usd(/enhanced fan-out/), [47.3]);
    assert.deepEqual(usd(/^NAT gateway network-[123]$/), [32.85, 32.85, 32.85]);
    assert.deepEqual(usd(/^public IPv4 address network-[123]$/), [3.65, 3.65, 3.65]);
    assert.deepEqual(usd(/interface endpoint/), [21.9, 21.9, 21.9, 21.9, 21.9]);
  });

  it("a region without prices says so instead of guessing", async () => {
    const cost = estimateCost((await planStack("dev")).resources, "ap-south-2");
    assert.equal(cost.monthlyUsd, null);
    assert.match("missing" in cost.prices ? cost.prices.missing : "", /no price table for ap-south-2/);
  });

  it("assumptions scale the usage-priced items", async () => {
    const resources = (await planStack("dev")).resources;
    const twice = estimateCost(resources, "us-east-1", { ...DEFAULT_ASSUMPTIONS, writesPerSecond: 20 });
    const table = twice.items.find((i) => i.what.startsWith("DynamoDB"))!;
    assert.equal(table.monthlyUsd, 33.1); // 52.56 M x 0.625 + 0.25
  });

  it("reads the assumptions as plan flags, refusing bad numbers", () => {
    assert.equal(parseArgs(["--events-per-second", "250"]).assumptions.eventsPerSecond, 250);
    assert.deepEqual(parseArgs([]).assumptions, DEFAULT_ASSUMPTIONS);
    assert.throws(() => costFlagValue("--event-bytes", "-1"), /--event-bytes must be a non-negative number/);
    assert.throws(() => parseArgs(["--dynamodb-gb", "lots"]), /--dynamodb-gb must be a non-negative number/);
  });
});
