/**
 * `npm run local`: the stack's data path on this machine, no AWS, no Docker.
 *
 *   npm run --silent local -- [--stack <name>] [--rate N --keys N --seconds N | --events <file.jsonl>] [--drain] [--json]
 *
 * Exit codes: 0 ran; 1 the pipeline failed; 2 bad usage or a missing prerequisite.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AwsEndpoint, callAws } from "./awsJson";
import { Emulator, PROJECT_DIR, PrerequisiteError, startDynamo, startKinesis, startMoto } from "./emulators";
import { generatedLines, putLines, readEventsFile, truthOf } from "./events";
import { LocalKafkaBroker, recordsOf, startKafka } from "./kafka";
import { WrittenClientConfig, writeClientConfigs } from "./moto";
import {
  DROPPED_METRIC,
  JobFailed,
  RunningJob,
  checkJobPrerequisites,
  currentMetricSum,
  ensureRunning,
  waitForPartitionReaders,
  waitForShardConsumers,
} from "./flinkJob";
import { checkJavaPrerequisites, drainRunningTotals, startStackJob } from "./javaJob";
import { LocalPlan, PlanError, localPlan, planDocument } from "./localPlan";
import { ProcessGroup, sleep } from "./processes";
import {
  createStream,
  createTable,
  localPropertyGroups,
  withSourceOverrides,
  writeProperties,
} from "./resources";
import { PlainValue, scanItems } from "./table";

export const USAGE = `Usage: npm run --silent local -- [--stack <name>] [--rate N --keys N --seconds N | --events <file.jsonl>] [--drain] [--json]
  --stack <name>     stack whose offline plan to run locally (default: dev)
  --rate N           generated events per second (default: 10)
  --keys N           distinct keys of the generated events (default: 5)
  --seconds N        how long to generate events (default: 10)
  --events <file>    send the lines of this JSON-lines file as they are, instead of generating
  --drain            wait until every window the input's watermark can close is written (a java stack:
                     until every key's item holds its running total), then stop
  --json             print one JSON document { stack, sent, items, dropped } on stdout
  --help             show this help`;

export class UsageError extends Error {}

export interface LocalArgs {
  stack: string;
  rate: number;
  keys: number;
  seconds: number;
  events?: string;
  drain: boolean;
  json: boolean;
  help: boolean;
}

export function parseArgs(argv: string[]): LocalArgs {
  const args: LocalArgs = {
    stack: "dev",
    rate: 10,
    keys: 5,
    seconds: 10,
    drain: false,
    json: false,
    help: false,
  };
  const generatorFlags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    const positive = () => {
      const text = value();
      if (!/^[1-9][0-9]*$/.test(text))
        throw new UsageError(`${flag} must be a positive whole number (got ${JSON.stringify(text)})`);
      generatorFlags.push(flag);
      return Number(text);
    };
    if (flag === "--stack") {
      args.stack = value();
      if (!/^[A-Za-z0-9_.-]+$/.test(args.stack) || args.stack.startsWith(".")) {
        throw new UsageError(`--stack must be a stack name (got ${JSON.stringify(args.stack)})`);
      }
    } else if (flag === "--rate") args.rate = positive();
    else if (flag === "--keys") args.keys = positive();
    else if (flag === "--seconds") args.seconds = positive();
    else if (flag === "--events") args.events = value();
    else if (flag === "--drain") args.drain = true;
    else if (flag === "--json") args.json = true;
    else if (flag === "--help" || flag === "-h") args.help = true;
    else
      throw new UsageError(
        `unknown option ${JSON.stringify(flag)}; allowed: --stack, --rate, --keys, --seconds, --events, --drain, --json, --help`,
      );
  }
  if (args.events !== undefined && generatorFlags.length > 0) {
    throw new UsageError(
      `--events cannot be combined with ${generatorFlags.join(", ")}: the file is the input`,
    );
  }
  if (args.events !== undefined && !fs.existsSync(args.events))
    throw new UsageError(`--events: no file ${args.events}`);
  return args;
}

/** The emulators, resources and properties of one local pipeline, before the job starts. */
export interface LocalPipeline {
  plan: LocalPlan;
  workDir: string;
  propertiesFile: string;
  kinesis: Emulator;
  dynamodb: Emulator;
}

/** Starts the emulators, creates the plan's stream and table, writes application_properties.json. */
export async function preparePipeline(
  group: ProcessGroup,
  plan: LocalPlan,
  workDir: string,
): Promise<LocalPipeline> {
  if (plan.kind !== "kinesis" || !plan.stream) {
    throw new PlanError(`stack ${plan.stack} reads Kafka: use prepareKafkaPipeline`);
  }
  const [kinesis, dynamodb] = await Promise.all([
    startKinesis(group, plan.region),
    startDynamo(group, plan.region),
  ]);
  await Promise.all([
    createStream(kinesis.endpoint, plan.stream),
    createTable(dynamodb.endpoint, plan.table),
  ]);
  const propertiesFile = path.join(workDir, "application_properties.json");
  writeProperties(
    propertiesFile,
    localPropertyGroups(plan, { kinesis: kinesis.endpoint.url, dynamodb: dynamodb.endpoint.url }),
  );
  return { plan, workDir, propertiesFile, kinesis, dynamodb };
}

