/** The commands: each sends the calls its docs name, waits where it says so, and returns an outcome. */
import {
  ApplicationDetail,
  ApplicationOperationInfoDetails,
  CreateApplicationSnapshotCommand,
  DeleteApplicationSnapshotCommand,
  DescribeApplicationCommand,
  DescribeApplicationOperationCommand,
  DescribeApplicationSnapshotCommand,
  ListApplicationOperationsCommand,
  ListApplicationSnapshotsCommand,
  RollbackApplicationCommand,
  SnapshotDetails,
  StartApplicationCommand,
  StopApplicationCommand,
} from "@aws-sdk/client-kinesis-analytics-v2";
import { UsageError } from "../stackFiles";
import { Clients, Clock, OperationFailed, send } from "./aws";
import { SignalResult, evaluateSignals, fetchSeries, healthDefinitions, metricQueries } from "./health";
import { Target } from "./target";

export interface Context {
  target: Target;
  clients: Clients;
  clock: Clock;
  /** Progress while waiting (stderr). */
  progress(line: string): void;
  /** How long to wait for the application. */
  timeoutMs: number;
  /** Time between two polls. */
  pollMs: number;
}

export interface Outcome {
  exitCode: 0 | 1;
  /** Human-readable result (stdout). */
  lines: string[];
  /** The same, for `--json`. */
  json: Record<string, unknown>;
}

/** One command's outcomes on every pipeline of a stack, each under its name: exit 1 when any is 1. */
export function everyPipeline(outcomes: [string, Outcome][]): Outcome {
  return {
    exitCode: outcomes.some(([, outcome]) => outcome.exitCode !== 0) ? 1 : 0,
    lines: outcomes.flatMap(([name, outcome]) => [
      `pipeline ${name}:`,
      ...outcome.lines.map((line) => `  ${line}`),
    ]),
    json: { pipelines: Object.fromEntries(outcomes.map(([name, outcome]) => [name, outcome.json])) },
  };
}

/** Statuses the application passes through; anything else is where it settled. */
const TRANSITIONAL = new Set([
  "STARTING",
  "STOPPING",
  "UPDATING",
  "AUTOSCALING",
  "FORCE_STOPPING",
  "ROLLING_BACK",
  "MAINTENANCE",
  "DELETING",
]);

function flink<Output>(ctx: Context, command: any): Promise<Output> {
  return send<Output>(ctx.clients.flink as any, command, ctx.clock, ctx.progress);
}

async function describe(ctx: Context): Promise<ApplicationDetail> {
  const { ApplicationDetail } = await flink<{ ApplicationDetail?: ApplicationDetail }>(
    ctx,
    new DescribeApplicationCommand({ ApplicationName: ctx.target.applicationName }),
  );
  return ApplicationDetail!;
}

async function describeOperation(
  ctx: Context,
  operationId: string,
): Promise<ApplicationOperationInfoDetails> {
  const { ApplicationOperationInfoDetails } = await flink<{
    ApplicationOperationInfoDetails?: ApplicationOperationInfoDetails;
  }>(
    ctx,
    new DescribeApplicationOperationCommand({
      ApplicationName: ctx.target.applicationName,
      OperationId: operationId,
    }),
  );
  return ApplicationOperationInfoDetails!;
}

