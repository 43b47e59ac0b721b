/**
 * Runs a Pulumi program under the mock runtime and records every resource it registers, with the
 * options only the engine sees (parent, protect, retainOnDelete, dependencies). Used by the offline
 * plan and by the tests, so both see the program exactly the same way.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { fileURLToPath } from "url";
import { MOCK_ACCOUNT_ID, PipelineMocks, awsxVpcChildren, simulatedVpcOf } from "./mocks";
import { ConfigError } from "../stacks/validation";
import { describeFailure, mapStackTrace } from "./sourceMaps";
import { UsageError } from "./stackFiles";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** False for component resources. */
  custom: boolean;
  /** The id the (mock) provider returned; undefined for components. */
  id?: string;
  parent?: string;
  protect: boolean;
  retainOnDelete: boolean;
  /** Every resource this one waits for: explicit `dependsOn` and those its inputs come from. */
  dependsOn: string[];
  provider?: string;
  /** The `customTimeouts` resource option, when set (empty durations left out). */
  customTimeouts?: { create?: string; update?: string; delete?: string };
  /** URNs the resource was known by before (the `aliases` option). */
  aliases: string[];
  /** The `replaceOnChanges` option. */
  replaceOnChanges: string[];
  /** Inputs as registered; secrets stay wrapped so they can be told apart. */
  inputs: Record<string, unknown>;
  /** What the (mock) provider returned, or a component's registered outputs. */
  outputs: Record<string, unknown>;
  /**
   * Set on a resource the program never registers: the URN of the remote component whose plugin
   * creates it (`awsx:ec2:Vpc`), listed by the plan from the component's args (simulated).
   */
  createdBy?: string;
}

export interface PlanOptions {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys?: string[];
  /** The region mocks put in ARNs. @default config `aws:region`, else "us-east-1" */
  region?: string;
  /** A preview (true) or a deployment (false). @default true */
  dryRun?: boolean;
  /** Plan as the stack's first preview sees it (implies a preview): see `PipelineMocksOptions` in tools/mocks.ts. @default false */
  firstPreview?: boolean;
}

export interface PlanResult {
  resources: PlannedResource[];
  /** Stack outputs, resolved; `secret` marks the ones Pulumi keeps secret. */
  outputs: Record<string, { value: unknown; secret: boolean }>;
  /** Look-up answers the offline plan made up (an existing VPC's subnets and route tables). */
  simulated: string[];
}

/** Where the plan keeps the job's content hash and Flink version between runs (`persistComputedResults`). */
export const COMPUTED_RESULTS_DIR = path.join(
  __dirname,
  "..",
  "node_modules",
  ".cache",
  "flink-pipeline-files",
);

type Program = () => unknown;

/** A program module's exports (or, for `export = async () => ...`, what it returns) are its outputs. */
export function programFromFile(file: string): Program {
  return () => {
    const resolved = require.resolve(file);
    // A program runs once per plan; a second plan in the same process must run it again.
    delete require.cache[resolved];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a program runs when it is loaded
    const exported = require(resolved);
    return typeof exported === "function" ? exported() : exported;
  };
}

export async function runProgram(program: Program, options: PlanOptions): Promise<PlanResult> {
  const { mocks, region } = await useMocks(options);
  const { resources, duplicates } = recordRegistrations();
  let outputs: PlanResult["outputs"];
  try {
    outputs = await runToEnd(program);
  } catch (error) {
    // What fails after a refused registration (an export of it, a child) is a consequence: name the cause.
    throw duplicateError(duplicates) ?? error;
  }
  // A refused registration nothing waits for fails no promise: the engine would still stop the update.
  const duplicate = duplicateError(duplicates);
  if (duplicate) throw duplicate;
  const registered = [...resources.values()];
  const created = registered.flatMap((resource) =>
    resource.type === AWSX_VPC
      ? awsxChildrenOf(resource, region, !options.firstPreview, mocks.simulated)
      : [],
  );
  return { resources: [...registered, ...created], outputs, simulated: [...mocks.simulated] };
}

/**
 * Runs `program` under the plan's mocks with nothing recorded or checked: what registering its
 * resources through the SDK costs, the floor under any plan of it (`npm run bench`).
 * Returns how many resources (components included) reached the monitor.
 */
export async function registerOnly(program: Program, options: PlanOptions): Promise<number> {
  await useMocks(options);
  await runToEnd(program);
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    getRegisteredResources(): Map<string, unknown>;
  };
  return monitor.getRegisteredResources().size;
}

/**
 * Reports what stopped a tool that runs a program (the plan, the registration floor) on stderr, and
 * returns its exit code: 2 for bad usage or config, 1 for a failed program.
 */
