import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateApplicationSnapshotCommand,
  DeleteApplicationSnapshotCommand,
  DescribeApplicationCommand,
  DescribeApplicationOperationCommand,
  DescribeApplicationSnapshotCommand,
  ListApplicationOperationsCommand,
  ListApplicationSnapshotsCommand,
  RollbackApplicationCommand,
  StartApplicationCommand,
  StopApplicationCommand,
} from "@aws-sdk/client-kinesis-analytics-v2";
import { strict as assert } from "assert";
import { APP, HEALTHY, T0, application, awsError, harness, metricAnswer } from "./harness";

const operation = (status: string, extra: Record<string, unknown> = {}) =>
  ({
    ApplicationOperationInfoDetails: {
      Operation: "StartApplication",
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 60_000),
      OperationStatus: status,
      ...extra,
    },
  }) as any;

describe("npm run flink (operations CLI, AWS mocked)", () => {
  describe("usage", () => {
    const cases: [string[], RegExp][] = [
      [[], /^usage: npm run flink/],
      [["deploy", "--stack", "dev"], /unknown command "deploy"; commands: status, snapshot/],
      [["status"], /status needs --stack <name>/],
      [["stop", "--stack", "dev", "--restore", "latest"], /stop does not take --restore; it takes/],
      [["snapshots", "--stack", "dev", "--keep", "3"], /--keep applies only with --prune/],
      [["snapshots", "--stack", "dev", "--prune"], /--prune needs --keep <n>/],
      [["snapshots", "--stack", "dev", "--prune", "--keep", "0"], /--keep must be a whole number >= 1/],
      [["verify", "--stack", "dev", "--for", "5 minutes"], /--for must be a duration such as 90s/],
      [["verify", "--stack", "dev", "--for", "1m"], /--for must cover at least two alarm periods/],
      [
        ["start", "--stack", "dev", "--restore", "not a name!"],
        /--restore must be latest, skip or a snapshot name/,
      ],
      [["status", "--stack", "nope"], /no config file Pulumi\.nope\.yaml/],
      [["status", "--stack", "dev", "--stack", "prod"], /^--stack is given twice; give it once/],
      [["stop", "--stack", "dev", "--force", "--force"], /^--force is given twice; give it once/],
      [["status", "--stack", "dev", "--json", "--json"], /^--json is given twice; give it once/],
      [
        ["stop", "--stack", "pipelines-dev", "--pipeline", "orders", "--pipeline=clicks"],
        /^--pipeline is given twice; give it once/,
      ],
      [["status", "--stack", "pipelines-dev", "--pipeline"], /^--pipeline needs a value\n$/],
    ];
    for (const [argv, message] of cases) {
      it(`exits 2 for ${JSON.stringify(argv)}`, async () => {
        const h = harness();
        const { code, out, err } = await h.run(...argv);
        assert.equal(code, 2);
        assert.equal(out, "");
        assert.match(err, message);
        assert.doesNotMatch(err, /\n\s+at /, "no stack trace");
        assert.deepEqual(h.flinkCalls(), [], "nothing sent");
      });
    }

    it("exits 2 with one line when there are no credentials", async () => {
      const h = harness();
      h.flink.on(DescribeApplicationCommand).rejects(
        Object.assign(new Error("Could not load credentials from any providers"), {
          name: "CredentialsProviderError",
        }),
      );
      const { code, err } = await h.run("status", "--stack", "dev");
      assert.equal(code, 2);
      assert.equal(
        err,
        "AWS credentials: DescribeApplication: Could not load credentials from any providers\n",
      );
    });

    it("exits 2 when the stack's application does not exist", async () => {
      const h = harness();
      h.flink
        .on(DescribeApplicationCommand)
        .rejects(awsError("ResourceNotFoundException", `Application ${APP} is not found.`));
      const { code, err } = await h.run("verify", "--stack", "dev");
      assert.equal(code, 2);
      assert.equal(err, `DescribeApplication: Application ${APP} is not found.\n`);
    });
  });

  describe("throttling and retries", () => {
    it("retries a throttled call with backoff, reporting each wait", async () => {
      const h = harness();
      h.flink
        .on(DescribeApplicationCommand)
        .rejectsOnce(awsError("ThrottlingException", "Rate exceeded"))
        .rejectsOnce(awsError("ServiceUnavailableException", "try again", 503))
        .resolves(application("READY"));
      h.flink.on(StopApplicationCommand).resolves({ OperationId: "op-stop" });
      h.flink.on(DescribeApplicationOperationCommand).resolves(operation("SUCCESSFUL"));
      const { code, err } = await h.run("stop", "--stack", "dev");
      assert.equal(code, 0);
      assert.deepEqual(h.sleeps, [1000, 2000]);
      assert.match(err, /DescribeApplication: ThrottlingException, retrying in 1 s \(attempt 2 of 6\)/);
      assert.match(
        err,
        /DescribeApplication: ServiceUnavailableException, retrying in 2 s \(attempt 3 of 6\)/,
      );
      assert.equal(h.flink.commandCalls(DescribeApplicationCommand).length, 3);
    });

    it("gives up after six attempts with exit 1 and the reason", async () => {
      const h = harness();
      h.flink.on(DescribeApplicationCommand).rejects(awsError("ThrottlingException", "Rate exceeded"));
      const { code, err } = await h.run("rollback", "--stack", "dev");
      assert.equal(code, 1);
      assert.deepEqual(h.sleeps, [1000, 2000, 4000, 8000, 16000]);
      assert.match(
        err,
        /DescribeApplication still failing after 6 attempts: ThrottlingException: Rate exceeded\n$/,
      );
      assert.equal(
        h.flink.commandCalls(RollbackApplicationCommand).length,
        0,
        "no rollback without knowing the version",
      );
    });

    it("does not retry a refusal", async () => {
      const h = harness();
      h.flink
        .on(StopApplicationCommand)
        .rejects(awsError("ResourceInUseException", "Application is in UPDATING status"));
      const { code, err } = await h.run("stop", "--stack", "dev", "--force");
      assert.equal(code, 1);
      assert.equal(
        err,
        "StopApplication refused: ResourceInUseException: Application is in UPDATING status\n",
      );
      assert.deepEqual(h.sleeps, []);
    });
  });

  describe("snapshot", () => {
    it("creates the named snapshot and waits until it is READY", async () => {
      const h = harness();
      h.flink.on(CreateApplicationSnapshotCommand).resolves({});
      h.flink
        .on(DescribeApplicationSnapshotCommand)
        .resolvesOnce({
          SnapshotDetails: {
            SnapshotName: "before-abc",
            SnapshotStatus: "CREATING",
            ApplicationVersionId: 7,
          },
        })
        .resolves({
          SnapshotDetails: {
            SnapshotName: "before-abc",
            SnapshotStatus: "READY",
            ApplicationVersionId: 7,
            SnapshotCreationTimestamp: new Date(T0),
          },
        });
      const { code, out } = await h.run("snapshot", "--stack", "dev", "--name", "before-abc", "--json");
      assert.equal(code, 0);
      assert.deepEqual(h.flinkCalls(), [
        ["CreateApplicationSnapshot", { ApplicationName: APP, SnapshotName: "before-abc" }],
        ["DescribeApplicationSnapshot", { ApplicationName: APP, SnapshotName: "before-abc" }],
        ["DescribeApplicationSnapshot", { ApplicationName: APP, SnapshotName: "before-abc" }],
      ]);
      assert.deepEqual(h.sleeps, [15_000]);
      assert.equal(JSON.parse(out).snapshot.status, "READY");
    });

    it("names an unnamed snapshot after the time", async () => {
      const h = harness();
      h.flink.on(CreateApplicationSnapshotCommand).resolves({});
      h.flink.on(DescribeApplicationSnapshotCommand).resolves({
        SnapshotDetails: { SnapshotName: "x", SnapshotStatus: "READY", ApplicationVersionId: 7 },
      });
      await h.run("snapshot", "--stack", "dev");
      assert.deepEqual(h.flinkCalls()[0], [
        "CreateApplicationSnapshot",
        { ApplicationName: APP, SnapshotName: "manual-20261202T120030Z" },
      ]);
    });

    it("fails with exit 1 when the snapshot FAILS", async () => {
      const h = harness();
      h.flink.on(CreateApplicationSnapshotCommand).resolves({});
      h.flink
        .on(DescribeApplicationSnapshotCommand)
        .resolvesOnce({
          SnapshotDetails: { SnapshotName: "s1", SnapshotStatus: "CREATING", ApplicationVersionId: 7 },
        })
        .resolves({
          SnapshotDetails: { SnapshotName: "s1", SnapshotStatus: "FAILED", ApplicationVersionId: 7 },
        });
      const { code, err } = await h.run("snapshot", "--stack", "dev", "--name", "s1");
      assert.equal(code, 1);
      assert.match(err, /snapshot s1 FAILED: flink-pipeline-dev could not complete a savepoint/);
    });

    it("--if-running skips an application that is not RUNNING (first deployment, stopped)", async () => {
      const h = harness();
      h.flink.on(DescribeApplicationCommand).resolves(application("READY"));
      const { code, out } = await h.run("snapshot", "--stack", "dev", "--if-running");
      assert.equal(code, 0);
      assert.match(out, /is READY: no snapshot taken/);
      assert.deepEqual(
        h.flinkCalls().map(([name]) => name),
        ["DescribeApplication"],
      );
    });
  });

  describe("snapshots", () => {
    const day = 86_400_000;
    const snap = (name: string, ageDays: number, status = "READY") =>
      ({
        SnapshotName: name,
        SnapshotStatus: status,
        ApplicationVersionId: 7,
        SnapshotCreationTimestamp: new Date(T0 - ageDays * day),
      }) as any;

    it("lists every page, newest first", async () => {
      const h = harness();
      h.flink
        .on(ListApplicationSnapshotsCommand)
        .resolvesOnce({ SnapshotSummaries: [snap("old", 9)], NextToken: "t1" })
        .resolves({ SnapshotSummaries: [snap("new", 1)] });
      const { code, out } = await h.run("snapshots", "--stack", "dev", "--json");
      assert.equal(code, 0);
      assert.deepEqual(h.flinkCalls(), [
        ["ListApplicationSnapshots", { ApplicationName: APP, Limit: 50 }],
        ["ListApplicationSnapshots", { ApplicationName: APP, Limit: 50, NextToken: "t1" }],
      ]);
      assert.deepEqual(
        JSON.parse(out).snapshots.map((s: { name: string }) => s.name),
        ["new", "old"],
      );
    });

    it("--prune keeps the newest N READY and the young ones, deletes the rest with their timestamps", async () => {
      const h = harness();
      h.flink.on(ListApplicationSnapshotsCommand).resolves({
        SnapshotSummaries: [
          snap("a", 1),
          snap("b-failed", 2, "FAILED"),
          snap("c", 3),
          snap("d", 10),
          snap("e-failed", 11, "FAILED"),
          snap("f", 12),
          snap("g", 20),
          snap("h-creating", 30, "CREATING"),
        ],
      });
      h.flink.on(DeleteApplicationSnapshotCommand).resolves({});
      const { code, out } = await h.run(
        "snapshots",
        "--stack",
        "dev",
        "--prune",
        "--keep",
        "2",
        "--min-age",
        "7d",
      );
      assert.equal(code, 0);
      // a, c: the newest two READY; b: younger than 7 days; h: still being created.
      assert.deepEqual(
        h.flinkCalls().filter(([name]) => name === "DeleteApplicationSnapshot"),
        ["d", "e-failed", "f", "g"].map((name) => [
          "DeleteApplicationSnapshot",
          {
            ApplicationName: APP,
            SnapshotName: name,
            SnapshotCreationTimestamp: snap(name, { d: 10, "e-failed": 11, f: 12, g: 20 }[name]!)
              .SnapshotCreationTimestamp,
          },
        ]),
      );
      assert.match(out, /deleted 4 of 8 snapshots/);
    });
  });

  describe("stop and start", () => {
    it("stop --force sends Force and waits for READY", async () => {
      const h = harness();
      h.flink.on(StopApplicationCommand).resolves({ OperationId: "op-1" });
      h.flink
        .on(DescribeApplicationCommand)
        .resolvesOnce(application("FORCE_STOPPING"))
        .resolves(application("READY"));
      h.flink
        .on(DescribeApplicationOperationCommand)
        .resolves(operation("SUCCESSFUL", { Operation: "StopApplication" }));
      const { code, err } = await h.run("stop", "--stack", "dev", "--force");
      assert.equal(code, 0);
      assert.deepEqual(h.flinkCalls(), [
        ["StopApplication", { ApplicationName: APP, Force: true }],
        ["DescribeApplication", { ApplicationName: APP }],
        ["DescribeApplication", { ApplicationName: APP }],
        ["DescribeApplicationOperation", { ApplicationName: APP, OperationId: "op-1" }],
      ]);
      assert.match(err, /FORCE_STOPPING \(0s\)\n.*READY \(15s\)/);
    });

    const restoreCases: [string[], unknown][] = [
      [[], { ApplicationRestoreType: "RESTORE_FROM_LATEST_SNAPSHOT" }],
      [["--restore", "skip"], { ApplicationRestoreType: "SKIP_RESTORE_FROM_SNAPSHOT" }],
      [
        ["--restore", "before-abc"],
        { ApplicationRestoreType: "RESTORE_FROM_CUSTOM_SNAPSHOT", SnapshotName: "before-abc" },
      ],
    ];
    for (const [flags, restore] of restoreCases) {
      it(`start ${flags.join(" ") || "(default)"} sends ${JSON.stringify(restore)}`, async () => {
        const h = harness();
        h.flink.on(StartApplicationCommand).resolves({ OperationId: "op-2" });
        h.flink.on(DescribeApplicationCommand).resolves(application("RUNNING"));
        h.flink.on(DescribeApplicationOperationCommand).resolves(operation("SUCCESSFUL"));
        const { code } = await h.run("start", "--stack", "dev", ...flags);
        assert.equal(code, 0);
        assert.deepEqual(h.flinkCalls()[0], [
          "StartApplication",
          {
            ApplicationName: APP,
            RunConfiguration: {
              ApplicationRestoreConfiguration: restore,
              FlinkRunConfiguration: { AllowNonRestoredState: false },
            },
          },
        ]);
      });
    }

    it("start --allow-non-restored-state sends it", async () => {
      const h = harness();
      h.flink.on(StartApplicationCommand).resolves({ OperationId: "op-2" });
      h.flink.on(DescribeApplicationCommand).resolves(application("RUNNING"));
      h.flink.on(DescribeApplicationOperationCommand).resolves(operation("SUCCESSFUL"));
      await h.run("start", "--stack", "dev", "--allow-non-restored-state");
      assert.deepEqual(h.flinkCalls()[0][1].RunConfiguration.FlinkRunConfiguration, {
        AllowNonRestoredState: true,
      });
    });

    it("fails with exit 1 when the application never reaches RUNNING within the timeout", async () => {
      const h = harness();
      h.flink.on(StartApplicationCommand).resolves({ OperationId: "op-3" });
      h.flink.on(DescribeApplicationCommand).resolves(application("STARTING"));
      const { code, err } = await h.run("start", "--stack", "dev", "--timeout", "2m");
      assert.equal(code, 1);
      assert.match(err, /start: flink-pipeline-dev still STARTING after 2m; it never reached RUNNING\n$/);
      assert.equal(h.sleeps.length, 8, "polled every 15 s for 2 minutes");
      assert.equal(h.now(), T0 + 120_000);
    });

    it("reports why a start failed when the application falls back to READY", async () => {
      const h = harness();
      h.flink.on(StartApplicationCommand).resolves({ OperationId: "op-4" });
      h.flink
        .on(DescribeApplicationCommand)
        .resolvesOnce(application("STARTING"))
        .resolves(application("READY"));
      h.flink.on(DescribeApplicationOperationCommand).resolves(
        operation("FAILED", {
          OperationFailureDetails: {
            ErrorInfo: { ErrorString: "Could not restore state: operator uid missing" },
          },
        }),
      );
      const { code, err } = await h.run("start", "--stack", "dev");
      assert.equal(code, 1);
      assert.match(
        err,
        /start failed, flink-pipeline-dev is READY: StartApplication FAILED: Could not restore state: operator uid missing\n$/,
      );
    });

    it("waits for the start operation to end even when an early describe still reads READY", async () => {
      const h = harness();
      h.flink.on(StartApplicationCommand).resolves({ OperationId: "op-5" });
      h.flink
        .on(DescribeApplicationCommand)
        .resolvesOnce(application("READY"))
        .resolvesOnce(application("STARTING"))
        .resolves(application("RUNNING"));
      h.flink
        .on(DescribeApplicationOperationCommand)
        .resolvesOnce(operation("IN_PROGRESS"))
        .resolves(operation("SUCCESSFUL"));
      const { code } = await h.run("start", "--stack", "dev");
      assert.equal(code, 0);
    });
  });

  describe("rollback", () => {
    it("rolls back from the current version and waits for the outcome", async () => {
      const h = harness();
      h.flink
        .on(DescribeApplicationCommand)
        .resolvesOnce(application("RUNNING", 8))
        .resolvesOnce(application("ROLLING_BACK", 8))
        .resolves(application("RUNNING", 9, { ApplicationVersionRolledBackFrom: 8 }));
      h.flink
        .on(RollbackApplicationCommand)
        .resolves({ ...application("ROLLING_BACK", 8), OperationId: "op-rb" });
      h.flink.on(DescribeApplicationOperationCommand).resolves(
        operation("SUCCESSFUL", {
          Operation: "RollbackApplication",
          ApplicationVersionChangeDetails: {
            ApplicationVersionUpdatedFrom: 8,
            ApplicationVersionUpdatedTo: 9,
          },
        }),
      );
      const { code, out } = await h.run("rollback", "--stack", "dev", "--json");
      assert.equal(code, 0);
      assert.deepEqual(h.flinkCalls().slice(0, 2), [
        ["DescribeApplication", { ApplicationName: APP }],
        ["RollbackApplication", { ApplicationName: APP, CurrentApplicationVersionId: 8 }],
      ]);
      assert.deepEqual(JSON.parse(out), {
        applicationName: APP,
        fromVersion: 8,
        toVersion: 9,
        status: "RUNNING",
      });
    });

    it("fails with the service's reason when the rollback fails", async () => {
      const h = harness();
      h.flink
        .on(DescribeApplicationCommand)
        .resolvesOnce(application("RUNNING", 8))
        .resolves(application("READY", 8));
      h.flink
        .on(RollbackApplicationCommand)
        .resolves({ ...application("ROLLING_BACK", 8), OperationId: "op-rb" });
      h.flink.on(DescribeApplicationOperationCommand).resolves(
        operation("FAILED", {
          Operation: "RollbackApplication",
          OperationFailureDetails: { ErrorInfo: { ErrorString: "Snapshot creation failed" } },
        }),
      );
      const { code, err } = await h.run("rollback", "--stack", "dev");
      assert.equal(code, 1);
      assert.match(
        err,
        /rollback failed, flink-pipeline-dev is READY: RollbackApplication FAILED: Snapshot creation failed/,
      );
    });
  });

  describe("status", () => {
    it("shows state, runtime, version, the last operation, the latest snapshots and the health signals", async () => {
      const h = harness();
      h.flink.on(DescribeApplicationCommand).resolves(
        application("RUNNING", 7, {
          ApplicationConfigurationDescription: {
            ApplicationSystemRollbackConfigurationDescription: { RollbackEnabled: true },
          },
        }),
      );
      h.flink.on(ListApplicationOperationsCommand).resolves({
        ApplicationOperationInfoList: [
          { OperationId: "op-old", Operation: "StartApplication", StartTime: new Date(T0 - 7200_000) },
          { OperationId: "op-new", Operation: "UpdateApplication", StartTime: new Date(T0 - 600_000) },
        ],
      });
      h.flink.on(DescribeApplicationOperationCommand).resolves(
        operation("SUCCESSFUL", {
          Operation: "UpdateApplication",
          ApplicationVersionChangeDetails: {
            ApplicationVersionUpdatedFrom: 6,
            ApplicationVersionUpdatedTo: 7,
          },
        }),
      );
      h.flink.on(ListApplicationSnapshotsCommand).resolves({
        SnapshotSummaries: ["s1", "s2", "s3", "s4"].map((name, i) => ({
          SnapshotName: name,
          SnapshotStatus: "READY",
          ApplicationVersionId: 6,
          SnapshotCreationTimestamp: new Date(T0 - i * 3600_000),
        })) as any,
      });
      h.cloudwatch
        .on(GetMetricDataCommand)
        .callsFake((input) => metricAnswer(input, (signal) => HEALTHY[signal]));
      const { code, out } = await h.run("status", "--stack", "dev", "--json");
      assert.equal(code, 0);
      assert.deepEqual(
        h
          .flinkCalls()
          .map(([name, input]) => [name, input])
          .slice(0, 3),
        [
          ["DescribeApplication", { ApplicationName: APP }],
          ["ListApplicationOperations", { ApplicationName: APP, Limit: 10 }],
          ["DescribeApplicationOperation", { ApplicationName: APP, OperationId: "op-new" }],
        ],
      );
      const status = JSON.parse(out);
      assert.equal(status.status, "RUNNING");
      assert.equal(status.runtime, "FLINK-1_20");
      assert.equal(status.versionId, 7);
      assert.equal(status.systemRollback, true);
      assert.deepEqual(status.lastOperation, {
        operation: "UpdateApplication",
        status: "SUCCESSFUL",
        start: new Date(T0).toISOString(),
        end: new Date(T0 + 60_000).toISOString(),
        fromVersion: 6,
        toVersion: 7,
      });
      assert.deepEqual(
        status.snapshots.map((s: { name: string }) => s.name),
        ["s1", "s2", "s3"],
      );
      assert.equal(status.healthy, true);
      assert.deepEqual(
        status.signals.map((s: { signal: string }) => s.signal),
        ["downtime", "failed-checkpoints", "checkpoint-duration", "restarts", "source-lag"],
      );
    });
  });
});
