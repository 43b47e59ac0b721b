import * as assert from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { loadPolicyConfig } from "../../policy/evaluate";
import { allPolicies } from "../../policy/policies";

const CONFIG_DIR = join(__dirname, "..", "..", "policy", "config");
const STACKS = ["dev", "staging", "prod"];
const PROD_ONLY = [
  "dynamodb-point-in-time-recovery",
  "dynamodb-deletion-protection",
  "flink-snapshots-enabled",
  "vpc-endpoint-policy-restricted",
];

function levels(stack: string): Record<string, string> {
  const config = loadPolicyConfig(join(CONFIG_DIR, `${stack}.json`));
  return Object.fromEntries(
    Object.entries(config).map(([name, settings]) => [name, settings.enforcementLevel]),
  );
}

function advisory(stack: string): string[] {
  return Object.entries(levels(stack))
    .filter(([, level]) => level === "advisory")
    .map(([name]) => name);
}

describe("policy config files", () => {
  for (const stack of STACKS) {
    it(`${stack}.json decides every policy explicitly`, () => {
      const raw = JSON.parse(readFileSync(join(CONFIG_DIR, `${stack}.json`), "utf8")) as Record<
        string,
        unknown
      >;
      assert.deepStrictEqual(Object.keys(raw).sort(), allPolicies.map((policy) => policy.name).sort());
    });
  }

  it("prod makes every policy mandatory", () => {
    assert.deepStrictEqual(advisory("prod"), []);
    assert.ok(Object.values(levels("prod")).every((level) => level === "mandatory"));
  });

  it("dev makes exactly the prod-only rules advisory", () => {
    assert.deepStrictEqual(advisory("dev").sort(), [...PROD_ONLY].sort());
  });

  it("staging rehearses backups and snapshots but can be torn down and keeps default endpoint policies", () => {
    assert.deepStrictEqual(advisory("staging").sort(), [
      "dynamodb-deletion-protection",
      "vpc-endpoint-policy-restricted",
    ]);
  });

  it("refuses public ingress in every stack", () => {
    for (const stack of STACKS) {
      assert.strictEqual(levels(stack)["ec2-security-group-no-public-ingress"], "mandatory", stack);
    }
  });

  for (const [label, readmePath] of [
    ["policy/README.md", join(CONFIG_DIR, "..", "README.md")],
    ["README.md", join(CONFIG_DIR, "..", "..", "README.md")],
  ]) {
    it(`matches the table in ${label}`, () => {
      const lines = readFileSync(readmePath, "utf8").split("\n");
      // The policy table: from its "| Policy" header to the first line that is not a table row.
      const start = lines.findIndex((line) => line.startsWith("| Policy"));
      const end = lines.findIndex((line, index) => index > start && !line.startsWith("|"));
      const readme = lines.slice(start, end).join("\n");
      const documented = readme
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .map((line) => line.split("|").map((cell) => cell.trim()))
        .map(([, name, ...stackLevels]) => [
          name.replace(/`/g, ""),
          ...stackLevels.slice(0, 3).map((cell) => cell.split(" ")[0]),
        ]);
      const configured = allPolicies.map((policy) => [
        policy.name,
        ...STACKS.map((stack) => levels(stack)[policy.name]),
      ]);
      assert.deepStrictEqual(documented.sort(), configured.sort());
    });
  }

  it("allows more parallelism the closer a stack is to prod", () => {
    const maxParallelism = STACKS.map(
      (stack) =>
        loadPolicyConfig(join(CONFIG_DIR, `${stack}.json`))["flink-parallelism-bounds"]
          .maxParallelism as number,
    );
    assert.deepStrictEqual(maxParallelism, [4, 8, 32]);
  });
});
