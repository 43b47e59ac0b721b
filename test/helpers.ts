/**
 * Test helpers: plan a shipped stack or a config of our own under the mock runtime, then pick
 * resources and their inputs out of the result.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NAMESPACE, StackConfig, ValidationContext, validateStack } from "../stacks/config";
import { ConfigError } from "../stacks/validation";
import { main } from "../tools/plan";
import {
  PlanResult,
  PlannedResource,
  programFromFile,
  runProgram,
  unwrapSecrets,
} from "../tools/planRuntime";
import { readStackFiles } from "../tools/stackFiles";

export const PROJECT_DIR = path.resolve(__dirname, "..");
export const PROGRAM = path.join(PROJECT_DIR, "index.ts");
/**
 * The stacks this repository ships, whose files the README's tables and the CI matrices describe.
 * Stack files a user adds are planned by the tests like these, but compared with nothing.
 */
export const SHIPPED_STACKS = ["dev", "kafka-dev", "prod", "staging"];

/** Plans a shipped stack, optionally replacing whole config values (as `pulumi config set` would). */
export async function planStack(
  stack: string,
  overrides: Record<string, unknown> = {},
  options: { dryRun?: boolean; stackName?: string; firstPreview?: boolean } = {},
): Promise<PlanResult> {
  const files = readStackFiles(PROJECT_DIR, stack);
  const config = { ...files.config };
  for (const [key, value] of Object.entries(overrides)) {
    const fullKey = key.includes(":") ? key : `${NAMESPACE}:${key}`;
    if (value === undefined) delete config[fullKey];
    else config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return runProgram(programFromFile(PROGRAM), {
    project: files.project,
    stack: options.stackName ?? stack,
    config,
    secretKeys: files.secretKeys,
    dryRun: options.dryRun,
    firstPreview: options.firstPreview,
  });
}

export function resourcesOf(result: PlanResult, type: string): PlannedResource[] {
  return result.resources.filter((r) => r.type === type);
}

/** The one resource of `type` (named `name` when given); fails loudly when there is not exactly one. */
export function resourceOf(result: PlanResult, type: string, name?: string): PlannedResource {
  const matches = resourcesOf(result, type).filter((r) => name === undefined || r.name === name);
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.map((r) => r.name).join(", ") || "none"}`,
    );
  }
  return matches[0];
}

/** Inputs with secrets unwrapped. */
export function inputsOf(resource: PlannedResource): Record<string, any> {
  return unwrapSecrets(resource.inputs) as Record<string, any>;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string>>;
}

/** The statements of a role policy (`policy`) or trust policy (`assumeRolePolicy`). */
export function statementsOf(resource: PlannedResource, field = "policy"): PolicyStatement[] {
  return JSON.parse(inputsOf(resource)[field]).Statement;
}

/** Every statement granted to the Flink role, across all role policies. */
export function grantedStatements(result: PlanResult): PolicyStatement[] {
  return resourcesOf(result, "aws:iam/rolePolicy:RolePolicy").flatMap((policy) => statementsOf(policy));
}

/** The FlinkPipeline a resource belongs to, by its parents; undefined for a shared one. */
export function pipelineOf(plan: PlanResult, resource: PlannedResource): string | undefined {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  for (
    let at: PlannedResource | undefined = resource;
    at;
    at = at.parent ? byUrn.get(at.parent) : undefined
  ) {
    if (at.type === "flink-pipeline:pipeline:FlinkPipeline") return at.name;
  }
  return undefined;
}

/** A zip archive holding `files` (stored, uncompressed), for artifact tests. */
export function zipOf(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralDirectory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDirectory, end]);
}

/** A temporary directory holding `files` (relative path to content), for artifact and config tests. */
export function directoryWith(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flink-test-"));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** A project directory holding the shipped Pulumi.yaml and app/, and `stackFiles` (`Pulumi.<stack>.yaml` to content). */
export function projectWith(stackFiles: Record<string, string>): string {
  const dir = directoryWith({
    "Pulumi.yaml": fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"),
    ...stackFiles,
  });
  // The shipped artifact, so only the stack files' own mistakes are reported.
  fs.symlinkSync(path.join(PROJECT_DIR, "app"), path.join(dir, "app"));
  return dir;
}

/** Config values as the CLI hands them to a program: strings as they are, the rest JSON-encoded. */
export function cliConfig(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

/** {@link validateStack} for the tests of a stack of one pipeline: one with `pipelines` fails the test. */
export function onePipelineConfig(raw: Record<string, string>, context: ValidationContext): StackConfig {
  const config = validateStack(raw, context);
  assert.ok(!("pipelines" in config), "expected a stack of one pipeline, got flink-pipeline:pipelines");
  return config;
}

/** The problems a {@link ConfigError} lists; none when `validate` passes. Other errors propagate. */
export function configProblems(validate: () => unknown): string[] {
  try {
    validate();
  } catch (error) {
    return problemsOf(error);
  }
  return [];
}

/** {@link configProblems} for a plan or program that runs asynchronously. */
export async function rejectedConfigProblems(run: Promise<unknown>): Promise<string[]> {
  try {
    await run;
  } catch (error) {
    return problemsOf(error);
  }
  return [];
}

function problemsOf(error: unknown): string[] {
  if (error instanceof ConfigError) return error.problems;
  throw error;
}

/** Runs the plan in-process, capturing what it writes to stdout and stderr. */
export function planInProcess(argv: string[], projectDir = PROJECT_DIR) {
  return inProcess(main, argv, projectDir);
}

/** Runs a tool's `main` in-process, capturing what it writes to stdout and stderr. */
export async function inProcess(
  run: (argv: string[], projectDir: string) => Promise<number>,
  argv: string[],
  projectDir = PROJECT_DIR,
) {
  let stdout = "";
  let stderr = "";
  const write = process.stdout.write;
  const error = console.error;
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  console.error = (...args: unknown[]) => {
    stderr += `${args.join(" ")}\n`;
  };
  try {
    const code = await run(argv, projectDir);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = write;
    console.error = error;
  }
}

/**
 * What `npm run <name>` runs, in order: its own `npm run`s, and the scripts tools/runTogether.ts
 * runs side by side, expanded.
 */
export function expandedScript(name: string): string[] {
  const scripts: Record<string, string> = JSON.parse(
    fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"),
  ).scripts;
  const expand = (script: string): string[] =>
    scripts[script].split(" && ").flatMap((command) => {
      const nested = /^npm run (\S+)$/.exec(command.trim());
      if (nested) return expand(nested[1]);
      const together = /tools\/runTogether\.ts((?: \S+)+)$/.exec(command.trim());
      if (together) return together[1].trim().split(" ").flatMap(expand);
      return [command.trim()];
    });
  return expand(name);
}