const minutes = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 1000)}s`);

function operationError(details: ApplicationOperationInfoDetails): string {
  const failure = details.OperationFailureDetails;
  const reason = failure?.ErrorInfo?.ErrorString ?? "no error detail";
  const rollback = failure?.RollbackOperationId
    ? `; system rollback operation ${failure.RollbackOperationId}`
    : "";
  return `${details.Operation ?? "operation"} ${details.OperationStatus}: ${reason}${rollback}`;
}

/**
 * Polls until the application is in `want` (and the operation, when there is one, has ended): fails
 * when it settles elsewhere after the operation ended (or at once with `settledFails`), or when the
 * timeout passes.
 */
async function waitFor(
  ctx: Context,
  want: string[],
  operationId: string | undefined,
  what: string,
  settledFails = false,
): Promise<ApplicationDetail> {
  const app = ctx.target.applicationName;
  const deadline = ctx.clock.now() + ctx.timeoutMs;
  const begun = ctx.clock.now();
  let last: string | undefined;
  for (;;) {
    const detail = await describe(ctx);
    const status = detail.ApplicationStatus!;
    if (status !== last) ctx.progress(`${app}: ${status} (${minutes(ctx.clock.now() - begun)})`);
    last = status;
    const settled = !TRANSITIONAL.has(status);
    if (settled) {
      const operation = operationId ? await describeOperation(ctx, operationId) : undefined;
      if (operation?.OperationStatus !== "IN_PROGRESS") {
        if (want.includes(status) && (!operation || operation.OperationStatus === "SUCCESSFUL"))
          return detail;
        if (operation && operation.OperationStatus !== "SUCCESSFUL") {
          throw new OperationFailed(`${what} failed, ${app} is ${status}: ${operationError(operation)}`);
        }
        if (operation || settledFails) {
          throw new OperationFailed(`${what}: ${app} is ${status}, not ${want.join(" or ")}`);
        }
      }
    }
    if (ctx.clock.now() >= deadline) {
      throw new OperationFailed(
        `${what}: ${app} still ${status} after ${minutes(ctx.timeoutMs)}; it never reached ${want.join(" or ")}`,
      );
    }
    await ctx.clock.sleep(ctx.pollMs);
  }
}

export async function listSnapshots(ctx: Context): Promise<SnapshotDetails[]> {
  const snapshots: SnapshotDetails[] = [];
  let token: string | undefined;
  do {
    const page = await flink<{ SnapshotSummaries?: SnapshotDetails[]; NextToken?: string }>(
      ctx,
      new ListApplicationSnapshotsCommand({
        ApplicationName: ctx.target.applicationName,
        Limit: 50,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    snapshots.push(...(page.SnapshotSummaries ?? []));
    token = page.NextToken;
  } while (token);
  const created = (s: SnapshotDetails) => new Date(s.SnapshotCreationTimestamp ?? 0).getTime();
  return snapshots.sort((a, b) => created(b) - created(a));
}

const iso = (date?: Date) => (date ? new Date(date).toISOString() : "-");

function snapshotJson(s: SnapshotDetails) {
  return {
    name: s.SnapshotName,
    status: s.SnapshotStatus,
    versionId: s.ApplicationVersionId,
    created: iso(s.SnapshotCreationTimestamp),
    runtime: s.RuntimeEnvironment,
  };
}

const snapshotLine = (s: SnapshotDetails) =>
  `  ${s.SnapshotName}  ${s.SnapshotStatus}  version ${s.ApplicationVersionId}  ${iso(s.SnapshotCreationTimestamp)}${s.RuntimeEnvironment ? `  ${s.RuntimeEnvironment}` : ""}`;

/** The health signals over [start, end), plus whether the application is RUNNING. */
async function health(ctx: Context, start: Date, end: Date): Promise<SignalResult[]> {
  const definitions = healthDefinitions(ctx.target.alarms);
  const queries = metricQueries(definitions, ctx.target.periodSeconds);
  const data = await fetchSeries(
    (command) => send(ctx.clients.cloudwatch as any, command, ctx.clock, ctx.progress),
    queries,
    start,
    end,
  );
  return evaluateSignals(definitions, data, { start, end, periodSeconds: ctx.target.periodSeconds });
}

const signalLine = (s: SignalResult) => `  ${s.healthy ? "ok  " : "FAIL"} ${s.signal}: ${s.detail}`;

export async function status(ctx: Context): Promise<Outcome> {
  const detail = await describe(ctx);
  const app = ctx.target.applicationName;
  const { ApplicationOperationInfoList: operations = [] } = await flink<{
    ApplicationOperationInfoList?: { OperationId?: string; StartTime?: Date }[];
  }>(ctx, new ListApplicationOperationsCommand({ ApplicationName: app, Limit: 10 }));
  const latest = [...operations].sort(
    (a, b) => new Date(b.StartTime ?? 0).getTime() - new Date(a.StartTime ?? 0).getTime(),
  )[0];
  const lastOperation = latest?.OperationId ? await describeOperation(ctx, latest.OperationId) : undefined;
  const snapshots = (await listSnapshots(ctx)).slice(0, 3);
  const end = new Date(ctx.clock.now());
  const windowMs = 15 * 60_000;
  const signals = await health(ctx, new Date(end.getTime() - windowMs), end);
  const running = detail.ApplicationStatus === "RUNNING";
  const rollbackConfig =
    detail.ApplicationConfigurationDescription?.ApplicationSystemRollbackConfigurationDescription
      ?.RollbackEnabled;
  const lines = [
    `${app} (${ctx.target.region}): ${detail.ApplicationStatus}, ${detail.RuntimeEnvironment}, version ${detail.ApplicationVersionId}`,
    `  last update: ${iso(detail.LastUpdateTimestamp)}${detail.ApplicationVersionRolledBackFrom !== undefined ? `; rolled back from version ${detail.ApplicationVersionRolledBackFrom}` : ""}`,
    lastOperation
      ? `  last operation: ${lastOperation.Operation} ${lastOperation.OperationStatus} (${iso(lastOperation.StartTime)} to ${iso(lastOperation.EndTime)})${lastOperation.OperationStatus === "FAILED" ? `: ${operationError(lastOperation)}` : ""}${lastOperation.ApplicationVersionChangeDetails ? `, version ${lastOperation.ApplicationVersionChangeDetails.ApplicationVersionUpdatedFrom} -> ${lastOperation.ApplicationVersionChangeDetails.ApplicationVersionUpdatedTo}` : ""}`
      : "  last operation: none recorded",
    `  system rollback: ${rollbackConfig === undefined ? "unknown" : rollbackConfig ? "on" : "off"}`,
    snapshots.length > 0 ? "  latest snapshots:" : "  snapshots: none",
    ...snapshots.map(snapshotLine),
    `  health (last ${windowMs / 60_000} minutes):`,
    `  ${running ? "ok  " : "FAIL"} status: ${detail.ApplicationStatus}`,
    ...signals.map(signalLine),
  ];
  return {
    exitCode: 0,
    lines,
    json: {
      applicationName: app,
      region: ctx.target.region,
      status: detail.ApplicationStatus,
      runtime: detail.RuntimeEnvironment,
      versionId: detail.ApplicationVersionId,
      lastUpdate: iso(detail.LastUpdateTimestamp),
      rolledBackFrom: detail.ApplicationVersionRolledBackFrom,
      systemRollback: rollbackConfig,
      lastOperation: lastOperation
        ? {
            operation: lastOperation.Operation,
            status: lastOperation.OperationStatus,
            start: iso(lastOperation.StartTime),
            end: iso(lastOperation.EndTime),
            error: lastOperation.OperationFailureDetails?.ErrorInfo?.ErrorString,
            fromVersion: lastOperation.ApplicationVersionChangeDetails?.ApplicationVersionUpdatedFrom,
            toVersion: lastOperation.ApplicationVersionChangeDetails?.ApplicationVersionUpdatedTo,
          }
        : null,
      snapshots: snapshots.map(snapshotJson),
      healthy: running && signals.every((s) => s.healthy),
      signals,
    },
  };
}

const SNAPSHOT_NAME = /^[a-zA-Z0-9_.-]{1,256}$/;

/** `manual-20261202T162500Z`: sortable, and a valid snapshot name. */
export function defaultSnapshotName(now: number): string {
  return `manual-${new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}`;
}

export async function snapshot(ctx: Context, name: string | undefined, ifRunning: boolean): Promise<Outcome> {
  const snapshotName = name ?? defaultSnapshotName(ctx.clock.now());
  if (!SNAPSHOT_NAME.test(snapshotName)) {
    throw new UsageError(
      `--name must be 1 to 256 letters, digits, '_', '.' or '-' (got ${JSON.stringify(snapshotName)})`,
    );
  }
  const app = ctx.target.applicationName;
  if (ifRunning) {
    const detail = await describe(ctx);
    if (detail.ApplicationStatus !== "RUNNING") {
      return {
        exitCode: 0,
        lines: [
          `${app} is ${detail.ApplicationStatus}: no snapshot taken (only a RUNNING application snapshots)`,
        ],
        json: { applicationName: app, skipped: true, status: detail.ApplicationStatus },
      };
    }
  }
  await flink(
    ctx,
    new CreateApplicationSnapshotCommand({ ApplicationName: app, SnapshotName: snapshotName }),
  );
  ctx.progress(`${app}: snapshot ${snapshotName} requested`);
  const deadline = ctx.clock.now() + ctx.timeoutMs;
  for (;;) {
    const { SnapshotDetails: details } = await flink<{ SnapshotDetails?: SnapshotDetails }>(
      ctx,
      new DescribeApplicationSnapshotCommand({ ApplicationName: app, SnapshotName: snapshotName }),
    );
    const state = details?.SnapshotStatus;
    if (state === "READY") {
      return {
        exitCode: 0,
        lines: [`snapshot ${snapshotName} READY (version ${details!.ApplicationVersionId})`],
        json: { applicationName: app, snapshot: snapshotJson(details!) },
      };
    }
    if (state === "FAILED") {
      throw new OperationFailed(
        `snapshot ${snapshotName} FAILED: ${app} could not complete a savepoint (see the failed-checkpoints alarm and docs/operations.md#a-deployment-hangs-on-a-snapshot)`,
      );
    }
    if (ctx.clock.now() >= deadline) {
      throw new OperationFailed(`snapshot ${snapshotName} still ${state} after ${minutes(ctx.timeoutMs)}`);
    }
    await ctx.clock.sleep(ctx.pollMs);
  }
}

