/** `npm run bench:local`'s usage: bad input exits 2 with the usage, before anything starts. */
import { strict as assert } from "assert";
import { main, parseBenchArgs } from "../../tools/local/bench";

describe("npm run bench:local: usage", () => {
  it("reads its options, with the documented defaults", () => {
    assert.deepEqual(parseBenchArgs([]), {
      stack: "dev",
      rate: 1000,
      seconds: 30,
      keys: 100,
      probes: 5,
      json: false,
    });
    assert.deepEqual(parseBenchArgs(["--rate", "50", "--json", "--seconds", "5", "--stack", "prod"]), {
      stack: "prod",
      rate: 50,
      seconds: 5,
      keys: 100,
      probes: 5,
      json: true,
    });
  });

  for (const argv of [
    ["--rate", "0"],
    ["--rate"],
    ["--seconds", "x"],
    ["--stack", "../x"],
    ["--what", "1"],
  ]) {
    it(`exits 2 for ${argv.join(" ")}`, async () => {
      const write = process.stderr.write;
      let stderr = "";
      process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
      try {
        assert.equal(await main(argv), 2);
      } finally {
        process.stderr.write = write;
      }
      assert.match(stderr, /Usage: npm run --silent bench:local/);
    });
  }
});
