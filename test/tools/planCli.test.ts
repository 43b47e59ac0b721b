import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { PROJECT_DIR } from "../helpers";

describe("offline plan CLI", () => {
  it("prints the whole --json document through a pipe, past 64 KiB, with the custom timeouts", function () {
    this.timeout(60000);
    // A reader slower than the plan fills the pipe: exiting before stdout drains would cut the document.
    const command = `"${process.execPath}" -r ./tools/startup.js tools/plan.ts --stack prod --json | (sleep 1; cat)`;
    const stdout = execFileSync("sh", ["-c", command], {
      cwd: PROJECT_DIR,
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 16 * 1024 * 1024,
    }).toString();
    assert.ok(stdout.length > 65536, `document of ${stdout.length} bytes`);
    const document = JSON.parse(stdout);
    const app = document.resources.find(
      (r: { type: string }) => r.type === "aws:kinesisanalyticsv2/application:Application",
    );
    assert.deepEqual(app.customTimeouts, { create: "45m", update: "45m", delete: "45m" });
    assert.equal(document.outputs.dashboardName, "flink-pipeline-prod");
  });
});