/** The broker, Secrets Manager/SSM, table and properties of one local Kafka pipeline, before the job starts. */
export interface KafkaPipeline {
  plan: LocalPlan;
  workDir: string;
  propertiesFile: string;
  kafka: LocalKafkaBroker;
  moto: Emulator;
  dynamodb: Emulator;
  clientConfig: WrittenClientConfig;
}

/**
 * Starts the Kafka broker (with the plan's topics), moto and dynalite, writes the client configs
 * where the plan puts them, creates the table, and writes application_properties.json: the plan's
 * groups with the source's `bootstrap.servers` and `kafka.secret.arn` pointing at the local broker
 * and secret, plus the `endpoints` overrides. No credential goes to the properties file.
 */
export async function prepareKafkaPipeline(
  group: ProcessGroup,
  plan: LocalPlan,
  workDir: string,
): Promise<KafkaPipeline> {
  if (plan.kind !== "confluent" || !plan.kafka)
    throw new PlanError(`stack ${plan.stack} does not read Kafka`);
  const [kafka, moto, dynamodb] = await Promise.all([
    startKafka(group, workDir, plan.kafka.topics),
    startMoto(group, plan.region),
    startDynamo(group, plan.region),
  ]);
  const [clientConfig] = await Promise.all([
    writeClientConfigs(moto.endpoint, plan, kafka),
    createTable(dynamodb.endpoint, plan.table),
  ]);
  const propertiesFile = path.join(workDir, "application_properties.json");
  const groups = withSourceOverrides(plan.propertyGroups, {
    "bootstrap.servers": kafka.bootstrapServers,
    "kafka.secret.arn": clientConfig.secretArn,
  });
  writeProperties(
    propertiesFile,
    localPropertyGroups(
      { ...plan, propertyGroups: groups },
      { dynamodb: dynamodb.endpoint.url, secretsmanager: moto.endpoint.url, ssm: moto.endpoint.url },
    ),
  );
  return { plan, workDir, propertiesFile, kafka, moto, dynamodb, clientConfig };
}

export function jobProperty(plan: LocalPlan, group: string, name: string, fallback: number): number {
  const value = plan.propertyGroups.find((candidate) => candidate.PropertyGroupId === group)?.PropertyMap[
    name
  ];
  return value === undefined ? fallback : Number(value);
}

/** The job's default watermark delay: DEFAULT_WATERMARK_DELAY_SECONDS in app/main.py (one source of truth). */
export function defaultWatermarkDelaySeconds(mainPy = path.join(PROJECT_DIR, "app", "main.py")): number {
  const match = /^DEFAULT_WATERMARK_DELAY_SECONDS = (\d+)$/m.exec(fs.readFileSync(mainPy, "utf8"));
  if (!match) throw new Error(`${mainPy} defines no DEFAULT_WATERMARK_DELAY_SECONDS`);
  return Number(match[1]);
}

/** The job's window size and watermark delay, as its properties set them (else the job's defaults). */
export function windowing(plan: LocalPlan): { windowSeconds: number; delaySeconds: number } {
  return {
    windowSeconds: jobProperty(plan, "job", "window.seconds", 60),
    delaySeconds: jobProperty(plan, "job", "watermark.delay.seconds", defaultWatermarkDelaySeconds()),
  };
}

/** How many items the job has written, for the progress line. */
async function writtenItems(dynamodb: AwsEndpoint, table: string): Promise<number> {
  return (
    await callAws(dynamodb, "dynamodb", "Scan", { TableName: table, Select: "COUNT", ConsistentRead: true })
  ).Count;
}

export const DRAIN_TIMEOUT_MS = 120_000;

