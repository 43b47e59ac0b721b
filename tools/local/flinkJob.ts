/**
 * The job in a local Flink mini-cluster: the venv's python running app/main.py (IS_LOCAL=true) with
 * the runner's properties file, and a Flink configuration directory (FLINK_CONF_DIR) that decides
 * parallelism, checkpointing and where a restore starts from. Progress and the dropped-record count
 * come from Flink's REST API, whose port the mini-cluster picks and logs.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { LOCAL_CREDENTIALS, PROJECT_DIR, PrerequisiteError, SETUP_HINT, VENV_DIR } from "./emulators";
import { Child, ProcessGroup, sleep, waitUntil } from "./processes";

export const PYTHON = path.join(VENV_DIR, "bin", "python");
export const MAIN_PY = path.join(PROJECT_DIR, "app", "main.py");
export const DEPENDENCIES_JAR = path.join(PROJECT_DIR, "app", "lib", "pyflink-dependencies.jar");
export const JOB_START_TIMEOUT_MS = 180_000;
/** Metric ids (as the REST API names them) of the job's dropped-record counter and Flink's late drops. */
export const DROPPED_METRIC = "kinesisanalytics.droppedRecords";
export const LATE_METRIC = "numLateRecordsDropped";
/** How often the mini-cluster's REST API fetches metrics from the task managers (ms). */
export const METRICS_FETCH_MS = 1000;

/** Names what is missing, with how to install it: exit code 2 before anything starts. */
export function checkJobPrerequisites(): void {
  for (const file of [PYTHON, DEPENDENCIES_JAR]) {
    if (!fs.existsSync(file))
      throw new PrerequisiteError(`${path.relative(PROJECT_DIR, file)} not found: ${SETUP_HINT}`);
  }
}

export interface JobSettings {
  parallelism: number;
  checkpointIntervalMs: number;
  checkpointDir: string;
  /** A retained checkpoint or savepoint to start from. @default none: a fresh start */
  restoreFrom?: string;
}

/** Flink's config.yaml for the mini-cluster (flat keys, as Flink 1.20 reads them). */
export function flinkConfig(settings: JobSettings): Record<string, string | number> {
  return {
    "rest.address": "127.0.0.1",
    "rest.bind-address": "127.0.0.1",
    // The REST API serves metrics as last fetched: fetch every second rather than every 10 s.
    "metrics.fetcher.update-interval": METRICS_FETCH_MS,
    "parallelism.default": settings.parallelism,
    "taskmanager.numberOfTaskSlots": settings.parallelism,
    "execution.checkpointing.interval": `${settings.checkpointIntervalMs} ms`,
    "state.checkpoints.dir": `file://${settings.checkpointDir}`,
    "execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
    ...(settings.restoreFrom ? { "execution.savepoint.path": `file://${settings.restoreFrom}` } : {}),
  };
}

/**
 * Writes FLINK_CONF_DIR: PyFlink's own log4j files, and our config.yaml with the JVM options of
 * PyFlink's (the `--add-opens` Java 17 needs for `pipeline.jars`).
 */
export function writeConfDir(dir: string, settings: JobSettings): void {
  fs.mkdirSync(dir, { recursive: true });
  const pyflinkConf = fs
    .readdirSync(path.join(VENV_DIR, "lib"))
    .map((version) => path.join(VENV_DIR, "lib", version, "site-packages", "pyflink", "conf"))
    .find((candidate) => fs.existsSync(candidate));
  if (!pyflinkConf) throw new PrerequisiteError(`PyFlink is not installed in .venv/: ${SETUP_HINT}`);
  for (const file of fs.readdirSync(pyflinkConf).filter((name) => name.startsWith("log4j"))) {
    fs.copyFileSync(path.join(pyflinkConf, file), path.join(dir, file));
  }
  const defaults = YAML.parse(fs.readFileSync(path.join(pyflinkConf, "config.yaml"), "utf8"));
  const javaOptions: string | undefined = defaults?.env?.java?.opts?.all;
  const config = { ...(javaOptions ? { "env.java.opts.all": javaOptions } : {}), ...flinkConfig(settings) };
  const yaml = Object.entries(config)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join("\n");
  fs.writeFileSync(path.join(dir, "config.yaml"), yaml + "\n");
}

