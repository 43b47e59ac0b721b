import * as assert from "assert";
import { allPolicies } from "../../policy/policies";
import { dynamodbKinesisCases } from "./cases/dynamodbKinesis";
import { flinkCases } from "./cases/flink";
import { iamCases } from "./cases/iam";
import { logsSecretsCases } from "./cases/logsSecrets";
import { networkCases } from "./cases/network";
import { quotasCases } from "./cases/quotas";
import { s3Cases } from "./cases/s3";
import { stackCases } from "./cases/stack";
import { tagsCases } from "./cases/tags";
import { describePolicyCases, PolicyCaseTable } from "./harness";

const tables: PolicyCaseTable[] = [
  ...s3Cases,
  ...dynamodbKinesisCases,
  ...iamCases,
  ...flinkCases,
  ...logsSecretsCases,
  ...networkCases,
  ...quotasCases,
  ...tagsCases,
  ...stackCases,
];

describe("policies", () => {
  tables.forEach(describePolicyCases);

  it("every policy has a compliant and a violating case", () => {
    const uncovered = allPolicies
      .filter((policy) => {
        const cases = tables.filter((table) => table.policy === policy).flatMap((table) => table.cases);
        return !cases.some((c) => c.expect === "compliant") || !cases.some((c) => Array.isArray(c.expect));
      })
      .map((policy) => policy.name);
    assert.deepStrictEqual(uncovered, []);
  });

  it("every policy states its name, description, severity, remediation and a mandatory default", () => {
    for (const policy of allPolicies) {
      assert.match(policy.name, /^[a-z0-9-]+$/);
      assert.ok(policy.description.length > 20, policy.name);
      assert.ok(policy.severity, policy.name);
      assert.ok(policy.remediationSteps, policy.name);
      assert.strictEqual(policy.enforcementLevel, "mandatory", policy.name);
    }
    assert.strictEqual(new Set(allPolicies.map((policy) => policy.name)).size, allPolicies.length);
  });
});
