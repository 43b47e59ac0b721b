import { strict as assert } from "assert";
import { parse } from "yaml";
import { MANY_PIPELINES, median, parseArgs, pipelinesStackFile } from "../../tools/bench";
import { PipelinesStackConfig, validateStack } from "../../stacks/config";
import { PROJECT_DIR, cliConfig } from "../helpers";

describe("the benchmark's arguments and statistics", () => {
  const good: [string[], { runs: number; cdk: boolean }][] = [
    [[], { runs: 5, cdk: false }],
    [["--runs", "1"], { runs: 1, cdk: false }],
    [["--runs", "12"], { runs: 12, cdk: false }],
    [["--cdk"], { runs: 5, cdk: true }],
    [["--cdk", "--runs", "3"], { runs: 3, cdk: true }],
  ];
  for (const [argv, expected] of good) {
    it(`takes ${JSON.stringify(argv)} as ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(parseArgs(argv), expected));
  }

  const bad: [string[], RegExp][] = [
    [["--runs"], /--runs needs a whole number >= 1 \(got undefined\)/],
    [["--runs", "0"], /--runs needs a whole number/],
    [["--runs", "2.5"], /--runs needs a whole number/],
    [["--runs", "x"], /--runs needs a whole number/],
    [["--stack", "prod"], /bad argument "--stack"/],
    [["--runs", "3", "x"], /bad argument "x"/],
    [["--cdk", "--cdk"], /--cdk is given twice/],
    [["--runs", "2", "--runs", "3"], /--runs is given twice/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${JSON.stringify(argv)} with the usage`, () =>
      assert.throws(
        () => parseArgs(argv),
        (error: Error) => message.test(error.message) && /Usage: npm run bench/.test(error.message),
      ));
  }

  it("takes the middle value, or the mean of the two middle ones", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
  });

  it("generates stacks of valid, distinct pipelines, one and many", () => {
    for (const count of [1, MANY_PIPELINES]) {
      const config = validateStack(cliConfig(parse(pipelinesStackFile(count)).config), {
        project: "flink-pipeline",
        stack: `pipelines-${count}`,
        projectDir: PROJECT_DIR,
        dryRun: true,
      }) as PipelinesStackConfig;
      const pipelines = Object.values(config.pipelines);
      assert.equal(pipelines.length, count);
      assert.equal(new Set(pipelines.map((pipeline) => pipeline.table.partitionKey)).size, count);
    }
  });
});