/** Which snapshots a prune deletes: all but the newest `keep` READY ones, those younger than `minAgeMs` and the one the config restores from. */
export function snapshotsToPrune(
  snapshots: SnapshotDetails[],
  options: { keep: number; minAgeMs: number; now: number; protectedName?: string },
): SnapshotDetails[] {
  const created = (s: SnapshotDetails) => new Date(s.SnapshotCreationTimestamp ?? 0).getTime();
  const newestFirst = [...snapshots].sort((a, b) => created(b) - created(a));
  const kept = new Set(
    newestFirst
      .filter((s) => s.SnapshotStatus === "READY")
      .slice(0, options.keep)
      .map((s) => s.SnapshotName),
  );
  return newestFirst.filter(
    (s) =>
      (s.SnapshotStatus === "READY" || s.SnapshotStatus === "FAILED") &&
      !kept.has(s.SnapshotName) &&
      s.SnapshotName !== options.protectedName &&
      options.now - created(s) >= options.minAgeMs,
  );
}

export async function snapshots(ctx: Context, prune?: { keep: number; minAgeMs: number }): Promise<Outcome> {
  const app = ctx.target.applicationName;
  const all = await listSnapshots(ctx);
  if (!prune) {
    return {
      exitCode: 0,
      lines:
        all.length > 0
          ? [`${app}: ${all.length} snapshots, newest first`, ...all.map(snapshotLine)]
          : [`${app}: no snapshots`],
      json: { applicationName: app, snapshots: all.map(snapshotJson) },
    };
  }
  const doomed = snapshotsToPrune(all, {
    ...prune,
    now: ctx.clock.now(),
    protectedName: ctx.target.restoreSnapshotName,
  });
  for (const s of doomed) {
    await flink(
      ctx,
      new DeleteApplicationSnapshotCommand({
        ApplicationName: app,
        SnapshotName: s.SnapshotName,
        SnapshotCreationTimestamp: s.SnapshotCreationTimestamp,
      }),
    );
    ctx.progress(`${app}: deleted snapshot ${s.SnapshotName}`);
  }
  const doomedNames = new Set(doomed.map((s) => s.SnapshotName));
  const kept = all.filter((s) => !doomedNames.has(s.SnapshotName));
  return {
    exitCode: 0,
    lines: [
      `${app}: deleted ${doomed.length} of ${all.length} snapshots (kept the newest ${prune.keep} READY and those younger than ${minutes(prune.minAgeMs)}${ctx.target.restoreSnapshotName ? `, and ${ctx.target.restoreSnapshotName} the config restores from` : ""})`,
      ...doomed.map((s) => `  deleted ${s.SnapshotName} (${iso(s.SnapshotCreationTimestamp)})`),
    ],
    json: { applicationName: app, deleted: doomed.map(snapshotJson), kept: kept.map(snapshotJson) },
  };
}