async function run(args: LocalArgs, group: ProcessGroup, log: (line: string) => void): Promise<object> {
  const workDir = group.logDir;
  log(`local run of stack ${args.stack}: logs, properties and checkpoints in ${workDir}`);
  const plan = localPlan(await planDocument(args.stack));
  if (plan.language === "java") checkJavaPrerequisites();
  else checkJobPrerequisites();
  const settings = {
    parallelism: 1,
    checkpointIntervalMs: 10_000,
    checkpointDir: path.join(workDir, "checkpoints"),
  };
  let dynamodb: AwsEndpoint;
  let propertiesFile: string;
  let send: (batch: string[], firstIndex: number) => Promise<void>;
  let job: RunningJob;
  if (plan.kind === "kinesis") {
    const pipeline = await preparePipeline(group, plan, workDir);
    log(
      `stream ${plan.stream!.name} (${plan.stream!.shardCount} shards) and table ${plan.table.name} created`,
    );
    ({ propertiesFile } = pipeline);
    dynamodb = pipeline.dynamodb.endpoint;
    send = (batch, firstIndex) => putLines(pipeline.kinesis.endpoint, plan.stream!.arn, batch, firstIndex);
    job = await startStackJob(plan, group, { workDir, propertiesFile, region: plan.region, settings });
    log(`Flink job ${job.jobId} running (REST ${job.restUrl}); waiting for it to read every shard`);
    await waitForShardConsumers(job, plan.stream!.shardCount);
  } else {
    const pipeline = await prepareKafkaPipeline(group, plan, workDir);
    const [topic] = pipeline.kafka.topics;
    log(
      `Kafka broker ${pipeline.kafka.bootstrapServers} (topic ${topic.name}, ${topic.partitions} partitions), ` +
        `client configs in Secrets Manager/SSM ${pipeline.moto.endpoint.url}, table ${plan.table.name} created`,
    );
    ({ propertiesFile } = pipeline);
    dynamodb = pipeline.dynamodb.endpoint;
    send = (batch, firstIndex) =>
      pipeline.kafka.producer.send(recordsOf(batch, topic.partitions, firstIndex));
    job = await startStackJob(plan, group, { workDir, propertiesFile, region: plan.region, settings });
    log(`Flink job ${job.jobId} running (REST ${job.restUrl}); waiting for it to read every partition`);
    await waitForPartitionReaders(job, topic.partitions);
  }

  const lines = args.events
    ? readEventsFile(args.events)
    : generatedLines({ rate: args.rate, keys: args.keys, seconds: args.seconds, startMs: Date.now() });
  // Generated events go out at their rate, one second's worth at a time; a file's lines all at once.
  const perStep = args.events ? lines.length : args.rate;
  let sent = 0;
  while (sent < lines.length) {
    const batch = lines.slice(sent, sent + perStep);
    const stepStart = Date.now();
    await send(batch, sent);
    sent += batch.length;
    await ensureRunning(job);
    const items = await writtenItems(dynamodb, plan.table.name);
    log(`sent ${sent}/${lines.length}, items written ${items}`);
    if (!args.events) await sleep(Math.max(0, 1000 - (Date.now() - stepStart)));
  }

  if (args.drain && plan.language === "java") {
    await drainRunningTotals(job, dynamodb, plan, lines, log);
  } else if (args.drain) {
    const { windowSeconds, delaySeconds } = windowing(plan);
    const truth = truthOf(lines, windowSeconds, delaySeconds);
    const expectedEvents = [...truth.counts.values()].reduce((sum, count) => sum + count, 0);
    log(
      `draining: waiting for the ${truth.counts.size} items (${expectedEvents} events) of the windows the input's watermark closes`,
    );
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    for (;;) {
      await ensureRunning(job);
      // A late record rewrites its window's item with a larger count: items alone are not enough.
      const items = await scanItems(dynamodb, plan.table.name);
      const counted = items.reduce((sum, item) => sum + Number(item.count ?? 0), 0);
      if (items.length >= truth.counts.size && counted >= expectedEvents) break;
      if (Date.now() > deadline)
        throw new JobFailed(
          `drain: ${items.length} of ${truth.counts.size} items, ${counted} of ${expectedEvents} events counted after ${DRAIN_TIMEOUT_MS / 1000} s`,
        );
      await sleep(500);
    }
  }
  const dropped = await currentMetricSum(job, DROPPED_METRIC);
  const items: { [name: string]: PlainValue }[] = await scanItems(dynamodb, plan.table.name);
  return { stack: plan.stack, sent, items, dropped };
}

export async function main(argv: string[]): Promise<number> {
  let args: LocalArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const group = new ProcessGroup(fs.mkdtempSync(path.join(os.tmpdir(), "flink-local-")));
  const interrupted = new Promise<number>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        process.stderr.write(`${signal}: stopping every process this run started\n`);
        resolve(130);
      });
    }
  });
  process.once("exit", () => group.killAllNow());
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const outcome = await Promise.race([run(args, group, log), interrupted]);
    if (typeof outcome === "number") return outcome;
    const document = outcome as { items: object[] };
    if (args.json) process.stdout.write(`${JSON.stringify(document)}\n`);
    else {
      process.stdout.write(`${document.items.length} items:\n`);
      for (const item of document.items) process.stdout.write(`${JSON.stringify(item)}\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return error instanceof PrerequisiteError || error instanceof PlanError || error instanceof UsageError
      ? 2
      : 1;
  } finally {
    await group.stopAll();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
