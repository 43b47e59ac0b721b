/**
 * FlinkPipeline imported by another program from the package's entry point (package.json
 * `exports`), planned with the plan tool's `--program`.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, pipelineConfig } from "flink-pipeline";
import { uncheckedFlinkVersionWarnings } from "../../components/flinkPipeline";
import { FlinkConfig } from "../../stacks/flinkConfig";
import { PlanDocument } from "../../tools/planReport";
import { PROJECT_DIR, planInProcess as plan } from "../helpers";

const PIPELINE = "flink-pipeline:pipeline:FlinkPipeline";
const APPLICATION = "aws:kinesisanalyticsv2/application:Application";

describe("FlinkPipeline from another program", () => {
  let document: PlanDocument;
  before(async () => {
    const { code, stdout, stderr } = await plan(["--json", "--program", "test/fixtures/importingProgram.ts"]);
    assert.equal(code, 0, stderr);
    document = JSON.parse(stdout);
  });

  it("is the package's entry point", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
    assert.equal(manifest.exports["."], "./pipeline.ts");
    // `pulumi up` runs the directory's `main`: still this project's own program.
    assert.equal(manifest.main, "index.ts");
  });

  it("plans a node per pipeline holding its application, named after the program's stack", () => {
    const pipelines = document.resources.filter((r) => r.type === PIPELINE);
    assert.deepEqual(pipelines.map((r) => r.name).sort(), ["clicks", "orders"]);
    const applications = document.resources.filter((r) => r.type === APPLICATION);
    assert.deepEqual(applications.map((r) => (r.inputs as { name: string }).name).sort(), [
      "flink-pipeline-dev-clicks",
      "flink-pipeline-dev-orders",
    ]);
    for (const application of applications) {
      const component = document.resources.find((r) => r.urn === application.parent)!;
      const pipeline = document.resources.find((r) => r.urn === component.parent)!;
      assert.equal(pipeline.type, PIPELINE);
      assert.equal(`flink-pipeline-dev-${pipeline.name}`, (application.inputs as { name: string }).name);
    }
    assert.deepEqual(document.outputs, {
      clicksApplication: "flink-pipeline-dev-clicks",
      // The shared dashboard holding its section, as given.
      clicksDashboardName: "team-features",
      ordersApplication: "flink-pipeline-dev-orders",
    });
  });

  it("shares the given bucket and topic instead of creating its own", () => {
    const count = (type: string) => document.resources.filter((r) => r.type === type).length;
    assert.equal(count("aws:s3/bucket:Bucket"), 1);
    assert.equal(count("aws:sns/topic:Topic"), 1);
    assert.equal(count("aws:cloudwatch/dashboard:Dashboard"), 1);
    assert.equal(count("aws:s3/bucketObject:BucketObject"), 2);
  });

  it("reads its sections as a stack file's pipelines, naming the full key of a bad value", () => {
    const context = { project: "p", stack: "s", projectDir: PROJECT_DIR, dryRun: true };
    assert.equal(pipelineConfig("orders", {}, context).flink.applicationName, "p-s-orders");
    assert.throws(
      () => pipelineConfig("orders", { flink: { parallelism: 0 } }, context),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((problem) =>
          problem.startsWith("flink-pipeline:pipelines.orders.flink.parallelism "),
        ),
    );
  });
});

describe("the warnings for artifacts whose Flink version cannot be read", () => {
  const flink = (runtime: string, artifactFlinkVersion: FlinkConfig["artifactFlinkVersion"]) =>
    ({ runtime, artifactFlinkVersion }) as FlinkConfig;
  const [a, b] = [{ unreadable: "a.jar does not exist" }, { unreadable: "b.jar does not exist" }];
  const warning = (runtime: string, users: string, reason: string) =>
    `the artifact's Flink version is not checked against flink.runtime ${runtime}${users}: ${reason}`;
  const cases: [string, [string | undefined, FlinkConfig][], string[]][] = [
    ["a readable artifact: none", [["x", flink("FLINK-1_20", { version: "1.20.0" })]], []],
    [
      "a stack's one pipeline: no name",
      [[undefined, flink("FLINK-1_20", a)]],
      [warning("FLINK-1_20", "", a.unreadable)],
    ],
    [
      "one per artifact, in the pipelines' order",
      [
        ["x", flink("FLINK-1_20", a)],
        ["y", flink("FLINK-1_20", b)],
        ["z", flink("FLINK-1_20", a)],
        ["w", flink("FLINK-1_20", { version: "1.20.0" })],
      ],
      [
        warning("FLINK-1_20", " (pipelines x, z)", a.unreadable),
        warning("FLINK-1_20", " (pipeline y)", b.unreadable),
      ],
    ],
    [
      "one artifact on two runtimes: one each, as each names its runtime",
      [
        ["x", flink("FLINK-1_20", a)],
        ["y", flink("FLINK-2_2", a)],
      ],
      [
        warning("FLINK-1_20", " (pipeline x)", a.unreadable),
        warning("FLINK-2_2", " (pipeline y)", a.unreadable),
      ],
    ],
  ];
  for (const [title, pipelines, expected] of cases) {
    it(title, () => assert.deepEqual(uncheckedFlinkVersionWarnings(pipelines), expected));
  }
});
