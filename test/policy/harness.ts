/**
 * Runs one policy the way the analyzer does, through the same argument builders as policy/evaluate.ts
 * (props behind the SDK's unknown-checking proxy, isType/asType, getConfig with schema defaults,
 * notApplicable), and turns tables of cases into mocha tests.
 */
import * as assert from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as proxyInternals from "@pulumi/policy/proxy";
import {
  buildResourceValidationArgs,
  buildStackValidationArgs,
  configProperties,
  PolicyInputResource,
  PolicyNotApplicableError,
  resolvePolicyConfig,
} from "../../policy/evaluate";
import { isUnknownValueError } from "../../policy/lib/known";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
const STACK = "dev";
const PROJECT = "flink-pipeline";

/** What the engine sends for a string it cannot know during preview. */
export const UNKNOWN_STRING = (proxyInternals as unknown as { unknownStringValue: string })
  .unknownStringValue;

export function urnOf(type: string, name: string): string {
  return `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`;
}

export function resource(
  type: string,
  name: string,
  props: Record<string, unknown>,
  extra: Partial<PolicyInputResource> = {},
): PolicyInputResource {
  return { urn: urnOf(type, name), type, name, props, ...extra };
}

/** The default AWS provider as the engine passes it: config values, objects as JSON text. */
export function awsProvider(
  defaultTags?: Record<string, string>,
): NonNullable<PolicyInputResource["provider"]> {
  return {
    type: "pulumi:providers:aws",
    name: "default",
    urn: urnOf("pulumi:providers:aws", "default"),
    props: { region: REGION, ...(defaultTags ? { defaultTags: JSON.stringify({ tags: defaultTags }) } : {}) },
  };
}

export type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

export interface Finding {
  message: string;
  urn?: string;
}

export interface Outcome {
  findings: Finding[];
  /** The reason given to `notApplicable()`, when the policy called it. */
  notApplicable?: string;
  /** What the policy said it could not judge (an unknown value), as the SDK's error message. */
  cannotJudge?: string;
}

/** Runs `policy` on one resource (resource policy) or on a stack (stack policy), with `config` resolved. */
export async function runPolicy(
  policy: AnyPolicy,
  input: PolicyInputResource | PolicyInputResource[],
  config: Record<string, unknown> = {},
): Promise<Outcome> {
  const settings = configProperties(resolvePolicyConfig({ [policy.name]: config }, [policy])[policy.name]);
  const findings: Finding[] = [];
  try {
    if ("validateStack" in policy) {
      const args = buildStackValidationArgs([input].flat(), settings);
      await policy.validateStack(args, (message, urn) => findings.push({ message, urn }));
    } else {
      assert.ok(!Array.isArray(input), `${policy.name} is a resource policy: give it one resource`);
      const args = buildResourceValidationArgs(input, settings);
      for (const validate of [policy.validateResource ?? []].flat()) {
        await validate(args, (message) => findings.push({ message, urn: input.urn }));
      }
    }
  } catch (error) {
    if (error instanceof PolicyNotApplicableError) {
      return { findings, notApplicable: error.reason ?? "" };
    }
    if (isUnknownValueError(error)) {
      return { findings, cannotJudge: (error as Error).message };
    }
    throw error;
  }
  return { findings };
}

/** A violation expected in order: its message pattern, and for stack policies the resource it names. */
export type ExpectedViolation = RegExp | { urn: string; message: RegExp };

export interface PolicyCase {
  title: string;
  /** The resource under a resource policy, the whole stack under a stack policy. */
  input: PolicyInputResource | PolicyInputResource[];
  config?: Record<string, unknown>;
  /** `cannotJudge`: the policy reports (advisory) that it could not judge a value unknown at preview. */
  expect: "compliant" | ExpectedViolation[] | { notApplicable: RegExp } | { cannotJudge: RegExp };
}

export interface PolicyCaseTable {
  policy: AnyPolicy;
  cases: PolicyCase[];
}

/** One mocha test per case; every violation message must end with the policy's remediation. */
export function describePolicyCases({ policy, cases }: PolicyCaseTable): void {
  describe(policy.name, () => {
    for (const testCase of cases) {
      it(testCase.title, async () => {
        const outcome = await runPolicy(policy, testCase.input, testCase.config);
        assertOutcome(policy, outcome, testCase.expect);
      });
    }
  });
}

function assertOutcome(policy: AnyPolicy, outcome: Outcome, expected: PolicyCase["expect"]): void {
  const messages = outcome.findings.map((finding) => finding.message);
  if (expected !== "compliant" && !Array.isArray(expected) && "cannotJudge" in expected) {
    assert.match(outcome.cannotJudge ?? "<judged>", expected.cannotJudge);
    assert.deepEqual(messages, []);
    return;
  }
  assert.strictEqual(outcome.cannotJudge, undefined, `could not judge: ${outcome.cannotJudge}`);
  if (expected !== "compliant" && !Array.isArray(expected)) {
    assert.match(outcome.notApplicable ?? "<applicable>", expected.notApplicable);
    assert.deepStrictEqual(messages, []);
    return;
  }
  assert.strictEqual(outcome.notApplicable, undefined, "policy declared itself not applicable");
  const violations = expected === "compliant" ? [] : expected;
  assert.strictEqual(messages.length, violations.length, `violations: ${JSON.stringify(messages, null, 2)}`);
  violations.forEach((violation, index) => {
    const { message, urn } = outcome.findings[index];
    const pattern = violation instanceof RegExp ? violation : violation.message;
    assert.match(message, pattern);
    assert.ok(message.endsWith(` Fix: ${policy.remediationSteps}`), `no remediation in: ${message}`);
    if (!(violation instanceof RegExp)) {
      assert.strictEqual(urn, violation.urn);
    }
  });
}
