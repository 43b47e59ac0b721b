import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Violation, evaluatePolicies } from "../../policy/evaluate";
import { checkPolicies } from "../../tools/planPolicies";
import { readStackFiles } from "../../tools/stackFiles";
import { PROJECT_DIR, directoryWith, planStack } from "../helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ARTIFACT_BUCKET = "team-artifacts";
/** Each tier with the shipped stack of that tier (kafka-dev is the Kafka stack of the dev tier). */
const TIERS = ["dev", "staging", "prod"];

/** The stack's own value of a section with `fields` set on top (a stack file sets the whole object). */
function withFields(
  stack: string,
  section: string,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const current = readStackFiles(PROJECT_DIR, stack).config[`flink-pipeline:${section}`];
  return { [section]: { ...(current ? JSON.parse(current) : {}), ...fields } };
}

/** Mandatory violations of `stack` with `overrides`, under the shipped policy config of `tier` (or `policyConfig`). */
async function mandatory(
  stack: string,
  tier: string,
  overrides: Record<string, unknown>,
  policyConfig = path.join(PROJECT_DIR, "policy", "config", `${tier}.json`),
): Promise<Violation[]> {
  const plan = await planStack(stack, overrides);
  const violations = await checkPolicies(plan.resources, readStackFiles(PROJECT_DIR, stack), policyConfig);
  return violations.filter((v) => v.enforcementLevel === "mandatory");
}

/** Options the README documents, as a stack of each tier would set them. */
const OPTIONS: [string, (stack: string) => Record<string, unknown>][] = [
  ["a customer-managed source.kmsKeyId", (stack) => withFields(stack, "source", { kmsKeyId: KEY })],
  ["source.enhancedFanOut", (stack) => withFields(stack, "source", { enhancedFanOut: true })],
  ["a customer-managed alarms.kmsKeyId", (stack) => withFields(stack, "alarms", { kmsKeyId: KEY })],
  ["alarms.email", (stack) => withFields(stack, "alarms", { email: "oncall@example.com" })],
  [
    "flink.runtime FLINK-2_2",
    (stack) =>
      withFields(stack, "flink", {
        runtime: "FLINK-2_2",
        acceptOneWayRuntime: "FLINK-2_2",
        // app/ is built for Flink 1.20, so a 2.2 runtime takes a job of its own.
        artifact: directoryWith({ "main.py": "print('built for Flink 2.2')\n" }),
      }),
  ],
  ["flink.startApplication false", (stack) => withFields(stack, "flink", { startApplication: false })],
];

describe("every documented option under the shipped policy config of every tier", function () {
  this.timeout(120000);

  for (const tier of TIERS) {
    for (const [option, overrides] of OPTIONS) {
      it(`${option} plans with no mandatory violation in ${tier}`, async () => {
        assert.deepEqual(await mandatory(tier, tier, overrides(tier)), []);
      });
    }

    it(`the Confluent secretsKmsKeyArn plans with no mandatory violation the Kafka stack lacks without it, in ${tier}`, async () => {
      const without = await mandatory("kafka-dev", tier, {});
      const withKey = await mandatory(
        "kafka-dev",
        tier,
        withFields("kafka-dev", "source", { secretsKmsKeyArn: KEY }),
      );
      assert.deepEqual(withKey, without);
    });

    it(`an s3:// artifact asks for the exact policy config line the README gives, and plans clean with it, in ${tier}`, async () => {
      const overrides = withFields(tier, "flink", { artifact: `s3://${ARTIFACT_BUCKET}/flink/job.zip` });
      const [violation, ...others] = await mandatory(tier, tier, overrides);
      assert.deepEqual(others, []);
      assert.equal(violation.policy, "iam-statements-scoped-to-stack");
      assert.ok(
        violation.message.includes(
          `add "${ARTIFACT_BUCKET}" to "externalArtifactBuckets" of "iam-statements-scoped-to-stack" in policy/config/${tier}.json`,
        ),
        violation.message,
      );
      const shipped = JSON.parse(
        fs.readFileSync(path.join(PROJECT_DIR, "policy", "config", `${tier}.json`), "utf8"),
      );
      const withLine = directoryWith({
        [`${tier}.json`]: JSON.stringify({
          ...shipped,
          "iam-statements-scoped-to-stack": {
            ...shipped["iam-statements-scoped-to-stack"],
            externalArtifactBuckets: [ARTIFACT_BUCKET],
          },
        }),
      });
      assert.deepEqual(await mandatory(tier, tier, overrides, path.join(withLine, `${tier}.json`)), []);
    });
  }

  it("the README gives that line where it documents the s3:// artifact", () => {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    assert.ok(
      readme.includes('"iam-statements-scoped-to-stack": { "externalArtifactBuckets": ["<bucket>"] }'),
      "README names the policy config line for an s3:// artifact",
    );
    assert.ok(readme.includes("policy/config/<environment>.json"));
    assert.ok(!/policy\/config\/<stack>\.json/.test(readme), "the file is named by environment, not stack");
  });
});

describe("KMS grants in iam-statements-scoped-to-stack", () => {
  const OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/99999999-12ab-34cd-56ef-1234567890ab";
  const urn = (type: string, name: string) => `urn:pulumi:dev::flink-pipeline::${type}::${name}`;
  async function findings(grantedKey: string): Promise<string[]> {
    const resources = [
      {
        urn: urn("aws:kinesis/stream:Stream", "events"),
        type: "aws:kinesis/stream:Stream",
        name: "events",
        props: {
          name: "events",
          kmsKeyId: KEY,
          arn: "arn:aws:kinesis:us-east-1:123456789012:stream/events",
        },
      },
      {
        urn: urn("aws:iam/rolePolicy:RolePolicy", "read"),
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "read",
        props: {
          role: "job",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Sid: "Decrypt", Effect: "Allow", Action: "kms:Decrypt", Resource: grantedKey }],
          }),
        },
      },
    ];
    const violations = await evaluatePolicies(resources, {
      all: "disabled",
      "iam-statements-scoped-to-stack": "mandatory",
    });
    return violations.map((v) => v.message);
  }

  it("admits kms:Decrypt on exactly the key that encrypts a stack resource", async () => {
    assert.deepEqual(await findings(KEY), []);
  });

  it("still refuses kms:Decrypt on any other key", async () => {
    const [message, ...others] = await findings(OTHER_KEY);
    assert.deepEqual(others, []);
    assert.match(
      message,
      /grants access to arn:aws:kms:.*key\/99999999-.*, which is not a resource of this stack/,
    );
  });
});
