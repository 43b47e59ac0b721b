/**
 * Times the offline plan of every shipped stack the way a user runs it (a fresh process per run),
 * side by side with two floors: an empty Node.js process and one that only loads `@pulumi/pulumi`,
 * and of two generated stacks of `flink-pipeline:pipelines`, one pipeline and
 * {@link MANY_PIPELINES}, whose difference is the marginal cost of a pipeline; each of those two is
 * also registered alone (tools/registerOnly.ts), the floor the SDK sets under their plans.
 * The runs go round-robin, so a machine busy with other work slows every command alike, and the
 * budget is a ratio to the SDK's load time rather than seconds: it holds on any machine. With
 * `--cdk` it also times `cdk synth` of the equivalent CDK stack (tools/cdk-baseline, installed there
 * on first use) and holds the plan of prod to {@link CDK_GOAL_RATIO} of it.
 *
 *   npm run bench -- [--runs <n>] [--cdk]
 *
 * Exit codes: 0 within budget, 1 over budget (or a plan failed), 2 bad usage.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError, refuseRepeated, stackNames } from "./stackFiles";

const PROJECT_DIR = path.resolve(__dirname, "..");
export const USAGE =
  "Usage: npm run bench -- [--runs <n>] [--cdk] | --help   (n >= 1 fresh processes per command, default 5;\n" +
  "  --cdk: also time cdk synth of tools/cdk-baseline, installing it there with npm ci on first use)";

/** plan(prod) / require('@pulumi/pulumi'), medians of the same run. */
export const BUDGET_RATIO = 0.8;
const BUDGET_STACK = "prod";
const SDK_FLOOR = "require('@pulumi/pulumi')";

/** The issue's goal: plan(prod) / type-checked `cdk synth` of the equivalent CDK stack. */
export const CDK_GOAL_RATIO = 0.05;
const CDK_DIR = path.join(PROJECT_DIR, "tools", "cdk-baseline");
const CDK_SYNTH = "cdk synth (type-checked)";

/** The generated stacks: one pipeline, and this many. */
export const MANY_PIPELINES = 50;
/** The issue's goal: plan(50 pipelines) / plan(1 pipeline), medians of the same run. */
export const PIPELINES_GOAL_RATIO = 4;

interface Command {
  label: string;
  args: string[];
  /** @default the project directory */
  cwd?: string;
}

/** The generated stack of `count` Kinesis pipelines (`p001`, ...), as a user would write it. */
export function pipelinesStackFile(count: number): string {
  const pipelines = Array.from({ length: count }, (_, index) => {
    const name = `p${String(index + 1).padStart(3, "0")}`;
    return [
      `    ${name}:`,
      "      source: { kind: kinesis, streamMode: ON_DEMAND, retentionHours: 24 }",
      `      table: { partitionKey: ${name}Key }`,
      "      flink: { language: python, artifact: app, parallelism: 1, autoScaling: false, logRetentionDays: 7 }",
    ].join("\n");
  });
  return [
    "config:",
    "  aws:region: us-east-1",
    "  aws:defaultTags:",
    "    tags: { environment: dev, project: flink-pipeline, owner: bench, cost-center: bench }",
    "  flink-pipeline:environment: dev",
    "  flink-pipeline:pipelines:",
    ...pipelines,
    "",
  ].join("\n");
}

/**
 * A project directory holding the generated stacks beside this project's Pulumi.yaml and job
 * (linked), planned with this project's program: the shipped stacks stay the only ones here.
 */
function generatedProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flink-bench-"));
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.symlinkSync(path.join(PROJECT_DIR, "app"), path.join(dir, "app"));
  for (const count of [1, MANY_PIPELINES]) {
    fs.writeFileSync(path.join(dir, `Pulumi.pipelines-${count}.yaml`), pipelinesStackFile(count));
  }
  return dir;
}

const pipelinesLabel = (count: number) => `${count} pipeline${count === 1 ? "" : "s"}`;
const planLabel = (count: number) => `plan ${pipelinesLabel(count)}`;
/** tools/registerOnly.ts: the program under the plan's mocks with nothing recorded or checked. */
const registerLabel = (count: number) => `register ${pipelinesLabel(count)}`;

