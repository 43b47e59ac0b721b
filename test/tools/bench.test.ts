import { strict as assert } from "assert";
import { parse } from "yaml";
import { MANY_PIPELINES, median, parseRuns, pipelinesStackFile } from "../../tools/bench";
import { PipelinesStackConfig, validateStack } from "../../stacks/config";
import { PROJECT_DIR, cliConfig } from "../helpers";

describe("the benchmark's arguments and statistics", () => {
  const runs: [string[], number][] = [
    [[], 5],
    [["--runs", "1"], 1],
    [["--runs", "12"], 12],
  ];
  for (const [argv, expected] of runs) {
    it(`takes ${JSON.stringify(argv)} as ${expected} runs`, () => assert.equal(parseRuns(argv), expected));
  }

  const bad = [
    ["--runs"],
    ["--runs", "0"],
    ["--runs", "2.5"],
    ["--runs", "x"],
    ["--stack", "prod"],
    ["--runs", "3", "x"],
  ];
  for (const argv of bad) {
    it(`refuses ${JSON.stringify(argv)} with the usage`, () =>
      assert.throws(() => parseRuns(argv), /Usage: npm run bench/));
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
