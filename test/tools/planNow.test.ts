import { strict as assert } from "assert";
import { NOW_ENV } from "../../stacks/rotation";
import { main, parseArgs } from "../../tools/plan";
import { UsageError } from "../../tools/stackFiles";
import { PROJECT_DIR } from "../helpers";

describe("plan --now", function () {
  this.timeout(60_000);

  it("reads the instant to plan as of", () => {
    assert.equal(
      parseArgs(["--stack", "kafka-dev", "--now", "2025-04-01T00:00:00Z"]).now,
      "2025-04-01T00:00:00Z",
    );
    assert.equal(parseArgs([]).now, undefined);
  });

  for (const bad of ["2025-02-30", "next week", "2025-04-01T00:00"]) {
    it(`refuses --now ${JSON.stringify(bad)} as a usage error`, () => {
      assert.throws(
        () => parseArgs(["--now", bad]),
        (error: Error) =>
          error instanceof UsageError && error.message.startsWith(`--now must be an ISO-8601`),
      );
    });
  }

  it("refuses --now without a value", () => {
    assert.throws(() => parseArgs(["--now"]), /--now needs a value/);
  });

  it("exits 2 on a bad --now and 0 on a good one, and leaves the program's clock as it was", async () => {
    const stdout = process.stdout.write.bind(process.stdout);
    const log = console.log;
    const error = console.error;
    const printed: string[] = [];
    process.stdout.write = ((text: string) => printed.push(String(text)) > 0) as typeof process.stdout.write;
    console.error = () => undefined;
    try {
      assert.equal(await main(["--stack", "kafka-dev", "--now", "tomorrow"], PROJECT_DIR), 2);
      assert.equal(await main(["--stack", "kafka-dev", "--now", "2025-04-01T09:00:00Z"], PROJECT_DIR), 0);
    } finally {
      process.stdout.write = stdout;
      console.log = log;
      console.error = error;
    }
    assert.equal(process.env[NOW_ENV], undefined);
    const tree = printed.join("");
    assert.match(tree, /stack kafka-dev \(us-east-1\) as of 2025-04-01T09:00:00.000Z/);
    assert.match(tree, /source-kafka-key-g0002/);
    assert.match(tree, /source-kafka-key-g0003/);
    assert.match(tree, /nextKeyRotation +2025-05-01T00:00:00.000Z/);
  });
});