export async function stop(ctx: Context, force: boolean): Promise<Outcome> {
  const app = ctx.target.applicationName;
  const { OperationId } = await flink<{ OperationId?: string }>(
    ctx,
    new StopApplicationCommand({ ApplicationName: app, Force: force }),
  );
  ctx.progress(`${app}: ${force ? "force-stop (no snapshot)" : "stop (with a snapshot)"} requested`);
  const detail = await waitFor(ctx, ["READY"], OperationId, force ? "force-stop" : "stop");
  return {
    exitCode: 0,
    lines: [`${app} stopped (READY, version ${detail.ApplicationVersionId})`],
    json: {
      applicationName: app,
      status: detail.ApplicationStatus,
      versionId: detail.ApplicationVersionId,
      force,
    },
  };
}

export type RestoreChoice = { type: "latest" } | { type: "skip" } | { type: "snapshot"; name: string };

export function parseRestore(text: string | undefined): RestoreChoice {
  if (text === undefined || text === "latest") return { type: "latest" };
  if (text === "skip") return { type: "skip" };
  if (!SNAPSHOT_NAME.test(text)) {
    throw new UsageError(`--restore must be latest, skip or a snapshot name (got ${JSON.stringify(text)})`);
  }
  return { type: "snapshot", name: text };
}

