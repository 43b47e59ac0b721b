/**
 * The offline plan of every shipped stack, byte for byte, against test/plans/<stack>.json: work on
 * the plan's speed (start-up, mocks, recording) must not change what it reports. A change to what
 * the program creates changes these files on purpose; record them again with
 * `UPDATE_PLAN_SNAPSHOTS=1 npx mocha test/tools/planSnapshots.test.ts` and review the diff.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackNames } from "../../tools/stackFiles";
import { PROJECT_DIR, planInProcess } from "../helpers";

/** A fixed instant, so the key rotation of Confluent stacks does not move the snapshots. */
const NOW = "2025-06-01T09:00:00Z";
const SNAPSHOTS = path.join(PROJECT_DIR, "test", "plans");
const UPDATE = process.env.UPDATE_PLAN_SNAPSHOTS === "1";

describe("the plan of every shipped stack", () => {
  for (const stack of stackNames(PROJECT_DIR)) {
    it(`${stack} prints test/plans/${stack}.json`, async () => {
      const { code, stdout, stderr } = await planInProcess(["--stack", stack, "--json", "--now", NOW]);
      assert.ok(code === 0 || code === 1, `plan of ${stack} exited ${code}: ${stderr}`);
      const file = path.join(SNAPSHOTS, `${stack}.json`);
      if (UPDATE) fs.writeFileSync(file, stdout);
      assert.ok(
        fs.existsSync(file),
        `no ${path.relative(PROJECT_DIR, file)}: record it with UPDATE_PLAN_SNAPSHOTS=1`,
      );
      assert.ok(
        stdout === fs.readFileSync(file, "utf8"),
        `the plan of ${stack} differs from ${path.relative(PROJECT_DIR, file)} (diff it with ` +
          `\`npm run -s plan -- --stack ${stack} --json --now ${NOW}\`); if the change is intended, ` +
          "record it with UPDATE_PLAN_SNAPSHOTS=1",
      );
    });
  }
});
