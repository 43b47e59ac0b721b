/**
 * The offline plan: runs a Pulumi program under the mock runtime with a stack's config read from
 * `Pulumi.yaml` + `Pulumi.<stack>.yaml`, and prints what it would register. No cloud credentials,
 * no Pulumi CLI, no network.
 *
 *   npm run plan -- [--stack <name>] [--json] [--program <file>] [--policy-config <file>] [--now <ISO-8601>]
 *
 * The policy pack in policy/ checks every resource and the whole stack.
 * Exit codes: 0 planned, no mandatory violation; 1 a mandatory policy is violated or the program
 * failed; 2 bad config or usage (messages on stderr).
 */
import * as path from "path";
import { persistComputedResults } from "../components/artifactContent";
import { INSTANT_FORMAT, NOW_ENV, parseInstant } from "../stacks/rotation";
import {
  COST_FLAGS,
  COST_USAGE,
  CostAssumptions,
  DEFAULT_ASSUMPTIONS,
  costFlagValue,
  estimateCost,
  renderCost,
} from "./cost";
import { DiagramResource, renderDiagram } from "./diagram";
import { checkPolicies, defaultPolicyConfig, renderViolations } from "./planPolicies";
import { planDocument, renderTree } from "./planReport";
import { COMPUTED_RESULTS_DIR, programFromFile, reportFailure, runProgram } from "./planRuntime";
import {
  UsageError,
  checkStackName,
  programArg,
  readStackFiles,
  refuseRepeated,
  withTypeProblems,
} from "./stackFiles";

export const USAGE = `Usage: npm run --silent plan -- [--stack <name>] [--json] [--program <file>] [--policy-config <file>] [--now <ISO-8601>]
  --stack <name>           stack whose Pulumi.<name>.yaml to plan (default: dev)
  --json                   print one JSON document on stdout instead of the tree
  --program <file>         plan another Pulumi TypeScript program (default: index.ts)
  --policy-config <file>   policy pack config (default: policy/config/<environment>.json,
                           <environment> from the stack's flink-pipeline:environment)
  --now <time>             plan as of this instant, e.g. 2025-03-01T00:00:00Z, to preview a key
                           rotation (default: the current time; sets ${NOW_ENV} for the program)
  --diagram                print a Mermaid flowchart of the stack instead of the tree
${COST_USAGE}
  --help                   show this help`;

export interface PlanArgs {
  stack: string;
  json: boolean;
  program: string;
  policyConfig?: string;
  help: boolean;
  /** The instant to plan as of, as given. @default undefined (the current time) */
  now?: string;
  /** Print a Mermaid flowchart instead of the tree. @default false */
  diagram?: boolean;
  /** Workload assumptions of the monthly cost. @default DEFAULT_ASSUMPTIONS */
  assumptions: CostAssumptions;
}

export function parseArgs(argv: string[]): PlanArgs {
  const args: PlanArgs = {
    stack: "dev",
    json: false,
    program: "index.ts",
    help: false,
    assumptions: { ...DEFAULT_ASSUMPTIONS },
  };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    refuseRepeated(flag, given);
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--"))
        throw new UsageError(`${flag} needs a value (see --help)`);
      return next;
    };
    if (flag === "--stack") {
      args.stack = checkStackName(value());
    } else if (flag === "--program") args.program = value();
    else if (flag === "--policy-config") args.policyConfig = value();
    else if (flag === "--now") {
      const text = value();
      if (parseInstant(text) === undefined) {
        throw new UsageError(`--now must be ${INSTANT_FORMAT} (got ${JSON.stringify(text)}; see --help)`);
      }
      args.now = text;
    } else if (COST_FLAGS[flag]) args.assumptions[COST_FLAGS[flag]] = costFlagValue(flag, value());
    else if (flag === "--json") args.json = true;
    else if (flag === "--diagram") args.diagram = true;
    else if (flag === "--help" || flag === "-h") args.help = true;
    else
      throw new UsageError(
        `unknown option ${JSON.stringify(flag)}; allowed: --stack, --json, --program, --policy-config, --now, --help, --diagram, ${Object.keys(COST_FLAGS).join(", ")}`,
      );
  }
  return args;
}

export async function main(argv: string[], projectDir = process.cwd()): Promise<number> {
  // Stdout carries only the promised document: everything else written to it while the plan runs
  // (console.*, pulumi.log, the program's own prints) goes to stderr.
  const stdoutWrite = process.stdout.write;
  const write = (text: string) => stdoutWrite.call(process.stdout, `${text}\n`);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    const args = parseArgs(argv);
    if (args.help) {
      write(USAGE);
      return 0;
    }
    const files = readStackFiles(projectDir, args.stack);
    const program = programArg(projectDir, args.program);
    const policyConfig = args.policyConfig
      ? path.resolve(projectDir, args.policyConfig)
      : defaultPolicyConfig(files);
    const result = await withNow(args.now, () => runProgram(programFromFile(program), files)).catch(
      (error: unknown) => Promise.reject(withTypeProblems(files, error)),
    );
    if (files.typeProblems.length > 0) throw withTypeProblems(files);
    const violations = await checkPolicies(result.resources, files, policyConfig);
    const cost = estimateCost(result.resources, files.config["aws:region"] ?? "us-east-1", args.assumptions);
    if (args.diagram) {
      write(renderDiagram(planDocument(files.project, files.stack, result).resources as DiagramResource[]));
    } else if (args.json) {
      write(
        JSON.stringify({ ...planDocument(files.project, files.stack, result), violations, cost }, null, 2),
      );
    } else {
      const region = files.config["aws:region"] ?? "us-east-1";
      const asOf = args.now ? ` as of ${parseInstant(args.now)!.toISOString()}` : "";
      const header = `Offline plan of ${files.project}, stack ${files.stack} (${region})${asOf}: ${result.resources.length} resources`;
      write(`${renderTree(result, header)}\n\n${renderCost(cost)}\n\n${renderViolations(violations)}`);
    }
    return violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
  } catch (error) {
    return reportFailure(error);
  } finally {
    process.stdout.write = stdoutWrite;
  }
}

/** Runs `action` with the program's clock (`FLINK_PIPELINE_NOW`) set to `now`, then restores it. */
async function withNow<T>(now: string | undefined, action: () => Promise<T>): Promise<T> {
  if (now === undefined) return action();
  const previous = process.env[NOW_ENV];
  process.env[NOW_ENV] = now;
  try {
    return await action();
  } finally {
    if (previous === undefined) delete process.env[NOW_ENV];
    else process.env[NOW_ENV] = previous;
  }
}

if (require.main === module) {
  // A plan runs on every edit of a stack file: it hashes the job (some 90 MB) only after it changed.
  persistComputedResults(COMPUTED_RESULTS_DIR);
  // Exit once stdout is flushed: a pipe takes writes asynchronously, and exiting early cuts the
  // JSON document at 64 KiB.
  main(process.argv.slice(2)).then((code) => process.stdout.write("", () => process.exit(code)));
}