/** The run configuration StartApplication is sent. */
export function runConfiguration(restore: RestoreChoice, allowNonRestoredState: boolean) {
  const restoreConfiguration =
    restore.type === "latest"
      ? { ApplicationRestoreType: "RESTORE_FROM_LATEST_SNAPSHOT" as const }
      : restore.type === "skip"
        ? { ApplicationRestoreType: "SKIP_RESTORE_FROM_SNAPSHOT" as const }
        : { ApplicationRestoreType: "RESTORE_FROM_CUSTOM_SNAPSHOT" as const, SnapshotName: restore.name };
  return {
    ApplicationRestoreConfiguration: restoreConfiguration,
    FlinkRunConfiguration: { AllowNonRestoredState: allowNonRestoredState },
  };
}

export async function start(
  ctx: Context,
  restore: RestoreChoice,
  allowNonRestoredState: boolean,
): Promise<Outcome> {
  const app = ctx.target.applicationName;
  const { OperationId } = await flink<{ OperationId?: string }>(
    ctx,
    new StartApplicationCommand({
      ApplicationName: app,
      RunConfiguration: runConfiguration(restore, allowNonRestoredState),
    }),
  );
  ctx.progress(
    `${app}: start requested (restore: ${restore.type === "snapshot" ? restore.name : restore.type})`,
  );
  const detail = await waitFor(ctx, ["RUNNING"], OperationId, "start");
  return {
    exitCode: 0,
    lines: [`${app} RUNNING (version ${detail.ApplicationVersionId})`],
    json: { applicationName: app, status: detail.ApplicationStatus, versionId: detail.ApplicationVersionId },
  };
}

