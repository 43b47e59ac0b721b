/**
 * Runs the pack's policies without the Pulumi engine (offline plan, tests), building validation arguments
 * the way @pulumi/policy's analyzer server does, and resolving policy config the way the Pulumi CLI does
 * (schema defaults, then `all`, then per-policy settings). Never constructs the PolicyPack.
 */
import { readFileSync } from "fs";
import * as policySdk from "@pulumi/policy";
import type {
  EnforcementLevel,
  Policies,
  PolicyConfigSchema,
  PolicyPackConfig,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import type { ResolvedResource } from "@pulumi/pulumi/queryable";
import { isUnknownValueError } from "./lib/known";
import { PACK_ENFORCEMENT_LEVEL, allPolicies } from "./policies";

/** A resource as the offline plan (or a test) hands it over. */
export interface PolicyInputResource {
  urn: string;
  type: string;
  name: string;
  /** What stack policies see: the engine gives them outputs, so pass inputs merged with outputs. */
  props: Record<string, unknown>;
  /**
   * What resource policies see: the engine sends them the resource's inputs only, never what the
   * provider returns. @default props (a caller that has no outputs passes inputs as props)
   */
  inputs?: Record<string, unknown>;
  /** URN of the parent resource. */
  parent?: string;
  /** URNs of the resources this one depends on. */
  dependencies?: string[];
  /** For each property, the URNs of the resources its value came from. */
  propertyDependencies?: Record<string, string[]>;
  protect?: boolean;
  provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
}

/** One policy violation. */
export interface Violation {
  policy: string;
  enforcementLevel: "advisory" | "mandatory";
  /** The resource in violation; absent when a stack policy faults the stack as a whole. */
  urn?: string;
  message: string;
}

/** A policy's settings after resolution: its enforcement level and its config, schema defaults filled in. */
export type ResolvedPolicySettings = { enforcementLevel: EnforcementLevel } & Record<string, unknown>;

/** Settings for every policy of the pack, by policy name. Also valid input to {@link resolvePolicyConfig}. */
export type ResolvedPolicyConfig = Record<string, ResolvedPolicySettings>;

export interface EvaluateOptions {
  /** The policies to run. @default allPolicies */
  policies?: Policies;
  /** Stack tags, as the engine passes them to every validation. @default none */
  stackTags?: ReadonlyMap<string, string>;
}

/** Thrown by `notApplicable()`: the policy does not apply to this resource or stack. */
export class PolicyNotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

// The SDK exports its unknown-checking proxy at run time, but the published typings leave it out.
const { unknownCheckingProxy } = policySdk as unknown as {
  unknownCheckingProxy(props: Record<string, unknown>): Record<string, unknown>;
};

/** The key of a policy config file that sets the level of every policy at once. */
const ALL_POLICIES = "all";
const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
/** JSON Schema keywords {@link resolvePolicyConfig} checks (annotations `default`, `description` included). */
const CHECKED_SCHEMA_KEYWORDS = [
  "type",
  "items",
  "minimum",
  "maximum",
  "minLength",
  "pattern",
  "enum",
  "default",
  "description",
];
const NO_STACK_TAGS: ReadonlyMap<string, string> = new Map();

/**
 * Settings for every policy from a policy config in CrossGuard's format
 * (`{ "<policy>": "<level>" | { enforcementLevel?, ...config }, "all"?: "<level>" }`). Throws on unknown
 * policy names, invalid levels and config that breaks a policy's schema.
 */
export function resolvePolicyConfig(json: unknown, policies: Policies = allPolicies): ResolvedPolicyConfig {
  const given = json ?? {};
  if (!isPlainObject(given)) {
    throw new Error("Policy config must be a JSON object keyed by policy name.");
  }
  const known = new Map(policies.map((policy) => [policy.name, policy]));
  const unknownNames = Object.keys(given).filter((name) => name !== ALL_POLICIES && !known.has(name));
  if (unknownNames.length > 0) {
    throw new Error(
      `Unknown policy name(s) in policy config: ${unknownNames.join(", ")}. ` +
        `Known policies: ${[...known.keys()].join(", ")}.`,
    );
  }
  const entries = new Map(Object.entries(given).map(([name, value]) => [name, parseEntry(name, value)]));
  const all = entries.get(ALL_POLICIES);
  if (all && Object.keys(all.properties).length > 0) {
    throw new Error(`"${ALL_POLICIES}" sets only an enforcement level; config belongs to a named policy.`);
  }
  const resolved: ResolvedPolicyConfig = {};
  for (const policy of policies) {
    const entry = entries.get(policy.name);
    const properties = { ...schemaDefaults(policy.configSchema), ...entry?.properties };
    checkProperties(policy.name, policy.configSchema, properties);
    resolved[policy.name] = {
      ...properties,
      enforcementLevel:
        entry?.enforcementLevel ?? all?.enforcementLevel ?? policy.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL,
    };
  }
  return resolved;
}

/** {@link resolvePolicyConfig} of a JSON file, such as `policy/config/prod.json`. */
export function loadPolicyConfig(file: string, policies: Policies = allPolicies): ResolvedPolicyConfig {
  try {
    return resolvePolicyConfig(JSON.parse(readFileSync(file, "utf8")) as unknown, policies);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Runs every resource policy on every resource, then every stack policy on the whole stack, skipping
 * disabled policies; violations come back in that order.
 */
export async function evaluatePolicies(
  resources: PolicyInputResource[],
  policyConfig: PolicyPackConfig,
  options: EvaluateOptions = {},
): Promise<Violation[]> {
  const policies = options.policies ?? allPolicies;
  const config = resolvePolicyConfig(policyConfig, policies);
  const stackTags = options.stackTags ?? NO_STACK_TAGS;
  const violations: Violation[] = [];
  const record = (
    policy: string,
    enforcementLevel: Violation["enforcementLevel"],
    message: string,
    urn?: string,
  ) => violations.push({ policy, enforcementLevel, ...(urn === undefined ? {} : { urn }), message });

  // What each enabled resource policy needs, worked out once rather than once per resource.
  const resourceChecks = policies.filter(isResourcePolicy).flatMap((policy) => {
    const level = reportedLevel(config[policy.name].enforcementLevel);
    if (level === undefined || policy.validateResource === undefined) return [];
    const properties = configProperties(config[policy.name]);
    return [policy.validateResource]
      .flat()
      .map((validate) => ({ name: policy.name, level, properties, validate }));
  });
  for (const resource of resources) {
    for (const { name, level, properties, validate } of resourceChecks) {
      const args = buildResourceValidationArgs(resource, properties, stackTags);
      const pending = runValidation(
        name,
        resource.urn,
        () => validate(args, (message) => record(name, level, message, resource.urn)),
        (message) => record(name, "advisory", message, resource.urn),
      );
      if (pending) await pending;
    }
  }

  for (const policy of policies.filter(isStackPolicy)) {
    const level = reportedLevel(config[policy.name].enforcementLevel);
    if (level === undefined) {
      continue;
    }
    const args = buildStackValidationArgs(resources, configProperties(config[policy.name]), stackTags);
    await runValidation(
      policy.name,
      "the stack",
      () => policy.validateStack(args, (message, urn) => record(policy.name, level, message, urn)),
      (message) => record(policy.name, "advisory", message),
    );
  }
  return violations;
}

/** The arguments the analyzer passes to `validateResource` for `resource`. */
export function buildResourceValidationArgs(
  resource: PolicyInputResource,
  config: Record<string, unknown>,
  stackTags: ReadonlyMap<string, string> = NO_STACK_TAGS,
): ResourceValidationArgs {
  const { type } = resource;
  const props = engineProps(resource.inputs ?? resource.props);
  const args: ResourceValidationArgs = {
    type,
    props,
    urn: resource.urn,
    name: resource.name,
    opts: resourceOptions(resource),
    stackTags,
    isType: (resourceClass) => isTypeOf(type, resourceClass),
    asType: <TResource extends Resource, TArgs>(resourceClass: {
      new (name: string, args: TArgs, ...rest: never[]): TResource;
    }) => (isTypeOf(type, resourceClass) ? (props as Unwrap<NonNullable<TArgs>>) : undefined),
    getConfig: <T extends object>() => ({ ...config }) as T,
    notApplicable: throwNotApplicable,
  };
  const provider = providerResource(resource);
  if (provider) {
    args.provider = provider;
  }
  return args;
}

/** The arguments the analyzer passes to `validateStack`, parents and dependencies linked by URN. */
export function buildStackValidationArgs(
  resources: PolicyInputResource[],
  config: Record<string, unknown>,
  stackTags: ReadonlyMap<string, string> = NO_STACK_TAGS,
): StackValidationArgs {
  const policyResources = resources.map(toPolicyResource);
  const byUrn = new Map(policyResources.map((resource) => [resource.urn, resource]));
  const lookUp = (urns: string[] = []) =>
    urns.map((urn) => byUrn.get(urn)).filter((found): found is PolicyResource => found !== undefined);
  resources.forEach((input, index) => {
    const resource = policyResources[index];
    const parent = input.parent === undefined ? undefined : byUrn.get(input.parent);
    if (parent) {
      resource.parent = parent;
    }
    resource.dependencies = lookUp(input.dependencies);
    for (const [property, urns] of Object.entries(input.propertyDependencies ?? {})) {
      resource.propertyDependencies[property] = lookUp(urns);
    }
  });
  return {
    resources: policyResources,
    stackTags,
    getConfig: <T extends object>() => ({ ...config }) as T,
    notApplicable: throwNotApplicable,
  };
}

function toPolicyResource(resource: PolicyInputResource): PolicyResource {
  const { type } = resource;
  const props = engineProps(resource.props);
  const policyResource: PolicyResource = {
    type,
    props,
    urn: resource.urn,
    name: resource.name,
    opts: resourceOptions(resource),
    dependencies: [],
    propertyDependencies: {},
    isType: (resourceClass) => isTypeOf(type, resourceClass),
    asType: <TResource extends Resource>(resourceClass: { new (...rest: never[]): TResource }) =>
      isTypeOf(type, resourceClass) ? (props as ResolvedResource<TResource>) : undefined,
  };
  const provider = providerResource(resource);
  if (provider) {
    policyResource.provider = provider;
  }
  return policyResource;
}

/** Each resource's props as the engine view, made once and shared by every policy (as the analyzer does). */
const engineViews = new WeakMap<Record<string, unknown>, Record<string, unknown>>();

/** Props as the analyzer hands them over: undefined values dropped, wrapped in the unknown-checking proxy. */
function engineProps(props: Record<string, unknown>): Record<string, unknown> {
  let view = engineViews.get(props);
  if (view === undefined) {
    const defined = Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined));
    view = unknownCheckingProxy(defined);
    engineViews.set(props, view);
  }
  return view;
}

function providerResource(resource: PolicyInputResource): PolicyProviderResource | undefined {
  return resource.provider && { ...resource.provider, props: engineProps(resource.provider.props) };
}

function resourceOptions(resource: PolicyInputResource): PolicyResourceOptions {
  return {
    protect: resource.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(resource.parent === undefined ? {} : { parent: resource.parent }),
  };
}

/** As the analyzer: the class's registered type token, else its `isInstance` check. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const { __pulumiType: pulumiType, isInstance } = resourceClass as {
    __pulumiType?: unknown;
    isInstance?: (candidate: unknown) => boolean;
  };
  if (typeof pulumiType === "string" && pulumiType !== "") {
    return type === pulumiType;
  }
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/** One error per reason: thrown for every resource a policy does not cover and always caught, so made once. */
const notApplicableErrors = new Map<string | undefined, PolicyNotApplicableError>();

function throwNotApplicable(reason?: string): never {
  let error = notApplicableErrors.get(reason);
  if (error === undefined) {
    // No stack trace to capture: nothing reads it.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      error = new PolicyNotApplicableError(reason);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    notApplicableErrors.set(reason, error);
  }
  throw error;
}

/**
 * Runs one validation as the analyzer does: not-applicable is silent, reading an unknown value becomes an
 * advisory "can't run during preview" (sent to `reportCannotRun`), anything else an error naming the policy.
 * A promise only for a validation that returned one: most are synchronous, and a plan runs thousands.
 */
function runValidation(
  policyName: string,
  subject: string,
  validate: () => Promise<void> | void,
  reportCannotRun: (message: string) => void,
): Promise<void> | undefined {
  const failed = (error: unknown): void => {
    if (error instanceof PolicyNotApplicableError) {
      return;
    }
    if (isUnknownValueError(error)) {
      reportCannotRun(`can't run policy '${policyName}' during preview: ${(error as Error).message}`);
      return;
    }
    throw new Error(`Policy '${policyName}' failed on ${subject}: ${(error as Error).message}`, {
      cause: error,
    });
  };
  try {
    const result = validate();
    return result instanceof Promise ? result.then(undefined, failed) : undefined;
  } catch (error) {
    failed(error);
    return undefined;
  }
}

/**
 * The level violations are reported at, or undefined when the policy is off. As in the analyzer, a violation
 * still found under "remediate" is reported as mandatory.
 */
function reportedLevel(level: EnforcementLevel): Violation["enforcementLevel"] | undefined {
  if (level === "disabled") {
    return undefined;
  }
  return level === "advisory" ? "advisory" : "mandatory";
}

function isResourcePolicy(
  policy: ResourceValidationPolicy | StackValidationPolicy,
): policy is ResourceValidationPolicy {
  return "validateResource" in policy;
}

function isStackPolicy(
  policy: ResourceValidationPolicy | StackValidationPolicy,
): policy is StackValidationPolicy {
  return "validateStack" in policy;
}

/** What `getConfig()` returns: the settings without the enforcement level. */
export function configProperties(settings: ResolvedPolicySettings): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([key]) => key !== "enforcementLevel"));
}

