/**
 * Times the offline plan of every stack the way a user runs it (a fresh process per run) and
 * reports the median; fails when the prod plan's median exceeds its budget.
 *
 *   npm run bench -- [--runs <n>]
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { stackNames } from "./stackFiles";

const PROJECT_DIR = path.resolve(__dirname, "..");
const BUDGET_MS: Record<string, number> = { prod: 2000 };

function timePlan(stack: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    ["-r", "./tools/startup.js", "tools/plan.ts", "--stack", stack, "--json"],
    { cwd: PROJECT_DIR, encoding: "utf8" },
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`the plan of ${stack} exited ${result.status}:\n${result.stderr}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main(argv: string[]): number {
  const runsFlag = argv.indexOf("--runs");
  const runs = runsFlag >= 0 ? Number(argv[runsFlag + 1]) : 5;
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`--runs must be an integer >= 1 (got ${JSON.stringify(argv[runsFlag + 1])})`);
    return 2;
  }
  timePlan("dev"); // warms the transpile cache, as every run after a user's first would be
  let failed = false;
  console.log(`offline plan, ${runs} runs per stack (ms)`);
  console.log(
    "stack".padEnd(12),
    "median".padStart(8),
    "min".padStart(8),
    "max".padStart(8),
    "budget".padStart(8),
  );
  for (const stack of stackNames(PROJECT_DIR)) {
    const times = Array.from({ length: runs }, () => timePlan(stack));
    const budget = BUDGET_MS[stack];
    const over = budget !== undefined && median(times) > budget;
    failed ||= over;
    console.log(
      stack.padEnd(12),
      median(times).toFixed(0).padStart(8),
      Math.min(...times)
        .toFixed(0)
        .padStart(8),
      Math.max(...times)
        .toFixed(0)
        .padStart(8),
      (budget === undefined ? "-" : String(budget)).padStart(8),
      over ? " OVER BUDGET" : "",
    );
  }
  return failed ? 1 : 0;
}

process.exit(main(process.argv.slice(2)));
