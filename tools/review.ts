/**
 * The offline review of a change: plans each stack at a base git ref and at the working tree and
 * says what changes, what it risks and what it costs. No cloud credentials, no Pulumi CLI.
 *
 *   npm run --silent review -- --base <git-ref> [--stack <name> | --all] [--json | --markdown]
 *
 * Exit codes: 0 no danger; 1 a danger (or a plan failed); 2 usage (bad ref, unknown stack, flags).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { NOW_ENV } from "../stacks/rotation";
import { ConfigError } from "../stacks/validation";
import { estimateCost } from "./cost";
import { DiagramResource, renderDiagram } from "./diagram";
import { checkPolicies, defaultPolicyConfig } from "./planPolicies";
import { planDocument } from "./planReport";
import { PlanResult, programFromFile, runProgram } from "./planRuntime";
import { UsageError, readStackFiles, stackNames } from "./stackFiles";
import { BaseWorktree, checkoutBase, planAtBase } from "./review/baseWorktree";
import { Change, ReviewResource, diffPlans, hasDanger } from "./review/diff";
import { StackReview, renderMarkdown, renderText } from "./review/render";

export const USAGE = `Usage: npm run --silent review -- --base <git-ref> [--stack <name> | --all] [--json | --markdown]
  --base <git-ref>   what the change is compared with, e.g. main or origin/main
  --stack <name>     review one stack (default: --all)
  --all              review every stack with a Pulumi.<stack>.yaml at the base or here
  --json             one JSON document on stdout
  --markdown         a pull-request comment (summary table per stack, then details)
  --help             show this help
Exit codes: 0 no danger, 1 a danger or a failed plan, 2 usage errors.`;

export interface ReviewArgs {
  base?: string;
  stack?: string;
  format: "text" | "json" | "markdown";
  help: boolean;
}

export function parseArgs(argv: string[]): ReviewArgs {
  const args: ReviewArgs = { format: "text", help: false };
  let all = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--"))
        throw new UsageError(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    if (flag === "--base") args.base = value();
    else if (flag === "--stack") {
      args.stack = value();
      if (!/^[A-Za-z0-9_.-]+$/.test(args.stack) || args.stack.startsWith("."))
        throw new UsageError(`--stack must be a stack name (got ${JSON.stringify(args.stack)})`);
    } else if (flag === "--all") all = true;
    else if (flag === "--json" || flag === "--markdown") {
      if (args.format !== "text") throw new UsageError(`--json and --markdown exclude each other\n${USAGE}`);
      args.format = flag === "--json" ? "json" : "markdown";
    } else if (flag === "--help" || flag === "-h") args.help = true;
    else throw new UsageError(`unknown option ${JSON.stringify(flag)}\n${USAGE}`);
  }
  if (all && args.stack) throw new UsageError(`--stack and --all exclude each other\n${USAGE}`);
  if (!args.help && !args.base) throw new UsageError(`--base <git-ref> is required\n${USAGE}`);
  return args;
}

/** The working tree's plan of a stack: the plan's document plus the options only the head needs. */
export async function planHead(projectDir: string, stack: string) {
  const files = readStackFiles(projectDir, stack);
  const result = await runProgram(programFromFile(path.join(projectDir, "index.ts")), files);
  const violations = await checkPolicies(result.resources, files, defaultPolicyConfig(files));
  const document = planDocument(files.project, files.stack, result);
  const cost = estimateCost(result.resources, files.config["aws:region"] ?? "us-east-1");
  return { document, resources: headResources(result), violations, cost };
}

/** A plan's resources as the review compares them: redacted inputs, with aliases and replaceOnChanges. */
export function headResources(result: PlanResult): ReviewResource[] {
  const document = planDocument("", "", result);
  return document.resources.map((r, index) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    protect: r.protect,
    inputs: r.inputs as Record<string, unknown>,
    aliases: result.resources[index].aliases,
    replaceOnChanges: result.resources[index].replaceOnChanges,
  }));
}

function reviewResources(document: Record<string, any> | undefined): ReviewResource[] {
  return (document?.resources ?? []).map((r: Record<string, any>) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    protect: r.protect === true,
    inputs: r.inputs ?? {},
  }));
}

export async function main(argv: string[], projectDir = process.cwd()): Promise<number> {
  const stdoutWrite = process.stdout.write;
  const write = (text: string) => stdoutWrite.call(process.stdout, `${text}\n`);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let base: BaseWorktree | undefined;
  const previousNow = process.env[NOW_ENV];
  const cleanUp = () => base?.remove();
  process.once("SIGINT", cleanUp);
  process.once("SIGTERM", cleanUp);
  try {
    const args = parseArgs(argv);
    if (args.help) {
      write(USAGE);
      return 0;
    }
    const headStacks = stackNames(projectDir);
    base = checkoutBase(projectDir, args.base!);
    const known = [...new Set([...headStacks, ...base.stacks])].sort();
    if (args.stack && !known.includes(args.stack))
      throw new UsageError(`unknown stack ${JSON.stringify(args.stack)}; stacks: ${known.join(", ")}`);
    // Both sides plan as of one instant, so time-driven resources (key rotation) agree.
    const now = previousNow ?? new Date().toISOString().replace(/\.\d+Z$/, "Z");
    process.env[NOW_ENV] = now;
    const reviews: StackReview[] = [];
    for (const stack of args.stack ? [args.stack] : known) {
      const before = base.stacks.includes(stack) ? planAtBase(base, stack, { ...process.env }) : undefined;
      const after = headStacks.includes(stack) ? await planHead(projectDir, stack) : undefined;
      const changes: Change[] = diffPlans(reviewResources(before), after?.resources ?? []);
      reviews.push({
        stack,
        changes,
        cost: {
          base: before?.cost?.monthlyUsd ?? null,
          head: after?.cost.monthlyUsd ?? null,
        },
        violations: { base: before?.violations ?? [], head: after?.violations ?? [] },
        diagram: after ? renderDiagram(after.document.resources as DiagramResource[]) : undefined,
      });
    }
    const report = { base: args.base!, baseCommit: base.commit, head: "working tree", reviews };
    if (args.format === "json")
      write(
        JSON.stringify(
          {
            base: report.base,
            head: report.head,
            stacks: reviews.map(({ stack, changes, cost, violations }) => ({
              stack,
              changes,
              cost,
              violations,
            })),
          },
          null,
          2,
        ),
      );
    else write(args.format === "markdown" ? renderMarkdown(report) : renderText(report));
    return reviews.some((r) => hasDanger(r.changes)) ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    console.error(
      pulumi.RunError.isInstance(error) ? error.message : error instanceof Error ? error.message : error,
    );
    return 1;
  } finally {
    cleanUp();
    process.off("SIGINT", cleanUp);
    process.off("SIGTERM", cleanUp);
    if (previousNow === undefined) delete process.env[NOW_ENV];
    else process.env[NOW_ENV] = previousNow;
    process.stdout.write = stdoutWrite;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.stdout.write("", () => process.exit(code)));
}