export async function rollback(ctx: Context): Promise<Outcome> {
  const app = ctx.target.applicationName;
  const before = await describe(ctx);
  const from = before.ApplicationVersionId!;
  const response = await flink<{ OperationId?: string }>(
    ctx,
    new RollbackApplicationCommand({ ApplicationName: app, CurrentApplicationVersionId: from }),
  );
  ctx.progress(`${app}: rollback from version ${from} requested`);
  const detail = await waitFor(ctx, ["RUNNING", "READY"], response.OperationId, "rollback");
  const to = detail.ApplicationVersionId;
  return {
    exitCode: 0,
    lines: [`${app} rolled back: version ${from} -> ${to}, ${detail.ApplicationStatus}`],
    json: { applicationName: app, fromVersion: from, toVersion: to, status: detail.ApplicationStatus },
  };
}

/**
 * Healthy when the application is RUNNING on one version for the whole window and no health signal
 * fires. An application still starting or updating is waited for (up to the timeout) first.
 */
export async function verify(ctx: Context, windowMs: number): Promise<Outcome> {
  const app = ctx.target.applicationName;
  const periodMs = ctx.target.periodSeconds * 1000;
  if (windowMs < 2 * periodMs) {
    throw new UsageError(
      `--for must cover at least two alarm periods (${minutes(2 * periodMs)} with flink-pipeline:alarms.periodSeconds ${ctx.target.periodSeconds})`,
    );
  }
  const unhealthy = (signals: SignalResult[], statusDetail: string, status: string | undefined): Outcome => ({
    exitCode: 1,
    lines: [
      `${app} UNHEALTHY: ${[statusDetail ? "status" : undefined, ...signals.filter((s) => !s.healthy).map((s) => s.signal)].filter(Boolean).join(", ")}`,
      ...(statusDetail ? [`  FAIL status: ${statusDetail}`] : []),
      ...signals.map(signalLine),
    ],
    json: { applicationName: app, healthy: false, status, statusDetail, signals },
  });

  let detail: ApplicationDetail;
  try {
    detail = await waitFor(ctx, ["RUNNING"], undefined, "verify", true);
  } catch (error) {
    if (!(error instanceof OperationFailed)) throw error;
    return unhealthy([], error.message, undefined);
  }
  const version = detail.ApplicationVersionId;
  const start = new Date(ctx.clock.now());
  const end = start.getTime() + windowMs;
  const problems: string[] = [];
  ctx.progress(`${app}: RUNNING version ${version}; watching for ${minutes(windowMs)}`);
  while (ctx.clock.now() < end) {
    await ctx.clock.sleep(Math.min(ctx.pollMs, end - ctx.clock.now()));
    const now = await describe(ctx);
    const at = new Date(ctx.clock.now()).toISOString().slice(11, 19) + "Z";
    if (now.ApplicationStatus !== "RUNNING") problems.push(`${now.ApplicationStatus} at ${at}`);
    if (now.ApplicationVersionId !== version)
      problems.push(`version ${now.ApplicationVersionId} at ${at} (was ${version})`);
    ctx.progress(
      `${app}: ${minutes(ctx.clock.now() - start.getTime())} of ${minutes(windowMs)}, ${now.ApplicationStatus}, version ${now.ApplicationVersionId}`,
    );
  }
  const signals = await health(ctx, start, new Date(ctx.clock.now()));
  const statusDetail =
    problems.length > 0 ? `not RUNNING on version ${version} throughout: ${problems.join(", ")}` : "";
  if (statusDetail || signals.some((s) => !s.healthy))
    return unhealthy(signals, statusDetail, detail.ApplicationStatus);
  return {
    exitCode: 0,
    lines: [
      `${app} HEALTHY for ${minutes(windowMs)} (version ${version})`,
      "  ok   status: RUNNING throughout",
      ...signals.map(signalLine),
    ],
    json: { applicationName: app, healthy: true, versionId: version, signals },
  };
}