export function reportFailure(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError) {
    console.error(error.message);
    return 2;
  }
  console.error(pulumi.RunError.isInstance(error) ? error.message : describeFailure(error));
  return 1;
}

/** Sets up the mock runtime with the plan's mocks and the stack's config. */
async function useMocks(options: PlanOptions): Promise<{ mocks: PipelineMocks; region: string }> {
  const region = options.region ?? options.config["aws:region"] ?? "us-east-1";
  const mocks = new PipelineMocks(region, undefined, {
    firstPreview: options.firstPreview,
    existingVpc: simulatedVpcOf(options.config, options.project),
  });
  await pulumi.runtime.setMocks(
    mocks,
    options.project,
    options.stack,
    options.firstPreview ? true : (options.dryRun ?? true),
  );
  pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);
  return { mocks, region };
}

/** Runs `program` until every registration has reached the monitor; its exports, resolved. */
async function runToEnd(program: Program): Promise<PlanResult["outputs"]> {
  const outputs: PlanResult["outputs"] = {};
  const exported = await program();
  for (const [key, value] of Object.entries((exported ?? {}) as Record<string, unknown>)) {
    outputs[key] = await resolve(value);
  }
  await settled();
  return outputs;
}

const AWSX_VPC = "awsx:ec2:Vpc";

/**
 * The resources awsx creates inside `vpc` (a remote component: under mocks they are never
 * registered), as the engine would record them: URNs under their awsx parents (VPC, subnet, route
 * table), awsx's dependencies, the component's protect flag (children inherit it; retainOnDelete is
 * not inherited), the default provider.
 * Says in `simulated` what it assumed, or why it lists none.
 */
function awsxChildrenOf(
  vpc: PlannedResource,
  region: string,
  known: boolean,
  simulated: Set<string>,
): PlannedResource[] {
  const inputs = vpc.inputs;
  const listed = hasUnknown(inputs)
    ? "its args are not all known before deployment"
    : awsxVpcChildren(
        vpc.name,
        unwrapSecrets(inputs) as Record<string, unknown>,
        region,
        MOCK_ACCOUNT_ID,
        known,
      );
  if (typeof listed === "string") {
    simulated.add(`${AWSX_VPC} ${vpc.name}: the resources awsx creates in it are not listed: ${listed}`);
    return [];
  }
  const { layout, children } = listed;
  const zones = layout.zonesSimulated
    ? `zones ${layout.zones.join(", ")} (the region's first ${layout.zones.length}, as aws.getAvailabilityZones would list them)`
    : `zones ${layout.zones.join(", ")} (availabilityZoneNames)`;
  simulated.add(
    `${AWSX_VPC} ${vpc.name}: ${children.length} resources awsx creates, computed from its args as awsx 3.9 lays them out; ${zones}`,
  );
  const [stackPrefix, project, qualifiedType] = vpc.urn.split("::");
  const urns: string[] = [];
  const qualifiedTypes: string[] = [];
  return children.map((child, index) => {
    const parentType = child.parent === undefined ? qualifiedType : qualifiedTypes[child.parent];
    qualifiedTypes.push(`${parentType}$${child.type}`);
    urns.push(`${stackPrefix}::${project}::${qualifiedTypes[index]}::${child.name}`);
    return {
      urn: urns[index],
      type: child.type,
      name: child.name,
      custom: true,
      id: child.id,
      parent: child.parent === undefined ? vpc.urn : urns[child.parent],
      protect: vpc.protect,
      retainOnDelete: false,
      dependsOn: [...new Set(child.dependsOn.map((i) => urns[i]))].sort(),
      aliases: [],
      replaceOnChanges: [],
      inputs: child.inputs,
      outputs: child.outputs,
      createdBy: vpc.urn,
    };
  });
}

function hasUnknown(value: unknown): boolean {
  if (pulumi.isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasUnknown);
  return false;
}