/** The CDK CLI synthesizing tools/cdk-baseline/app.ts through ts-node, which type-checks it. */
function cdkSynth(outDir: string): Command {
  const bin = (file: string) => path.join(CDK_DIR, "node_modules", file);
  const app = `"${process.execPath}" "${bin("ts-node/dist/bin.js")}" app.ts`;
  return {
    label: CDK_SYNTH,
    args: [
      bin("aws-cdk/bin/cdk"),
      "synth",
      "--app",
      app,
      "-o",
      outDir,
      "-q",
      "--no-version-reporting",
      "--no-notices",
    ],
    cwd: CDK_DIR,
  };
}

/** Installs tools/cdk-baseline's pinned packages into its own node_modules, once. */
function installCdk(): void {
  if (fs.existsSync(path.join(CDK_DIR, "node_modules", "aws-cdk-lib"))) return;
  console.error("bench: installing tools/cdk-baseline (npm ci, once)");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: CDK_DIR, stdio: ["ignore", 2, 2] });
  if (result.status !== 0) throw new Error(`npm ci in ${CDK_DIR} exited ${result.status}`);
}

function commands(generated: string, cdk: boolean): Command[] {
  const tool = (file: string) => [
    "-r",
    path.join(PROJECT_DIR, "tools/startup.js"),
    path.join(PROJECT_DIR, file),
  ];
  const plan = tool("tools/plan.ts");
  const program = ["--program", path.join(PROJECT_DIR, "index.ts")];
  return [
    ...(cdk ? [cdkSynth(path.join(generated, "cdk.out"))] : []),
    { label: "node -e 0", args: ["-e", "0"] },
    { label: SDK_FLOOR, args: ["-e", "require('@pulumi/pulumi')"] },
    ...stackNames(PROJECT_DIR).map((stack) => ({
      label: `plan ${stack}`,
      args: [...plan, "--stack", stack, "--json"],
    })),
    ...[1, MANY_PIPELINES].flatMap((count) => [
      {
        label: planLabel(count),
        args: [
          ...plan,
          "--stack",
          `pipelines-${count}`,
          "--json",
          ...program,
          "--policy-config",
          path.join(PROJECT_DIR, "policy/config/dev.json"),
        ],
        cwd: generated,
      },
      {
        label: registerLabel(count),
        args: [...tool("tools/registerOnly.ts"), "--stack", `pipelines-${count}`, ...program],
        cwd: generated,
      },
    ]),
  ];
}

/** Wall time of one fresh process, in ms. */
function time(command: Command): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, command.args, {
    cwd: command.cwd ?? PROJECT_DIR,
    encoding: "utf8",
    // The document is not read (a 50-pipeline plan's is larger than spawnSync's buffer).
    stdio: ["ignore", "ignore", "pipe"],
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  // A plan exits 1 for a mandatory violation and still ran in full; anything else is a failure.
  if (result.status !== 0 && !(command.label.startsWith("plan ") && result.status === 1)) {
    throw new Error(`${command.label} exited ${result.status}:\n${result.stderr}`);
  }
  return elapsed;
}

