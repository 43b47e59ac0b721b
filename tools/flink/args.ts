/** Command-line parsing of `npm run flink -- <command> --stack <name> [--pipeline <name>] [flags]`. */
import { UsageError, refuseRepeated } from "../stackFiles";

/** The commands on a stack's applications. */
export const COMMANDS = ["status", "snapshot", "snapshots", "stop", "start", "rollback", "verify"] as const;
export type Command = (typeof COMMANDS)[number];

/**
 * Prints the names in a stack's `flink-pipeline:pipelines`, one a line (none for a stack of one
 * pipeline), from its config file alone: what a script loops over, e.g. the deploy workflow's gate.
 */
export const PIPELINES = "pipelines";

/**
 * On a stack with `flink-pipeline:pipelines`, the commands that act on every pipeline unless
 * `--pipeline` names one: they only read, or prune by rules each application keeps for itself. The
 * others change or watch one application, each with a wait and an outcome of its own.
 */
export const EVERY_PIPELINE: ReadonlySet<Command> = new Set<Command>(["status", "snapshots"]);

/** A command on applications: `--pipeline` and `--timeout`, then its own flags. */
const onApplications = (value: string[], boolean: string[]) => ({
  value: ["pipeline", "timeout", ...value],
  boolean,
});

/** What each command accepts besides `--stack` and `--json`. */
const FLAGS: Record<Command | typeof PIPELINES, { value: string[]; boolean: string[] }> = {
  status: onApplications([], []),
  snapshot: onApplications(["name"], ["if-running"]),
  snapshots: onApplications(["keep", "min-age"], ["prune"]),
  stop: onApplications([], ["force"]),
  start: onApplications(["restore"], ["allow-non-restored-state"]),
  rollback: onApplications([], []),
  verify: onApplications(["for"], []),
  pipelines: { value: [], boolean: [] },
};
const COMMON = { value: ["stack"], boolean: ["json"] };

export const USAGE = `usage: npm run flink -- <command> --stack <name> [--pipeline <name>] [--json] [--timeout <duration>]
  status                                     state, runtime, version, last operation, snapshots, health
  snapshot [--name <snapshot>] [--if-running] take a snapshot and wait until it is READY
                                             (--if-running: skip, exit 0, unless RUNNING)
  snapshots [--prune --keep <n> [--min-age <duration>]]
                                             list snapshots; --prune deletes all but the newest <n> READY
                                             ones and those younger than --min-age (default 7d)
  stop [--force]                             stop (with a snapshot; --force: without) and wait for READY
  start [--restore latest|skip|<snapshot>] [--allow-non-restored-state]
                                             start and wait for RUNNING (default restore: latest)
  rollback                                   roll back to the previous version and wait for the outcome
  verify [--for <duration>]                  watch the health signals for a window (default 5m):
                                             exit 0 healthy, 1 unhealthy
  pipelines                                  the names in flink-pipeline:pipelines, one a line (none
                                             for a stack of one pipeline); reads only the config file
--pipeline <name>  on a stack with flink-pipeline:pipelines, the pipeline to act on; needed by
                   ${COMMANDS.filter((c) => !EVERY_PIPELINE.has(c)).join(", ")} (each changes or watches one application).
                   Without it, ${[...EVERY_PIPELINE].join(" and ")} act on every pipeline, one after the other,
                   stopping at the first that fails: a stack's overview, and its prune (each
                   application keeps its own newest snapshots). Refused on a stack of one pipeline.
durations: <n>s, <n>m, <n>h or <n>d`;

export interface ParsedArgs {
  command: Command | typeof PIPELINES;
  stack: string;
  /** The pipeline of a stack with `flink-pipeline:pipelines`. @default every pipeline, for the commands that allow it */
  pipeline?: string;
  json: boolean;
  /** How long a command waits for the application; @default the stack's flink.timeouts.update */
  timeoutMs?: number;
  values: Record<string, string>;
  flags: Set<string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") throw new UsageError(USAGE);
  if (!Object.keys(FLAGS).includes(command)) {
    throw new UsageError(
      `unknown command ${JSON.stringify(command)}; commands: ${Object.keys(FLAGS).join(", ")}`,
    );
  }
  const known = FLAGS[command as ParsedArgs["command"]];
  const valueFlags = [...COMMON.value, ...known.value];
  const booleanFlags = [...COMMON.boolean, ...known.boolean];
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const given = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument ${JSON.stringify(arg)} for ${command}`);
    const [, name, inline] = match;
    if (valueFlags.includes(name) || booleanFlags.includes(name)) refuseRepeated(`--${name}`, given);
    if (valueFlags.includes(name)) {
      const value = inline ?? rest[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
      values[name] = value;
    } else if (booleanFlags.includes(name) && inline === undefined) {
      flags.add(name);
    } else {
      const accepted = [...valueFlags, ...booleanFlags].map((f) => `--${f}`).join(", ");
      throw new UsageError(`${command} does not take --${name}; it takes ${accepted}`);
    }
  }
  const stack = values.stack;
  if (stack === undefined) throw new UsageError(`${command} needs --stack <name>`);
  delete values.stack;
  const pipeline = values.pipeline;
  delete values.pipeline;
  const timeoutMs = values.timeout !== undefined ? parseDuration(values.timeout, "--timeout") : undefined;
  delete values.timeout;
  checkCombinations(command, values, flags);
  return {
    command: command as ParsedArgs["command"],
    stack,
    pipeline,
    json: flags.has("json"),
    timeoutMs,
    values,
    flags,
  };
}

function checkCombinations(command: string, values: Record<string, string>, flags: Set<string>): void {
  if (command !== "snapshots") return;
  const pruning = flags.has("prune");
  for (const option of ["keep", "min-age"]) {
    if (!pruning && values[option] !== undefined)
      throw new UsageError(`--${option} applies only with --prune`);
  }
  if (pruning && values.keep === undefined) throw new UsageError("--prune needs --keep <n> (n >= 1)");
  if (pruning && !/^[1-9]\d*$/.test(values.keep)) {
    throw new UsageError(`--keep must be a whole number >= 1 (got ${JSON.stringify(values.keep)})`);
  }
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `5m`, `2h`, `7d` in milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match || Number(match[1]) === 0) {
    throw new UsageError(
      `${flag} must be a duration such as 90s, 5m, 2h or 7d (got ${JSON.stringify(text)})`,
    );
  }
  return Number(match[1]) * UNIT_MS[match[2]];
}
