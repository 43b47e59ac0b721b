/**
 * The policy pack, run by the offline plan: the very policy objects `pulumi preview --policy-pack
 * policy` runs, evaluated against what the program registered, with the stack's policy config.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PolicyInputResource, Violation, evaluatePolicies, loadPolicyConfig } from "../policy/evaluate";
import { parseConfigValue } from "../stacks/config";
import { PlannedResource, unwrapSecrets } from "./planRuntime";
import { StackFiles, UsageError } from "./stackFiles";

/** `policy/config/<environment>.json`, the environment read from the stack's `<project>:environment`. */
export function defaultPolicyConfig(files: StackFiles): string {
  const environment = files.config[`${files.project}:environment`] ?? "dev";
  return path.join(files.projectDir, "policy", "config", `${environment}.json`);
}

export async function checkPolicies(
  resources: PlannedResource[],
  files: StackFiles,
  policyConfigFile: string,
): Promise<Violation[]> {
  if (!fs.existsSync(policyConfigFile)) {
    throw new UsageError(`no policy config ${policyConfigFile}; pass --policy-config <file>`);
  }
  let policyConfig;
  try {
    policyConfig = loadPolicyConfig(policyConfigFile);
  } catch (error) {
    throw new UsageError(`${policyConfigFile}: ${(error as Error).message}`);
  }
  return evaluatePolicies(
    resources.map((resource) => asPolicyResource(resource, files)),
    policyConfig,
  );
}

/** The engine's view of a resource: inputs merged over (mock) outputs, secrets readable, its provider. */
function asPolicyResource(resource: PlannedResource, files: StackFiles): PolicyInputResource {
  return {
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    props: withEngineUnknowns(unwrapSecrets({ ...resource.outputs, ...resource.inputs })) as Record<
      string,
      unknown
    >,
    parent: resource.parent,
    dependencies: resource.dependsOn,
    protect: resource.protect,
    provider: resource.custom ? defaultProvider(resource.type.split(":")[0], files) : undefined,
  };
}

/**
 * What the engine sends for a value not known during a preview: one sentinel string, whatever the type
 * (the policy SDK's proxy recognises it). The Node SDK hands the plan its own `Unknown` objects instead,
 * which the policies would take for ordinary values.
 */
const ENGINE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** `value` with every unknown replaced by {@link ENGINE_UNKNOWN}, as the analyzer receives it. */
export function withEngineUnknowns(value: unknown): unknown {
  if (pulumi.isUnknown(value)) return ENGINE_UNKNOWN;
  if (Array.isArray(value)) return value.map(withEngineUnknowns);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withEngineUnknowns(v)]));
  }
  return value;
}

/** The package's default provider, configured from the stack's `<package>:*` keys as the engine would. */
function defaultProvider(pkg: string, files: StackFiles): PolicyInputResource["provider"] {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(files.config)) {
    if (!key.startsWith(`${pkg}:`)) continue;
    props[key.slice(pkg.length + 1)] = parseConfigValue(value);
  }
  return {
    type: `pulumi:providers:${pkg}`,
    name: "default",
    urn: `urn:pulumi:${files.stack}::${files.project}::pulumi:providers:${pkg}::default`,
    props,
  };
}

/** Violations grouped by policy, mandatory first. */
export function renderViolations(violations: Violation[]): string {
  if (violations.length === 0) return "Policies: no violations.";
  const byPolicy = new Map<string, Violation[]>();
  const ordered = [...violations].sort(
    (a, b) =>
      levelRank(a) - levelRank(b) ||
      a.policy.localeCompare(b.policy) ||
      (a.urn ?? "").localeCompare(b.urn ?? ""),
  );
  for (const violation of ordered)
    byPolicy.set(violation.policy, [...(byPolicy.get(violation.policy) ?? []), violation]);
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const lines = [`Policy violations: ${mandatory} mandatory, ${violations.length - mandatory} advisory`];
  for (const [policy, group] of byPolicy) {
    lines.push(`  ${policy} (${group[0].enforcementLevel})`);
    for (const violation of group)
      lines.push(`    ${violation.urn ?? "(stack)"}`, `      ${violation.message}`);
  }
  return lines.join("\n");
}

function levelRank(violation: Violation): number {
  return violation.enforcementLevel === "mandatory" ? 0 : 1;
}
