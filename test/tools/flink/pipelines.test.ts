import { GetMetricDataCommand, GetMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
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
import * as fs from "fs";
import * as path from "path";
import { COMMANDS, Command } from "../../../tools/flink/args";
import { Outcome, everyPipeline } from "../../../tools/flink/operations";
import { selectPipelines } from "../../../tools/flink/target";
import { UsageError } from "../../../tools/stackFiles";
import { PROJECT_DIR, projectWith } from "../../helpers";
import { HEALTHY, T0, application, awsError, harness, metricAnswer } from "./harness";

const STACK = "pipelines-dev";
const app = (pipeline: string) => `flink-pipeline-${STACK}-${pipeline}`;
const [ORDERS, CLICKS, PAYMENTS] = ["orders", "clicks", "payments"].map(app);
const ONE_PIPELINE: Command[] = ["snapshot", "stop", "start", "rollback", "verify"];

/** Each application answers DescribeApplication with its own name, RUNNING on version 7. */
function stackHarness(projectDir = PROJECT_DIR) {
  const h = harness(projectDir);
  h.flink
    .on(DescribeApplicationCommand)
    .callsFake((input) => application("RUNNING", 7, {}, input.ApplicationName));
  h.flink.on(ListApplicationOperationsCommand).resolves({ ApplicationOperationInfoList: [] });
  h.flink.on(ListApplicationSnapshotsCommand).resolves({ SnapshotSummaries: [] });
  h.cloudwatch
    .on(GetMetricDataCommand)
    .callsFake((input) => metricAnswer(input, (signal) => HEALTHY[signal]));
  return h;
}

const succeeded = (operation: string) =>
  ({
    ApplicationOperationInfoDetails: {
      Operation: operation,
      OperationStatus: "SUCCESSFUL",
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 60_000),
    },
  }) as any;

