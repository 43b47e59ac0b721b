/**
 * The local stand-in for Confluent Cloud of a `kind: confluent` stack: an Apache Kafka broker
 * (org.apache.kafka:kafka_2.13 from Maven Central, fetched by tools/setup-runtime.sh into
 * tools/local/kafka/target/lib/) in KRaft mode, one SASL_PLAINTEXT listener with mechanism PLAIN on
 * a free port of 127.0.0.1, and a producer helper (tools/local/kafka/LocalKafka.java, run from source
 * with the broker's kafka-clients) that creates the plan's topics and sends the run's records.
 *
 * Confluent Cloud listens on SASL_SSL; locally there is no TLS: the consumer parameters the runner
 * writes to SSM say SASL_PLAINTEXT instead (see {@link LOCAL_CONSUMER_OVERRIDES}).
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR, PrerequisiteError, SETUP_HINT, START_TIMEOUT_MS } from "./emulators";
import { validEvent } from "./events";
import { Child, ProcessGroup, freePort, waitUntil } from "./processes";

export const KAFKA_DIR = path.join(PROJECT_DIR, "tools", "local", "kafka");
export const KAFKA_LIB = path.join(KAFKA_DIR, "target", "lib");
const HELPER = path.join(KAFKA_DIR, "LocalKafka.java");

/** Consumer settings a local run changes: the broker has no TLS listener. */
export const LOCAL_CONSUMER_OVERRIDES: Record<string, string> = { "security.protocol": "SASL_PLAINTEXT" };

/** A PLAIN user of the local broker. The password is random per run and never written to the job's properties. */
export interface KafkaUser {
  username: string;
  password: string;
}

export function jaasConfig(user: KafkaUser): string {
  return `org.apache.kafka.common.security.plain.PlainLoginModule required username='${user.username}' password='${user.password}';`;
}

export interface Topic {
  name: string;
  partitions: number;
}

export interface KafkaRecord {
  partition: number;
  key: string;
  value: string;
}

/** The running broker, the user the job logs in as, and the producer helper. */
export interface LocalKafkaBroker {
  broker: Child;
  bootstrapServers: string;
  jobUser: KafkaUser;
  topics: Topic[];
  producer: KafkaProducer;
}

function randomSecret(): string {
  return crypto.randomBytes(18).toString("base64url");
}

function checkKafkaPrerequisites(): void {
  try {
    execFileSync("java", ["-version"], { stdio: "ignore" });
  } catch {
    throw new PrerequisiteError(
      "java not found: the local Kafka broker needs JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)",
    );
  }
  if (!fs.existsSync(KAFKA_LIB) || !fs.readdirSync(KAFKA_LIB).some((name) => name.startsWith("kafka_2.13-")))
    throw new PrerequisiteError(
      `${path.relative(PROJECT_DIR, KAFKA_LIB)} has no Kafka broker: ${SETUP_HINT}`,
    );
}

/** server.properties of a single-node KRaft broker+controller; the broker's JAAS holds its users. */
export function brokerProperties(options: {
  port: number;
  controllerPort: number;
  dataDir: string;
  users: KafkaUser[];
}): string {
  const users = options.users.map((user) => `user_${user.username}="${user.password}"`).join(" ");
  const [admin] = options.users;
  return (
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${options.controllerPort}`,
      `listeners=SASL_PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${options.controllerPort}`,
      `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${options.port}`,
      "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
      "controller.listener.names=CONTROLLER",
      "inter.broker.listener.name=SASL_PLAINTEXT",
      "sasl.enabled.mechanisms=PLAIN",
      "sasl.mechanism.inter.broker.protocol=PLAIN",
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${admin.username}" password="${admin.password}" ${users};`,
      `log.dirs=${options.dataDir}`,
      "auto.create.topics.enable=false",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=1",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "share.coordinator.state.topic.replication.factor=1",
      "group.initial.rebalance.delay.ms=0",
    ].join("\n") + "\n"
  );
}

/** Client settings of the runner's own admin/producer connection. */
function clientProperties(bootstrapServers: string, user: KafkaUser): string {
  return (
    [
      `bootstrap.servers=${bootstrapServers}`,
      "security.protocol=SASL_PLAINTEXT",
      "sasl.mechanism=PLAIN",
      `sasl.jaas.config=${jaasConfig(user).replace(/\\/g, "\\\\")}`,
    ].join("\n") + "\n"
  );
}

