import { strict as assert } from "assert";
import { planDocument } from "../../tools/planReport";
import { inputsOf, planStack, resourceOf } from "../helpers";

const APPLICATION = "aws:kinesisanalyticsv2/application:Application";

/** The update-safety settings of the stack's application: what an operator relies on when an update hangs. */
async function safeUpdateSettings(stack: string, overrides: Record<string, unknown> = {}) {
  const result = await planStack(stack, overrides);
  const app = resourceOf(result, APPLICATION);
  const run = inputsOf(app).applicationConfiguration.runConfiguration;
  return {
    restoreType: run.applicationRestoreConfiguration.applicationRestoreType,
    snapshotName: run.applicationRestoreConfiguration.snapshotName,
    allowNonRestoredState: run.flinkRunConfiguration.allowNonRestoredState,
    forceStop: inputsOf(app).forceStop,
    customTimeouts: app.customTimeouts,
    result,
  };
}

describe("safe updates", () => {
  it("restores from the latest snapshot by default, without dropping state, in 30 minutes or fail", async () => {
    const settings = await safeUpdateSettings("dev");
    assert.deepEqual(
      {
        restoreType: settings.restoreType,
        snapshotName: settings.snapshotName,
        allowNonRestoredState: settings.allowNonRestoredState,
        forceStop: settings.forceStop,
        customTimeouts: settings.customTimeouts,
      },
      {
        restoreType: "RESTORE_FROM_LATEST_SNAPSHOT",
        snapshotName: undefined,
        allowNonRestoredState: false,
        forceStop: false,
        customTimeouts: { create: "30m", update: "30m", delete: "30m" },
      },
    );
  });

  it("gives prod's slower updates 45 minutes", async () => {
    assert.deepEqual((await safeUpdateSettings("prod")).customTimeouts, {
      create: "45m",
      update: "45m",
      delete: "45m",
    });
  });

  it("lets a stack stop without a snapshot when it turns startApplication off, drop state of removed operators and shorten timeouts", async () => {
    const settings = await safeUpdateSettings("staging", {
      flink: {
        language: "python",
        artifact: "app",
        stopWithoutSnapshot: true,
        restore: { allowNonRestoredState: true },
        timeouts: { update: "20m" },
      },
    });
    assert.equal(settings.forceStop, true);
    assert.equal(settings.allowNonRestoredState, true);
    assert.equal(settings.restoreType, "RESTORE_FROM_LATEST_SNAPSHOT");
    assert.deepEqual(settings.customTimeouts, { create: "30m", update: "20m", delete: "30m" });
  });

  it("rolls back to a named snapshot", async () => {
    const settings = await safeUpdateSettings("prod", {
      flink: {
        language: "python",
        artifact: "app",
        restore: { type: "RESTORE_FROM_CUSTOM_SNAPSHOT", snapshotName: "before-release-42" },
      },
    });
    assert.equal(settings.restoreType, "RESTORE_FROM_CUSTOM_SNAPSHOT");
    assert.equal(settings.snapshotName, "before-release-42");
  });

  it("starts from scratch when snapshots are off", async () => {
    const settings = await safeUpdateSettings("dev", {
      flink: { language: "python", artifact: "app", snapshots: false },
    });
    assert.equal(settings.restoreType, "SKIP_RESTORE_FROM_SNAPSHOT");
  });

  it("puts the custom timeouts in the plan's JSON document", async () => {
    const { result } = await safeUpdateSettings("prod");
    const document = planDocument("flink-pipeline", "prod", result);
    const app = document.resources.find((r) => r.type === APPLICATION);
    assert.deepEqual(app?.customTimeouts, { create: "45m", update: "45m", delete: "45m" });
    const stream = document.resources.find((r) => r.type === "aws:kinesis/stream:Stream");
    assert.equal(stream?.customTimeouts, null);
  });

  describe("what each config change sends the provider (the lifecycle docs/operations.md describes)", () => {
    const base = { language: "python", artifact: "app" };
    const appInputs = async (flink: Record<string, unknown>) =>
      inputsOf(resourceOf(await planStack("dev", { flink: { ...base, ...flink } }), APPLICATION));
    const cases: [string, Record<string, unknown>, (inputs: Record<string, any>) => unknown, unknown][] = [
      ["default: start and keep running", {}, (i) => [i.startApplication, i.forceStop], [true, false]],
      [
        "startApplication false: a stop with a snapshot",
        { startApplication: false },
        (i) => [i.startApplication, i.forceStop],
        [false, false],
      ],
      [
        "startApplication false with stopWithoutSnapshot: a forced stop",
        { startApplication: false, stopWithoutSnapshot: true },
        (i) => [i.startApplication, i.forceStop],
        [false, true],
      ],
      [
        "restore settings: the run configuration (applied only while RUNNING)",
        {
          restore: {
            type: "RESTORE_FROM_CUSTOM_SNAPSHOT",
            snapshotName: "before-abc",
            allowNonRestoredState: true,
          },
        },
        (i) => i.applicationConfiguration.runConfiguration,
        {
          applicationRestoreConfiguration: {
            applicationRestoreType: "RESTORE_FROM_CUSTOM_SNAPSHOT",
            snapshotName: "before-abc",
          },
          flinkRunConfiguration: { allowNonRestoredState: true },
        },
      ],
      [
        "the accepted 2.2 upgrade: the runtime",
        { runtime: "FLINK-2_2", acceptOneWayRuntime: "FLINK-2_2" },
        (i) => i.runtimeEnvironment,
        "FLINK-2_2",
      ],
    ];
    for (const [name, flink, pick, expected] of cases) {
      it(name, async () => assert.deepEqual(pick(await appInputs(flink)), expected));
    }
  });
});