interface ConfigEntry {
  enforcementLevel?: EnforcementLevel;
  properties: Record<string, unknown>;
}

function parseEntry(name: string, value: unknown): ConfigEntry {
  if (typeof value === "string") {
    return { enforcementLevel: checkedLevel(name, value), properties: {} };
  }
  if (!isPlainObject(value)) {
    throw new Error(`Policy config for "${name}" must be an enforcement level or an object.`);
  }
  const { enforcementLevel, ...properties } = value;
  return {
    enforcementLevel: enforcementLevel === undefined ? undefined : checkedLevel(name, enforcementLevel),
    properties,
  };
}

function checkedLevel(name: string, level: unknown): EnforcementLevel {
  if (!ENFORCEMENT_LEVELS.includes(level as EnforcementLevel)) {
    throw new Error(
      `Policy config for "${name}": ${JSON.stringify(level)} is not an enforcement level ` +
        `(${ENFORCEMENT_LEVELS.join(", ")}).`,
    );
  }
  return level as EnforcementLevel;
}

function schemaDefaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schema?.properties ?? {})
      .filter(([, property]) => property.default !== undefined)
      .map(([key, property]) => [key, property.default]),
  );
}

/** Like the CLI, checks config against the policy's schema; unlike it, also rejects unknown keys (typos). */
function checkProperties(
  policyName: string,
  schema: PolicyConfigSchema | undefined,
  properties: Record<string, unknown>,
): void {
  const declared = schema?.properties ?? {};
  const problems = [
    ...Object.keys(properties)
      .filter((key) => !(key in declared))
      .map((key) => `unknown config "${key}" (known: ${Object.keys(declared).join(", ") || "none"})`),
    ...(schema?.required ?? [])
      .filter((key) => properties[key] === undefined)
      .map((key) => `"${key}" is required`),
    ...Object.entries(declared).flatMap(([key, property]) =>
      properties[key] === undefined ? [] : schemaProblems(properties[key], property, key),
    ),
  ];
  if (problems.length > 0) {
    throw new Error(`Policy config for "${policyName}": ${problems.join("; ")}.`);
  }
}

