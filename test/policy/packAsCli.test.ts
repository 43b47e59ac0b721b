import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { evaluatePolicies, resolvePolicyConfig } from "../../policy/evaluate";
import { PACK_ENFORCEMENT_LEVEL } from "../../policy/policies";
import { asPolicyResource } from "../../tools/planPolicies";
import { PlannedResource } from "../../tools/planRuntime";
import { readStackFiles } from "../../tools/stackFiles";
import { PROJECT_DIR, expandedScript } from "../helpers";

const POLICY_DIR = path.join(PROJECT_DIR, "policy");

/** Every .ts file of the pack, outside its node_modules. */
function packFiles(dir = POLICY_DIR): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : packFiles(file);
    return entry.name.endsWith(".ts") ? [file] : [];
  });
}

describe("the policy pack as the Pulumi CLI runs it", () => {
  it("is type-checked by npm test with its own tsconfig, as the CLI compiles it", () => {
    assert.ok(expandedScript("test").some((command) => /^tsc --noEmit .*-p policy(\s|$)/.test(command)));
  });

  it("imports nothing from outside policy/, which the CLI loads on its own", () => {
    for (const file of packFiles()) {
      for (const [, target] of fs.readFileSync(file, "utf8").matchAll(/from "(\.[^"]*)"/g)) {
        const resolved = path.resolve(path.dirname(file), target);
        assert.ok(
          resolved.startsWith(POLICY_DIR + path.sep),
          `${path.relative(PROJECT_DIR, file)} imports ${target}`,
        );
      }
    }
  });

  it("gives a policy that sets no level the pack's level, as the CLI does", async () => {
    const levelless: ResourceValidationPolicy = {
      name: "levelless",
      description: "Faults every resource.",
      validateResource: (_args, reportViolation) => reportViolation("faulted"),
    };
    assert.equal(PACK_ENFORCEMENT_LEVEL, "mandatory");
    assert.equal(resolvePolicyConfig({}, [levelless]).levelless.enforcementLevel, "mandatory");
    const [violation] = await evaluatePolicies(
      [
        {
          urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b",
          type: "aws:s3/bucket:Bucket",
          name: "b",
          props: {},
        },
      ],
      {},
      { policies: [levelless] },
    );
    assert.equal(violation.enforcementLevel, "mandatory");
    const packSource = fs.readFileSync(path.join(POLICY_DIR, "index.ts"), "utf8");
    assert.match(packSource, /enforcementLevel: PACK_ENFORCEMENT_LEVEL/);
  });

  it("shows resource policies the inputs only, and stack policies the outputs as well", async () => {
    const planned: PlannedResource = {
      urn: "urn:pulumi:dev::flink-pipeline::aws:kinesis/stream:Stream::events",
      type: "aws:kinesis/stream:Stream",
      name: "events",
      custom: true,
      protect: false,
      retainOnDelete: false,
      dependsOn: [],
      aliases: [],
      replaceOnChanges: [],
      inputs: { name: "events" },
      outputs: { name: "events", arn: "arn:aws:kinesis:us-east-1:123456789012:stream/events" },
    };
    const seen: Record<string, string[]> = {};
    const resourceView: ResourceValidationPolicy = {
      name: "resource-view",
      description: "Records what a resource policy sees.",
      validateResource: (args) => {
        seen.resource = Object.keys(args.props).sort();
      },
    };
    const stackView: StackValidationPolicy = {
      name: "stack-view",
      description: "Records what a stack policy sees.",
      validateStack: (args) => {
        seen.stack = Object.keys(args.resources[0].props).sort();
      },
    };
    await evaluatePolicies(
      [asPolicyResource(planned, readStackFiles(PROJECT_DIR, "dev"))],
      {},
      {
        policies: [resourceView, stackView],
      },
    );
    assert.deepEqual(seen, { resource: ["name"], stack: ["arn", "name"] });
  });
});
