/**
 * `npm run flink -- <command> --stack <name> [--pipeline <name>]`: operations on a stack's Managed
 * Flink applications (status, snapshots, stop/start, rollback, health verification), and the list
 * of its pipelines. Exit codes:
 * 0 done or healthy, 1 failed or unhealthy, 2 usage, config or credentials. See docs/operations.md.
 */
import * as path from "path";
import { UsageError } from "../stackFiles";
import { Command, PIPELINES, ParsedArgs, parseArgs, parseDuration } from "./args";
import { Clients, Clock, OperationFailed, createClients, systemClock } from "./aws";
import * as ops from "./operations";
import { Target, loadTargets, pipelineNames } from "./target";

export interface CliDeps {
  projectDir?: string;
  clients?: (target: Target) => Clients;
  clock?: Clock;
  pollMs?: number;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

export async function main(argv: string[], deps: CliDeps = {}): Promise<number> {
  const stdout = deps.stdout ?? ((text) => process.stdout.write(text));
  const stderr = deps.stderr ?? ((text) => process.stderr.write(text));
  try {
    const args = parseArgs(argv);
    const projectDir = deps.projectDir ?? path.resolve(__dirname, "..", "..");
    const command = args.command;
    if (command === PIPELINES) {
      const names = pipelineNames(projectDir, args.stack);
      stdout(
        args.json
          ? `${JSON.stringify({ pipelines: names }, null, 2)}\n`
          : names.map((n) => `${n}\n`).join(""),
      );
      return 0;
    }
    const targets = loadTargets(projectDir, args.stack, command, args.pipeline);
    // One region per stack: its pipelines share the clients.
    const clients = (deps.clients ?? ((t) => createClients(t.region)))(targets[0]);
    const outcomes: [Target, ops.Outcome][] = [];
    for (const target of targets) {
      const ctx: ops.Context = {
        target,
        clients,
        clock: deps.clock ?? systemClock,
        progress: (line) => stderr(`${line}\n`),
        timeoutMs: args.timeoutMs ?? target.updateTimeoutMs,
        pollMs: deps.pollMs ?? 15_000,
      };
      outcomes.push([target, await run(command, args, ctx)]);
    }
    // Without --pipeline on a stack with pipelines, a section each (even for one entry): scripts see one shape.
    const outcome =
      args.pipeline === undefined && targets[0].pipeline !== undefined
        ? ops.everyPipeline(outcomes.map(([target, each]) => [target.pipeline!, each]))
        : outcomes[0][1];
    stdout(args.json ? `${JSON.stringify(outcome.json, null, 2)}\n` : `${outcome.lines.join("\n")}\n`);
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      stderr(`${error.message}\n`);
      return 2;
    }
    if (error instanceof OperationFailed) {
      stderr(`${error.message}\n`);
      return 1;
    }
    stderr(
      `unexpected error: ${error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error)}\n`,
    );
    return 1;
  }
}

function run(command: Command, args: ParsedArgs, ctx: ops.Context): Promise<ops.Outcome> {
  const { values, flags } = args;
  switch (command) {
    case "status":
      return ops.status(ctx);
    case "snapshot":
      return ops.snapshot(ctx, values.name, flags.has("if-running"));
    case "snapshots":
      return ops.snapshots(
        ctx,
        flags.has("prune")
          ? { keep: Number(values.keep), minAgeMs: parseDuration(values["min-age"] ?? "7d", "--min-age") }
          : undefined,
      );
    case "stop":
      return ops.stop(ctx, flags.has("force"));
    case "start":
      return ops.start(ctx, ops.parseRestore(values.restore), flags.has("allow-non-restored-state"));
    case "rollback":
      return ops.rollback(ctx);
    case "verify":
      return ops.verify(ctx, parseDuration(values.for ?? "5m", "--for"));
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
