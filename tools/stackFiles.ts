/**
 * Reads a stack's config the way the Pulumi CLI hands it to a program: the project's declared
 * defaults from `Pulumi.yaml`, overridden key by key (whole values, no deep merge) by
 * `Pulumi.<stack>.yaml`. Values become strings (objects JSON-encoded); `secure:` values become
 * placeholders whose keys are marked secret.
 */
import * as fs from "fs";
import * as path from "path";
import { YAMLParseError, parse } from "yaml";
import { ConfigError } from "../stacks/validation";

/** Bad input to a tool (a flag, a missing file): exit code 2, message on stderr. */
export class UsageError extends Error {}

/** Notes `flag` as given; a second one would silently win over the first, so it is refused. */
export function refuseRepeated(flag: string, given: Set<string>): void {
  if (given.has(flag)) throw new UsageError(`${flag} is given twice; give it once (see --help)`);
  given.add(flag);
}

/** A `--stack` value: it picks a file, Pulumi.<stack>.yaml, next to Pulumi.yaml, so never a path. */
export function checkStackName(stack: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || stack.startsWith(".")) {
    throw new UsageError(
      `--stack must be a stack name of letters, digits, '-', '_' or '.' (got ${JSON.stringify(stack)})`,
    );
  }
  return stack;
}

/** A `--program` value: the file, resolved against the project directory, which must exist. */
export function programArg(projectDir: string, file: string): string {
  const program = path.resolve(projectDir, file);
  if (!fs.existsSync(program)) throw new UsageError(`--program: no such file ${program}`);
  return program;
}

export interface StackFiles {
  project: string;
  stack: string;
  projectDir: string;
  config: Record<string, string>;
  secretKeys: string[];
  /**
   * Stack values of another type than `Pulumi.yaml` declares. The CLI refuses the first and never
   * runs the program; offline they are all reported, with the program's own problems (see
   * {@link withTypeProblems}), so one mistake hides no other.
   */
  typeProblems: string[];
}

/** What a `secure:` value reads as offline: no key to decrypt it, and it stays secret. */
export const SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

const SIMPLE_TYPES = ["string", "integer", "boolean", "array"] as const;

interface Declaration {
  type?: string;
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}

export function stackNames(projectDir: string): string[] {
  return fs
    .readdirSync(projectDir)
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

export function readStackFiles(projectDir: string, stack: string): StackFiles {
  const projectFile = path.join(projectDir, "Pulumi.yaml");
  if (!fs.existsSync(projectFile)) throw new UsageError(`no Pulumi.yaml in ${projectDir}`);
  const project = parseYamlFile(projectFile) ?? {};
  if (typeof project.name !== "string") throw new UsageError(`${projectFile} has no project name`);

  const stackFile = ["yaml", "yml"]
    .map((ext) => path.join(projectDir, `Pulumi.${stack}.${ext}`))
    .find(fs.existsSync);
  if (!stackFile) {
    throw new UsageError(
      `no config file Pulumi.${stack}.yaml for stack ${JSON.stringify(stack)} in ${projectDir}; stacks with a config file: ${stackNames(projectDir).join(", ")}`,
    );
  }
  const stackValues: Record<string, unknown> = (parseYamlFile(stackFile) ?? {}).config ?? {};

  const declarations: Record<string, Declaration> = {};
  for (const [key, declaration] of Object.entries<unknown>(project.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    declarations[fullKey] = isDeclaration(declaration) ? declaration : { value: declaration };
  }

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const typeProblems: string[] = [];
  const keys = new Set([...Object.keys(declarations), ...Object.keys(stackValues)]);
  for (const key of keys) {
    const declaration = declarations[key] ?? {};
    const fromStack = key in stackValues;
    const value = fromStack ? stackValues[key] : (declaration.value ?? declaration.default);
    if (value === undefined) continue;
    if (fromStack && declaration.type) {
      const problem = declaredTypeProblem(stack, key, declaration.type, value);
      if (problem) typeProblems.push(problem);
    }
    const { plain, secret } = replaceSecureValues(value);
    config[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    if (secret || declaration.secret) secretKeys.push(key);
  }
  return { project: project.name, stack, projectDir, config, secretKeys: secretKeys.sort(), typeProblems };
}

/** A file's YAML; a syntax error is the user's to fix, reported with the file and line. */
function parseYamlFile(file: string): any {
  try {
    return parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    if (error instanceof YAMLParseError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

function isDeclaration(value: unknown): value is Declaration {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).every((k) =>
      ["type", "description", "default", "value", "secret", "items"].includes(k),
    )
  );
}

/** The CLI refuses a stack value that does not match the type Pulumi.yaml declares, in these words. */
function declaredTypeProblem(stack: string, key: string, type: string, value: unknown): string | undefined {
  const fits =
    (type === "string" && typeof value === "string") ||
    (type === "integer" && Number.isInteger(value)) ||
    (type === "boolean" && typeof value === "boolean") ||
    (type === "array" && Array.isArray(value)) ||
    !(SIMPLE_TYPES as readonly string[]).includes(type);
  if (fits) return undefined;
  return `Stack '${stack}' with configuration key '${key}' must be of type '${type}' (got ${JSON.stringify(value)})`;
}

/**
 * The outcome of running the program (`error` when it failed) combined with the files' type
 * problems: one {@link ConfigError} listing the type problems, then the program's own problems
 * about other keys. Without type problems, the program's error as it was.
 */
export function withTypeProblems(files: StackFiles, error?: unknown): unknown {
  if (files.typeProblems.length === 0) return error;
  const flagged = files.typeProblems.map((problem) => /configuration key '([^']+)'/.exec(problem)![1]);
  const others =
    error instanceof ConfigError
      ? error.problems.filter((problem) => !flagged.some((key) => problem.startsWith(`${key} `)))
      : [];
  return new ConfigError([...files.typeProblems, ...others]);
}

function replaceSecureValues(value: unknown): { plain: unknown; secret: boolean } {
  if (typeof value !== "object" || value === null) return { plain: value, secret: false };
  const entries = Object.entries(value);
  if (!Array.isArray(value) && entries.length === 1 && entries[0][0] === "secure") {
    return { plain: SECRET_PLACEHOLDER, secret: true };
  }
  let secret = false;
  const walk = (child: unknown) => {
    const result = replaceSecureValues(child);
    secret ||= result.secret;
    return result.plain;
  };
  const plain = Array.isArray(value)
    ? value.map(walk)
    : Object.fromEntries(entries.map(([k, v]) => [k, walk(v)]));
  return { plain, secret };
}