/** What one pipeline more costs, in whole ms, from the medians of `MANY_PIPELINES` and of one. */
function marginal(many: number, one: number): string {
  return ((many - one) / (MANY_PIPELINES - 1)).toFixed(0);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface BenchArgs {
  runs: number;
  cdk: boolean;
}

export function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { runs: 5, cdk: false };
  const given = new Set<string>();
  try {
    for (let i = 0; i < argv.length; i++) {
      const flag = argv[i];
      refuseRepeated(flag, given);
      if (flag === "--cdk") {
        args.cdk = true;
      } else if (flag === "--runs") {
        const runs = Number(argv[++i]);
        if (!Number.isInteger(runs) || runs < 1)
          throw new UsageError(`--runs needs a whole number >= 1 (got ${argv[i]})`);
        args.runs = runs;
      } else {
        throw new UsageError(`bad argument ${JSON.stringify(flag)}`);
      }
    }
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  return args;
}

function main(argv: string[]): number {
  if (argv.length === 1 && argv[0] === "--help") {
    console.log(USAGE);
    return 0;
  }
  let args: BenchArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const { runs, cdk } = args;
  if (cdk) installCdk();
  const generated = generatedProject();
  const all = commands(generated, cdk);
  if (!all.some((c) => c.label === `plan ${BUDGET_STACK}`)) {
    console.error(`no Pulumi.${BUDGET_STACK}.yaml: the budget is set on the ${BUDGET_STACK} plan`);
    return 2;
  }
  // Fills the plan's caches (transpiled TypeScript, V8 code, the job's hash), as every run after a
  // user's first finds them; the CDK CLI's first synth compiles and caches as well.
  for (const command of all)
    if (/^(plan|register) /.test(command.label) || command.label === CDK_SYNTH) time(command);
  const times = new Map<string, number[]>(all.map((c) => [c.label, []]));
  for (let run = 0; run < runs; run++)
    for (const command of all) times.get(command.label)!.push(time(command));

  const sdk = median(times.get(SDK_FLOOR)!);
  const ms = (value: number) => value.toFixed(0).padStart(8);
  console.log(
    `${runs} fresh processes per command, round-robin (ms); ratio = median / median of ${SDK_FLOOR}`,
  );
  console.log(
    `${"command".padEnd(28)}${"min".padStart(8)}${"median".padStart(8)}${"max".padStart(8)}${"ratio".padStart(8)}`,
  );
  for (const [label, values] of times) {
    const ratio = (median(values) / sdk).toFixed(2).padStart(8);
    console.log(
      `${label.padEnd(28)}${ms(Math.min(...values))}${ms(median(values))}${ms(Math.max(...values))}${ratio}`,
    );
  }
  fs.rmSync(generated, { recursive: true, force: true });
  const ratio = median(times.get(`plan ${BUDGET_STACK}`)!) / sdk;
  const within = ratio <= BUDGET_RATIO;
  console.log(
    `budget: plan ${BUDGET_STACK} / ${SDK_FLOOR} = ${ratio.toFixed(2)} (at most ${BUDGET_RATIO})${within ? "" : "  OVER BUDGET"}`,
  );
  const one = median(times.get(planLabel(1))!);
  const many = median(times.get(planLabel(MANY_PIPELINES))!);
  const scaling = many / one;
  const withinGoal = scaling <= PIPELINES_GOAL_RATIO;
  console.log(
    `pipelines: ${planLabel(MANY_PIPELINES)} / ${planLabel(1)} = ${scaling.toFixed(2)} (at most ${PIPELINES_GOAL_RATIO})${withinGoal ? "" : "  OVER BUDGET"}; ` +
      `marginal cost ${marginal(many, one)} ms per pipeline`,
  );
  const [registerOne, registerMany] = [1, MANY_PIPELINES].map((count) =>
    median(times.get(registerLabel(count))!),
  );
  const floor = registerMany / one;
  console.log(
    `floor: ${registerLabel(MANY_PIPELINES)} / ${planLabel(1)} = ${floor.toFixed(2)}${floor > PIPELINES_GOAL_RATIO ? `, over ${PIPELINES_GOAL_RATIO} before the plan records or checks anything` : ""}; ` +
      `the SDK's registration ${marginal(registerMany, registerOne)} ms per pipeline, the plan's own ${marginal(many - registerMany, one - registerOne)}`,
  );
  let withinCdk = true;
  if (cdk) {
    const versusCdk = median(times.get(`plan ${BUDGET_STACK}`)!) / median(times.get(CDK_SYNTH)!);
    withinCdk = versusCdk <= CDK_GOAL_RATIO;
    console.log(
      `cdk: plan ${BUDGET_STACK} / ${CDK_SYNTH} = ${versusCdk.toFixed(3)} (at most ${CDK_GOAL_RATIO})${withinCdk ? "" : "  OVER BUDGET"}`,
    );
  }
  return within && withinGoal && withinCdk ? 0 : 1;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
