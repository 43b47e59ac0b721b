/**
 * Child processes of a local run: each in its own process group, its output in a log file, and all
 * of them stopped (the whole group) when the run ends, fails or is interrupted.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import { LOOPBACK } from "./loopback";

/** A started child: its group is killed by {@link ProcessGroup.stopAll}. */
export interface Child {
  name: string;
  process: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or the signal's name) once the child has exited. */
  exited: Promise<number | string>;
}

/** Set in every child's environment to the run's log folder, so a run's processes can be found (and checked gone). */
export const RUN_MARKER_ENV = "FLINK_PIPELINE_LOCAL_RUN";

/** Time a child gets between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 5_000;

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `ready` every 200 ms until it is true, the child exits, or `timeoutMs` passes. */
export async function waitUntil(
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  child?: Child,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: number | string | undefined;
  child?.exited.then((code) => (exit = code));
  while (Date.now() < deadline) {
    if (exit !== undefined) {
      throw new Error(`${what}: ${child!.name} exited (${exit}) before it was ready; see ${child!.logFile}`);
    }
    if (await ready().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000} s${child ? `; see ${child.logFile}` : ""}`);
}

/** The children of one run. */
export class ProcessGroup {
  private readonly children: Child[] = [];

  constructor(readonly logDir: string) {}

  start(
    name: string,
    command: string,
    args: string[],
    /** pipe: the child's stdin and stdout are pipes (`process.stdin`/`stdout`), its stderr goes to the log. */
    options: { env?: NodeJS.ProcessEnv; cwd?: string; pipe?: boolean } = {},
  ) {
    const logFile = `${this.logDir}/${name}.log`;
    const fd = fs.openSync(logFile, "a");
    // detached: the child leads a new process group, so stopping it reaches its own children too.
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...(options.env ?? process.env), [RUN_MARKER_ENV]: this.logDir },
      detached: true,
      stdio: options.pipe ? ["pipe", "pipe", fd] : ["ignore", fd, fd],
    });
    fs.closeSync(fd);
    const exited = new Promise<number | string>((resolve) => {
      child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
      child.once("error", (error) => resolve(error.message));
    });
    const started: Child = { name, process: child, logFile, exited };
    this.children.push(started);
    return started;
  }

  /** Stops one child's group: SIGTERM, then SIGKILL after {@link STOP_GRACE_MS}. */
  async stop(child: Child): Promise<void> {
    const index = this.children.indexOf(child);
    if (index >= 0) this.children.splice(index, 1);
    if (
      child.process.exitCode !== null ||
      child.process.signalCode !== null ||
      child.process.pid === undefined
    ) {
      killGroup(child.process.pid, "SIGKILL"); // leftovers of an exited leader
      return;
    }
    killGroup(child.process.pid, "SIGTERM");
    const done = await Promise.race([child.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    killGroup(child.process.pid, "SIGKILL");
    if (!done) await child.exited;
  }

  /** Stops every child still running, the last started first. */
  async stopAll(): Promise<void> {
    for (const child of [...this.children].reverse()) await this.stop(child);
  }

  /** Synchronous last resort (process 'exit' handlers cannot wait): SIGKILL every group. */
  killAllNow(): void {
    for (const child of this.children) killGroup(child.process.pid, "SIGKILL");
    this.children.length = 0;
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