/** Waits until every registration has reached the monitor (an SDK-internal, stable since 3.x). */
function settled(): Promise<void> {
  return (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** Resolves an output (or a plain value) with its secretness. */
async function resolve(value: unknown): Promise<{ value: unknown; secret: boolean }> {
  const output = pulumi.output(value) as unknown as {
    promise(withUnknowns?: boolean): Promise<unknown>;
    isSecret: Promise<boolean>;
  };
  return { value: await output.promise(true), secret: await output.isSecret };
}

/** One line for the first URN registered twice, as the engine refuses it; undefined when there is none. */
function duplicateError(duplicates: string[]): pulumi.RunError | undefined {
  return duplicates.length > 0 ? new pulumi.RunError(duplicates[0]) : undefined;
}

/** Where the program registered a resource: the request's source position, mapped to the TypeScript line. */
function registeredAt(position: any): string | undefined {
  if (!position?.getUri()) return undefined;
  return mapStackTrace(`${fileURLToPath(position.getUri())}:${position.getLine()}:${position.getColumn()}`);
}

function recordRegistrations(): { resources: Map<string, PlannedResource>; duplicates: string[] } {
  const monitor = pulumi.runtime.getMonitor() as unknown as Record<string, any>;
  const recorded = new Map<string, PlannedResource>();
  // Mapped only for a URN registered twice: a source map is parsed per mapping.
  const positions = new Map<string, unknown>();
  const duplicates: string[] = [];
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: any, callback: (error: unknown, response: any) => void) =>
    register(request, (error: unknown, response: any) => {
      const urn: string | undefined = error ? undefined : response.getUrn();
      // The engine refuses a second resource under one URN; the mock monitor would let it replace the first.
      if (urn !== undefined && recorded.has(urn)) {
        const [first, second] = [
          registeredAt(positions.get(urn)),
          registeredAt(request.getSourceposition?.()),
        ];
        const where = first && second ? `: registered at ${first} and again at ${second}` : "";
        duplicates.push(`Duplicate resource URN '${urn}'${where}; give one of them a unique name`);
        callback(new Error(duplicates[duplicates.length - 1]), response);
        return;
      }
      if (urn !== undefined) {
        positions.set(urn, request.getSourceposition?.());
        recorded.set(urn, {
          urn,
          type: request.getType(),
          name: request.getName(),
          custom: request.getCustom(),
          id: response.getId() || undefined,
          parent: request.getParent() || undefined,
          protect: request.getProtect() ?? false,
          retainOnDelete: request.getRetainondelete() ?? false,
          dependsOn: [...new Set<string>(request.getDependenciesList())].sort(),
          provider: request.getProvider() || undefined,
          customTimeouts: customTimeoutsOf(request),
          aliases: aliasUrns(request, urn),
          replaceOnChanges: request.getReplaceonchangesList?.() ?? [],
          inputs: pulumi.runtime.deserializeProperties(request.getObject()),
          outputs: response.getObject() ? pulumi.runtime.deserializeProperties(response.getObject()) : {},
        });
      }
      callback(error, response);
    });
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (request: any, callback: (error: unknown, response: unknown) => void) => {
    const resource = recorded.get(request.getUrn());
    if (resource && request.getOutputs())
      resource.outputs = pulumi.runtime.deserializeProperties(request.getOutputs());
    return registerOutputs(request, callback);
  };
  return { resources: recorded, duplicates };
}

/**
 * The request's aliases as URNs. The SDK sends structured aliases: a URN, or a spec whose unset
 * fields default to the resource's own name, type, stack, project and parent.
 */
function aliasUrns(request: any, urn: string): string[] {
  const [, stack, project] = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn) ?? [];
  const ownParent: string = request.getParent() || "";
  return (request.getAliasesList?.() ?? []).map((alias: any) => {
    if (typeof alias === "string") return alias;
    if (alias.getUrn?.()) return alias.getUrn();
    const spec = alias.getSpec();
    const parent = spec.getNoparent() ? "" : spec.getParenturn() || ownParent;
    const parentType = parent ? `${parent.split("::")[2]}$` : "";
    return `urn:pulumi:${spec.getStack() || stack}::${spec.getProject() || project}::${parentType}${spec.getType() || request.getType()}::${spec.getName() || request.getName()}`;
  });
}

/** The register request's custom timeouts; the SDK sends empty strings for those not set. */
function customTimeoutsOf(request: {
  getCustomtimeouts?(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}): PlannedResource["customTimeouts"] {
  const timeouts = request.getCustomtimeouts?.();
  if (!timeouts) return undefined;
  const set = Object.entries({
    create: timeouts.getCreate(),
    update: timeouts.getUpdate(),
    delete: timeouts.getDelete(),
  }).filter(([, value]) => value !== "");
  return set.length > 0 ? Object.fromEntries(set) : undefined;
}

/** A value with every Pulumi secret replaced by `"[secret]"`. */
export function redactSecrets(value: unknown): unknown {
  if (pulumi.runtime.isRpcSecret(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return value;
}

/** A value with every Pulumi secret unwrapped, for checks that must see the real value. */
export function unwrapSecrets(value: unknown): unknown {
  if (pulumi.runtime.isRpcSecret(value)) return unwrapSecrets(pulumi.runtime.unwrapRpcSecret(value));
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}
