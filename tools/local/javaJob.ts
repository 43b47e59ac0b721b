/**
 * The Java job (app-java/, `flink.language: java`) in a local Flink mini-cluster: Flink's own
 * command line (`CliFrontend run --target local`) on the Flink 1.20 runtime PyFlink ships in
 * .venv/, running the jar `npm run build:java` writes. The same FLINK_CONF_DIR as the PyFlink job
 * (parallelism, checkpoints, a restore path, REST on 127.0.0.1 at a port the mini-cluster picks and
 * logs), so progress, the REST port and `droppedRecords` are read the same way.
 *
 * Which launcher a stack gets follows its plan ({@link LocalPlan.language}), never its name.
 */
import * as fs from "fs";
import * as path from "path";
import { LOCAL_CREDENTIALS, PROJECT_DIR, PrerequisiteError, SETUP_HINT, VENV_DIR } from "./emulators";
import { AwsEndpoint } from "./awsJson";
import {
  JOB_START_TIMEOUT_MS,
  JobFailed,
  JobSettings,
  RunningJob,
  ensureRunning,
  restJob,
  startJob,
  writeConfDir,
} from "./flinkJob";
import { LocalPlan } from "./localPlan";
import { ProcessGroup, sleep } from "./processes";
import { scanItems } from "./table";

export const JAVA_JAR = path.join(PROJECT_DIR, "app-java", "target", "flink-pipeline-java.jar");
export const JAVA_MAIN_CLASS = "flinkpipeline.RunningTotalsJob";
/** DynamoDB's partition key limit, which the Java job enforces (app-java/README.md, "Input and output"). */
export const JAVA_MAX_KEY_BYTES = 2048;

/** PyFlink's Flink distribution: lib/ (flink-dist and friends) and conf/ (log4j, JVM options). */
function pyflinkDir(): string | undefined {
  const libDir = path.join(VENV_DIR, "lib");
  if (!fs.existsSync(libDir)) return undefined;
  return fs
    .readdirSync(libDir)
    .map((version) => path.join(libDir, version, "site-packages", "pyflink"))
    .find((candidate) => fs.existsSync(path.join(candidate, "lib")));
}

/** Names what the Java launch is missing, with how to get it: exit code 2 before anything starts. */
export function checkJavaPrerequisites(): void {
  if (!fs.existsSync(JAVA_JAR))
    throw new PrerequisiteError(
      `${path.relative(PROJECT_DIR, JAVA_JAR)} not found: run \`npm run build:java\` (JDK 17 and Maven)`,
    );
  if (!pyflinkDir())
    throw new PrerequisiteError(`the Flink runtime of .venv/ (PyFlink) not found: ${SETUP_HINT}`);
}

/**
 * The line that runs the jar: `java <PyFlink's JVM options> -cp <pyflink/lib/*>
 * CliFrontend run --target local --class <main> <jar>`; the job's own classes come from the jar.
 */
export function javaCommand(confDir: string, logDir: string): { command: string; args: string[] } {
  const pyflink = pyflinkDir();
  if (!pyflink) throw new PrerequisiteError(`the Flink runtime of .venv/ (PyFlink) not found: ${SETUP_HINT}`);
  const config = fs.readFileSync(path.join(confDir, "config.yaml"), "utf8");
  const options = /^env\.java\.opts\.all: (.*)$/m.exec(config);
  const jvmOptions: string[] = options ? (JSON.parse(options[1]) as string).split(/\s+/).filter(Boolean) : [];
  return {
    command: process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java",
    args: [
      ...jvmOptions,
      `-Dlog.file=${path.join(logDir, "flink-java-job.log")}`,
      `-Dlog4j.configurationFile=file:${path.join(confDir, "log4j.properties")}`,
      "-cp",
      path.join(pyflink, "lib", "*"),
      "org.apache.flink.client.cli.CliFrontend",
      "run",
      "--target",
      "local",
      "--class",
      JAVA_MAIN_CLASS,
      JAVA_JAR,
    ],
  };
}

