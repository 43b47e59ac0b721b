import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";

const README = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");

/** The README's section under `heading`, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const level = /^#+/.exec(heading)![0];
  const start = README.indexOf(`${heading}\n`);
  assert.ok(start >= 0, `README has "${heading}"`);
  const rest = README.slice(start + heading.length);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

describe("the README's deployment guide", () => {
  const deploying = section("## Deploying for real");

  it("covers the backend, credentials and permissions, the build, the stack, the pack and teardown", () => {
    for (const expected of [
      "pulumi login s3://",
      "`pulumi login`",
      "AWS_PROFILE",
      "iam:PassRole",
      "kinesisanalytics:",
      "pulumi stack init",
      "pulumi preview --stack <name> --policy-pack policy --policy-pack-config policy/config/<environment>.json",
      "pulumi destroy",
      "flink-pipeline:protect: false",
    ]) {
      assert.ok(deploying.includes(expected), `"Deploying for real" mentions ${expected}`);
    }
  });

  it("builds the job before it deploys, with files that exist", () => {
    const order = ["tools/setup-runtime.sh", "tools/build_job_zip.py vendor", "pulumi up"];
    const positions = order.map((command) => deploying.indexOf(command));
    assert.ok(
      positions.every((position) => position >= 0),
      order.join(", "),
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
      "in build order",
    );
    for (const file of [
      "tools/setup-runtime.sh",
      "tools/build_job_zip.py",
      "policy/package.json",
      "policy/config/prod.json",
    ]) {
      assert.ok(fs.existsSync(path.join(PROJECT_DIR, file)), file);
    }
  });

  it("says what to change in a copied stack file: tags, CIDR, names, and the CI matrices", () => {
    const recipe = section("### A new stack");
    for (const expected of [
      "aws:defaultTags",
      "cidrBlock",
      "applicationName",
      ".github/workflows/pipeline.yml",
    ]) {
      assert.ok(recipe.includes(expected), `the recipe mentions ${expected}`);
    }
  });
});