const CLASSPATH = () => `${KAFKA_LIB}/*`;

/** Formats the storage, starts the broker, creates `topics` and starts the producer helper. */
export async function startKafka(
  group: ProcessGroup,
  workDir: string,
  topics: Topic[],
): Promise<LocalKafkaBroker> {
  checkKafkaPrerequisites();
  if (topics.length === 0) throw new PrerequisiteError("the plan declares no topic the job reads");
  const dir = path.join(workDir, "kafka");
  fs.mkdirSync(dir, { recursive: true });
  const [port, controllerPort] = [await freePort(), await freePort()];
  const admin: KafkaUser = { username: "local-admin", password: randomSecret() };
  const jobUser: KafkaUser = { username: "flink-local", password: randomSecret() };
  const serverProperties = path.join(dir, "server.properties");
  fs.writeFileSync(
    serverProperties,
    brokerProperties({ port, controllerPort, dataDir: path.join(dir, "data"), users: [admin, jobUser] }),
    { mode: 0o600 },
  );
  const clusterId = crypto.randomBytes(16).toString("base64url");
  const format = group.start("kafka-format", "java", [
    "-cp",
    CLASSPATH(),
    "kafka.tools.StorageTool",
    "format",
    "-t",
    clusterId,
    "-c",
    serverProperties,
  ]);
  const formatted = await format.exited;
  if (formatted !== 0) throw new Error(`Kafka storage format exited (${formatted}); see ${format.logFile}`);
  await group.stop(format);

  const broker = group.start("kafka", "java", [
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-cp",
    CLASSPATH(),
    "kafka.Kafka",
    serverProperties,
  ]);
  const bootstrapServers = `127.0.0.1:${port}`;
  const clientFile = path.join(dir, "client.properties");
  fs.writeFileSync(clientFile, clientProperties(bootstrapServers, admin), { mode: 0o600 });
  const helper = group.start(
    "kafka-producer",
    "java",
    [
      "-Xmx128m",
      "-XX:+UseSerialGC",
      "-cp",
      CLASSPATH(),
      HELPER,
      clientFile,
      ...topics.map((topic) => `${topic.name}:${topic.partitions}`),
    ],
    { pipe: true },
  );
  const producer = new KafkaProducer(helper);
  await waitUntil("Kafka broker and topics", async () => producer.ready, START_TIMEOUT_MS * 2, helper);
  return { broker, bootstrapServers, jobUser, topics, producer };
}

/** The helper's stdin/stdout protocol (LocalKafka.java). */
export class KafkaProducer {
  ready = false;
  private buffered = "";
  private waiting: ((line: string) => void)[] = [];

  constructor(private readonly child: Child) {
    child.process.stdout!.setEncoding("utf8");
    child.process.stdout!.on("data", (data: string) => {
      this.buffered += data;
      let newline: number;
      while ((newline = this.buffered.indexOf("\n")) >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        if (line === "ready") this.ready = true;
        else this.waiting.shift()?.(line);
      }
    });
  }

  /** Sends `records` to the first topic and resolves once the broker acknowledged every one. */
  async send(records: KafkaRecord[]): Promise<void> {
    const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
    const text = records
      .map((record) => `${record.partition} ${b64(record.key)} ${b64(record.value)}\n`)
      .join("");
    const answer = new Promise<string>((resolve, reject) => {
      this.waiting.push(resolve);
      this.child.exited.then((code) =>
        reject(new Error(`the Kafka producer exited (${code}); see ${this.child.logFile}`)),
      );
    });
    this.child.process.stdin!.write(`${text}flush\n`);
    const line = await answer;
    if (!line.startsWith("flushed ")) throw new Error(`the Kafka producer answered ${JSON.stringify(line)}`);
  }
}

/**
 * The records of `lines`: partitions in turn (line index modulo the partition count), so every
 * partition's watermark moves on with the input; the record key is the event's key when it has one.
 */
export function recordsOf(lines: string[], partitions: number, firstIndex = 0): KafkaRecord[] {
  return lines.map((line, offset) => ({
    partition: (firstIndex + offset) % partitions,
    key: validEvent(line)?.key ?? `line-${firstIndex + offset}`,
    value: line,
  }));
}
