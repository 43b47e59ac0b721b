/**
 * The policies at a stack's first `pulumi preview`, when nothing exists yet: every resource's computed
 * outputs (ids, ARNs) are unknown; only inputs and the names providers settle in their check are known.
 * Grants built from those names are judged then, not only at `pulumi up`; what stays unknown is
 * reported as an advisory "can't run ... during preview", never passed in silence.
 */
import { strict as assert } from "assert";
import { FlinkApplication } from "../../components/flinkApplication";
import { grant } from "../../components/iam";
import { KinesisSource } from "../../components/kinesisSource";
import { Violation } from "../../policy/evaluate";
import { checkPolicies, defaultPolicyConfig } from "../../tools/planPolicies";
import { runProgram } from "../../tools/planRuntime";
import { readStackFiles } from "../../tools/stackFiles";
import { PROJECT_DIR, planStack } from "../helpers";

const CANNOT_RUN = /^can't run policy '([a-z0-9-]+)' during preview: /;
const IAM_DOCUMENT_POLICIES = [
  "iam-no-wildcard-actions",
  "iam-resource-wildcard-allow-list",
  "iam-statements-scoped-to-stack",
];

async function violationsOf(stack: string, firstPreview: boolean): Promise<Violation[]> {
  const files = readStackFiles(PROJECT_DIR, stack);
  const plan = await planStack(stack, {}, { firstPreview });
  return checkPolicies(plan.resources, files, defaultPolicyConfig(files));
}

const judged = (violations: Violation[]) =>
  violations.filter((v) => !CANNOT_RUN.test(v.message)).map((v) => `${v.policy} ${v.urn ?? "(stack)"}`);

/**
 * The role policies whose documents stay unknown at a first preview, and why: the ENI grant names the
 * subnets and security group of a VPC created in the same run (their ids exist only once created); the
 * Kafka client grant names Secrets Manager ARNs, which end in a random suffix AWS picks on create.
 */
const NOT_JUDGED_AT_FIRST_PREVIEW: Record<string, string[]> = {
  dev: [],
  staging: ["network-eni"],
  prod: ["network-eni"],
  "kafka-dev": ["kafka-client-read"],
};

describe("policies at a stack's first preview", () => {
  for (const [stack, unjudged] of Object.entries(NOT_JUDGED_AT_FIRST_PREVIEW)) {
    it(`${stack}: finds what the full plan finds, and says what it could not judge`, async () => {
      const [full, first] = [await violationsOf(stack, false), await violationsOf(stack, true)];
      assert.deepEqual(judged(first).sort(), judged(full).sort());
      assert.deepEqual(
        full.filter((v) => CANNOT_RUN.test(v.message)),
        [],
        "the full plan knows every document",
      );
      const cannotRun = first.filter((v) => CANNOT_RUN.test(v.message));
      assert.ok(
        cannotRun.every((v) => v.enforcementLevel === "advisory"),
        "an unjudged document is advisory",
      );
      const unjudgedPolicies = unjudged.length === 0 ? [] : IAM_DOCUMENT_POLICIES;
      assert.deepEqual(cannotRun.map((v) => CANNOT_RUN.exec(v.message)![1]).sort(), unjudgedPolicies);
      for (const name of unjudged) {
        assert.ok(
          cannotRun.some((v) => v.urn?.endsWith(`::${name}`)),
          `no advisory names ${name}: ${JSON.stringify(cannotRun)}`,
        );
      }
    });
  }

  it("finds kinesis:* on the stream the same run creates", async () => {
    const files = readStackFiles(PROJECT_DIR, "dev");
    const plan = await runProgram(
      () => {
        const source = new KinesisSource("source", {});
        new FlinkApplication("flink", {
          applicationName: "too-wide",
          code: { bucketArn: "arn:aws:s3:::team-artifacts", fileKey: "jobs/job.zip" },
          grants: [
            (role) =>
              grant(
                "too-wide",
                role,
                [{ Sid: "Everything", Action: ["kinesis:*"], Resource: source.streamArn }],
                source,
              ),
          ],
        });
        return {};
      },
      { project: files.project, stack: "dev", config: files.config, firstPreview: true },
    );
    const violations = await checkPolicies(plan.resources, files, defaultPolicyConfig(files));
    const wildcard = violations.filter((v) => v.policy === "iam-no-wildcard-actions");
    assert.deepEqual(
      wildcard.map((v) => [v.enforcementLevel, v.urn?.split("::").pop()]),
      [["mandatory", "too-wide"]],
    );
    assert.match(wildcard[0].message, /statement "Everything" allows kinesis:\*/);
  });
});