/** Starts the Java job and waits until Flink reports it RUNNING. */
export async function startJavaJob(
  group: ProcessGroup,
  options: { workDir: string; propertiesFile: string; settings: JobSettings; region: string; name?: string },
): Promise<RunningJob> {
  checkJavaPrerequisites();
  const confDir = path.join(options.workDir, "flink-conf");
  const logDir = path.join(options.workDir, `flink-log-${Date.now()}`);
  fs.mkdirSync(logDir, { recursive: true });
  writeConfDir(confDir, options.settings);
  const { command, args } = javaCommand(confDir, logDir);
  const child = group.start(options.name ?? "job", command, args, {
    cwd: PROJECT_DIR,
    env: {
      ...process.env,
      IS_LOCAL: "true",
      APPLICATION_PROPERTIES: options.propertiesFile,
      FLINK_CONF_DIR: confDir,
      FLINK_LOG_DIR: logDir,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
    },
  });
  return restJob(child, logDir, JOB_START_TIMEOUT_MS);
}

/** The stack's job, by its plan's language: app/main.py under PyFlink or the app-java jar. */
export function startStackJob(
  plan: LocalPlan,
  group: ProcessGroup,
  options: { workDir: string; propertiesFile: string; settings: JobSettings; region: string; name?: string },
): Promise<RunningJob> {
  return plan.language === "java" ? startJavaJob(group, options) : startJob(group, options);
}

/** The key the Java job counts a line under, or undefined when it drops (and counts) the line. */
export function javaEventKey(line: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const key = (value as Record<string, unknown>).key;
  if (typeof key !== "string" || key === "" || Buffer.byteLength(key, "utf8") > JAVA_MAX_KEY_BYTES)
    return undefined;
  return key;
}

/** The Java job's ground truth: per key, the number of lines it counts (its running total). */
export function runningTotals(lines: string[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines) {
    const key = javaEventKey(line);
    if (key !== undefined) totals.set(key, (totals.get(key) ?? 0) + 1);
  }
  return totals;
}

/** Per key, the `count` of the Java job's item in the table. */
export async function tableTotals(dynamodb: AwsEndpoint, plan: LocalPlan): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const item of await scanItems(dynamodb, plan.table.name)) {
    totals.set(item[plan.table.partitionKey] as string, item.count as number);
  }
  return totals;
}

/** The job's `flush.seconds` (its default: 60): the longest an event waits before its key's item shows it. */
export function flushSeconds(plan: LocalPlan): number {
  const value = plan.propertyGroups.find((group) => group.PropertyGroupId === "job")?.PropertyMap[
    "flush.seconds"
  ];
  return value === undefined ? 60 : Number(value);
}

/**
 * `--drain` for running totals: waits until every key's item holds exactly its total of `lines`
 * (a key is flushed at most `flush.seconds` after its latest event). A total above the truth, or the
 * timeout (`flush.seconds` plus `marginMs`), fails the run.
 */
export async function drainRunningTotals(
  job: RunningJob,
  dynamodb: AwsEndpoint,
  plan: LocalPlan,
  lines: string[],
  log: (line: string) => void,
  marginMs = 60_000,
): Promise<void> {
  const expected = runningTotals(lines);
  const timeoutMs = flushSeconds(plan) * 1000 + marginMs;
  log(
    `draining: waiting for the running totals of ${expected.size} keys (flush.seconds ${flushSeconds(plan)})`,
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await ensureRunning(job);
    const totals = await tableTotals(dynamodb, plan);
    const over = [...expected].filter(([key, total]) => (totals.get(key) ?? 0) > total);
    if (over.length > 0)
      throw new JobFailed(
        `drain: key ${JSON.stringify(over[0][0])} holds ${totals.get(over[0][0])}, sent ${over[0][1]}`,
      );
    const done = [...expected].filter(([key, total]) => totals.get(key) === total).length;
    if (done === expected.size) return;
    if (Date.now() > deadline)
      throw new JobFailed(
        `drain: ${done} of ${expected.size} keys at their total after ${timeoutMs / 1000} s`,
      );
    await sleep(500);
  }
}