describe("npm run flink on a stack of several pipelines (flink-pipeline:pipelines)", () => {
  describe("which pipelines a command acts on", () => {
    const file = "Pulumi.s.yaml";
    const cases: [Command, string[] | undefined, string | undefined, string[] | undefined | RegExp][] = [
      ...COMMANDS.map((command): [Command, undefined, undefined, undefined] => [
        command,
        undefined,
        undefined,
        undefined,
      ]),
      [
        "status",
        undefined,
        "orders",
        /^--pipeline applies only to a stack with flink-pipeline:pipelines; Pulumi\.s\.yaml has one pipeline/,
      ],
      ["status", ["a", "b"], undefined, ["a", "b"]],
      ["snapshots", ["a", "b"], undefined, ["a", "b"]],
      ...ONE_PIPELINE.map((command): [Command, string[], undefined, RegExp] => [
        command,
        ["a", "b"],
        undefined,
        new RegExp(
          `^${command} acts on one pipeline: give --pipeline <name> \\(Pulumi\\.s\\.yaml has a, b\\)$`,
        ),
      ]),
      ...COMMANDS.map((command): [Command, string[], string, string[]] => [command, ["a", "b"], "b", ["b"]]),
      ["stop", ["a", "b"], "c", /^Pulumi\.s\.yaml has no pipeline "c"; its pipelines: a, b$/],
      ["status", ["a", "b"], "A", /^Pulumi\.s\.yaml has no pipeline "A"; its pipelines: a, b$/],
    ];
    for (const [command, names, requested, expected] of cases) {
      const given = `${command} on ${names ? `pipelines ${names.join(", ")}` : "one pipeline"}${requested ? ` --pipeline ${requested}` : ""}`;
      const outcome =
        expected instanceof RegExp ? "refused" : (expected?.join(", ") ?? "the stack's one pipeline");
      it(`${given}: ${outcome}`, () => {
        if (expected instanceof RegExp) {
          assert.throws(
            () => selectPipelines(command, file, names, requested),
            (error: Error) => error instanceof UsageError && expected.test(error.message),
          );
        } else assert.deepEqual(selectPipelines(command, file, names, requested), expected);
      });
    }
  });

  describe("the outcome on every pipeline", () => {
    const outcome = (exitCode: 0 | 1, line: string): Outcome => ({ exitCode, lines: [line], json: { line } });
    const cases: [[string, Outcome][], 0 | 1][] = [
      [[["a", outcome(0, "fine")]], 0],
      [
        [
          ["a", outcome(0, "fine")],
          ["b", outcome(0, "fine")],
        ],
        0,
      ],
      [
        [
          ["a", outcome(0, "fine")],
          ["b", outcome(1, "unwell")],
        ],
        1,
      ],
    ];
    for (const [outcomes, exitCode] of cases) {
      it(`exits ${exitCode} for ${outcomes.map(([, o]) => o.exitCode).join(", ")}, each pipeline under its name`, () => {
        assert.deepEqual(everyPipeline(outcomes), {
          exitCode,
          lines: outcomes.flatMap(([name, o]) => [`pipeline ${name}:`, `  ${o.lines[0]}`]),
          json: { pipelines: Object.fromEntries(outcomes.map(([name, o]) => [name, o.json])) },
        });
      });
    }
  });

  describe("usage", () => {
    const cases: [string[], string][] = [
      ...ONE_PIPELINE.map((command): [string[], string] => [
        [command, "--stack", STACK],
        `${command} acts on one pipeline: give --pipeline <name> (Pulumi.${STACK}.yaml has orders, clicks, payments)`,
      ]),
      [
        ["status", "--stack", STACK, "--pipeline", "billing"],
        `Pulumi.${STACK}.yaml has no pipeline "billing"; its pipelines: orders, clicks, payments`,
      ],
      [
        ["stop", "--stack", "dev", "--pipeline", "orders"],
        "--pipeline applies only to a stack with flink-pipeline:pipelines; Pulumi.dev.yaml has one pipeline (its top-level source, table, flink and alarms)",
      ],
    ];
    for (const [argv, message] of cases) {
      it(`exits 2 with one line for ${argv.join(" ")}`, async () => {
        const h = stackHarness();
        const { code, out, err } = await h.run(...argv);
        assert.equal(code, 2);
        assert.equal(out, "");
        assert.equal(err, `${message}\n`);
        assert.deepEqual(h.flinkCalls(), [], "nothing sent");
      });
    }

    it("reads whether a stack has pipelines from its config file, never from its name", async () => {
      const shipped = (stack: string) =>
        fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
      // The names swapped: "dev" holds three pipelines, "pipelines-dev" one.
      const dir = projectWith({
        "Pulumi.dev.yaml": shipped(STACK),
        [`Pulumi.${STACK}.yaml`]: shipped("dev"),
      });
      const h = stackHarness(dir);
      assert.match((await h.run("stop", "--stack", "dev")).err, /^stop acts on one pipeline/);
      assert.match(
        (await h.run("stop", "--stack", STACK, "--pipeline", "orders")).err,
        /^--pipeline applies only/,
      );
      const { code, out } = await h.run("status", "--stack", "dev", "--pipeline", "orders", "--json");
      assert.equal(code, 0);
      assert.equal(JSON.parse(out).applicationName, "flink-pipeline-dev-orders");
      assert.deepEqual(await h.run("pipelines", "--stack", "dev"), {
        code: 0,
        out: "orders\nclicks\npayments\n",
        err: "",
      });
      assert.deepEqual(await h.run("pipelines", "--stack", STACK), { code: 0, out: "", err: "" });
    });
  });

  describe("pipelines (the names a script loops over)", () => {
    const cases: [string[], number, string, string][] = [
      [["pipelines", "--stack", STACK], 0, "orders\nclicks\npayments\n", ""],
      [
        ["pipelines", "--stack", STACK, "--json"],
        0,
        '{\n  "pipelines": [\n    "orders",\n    "clicks",\n    "payments"\n  ]\n}\n',
        "",
      ],
      [["pipelines", "--stack", "dev"], 0, "", ""],
      [["pipelines", "--stack", "dev", "--json"], 0, '{\n  "pipelines": []\n}\n', ""],
      [
        ["pipelines", "--stack", STACK, "--pipeline", "orders"],
        2,
        "",
        "pipelines does not take --pipeline; it takes --stack, --json\n",
      ],
      [["pipelines"], 2, "", "pipelines needs --stack <name>\n"],
    ];
    for (const [argv, code, out, err] of cases) {
      it(`${argv.join(" ")}: exit ${code}${out ? `, ${JSON.stringify(out)}` : ""}`, async () => {
        const h = stackHarness();
        assert.deepEqual(await h.run(...argv), { code, out, err });
        assert.deepEqual(h.flinkCalls(), [], "nothing sent");
      });
    }

    it("reports a stack's bad config as the other commands do, with exit 2", async () => {
      const dir = projectWith({ "Pulumi.team.yaml": "config:\n  flink-pipeline:pipelines: {}\n" });
      const { code, err } = await stackHarness(dir).run("pipelines", "--stack", "team");
      assert.equal(code, 2);
      assert.match(err, /^Pulumi\.team\.yaml: flink-pipeline:pipelines must name at least one pipeline/);
    });
  });

  describe("status", () => {
    it("without --pipeline shows every pipeline, in the config file's order, each under its name", async () => {
      const h = stackHarness();
      const { code, out } = await h.run("status", "--stack", STACK, "--json");
      assert.equal(code, 0);
      assert.deepEqual(
        h.flink.commandCalls(DescribeApplicationCommand).map((call) => call.args[0].input.ApplicationName),
        [ORDERS, CLICKS, PAYMENTS],
      );
      const { pipelines } = JSON.parse(out);
      assert.deepEqual(Object.keys(pipelines), ["orders", "clicks", "payments"]);
      assert.deepEqual(
        Object.values(pipelines).map((p: any) => [p.applicationName, p.status, p.healthy]),
        [ORDERS, CLICKS, PAYMENTS].map((name) => [name, "RUNNING", true]),
      );
      const text = await stackHarness().run("status", "--stack", STACK);
      assert.match(text.out, new RegExp(`^pipeline orders:\n  ${ORDERS} \\(us-east-1\\): RUNNING`));
      assert.match(text.out, new RegExp(`\npipeline payments:\n  ${PAYMENTS} \\(us-east-1\\): RUNNING`));
    });

    it("with --pipeline shows that one, as on a stack of one pipeline", async () => {
      const h = stackHarness();
      const { code, out } = await h.run("status", "--stack", STACK, "--pipeline", "clicks", "--json");
      assert.equal(code, 0);
      assert.deepEqual([...new Set(h.flinkCalls().map(([, input]) => input.ApplicationName))], [CLICKS]);
      assert.equal(JSON.parse(out).applicationName, CLICKS);
    });

    it("stops at the first pipeline that fails, naming its application", async () => {
      const h = stackHarness();
      h.flink
        .on(DescribeApplicationCommand, { ApplicationName: CLICKS })
        .rejects(awsError("ResourceNotFoundException", `Application ${CLICKS} is not found.`));
      const { code, out, err } = await h.run("status", "--stack", STACK);
      assert.equal(code, 2);
      assert.equal(out, "");
      assert.equal(err, `DescribeApplication: Application ${CLICKS} is not found.\n`);
      assert.deepEqual(
        h.flink.commandCalls(DescribeApplicationCommand).map((call) => call.args[0].input.ApplicationName),
        [ORDERS, CLICKS],
      );
    });
  });

  describe("snapshots", () => {
    const day = 86_400_000;
    /** Each application's own snapshots: `<pipeline>-<age in days>`. */
    const snapshotsOf = (name: string) => ({
      SnapshotSummaries: [1, 10, 20].map((age) => ({
        SnapshotName: `${name.split("-").pop()}-${age}d`,
        SnapshotStatus: "READY",
        ApplicationVersionId: 7,
        SnapshotCreationTimestamp: new Date(T0 - age * day),
      })),
    });

    it("lists every pipeline's snapshots without --pipeline", async () => {
      const h = stackHarness();
      h.flink.on(ListApplicationSnapshotsCommand).callsFake((input) => snapshotsOf(input.ApplicationName));
      const { code, out } = await h.run("snapshots", "--stack", STACK, "--json");
      assert.equal(code, 0);
      const { pipelines } = JSON.parse(out);
      assert.deepEqual(
        pipelines.clicks.snapshots.map((s: { name: string }) => s.name),
        ["clicks-1d", "clicks-10d", "clicks-20d"],
      );
      assert.equal(pipelines.payments.applicationName, PAYMENTS);
    });

    it("--prune prunes each pipeline's application by its own snapshots", async () => {
      const h = stackHarness();
      h.flink.on(ListApplicationSnapshotsCommand).callsFake((input) => snapshotsOf(input.ApplicationName));
      h.flink.on(DeleteApplicationSnapshotCommand).resolves({});
      const { code, out } = await h.run(
        "snapshots",
        "--stack",
        STACK,
        "--prune",
        "--keep",
        "1",
        "--min-age",
        "7d",
      );
      assert.equal(code, 0);
      assert.deepEqual(
        h
          .flinkCalls()
          .filter(([name]) => name === "DeleteApplicationSnapshot")
          .map(([, input]) => [input.ApplicationName, input.SnapshotName]),
        ["orders", "clicks", "payments"].flatMap((pipeline) => [
          [app(pipeline), `${pipeline}-10d`],
          [app(pipeline), `${pipeline}-20d`],
        ]),
      );
      assert.match(out, new RegExp(`^pipeline orders:\n  ${ORDERS}: deleted 2 of 3 snapshots`));
    });

    it("--prune keeps the snapshot each pipeline's config restores from, in that pipeline only", async () => {
      const stackFile = `config:
  aws:region: us-east-1
  flink-pipeline:pipelines:
    orders:
      flink:
        artifact: app
        restore: { type: RESTORE_FROM_CUSTOM_SNAPSHOT, snapshotName: orders-20d }
    clicks:
      flink:
        artifact: app
`;
      const h = stackHarness(projectWith({ "Pulumi.team.yaml": stackFile }));
      h.flink.on(ListApplicationSnapshotsCommand).callsFake((input) => snapshotsOf(input.ApplicationName));
      h.flink.on(DeleteApplicationSnapshotCommand).resolves({});
      const { code, err } = await h.run("snapshots", "--stack", "team", "--prune", "--keep", "1");
      assert.equal(code, 0, err);
      assert.deepEqual(
        h
          .flinkCalls()
          .filter(([name]) => name === "DeleteApplicationSnapshot")
          .map(([, input]) => [input.ApplicationName, input.SnapshotName]),
        [
          ["flink-pipeline-team-orders", "orders-10d"],
          ["flink-pipeline-team-clicks", "clicks-10d"],
          ["flink-pipeline-team-clicks", "clicks-20d"],
        ],
      );
    });

    it("--prune --pipeline prunes that pipeline only", async () => {
      const h = stackHarness();
      h.flink.on(ListApplicationSnapshotsCommand).callsFake((input) => snapshotsOf(input.ApplicationName));
      h.flink.on(DeleteApplicationSnapshotCommand).resolves({});
      const { code } = await h.run(
        "snapshots",
        "--stack",
        STACK,
        "--pipeline",
        "payments",
        "--prune",
        "--keep",
        "2",
      );
      assert.equal(code, 0);
      assert.deepEqual(
        h.flinkCalls().map(([name, input]) => [name, input.ApplicationName, input.SnapshotName]),
        [
          ["ListApplicationSnapshots", PAYMENTS, undefined],
          ["DeleteApplicationSnapshot", PAYMENTS, "payments-20d"],
        ],
      );
    });
  });

  describe("the commands on one pipeline", () => {
    it("snapshot --pipeline snapshots that pipeline's application", async () => {
      const h = stackHarness();
      h.flink.on(CreateApplicationSnapshotCommand).resolves({});
      h.flink.on(DescribeApplicationSnapshotCommand).resolves({
        SnapshotDetails: { SnapshotName: "before-abc", SnapshotStatus: "READY", ApplicationVersionId: 7 },
      });
      const { code } = await h.run(
        "snapshot",
        "--stack",
        STACK,
        "--pipeline",
        "payments",
        "--name",
        "before-abc",
      );
      assert.equal(code, 0);
      assert.deepEqual(h.flinkCalls()[0], [
        "CreateApplicationSnapshot",
        { ApplicationName: PAYMENTS, SnapshotName: "before-abc" },
      ]);
    });

    it("stop --pipeline stops that pipeline's application", async () => {
      const h = stackHarness();
      h.flink.on(StopApplicationCommand).resolves({ OperationId: "op-stop" });
      h.flink
        .on(DescribeApplicationCommand)
        .callsFake((input) => application("READY", 7, {}, input.ApplicationName));
      h.flink.on(DescribeApplicationOperationCommand).resolves(succeeded("StopApplication"));
      const { code, out } = await h.run("stop", "--stack", STACK, "--pipeline", "orders", "--force");
      assert.equal(code, 0);
      assert.deepEqual(h.flinkCalls()[0], ["StopApplication", { ApplicationName: ORDERS, Force: true }]);
      assert.equal(out, `${ORDERS} stopped (READY, version 7)\n`);
    });

    it("start --pipeline starts that pipeline's application with the restore choice", async () => {
      const h = stackHarness();
      h.flink.on(StartApplicationCommand).resolves({ OperationId: "op-start" });
      h.flink.on(DescribeApplicationOperationCommand).resolves(succeeded("StartApplication"));
      const { code } = await h.run("start", "--stack", STACK, "--pipeline", "clicks", "--restore", "skip");
      assert.equal(code, 0);
      assert.deepEqual(h.flinkCalls()[0], [
        "StartApplication",
        {
          ApplicationName: CLICKS,
          RunConfiguration: {
            ApplicationRestoreConfiguration: { ApplicationRestoreType: "SKIP_RESTORE_FROM_SNAPSHOT" },
            FlinkRunConfiguration: { AllowNonRestoredState: false },
          },
        },
      ]);
    });

    it("rollback --pipeline rolls back that pipeline's application", async () => {
      const h = stackHarness();
      h.flink.on(RollbackApplicationCommand).resolves({ OperationId: "op-rb" });
      h.flink.on(DescribeApplicationOperationCommand).resolves(succeeded("RollbackApplication"));
      const { code } = await h.run("rollback", "--stack", STACK, "--pipeline", "payments");
      assert.equal(code, 0);
      assert.deepEqual(h.flinkCalls().slice(0, 2), [
        ["DescribeApplication", { ApplicationName: PAYMENTS }],
        ["RollbackApplication", { ApplicationName: PAYMENTS, CurrentApplicationVersionId: 7 }],
      ]);
    });

    const lagMetrics: [string, string, unknown][] = [
      ["orders", "GetRecords.IteratorAgeMilliseconds", [{ Name: "StreamName", Value: `${ORDERS}-events` }]],
      [
        "clicks",
        "SubscribeToShardEvent.MillisBehindLatest",
        [
          { Name: "StreamName", Value: `${CLICKS}-events` },
          { Name: "ConsumerName", Value: CLICKS },
        ],
      ],
      ["payments", "records_lag_max", [{ Name: "Application", Value: PAYMENTS }]],
    ];
    for (const [pipeline, metricName, dimensions] of lagMetrics) {
      it(`verify --pipeline ${pipeline} watches that pipeline's application and its source's ${metricName}`, async () => {
        const h = stackHarness();
        const { code, out } = await h.run("verify", "--stack", STACK, "--pipeline", pipeline, "--for", "5m");
        assert.equal(code, 0);
        assert.match(out, new RegExp(`^${app(pipeline)} HEALTHY for 5m`));
        assert.deepEqual(
          [...new Set(h.flinkCalls().map(([, input]) => input.ApplicationName))],
          [app(pipeline)],
        );
        const queries = (
          h.cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input as GetMetricDataCommandInput
        ).MetricDataQueries!;
        const lag = queries.find((q) => q.Label === "source-lag")!;
        assert.deepEqual(lag.MetricStat!.Metric, {
          Namespace: pipeline === "payments" ? "AWS/KinesisAnalytics" : "AWS/Kinesis",
          MetricName: metricName,
          Dimensions: dimensions,
        });
      });
    }
  });
});
