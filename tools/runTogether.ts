/**
 * Runs npm scripts at the same time and prints each one's output whole, in the order given, as it
 * finishes: the TypeScript checks (type check, lint, format) take a core while mocha takes the
 * other, so `npm test` waits for the slowest instead of their sum.
 *
 *   node -r ./tools/register.js tools/runTogether.ts <script> [<script> ...]
 *
 * Exit codes: 0 when every script passed, 1 when one failed (each failure named), 2 bad usage.
 */
import { spawn } from "child_process";

interface Outcome {
  script: string;
  status: number | null;
  output: string;
  seconds: number;
}

function run(script: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "-s", script], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (status) =>
      resolve({ script, status, output, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

async function main(scripts: string[]): Promise<number> {
  if (scripts.length === 0) {
    console.error("Usage: node -r ./tools/register.js tools/runTogether.ts <npm script> [<npm script> ...]");
    return 2;
  }
  const running = scripts.map(run);
  const failed: string[] = [];
  for (const outcome of running) {
    const { script, status, output, seconds } = await outcome;
    process.stdout.write(`> ${script} (${seconds.toFixed(1)} s, exit ${status})\n${output}`);
    if (status !== 0) failed.push(script);
  }
  if (failed.length > 0) console.error(`failed: ${failed.join(", ")}`);
  return failed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