/** The newest retained checkpoint (a `chk-N` folder holding `_metadata`) under `checkpointDir`. */
export function latestCheckpoint(checkpointDir: string): string | undefined {
  let best: { n: number; dir: string } | undefined;
  if (!fs.existsSync(checkpointDir)) return undefined;
  for (const job of fs.readdirSync(checkpointDir)) {
    const jobDir = path.join(checkpointDir, job);
    if (!fs.statSync(jobDir).isDirectory()) continue;
    for (const entry of fs.readdirSync(jobDir)) {
      const match = /^chk-(\d+)$/.exec(entry);
      const dir = path.join(jobDir, entry);
      if (match && fs.existsSync(path.join(dir, "_metadata")) && (!best || Number(match[1]) > best.n)) {
        best = { n: Number(match[1]), dir };
      }
    }
  }
  return best?.dir;
}

export interface RunningJob {
  child: Child;
  restUrl: string;
  jobId: string;
}

const REST_LINE = /Rest endpoint listening at [^:\s]+:(\d+)/;

function restPortFromLogs(logDir: string): number | undefined {
  if (!fs.existsSync(logDir)) return undefined;
  for (const file of fs.readdirSync(logDir)) {
    const match = REST_LINE.exec(fs.readFileSync(path.join(logDir, file), "utf8"));
    if (match) return Number(match[1]);
  }
  return undefined;
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** Starts the job and waits until Flink reports it RUNNING. */
export async function startJob(
  group: ProcessGroup,
  options: { workDir: string; propertiesFile: string; settings: JobSettings; region: string; name?: string },
): Promise<RunningJob> {
  const confDir = path.join(options.workDir, "flink-conf");
  const logDir = path.join(options.workDir, `flink-log-${Date.now()}`);
  fs.mkdirSync(logDir, { recursive: true });
  writeConfDir(confDir, options.settings);
  const child = group.start(options.name ?? "job", PYTHON, [MAIN_PY], {
    cwd: PROJECT_DIR,
    env: {
      ...process.env,
      IS_LOCAL: "true",
      APPLICATION_PROPERTIES: options.propertiesFile,
      FLINK_CONF_DIR: confDir,
      // The mini-cluster takes the job's settings from the table config, which main.py fills from this.
      FLINK_LOCAL_CONFIG: JSON.stringify(flinkConfig(options.settings)),
      FLINK_LOG_DIR: logDir,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
    },
  });
  return restJob(child, logDir, JOB_START_TIMEOUT_MS);
}

/** Waits until the mini-cluster that `child` runs logs its REST port (in `logDir`) and reports a job RUNNING. */
export async function restJob(child: Child, logDir: string, timeoutMs: number): Promise<RunningJob> {
  let restUrl = "";
  let jobId = "";
  await waitUntil(
    "Flink job",
    async () => {
      const port = restPortFromLogs(logDir);
      if (port === undefined) return false;
      restUrl = `http://127.0.0.1:${port}`;
      const jobs = (await getJson(`${restUrl}/jobs/overview`)).jobs as { jid: string; state: string }[];
      const running = jobs.find((job) => job.state === "RUNNING");
      if (running) jobId = running.jid;
      return running !== undefined;
    },
    timeoutMs,
    child,
  );
  return { child, restUrl, jobId };
}

/** Sum over every vertex and subtask of the metrics whose id ends with `suffix`. */
export async function metricSum(job: RunningJob, suffix: string): Promise<number> {
  return metricSumWhere(job, (id) => id.endsWith(suffix));
}

/** The ids of every vertex's subtask metrics, by the URL that serves their values. */
async function metricIds(job: RunningJob): Promise<{ url: string; ids: string[] }[]> {
  const { vertices } = await getJson(`${job.restUrl}/jobs/${job.jobId}`);
  const result = [];
  for (const vertex of vertices as { id: string }[]) {
    const url = `${job.restUrl}/jobs/${job.jobId}/vertices/${vertex.id}/subtasks/metrics`;
    result.push({ url, ids: ((await getJson(url)) as { id: string }[]).map((metric) => metric.id) });
  }
  return result;
}

/** Sum over every vertex and subtask of the metrics whose id `select` accepts. */
export async function metricSumWhere(job: RunningJob, select: (id: string) => boolean): Promise<number> {
  let total = 0;
  for (const { url, ids } of await metricIds(job)) {
    const selected = ids.filter(select);
    if (selected.length === 0) continue;
    const values = (await getJson(`${url}?get=${selected.map(encodeURIComponent).join(",")}&agg=sum`)) as {
      sum: number;
    }[];
    total += values.reduce((sum, metric) => sum + Number(metric.sum), 0);
  }
  return total;
}

/**
 * {@link metricSum} as of now: the REST API answers from its last fetch and starts a new one when
 * that is older than {@link METRICS_FETCH_MS}, so ask, wait for that fetch, and ask again.
 */
export async function currentMetricSum(job: RunningJob, suffix: string): Promise<number> {
  await metricSum(job, suffix);
  await sleep(2 * METRICS_FETCH_MS);
  return metricSum(job, suffix);
}

/**
 * Throws JobFailed if the job process has exited by itself, or if the job has failed once: Flink
 * then restarts it in the same process and, when the failure is in the data, re-reads the same
 * records forever, a crash loop no exit would show.
 */
export async function ensureRunning(job: RunningJob): Promise<void> {
  const exited = await Promise.race([job.child.exited.then(() => true), sleep(0).then(() => false)]);
  if (exited) throw new JobFailed(`the Flink job exited; see ${job.child.logFile}`);
  const failure = firstFailure(await getJson(`${job.restUrl}/jobs/${job.jobId}/exceptions?maxExceptions=1`));
  if (failure)
    throw new JobFailed(`the Flink job failed and restarted (${failure}); see ${job.child.logFile}`);
}

/** The first line of the job's first failure in Flink's exception history, if it has failed. */
export function firstFailure(exceptions: {
  exceptionHistory?: { entries?: { exceptionName?: string; stacktrace?: string }[] };
}): string | undefined {
  const entry = exceptions.exceptionHistory?.entries?.[0];
  if (!entry) return undefined;
  return (entry.stacktrace ?? entry.exceptionName ?? "unknown failure").split("\n")[0].trim();
}

/** The pipeline failed (exit code 1). */
export class JobFailed extends Error {}

/** How many checkpoints the job has completed so far. */
export async function completedCheckpoints(job: RunningJob): Promise<number> {
  return (await getJson(`${job.restUrl}/jobs/${job.jobId}/checkpoints`)).counts.completed;
}

/**
 * Waits until the job's metrics name `count` distinct readers: the first capture group of
 * `reader` over every metric id. A source registers a reader's metrics once it reads; records put
 * before that are not read from LATEST (or `latest`).
 */
async function waitForReaders(
  job: RunningJob,
  what: string,
  reader: RegExp,
  count: number,
  timeoutMs: number,
): Promise<void> {
  await waitUntil(
    what,
    async () => {
      const reading = new Set<string>();
      for (const { ids } of await metricIds(job)) {
        for (const id of ids) {
          const match = reader.exec(id);
          if (match) reading.add(match[1]);
        }
      }
      return reading.size >= count;
    },
    timeoutMs,
    job.child,
  );
}

/** Waits until the Kinesis source reads every shard (the legacy consumer's `millisBehindLatest` per shard). */
export async function waitForShardConsumers(
  job: RunningJob,
  shards: number,
  timeoutMs = JOB_START_TIMEOUT_MS,
) {
  await waitForReaders(
    job,
    "Kinesis shard consumers",
    /shardId\.([^.]+)\.millisBehindLatest$/,
    shards,
    timeoutMs,
  );
}

/** Waits until the Kafka source reads every partition (its reader's `currentOffset` per partition). */
export async function waitForPartitionReaders(
  job: RunningJob,
  partitions: number,
  timeoutMs = JOB_START_TIMEOUT_MS,
) {
  await waitForReaders(
    job,
    "Kafka partition readers",
    /KafkaSourceReader\.topic\.(.+\.partition\.\d+)\.currentOffset$/,
    partitions,
    timeoutMs,
  );
}

/**
 * Takes a checkpoint now (Flink 1.19+: POST /jobs/<id>/checkpoints) and waits until it completes;
 * returns its id. A test that stops the job right after knows which checkpoint a restore starts from.
 */
export async function triggerCheckpoint(job: RunningJob, timeoutMs = 120_000): Promise<number> {
  const before = await completedCheckpoints(job);
  const response = await fetch(`${job.restUrl}/jobs/${job.jobId}/checkpoints`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ checkpointType: "FULL" }),
  });
  if (!response.ok)
    throw new Error(`triggering a checkpoint: HTTP ${response.status} ${await response.text()}`);
  let id = 0;
  await waitUntil(
    "checkpoint",
    async () => {
      const stats = await getJson(`${job.restUrl}/jobs/${job.jobId}/checkpoints`);
      if (stats.counts.failed > 0 && stats.latest?.failed) {
        throw new JobFailed(`checkpoint failed: ${stats.latest.failed.failure_message}`);
      }
      id = stats.latest?.completed?.id ?? 0;
      return stats.counts.completed > before;
    },
    timeoutMs,
    job.child,
  );
  return id;
}

/** The checkpoint or savepoint the job was restored from (its path), or undefined for a fresh start. */
export async function restoredFrom(job: RunningJob): Promise<string | undefined> {
  const restored = (await getJson(`${job.restUrl}/jobs/${job.jobId}/checkpoints`)).latest?.restored;
  return restored?.external_path;
}