/** Where `value` breaks `schema`, for the keywords in {@link CHECKED_SCHEMA_KEYWORDS}. */
function schemaProblems(value: unknown, schema: PolicyConfigJSONSchema, path: string): string[] {
  const unchecked = Object.keys(schema).filter((keyword) => !CHECKED_SCHEMA_KEYWORDS.includes(keyword));
  if (unchecked.length > 0) {
    throw new Error(`Schema of "${path}" uses ${unchecked.join(", ")}, which evaluate.ts does not check.`);
  }
  if (schema.type !== undefined && ![schema.type].flat().some((type) => hasJsonType(value, type))) {
    return [`"${path}" must be of type ${[schema.type].flat().join(" or ")}`];
  }
  const problems: string[] = [];
  if (schema.enum !== undefined && !schema.enum.some((allowed) => allowed === value)) {
    problems.push(`"${path}" must be one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum) {
    problems.push(`"${path}" must be at least ${schema.minimum}`);
  }
  if (typeof value === "number" && schema.maximum !== undefined && value > schema.maximum) {
    problems.push(`"${path}" must be at most ${schema.maximum}`);
  }
  if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength) {
    problems.push(`"${path}" must have at least ${schema.minLength} characters`);
  }
  if (
    typeof value === "string" &&
    schema.pattern !== undefined &&
    !new RegExp(schema.pattern, "u").test(value)
  ) {
    problems.push(`"${path}" must match ${schema.pattern}`);
  }
  const items = schema.items;
  if (Array.isArray(value) && items !== undefined && typeof items === "object" && !Array.isArray(items)) {
    value.forEach((item, index) => problems.push(...schemaProblems(item, items, `${path}[${index}]`)));
  }
  return problems;
}

function hasJsonType(value: unknown, type: string): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    case "null":
      return value === null;
    default:
      return typeof value === type;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
