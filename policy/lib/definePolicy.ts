import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidationPolicy,
  Severity,
  StackValidationPolicy,
} from "@pulumi/policy";
import { cannotJudgeError, markUnknowns, Props } from "./known";

/** What every policy of this pack states about itself. */
export interface PolicyMetadata {
  /** Unique name, used as the key in `policy/config/<stack>.json`. */
  name: string;
  /** What the policy requires, in one sentence. */
  description: string;
  severity: Severity;
  /** How to fix a violation; appended to every violation message as "Fix: ...". */
  remediationSteps: string;
  configSchema?: PolicyConfigSchema;
  /** @default "mandatory" */
  enforcementLevel?: EnforcementLevel;
}

/** The provider of a resource, with its properties plain (see {@link markUnknowns}). */
export interface ProviderView {
  type: string;
  name: string;
  props: Props;
}

/** What a resource check sees besides the resource's properties. */
export interface ResourceCheckContext<Config> {
  type: string;
  name: string;
  /** This policy's config with schema defaults applied, as `getConfig()` returns it. */
  config: Config;
  provider?: ProviderView;
  notApplicable(reason: string): never;
  /**
   * Records a part of the resource the check could not judge because its value is unknown (a first
   * preview): after the check's violations, the policy reports it as an advisory "can't run during preview".
   */
  couldNotJudge(what: string): void;
}

/** A pure check: messages describing each violation, empty when the resource complies. */
export type ResourceCheck<Config> = (props: Props, context: ResourceCheckContext<Config>) => string[];

/**
 * A resource policy that runs `check` on resources of `resourceTypes`, reports each message with the
 * policy's remediation, and reports itself not applicable to other types (as the SDK's
 * `validateResourceOfType` does).
 */
export function resourcePolicy<Config extends object = Record<string, never>>(
  definition: PolicyMetadata & { resourceTypes: readonly string[]; check: ResourceCheck<Config> },
): ResourceValidationPolicy {
  const { resourceTypes, check, ...metadata } = definition;
  return {
    ...withDefaults(metadata),
    validateResource: (args, reportViolation) => {
      if (!resourceTypes.includes(args.type)) {
        args.notApplicable(`Policy only applies to resources of type ${resourceTypes.join(", ")}`);
      }
      const unjudged: string[] = [];
      const messages = check(markUnknowns(args.props), {
        type: args.type,
        name: args.name,
        config: args.getConfig<Config>(),
        provider: args.provider && { ...args.provider, props: markUnknowns(args.provider.props) },
        notApplicable: (reason) => args.notApplicable(reason),
        couldNotJudge: (what) => unjudged.push(what),
      });
      for (const message of messages) {
        reportViolation(withRemediation(message, metadata.remediationSteps));
      }
      if (unjudged.length > 0) {
        throw cannotJudgeError(unjudged);
      }
    },
  };
}

/** A stack resource as the stack checks see it: plain props, relations by URN. */
export interface StackResourceView {
  type: string;
  urn: string;
  name: string;
  props: Props;
  /** URNs of the resources this one depends on. */
  dependencies: string[];
  /** For each property, the URNs of the resources its value came from. */
  propertyDependencies: Record<string, string[]>;
  provider?: ProviderView;
}

/** A violation found by a stack check, attributed to the resource at `urn`. */
export interface StackFinding {
  urn: string;
  message: string;
}

/** `couldNotJudge` records what was unknown (see {@link ResourceCheckContext.couldNotJudge}). */
export type StackCheck<Config> = (
  resources: StackResourceView[],
  config: Config,
  couldNotJudge: (what: string) => void,
) => StackFinding[];

/**
 * A stack policy that runs `check` over all resources once the stack contains any of `appliesTo`, and
 * reports each finding against its resource with the policy's remediation.
 */
export function stackPolicy<Config extends object = Record<string, never>>(
  definition: PolicyMetadata & { appliesTo: readonly string[]; check: StackCheck<Config> },
): StackValidationPolicy {
  const { appliesTo, check, ...metadata } = definition;
  return {
    ...withDefaults(metadata),
    validateStack: (args, reportViolation) => {
      if (!args.resources.some((resource) => appliesTo.includes(resource.type))) {
        args.notApplicable(`Stack has no resources of type ${appliesTo.join(", ")}`);
      }
      const unjudged: string[] = [];
      const findings = check(args.resources.map(toStackResourceView), args.getConfig<Config>(), (what) =>
        unjudged.push(what),
      );
      for (const finding of findings) {
        reportViolation(withRemediation(finding.message, metadata.remediationSteps), finding.urn);
      }
      if (unjudged.length > 0) {
        throw cannotJudgeError(unjudged);
      }
    },
  };
}

function withDefaults(metadata: PolicyMetadata): PolicyMetadata {
  return { ...metadata, enforcementLevel: metadata.enforcementLevel ?? "mandatory" };
}

function withRemediation(message: string, remediationSteps: string): string {
  return `${message} Fix: ${remediationSteps}`;
}

function toStackResourceView(resource: PolicyResource): StackResourceView {
  const propertyDependencies: Record<string, string[]> = {};
  for (const [property, sources] of Object.entries(resource.propertyDependencies)) {
    propertyDependencies[property] = sources.map((source) => source.urn);
  }
  return {
    type: resource.type,
    urn: resource.urn,
    name: resource.name,
    props: markUnknowns(resource.props),
    dependencies: resource.dependencies.map((dependency) => dependency.urn),
    propertyDependencies,
    provider: resource.provider && { ...resource.provider, props: markUnknowns(resource.provider.props) },
  };
}
