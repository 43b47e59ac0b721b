/**
 * The policy pack, run by the offline plan: the very policy objects `pulumi preview --policy-pack
 * policy` runs, evaluated against what the program registered, with the stack's policy config.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PolicyInputResource, Violation, evaluatePolicies, loadPolicyConfig } from "../policy/evaluate";
import { parseConfigValue } from "../stacks/config";
import { PlannedResource } from "./planRuntime";
import { StackFiles, UsageError } from "./stackFiles";

/** How fix texts name the policy config file (the CLI gives the pack no way to know which one is used). */
export const POLICY_CONFIG_PATTERN = "policy/config/<environment>.json";

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
  const providers = defaultProviders(files);
  const violations = await evaluatePolicies(
    resources.map((resource) => asPolicyResource(resource, files, providers)),
    policyConfig,
  );
  // Fix texts name the policy config by its pattern; the plan knows which file it used.
  const used = path.relative(files.projectDir, policyConfigFile);
  return violations.map((v) => ({ ...v, message: v.message.split(POLICY_CONFIG_PATTERN).join(used) }));
}

/**
 * The engine's view of a resource, secrets readable: resource policies get its inputs (all the CLI
 * sends them), stack policies inputs merged over the (mock) outputs; and its provider.
 */
export function asPolicyResource(
  resource: PlannedResource,
  files: StackFiles,
  providers = defaultProviders(files),
): PolicyInputResource {
  return {
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    props: engineValue({ ...resource.outputs, ...resource.inputs }) as Record<string, unknown>,
    inputs: engineValue(resource.inputs) as Record<string, unknown>,
    parent: resource.parent,
    dependencies: resource.dependsOn,
    protect: resource.protect,
    provider: resource.custom ? providers(resource.type.split(":")[0]) : undefined,
  };
}

/**
 * What the engine sends for a value not known during a preview: one sentinel string, whatever the type
 * (the policy SDK's proxy recognises it). The Node SDK hands the plan its own `Unknown` objects instead,
 * which the policies would take for ordinary values.
 */
const ENGINE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** `value` as the analyzer receives it: secrets unwrapped, every unknown replaced by {@link ENGINE_UNKNOWN}. */
function engineValue(value: unknown): unknown {
  if (pulumi.runtime.isRpcSecret(value)) return engineValue(pulumi.runtime.unwrapRpcSecret(value));
  if (pulumi.isUnknown(value)) return ENGINE_UNKNOWN;
  if (Array.isArray(value)) return value.map(engineValue);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, engineValue(v)]));
  }
  return value;
}

/**
 * Each package's default provider, configured from the stack's `<package>:*` keys as the engine
 * would; made once per package, shared by its resources.
 */
function defaultProviders(files: StackFiles): (pkg: string) => PolicyInputResource["provider"] {
  const made = new Map<string, PolicyInputResource["provider"]>();
  return (pkg) => {
    if (!made.has(pkg)) {
      const props: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(files.config)) {
        if (!key.startsWith(`${pkg}:`)) continue;
        props[key.slice(pkg.length + 1)] = parseConfigValue(value);
      }
      made.set(pkg, {
        type: `pulumi:providers:${pkg}`,
        name: "default",
        urn: `urn:pulumi:${files.stack}::${files.project}::pulumi:providers:${pkg}::default`,
        props,
      });
    }
    return made.get(pkg);
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
