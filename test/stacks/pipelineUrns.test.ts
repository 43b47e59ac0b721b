/**
 * Every shipped stack's plan against its plan from before FlinkPipeline existed
 * (test/plans/before-flink-pipeline/<stack>.json, frozen): each resource it had is still there,
 * under its URN or an alias of it, with the same inputs; nothing is created, deleted or replaced
 * but the one new FlinkPipeline node.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { NOW_ENV } from "../../stacks/rotation";
import { headResources } from "../../tools/review";
import { ReviewResource, diffPlans } from "../../tools/review/diff";
import { stackNames } from "../../tools/stackFiles";
import { PROJECT_DIR, planStack } from "../helpers";

const BEFORE = path.join(PROJECT_DIR, "test", "plans", "before-flink-pipeline");
/** The instant the frozen plans were recorded with (test/tools/planSnapshots.test.ts). */
const NOW = "2025-06-01T09:00:00Z";

/**
 * The artifact object's file, and the hash its key carries, come from what is built in the checkout
 * (the connector jar, the Java job's jar), not from the wiring; test/tools/planSnapshots.test.ts
 * compares them.
 */
function withoutContentHash(resources: ReviewResource[]): ReviewResource[] {
  return resources.map((resource) => {
    const { source, ...inputs } = resource.inputs;
    const kept = resource.type === "aws:s3/bucketObject:BucketObject" ? inputs : { ...inputs, source };
    const text = JSON.stringify(kept).replace(/-(?:[0-9a-f]{16}|unbuilt)\.(zip|jar)\b/g, "-<content>.$1");
    return { ...resource, inputs: JSON.parse(text) };
  });
}

describe("the shipped stacks keep every URN under FlinkPipeline", () => {
  let previousNow: string | undefined;
  before(() => {
    previousNow = process.env[NOW_ENV];
    process.env[NOW_ENV] = NOW;
  });
  after(() => {
    if (previousNow === undefined) delete process.env[NOW_ENV];
    else process.env[NOW_ENV] = previousNow;
  });

  const frozen = fs.readdirSync(BEFORE).map((file) => path.basename(file, ".json"));
  for (const stack of frozen.filter((name) => stackNames(PROJECT_DIR).includes(name))) {
    it(`${stack}: every resource of its earlier plan is kept, none replaced`, async () => {
      const before: { resources: (ReviewResource & { parent: string | null })[] } = JSON.parse(
        fs.readFileSync(path.join(BEFORE, `${stack}.json`), "utf8"),
      );
      // The frozen plans predate the listing of what awsx.ec2.Vpc creates (simulated children).
      const plan = await planStack(stack);
      const head = headResources(plan).filter((_, index) => !plan.resources[index].createdBy);
      const changes = diffPlans(withoutContentHash(before.resources), withoutContentHash(head));
      const pipelineNode = `urn:pulumi:${stack}::flink-pipeline::flink-pipeline:pipeline:FlinkPipeline::pipeline`;
      const moves = changes.filter(
        (change) => change.previousUrn !== undefined && change.inputs.length === 0,
      );
      assert.deepEqual(
        changes.filter((change) => !moves.includes(change)).map((change) => `${change.action} ${change.urn}`),
        [`create ${pipelineNode}`],
      );
      // The mock monitor's URNs carry only the parent's type, so there only the pipeline's direct
      // children (the stack's top-level resources before, but the provider, which stays there)
      // change URN; in the engine their own children inherit the alias.
      const headUrns = new Set(head.map((resource) => resource.urn));
      assert.deepEqual(
        moves.map((move) => move.previousUrn).sort(),
        before.resources
          .filter((resource) => resource.parent === null && !headUrns.has(resource.urn))
          .map((resource) => resource.urn)
          .sort(),
      );
      for (const move of moves) {
        assert.equal(move.action, "update", `${move.previousUrn} -> ${move.urn}`);
        assert.ok(move.urn.includes("::flink-pipeline:pipeline:FlinkPipeline$"), move.urn);
      }
    });
  }

  it("covers every shipped stack", () => {
    for (const stack of ["dev", "java-dev", "kafka-dev", "prod", "staging"]) {
      assert.ok(frozen.includes(stack), `no frozen plan of ${stack}`);
    }
  });
});
