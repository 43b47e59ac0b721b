/**
 * The kafka-dev stack's data path end to end: a local Kafka broker (KRaft, SASL_PLAINTEXT/PLAIN)
 * holding the plan's topic, the client configs in moto's Secrets Manager and SSM where the plan puts
 * them, the job reading them through the `endpoints` overrides as it does on AWS, and its counts
 * in dynalite checked against the truth computed from the records sent.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { callAws } from "../../tools/local/awsJson";
import { KafkaPipeline, prepareKafkaPipeline } from "../../tools/local/cli";
import { LOCAL_CONSUMER_OVERRIDES, recordsOf } from "../../tools/local/kafka";
import { sourceProperty } from "../../tools/local/moto";
import {
  DROPPED_METRIC,
  RunningJob,
  ensureRunning,
  metricSum,
  startJob,
  waitForPartitionReaders,
} from "../../tools/local/flinkJob";
import { ProcessGroup, sleep } from "../../tools/local/processes";
import { scanItems } from "../../tools/local/table";
import { countsOf, eventLines, planOf, remainingProcesses, truthFor } from "./helpers";

describe("local pipeline (kafka-dev stack): Kafka broker, client configs on moto, exact counts", function () {
  this.timeout(600_000);
  let group: ProcessGroup;
  let pipeline: KafkaPipeline;
  let job: RunningJob;

  before(async function () {
    this.timeout(400_000);
    group = new ProcessGroup(fs.mkdtempSync(path.join(os.tmpdir(), "flink-local-test-")));
    pipeline = await prepareKafkaPipeline(group, await planOf("kafka-dev"), group.logDir);
    const { plan, propertiesFile, workDir } = pipeline;
    job = await startJob(group, {
      workDir,
      propertiesFile,
      region: plan.region,
      settings: {
        parallelism: plan.parallelism,
        checkpointIntervalMs: 5_000,
        checkpointDir: path.join(workDir, "checkpoints"),
      },
    });
    await waitForPartitionReaders(job, pipeline.kafka.topics[0].partitions);
  });

  after(async function () {
    this.timeout(60_000);
    if (!group) return;
    await group.stopAll();
    assert.deepEqual(await remainingProcesses(group.logDir), [], "every process the run started is stopped");
    fs.rmSync(group.logDir, { recursive: true, force: true });
  });

  it("creates the plan's topic and writes the client configs at the plan's secret name and parameter path", async () => {
    const { plan, kafka, moto } = pipeline;
    assert.deepEqual(kafka.topics, [{ name: "feature-events", partitions: 6 }]);
    assert.deepEqual(plan.kafka!.topics, kafka.topics);

    const secret = await callAws(moto.endpoint, "secretsmanager", "GetSecretValue", {
      SecretId: plan.kafka!.kafkaSecretName,
    });
    assert.equal(secret.Name, "/confluent_cloud_resource/flink-pipeline-kafka-dev/kafka_cluster/java_client");
    const value = JSON.parse(secret.SecretString);
    assert.deepEqual(Object.keys(value).sort(), ["bootstrap.servers", "sasl.jaas.config"]);
    assert.equal(value["bootstrap.servers"], kafka.bootstrapServers);
    assert.match(kafka.bootstrapServers, /^127\.0\.0\.1:\d+$/);
    assert.equal(
      value["sasl.jaas.config"],
      `org.apache.kafka.common.security.plain.PlainLoginModule required username='${kafka.jobUser.username}' password='${kafka.jobUser.password}';`,
    );

    const consumerPath = sourceProperty(plan, "consumer.parameters.path");
    assert.equal(consumerPath, "/confluent_cloud_resource/flink-pipeline-kafka-dev/consumer_kafka_client");
    const { Parameters } = await callAws(moto.endpoint, "ssm", "GetParametersByPath", {
      Path: consumerPath,
      Recursive: false,
    });
    const written = Object.fromEntries(
      Parameters.map((parameter: { Name: string; Value: string; Type: string }) => {
        assert.equal(parameter.Type, "String");
        return [parameter.Name.slice(consumerPath.length + 1), parameter.Value];
      }),
    );
    // The plan's consumer settings, with SASL_SSL -> SASL_PLAINTEXT: the local broker has no TLS.
    assert.equal(plan.kafka!.consumerParameters["security.protocol"], "SASL_SSL");
    assert.deepEqual(written, { ...plan.kafka!.consumerParameters, ...LOCAL_CONSUMER_OVERRIDES });
    assert.equal(written["security.protocol"], "SASL_PLAINTEXT");
    assert.equal(written["sasl.mechanism"], "PLAIN");
  });

  it("writes the plan's property groups with the local broker, secret and endpoints, and no credential", () => {
    const { plan, propertiesFile, kafka, moto, dynamodb, clientConfig } = pipeline;
    const text = fs.readFileSync(propertiesFile, "utf8");
    const groups: { PropertyGroupId: string; PropertyMap: Record<string, string> }[] = JSON.parse(text);
    const byId = Object.fromEntries(groups.map((group) => [group.PropertyGroupId, group.PropertyMap]));
    const planned = Object.fromEntries(
      plan.propertyGroups.map((group) => [group.PropertyGroupId, group.PropertyMap]),
    );
    assert.deepEqual(Object.keys(byId).sort(), [...Object.keys(planned), "endpoints"].sort());
    for (const id of Object.keys(planned).filter((id) => id !== "source"))
      assert.deepEqual(byId[id], planned[id]);
    assert.deepEqual(byId.source, {
      ...planned.source,
      "bootstrap.servers": kafka.bootstrapServers,
      "kafka.secret.arn": clientConfig.secretArn,
    });
    assert.match(
      clientConfig.secretArn,
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:\/confluent_cloud_resource\/flink-pipeline-kafka-dev\/kafka_cluster\/java_client-/,
    );
    assert.deepEqual(byId.endpoints, {
      dynamodb: dynamodb.endpoint.url,
      secretsmanager: moto.endpoint.url,
      ssm: moto.endpoint.url,
    });
    assert.ok(
      !text.includes(kafka.jobUser.password),
      "the job user's password is not in the properties file",
    );
    for (const credential of ["sasl.jaas.config", "PlainLoginModule", "password"])
      assert.ok(!text.includes(credential), `${credential} is not in the properties file`);
  });

  it("counts per key and window equal the truth; malformed records are dropped and counted", async () => {
    const { plan, kafka } = pipeline;
    const partitions = kafka.topics[0].partitions;
    const before = await metricSum(job, DROPPED_METRIC);
    const bad = [
      '{"key": "k-0", "event_time": ',
      JSON.stringify({ key: "k-1" }),
      JSON.stringify({ event_time: "2026-11-23T10:01:00Z" }),
    ];
    const good = Array.from({ length: 5 }, (_, k) =>
      eventLines(`k-${k}`, "2026-11-23T10:00:05Z", 4 * (k + 1), 13_000),
    ).flat();
    const at = (line: string) => JSON.parse(line).event_time as string;
    const lines = [...good.sort((a, b) => at(a).localeCompare(at(b))), ...bad];
    await kafka.producer.send(recordsOf(lines, partitions));
    // One closing record per partition, well past the last window: every partition's watermark passes it.
    const closers = Array.from({ length: partitions }, (_, p) => ({
      partition: p,
      key: "closer",
      value: JSON.stringify({ key: "closer", event_time: "2026-11-23T10:30:00Z" }),
    }));
    await kafka.producer.send(closers);
    const select = (key: string) => key.startsWith("k-");
    const truth = truthFor(plan, [...lines, ...closers.map((record) => record.value)], select);
    assert.ok(new Set([...truth.keys()].map((id) => id.split("\u0000")[1])).size >= 3, "several windows");
    assert.equal(
      [...truth.values()].reduce((a, b) => a + b, 0),
      good.length,
      "every good record counted",
    );

    const deadline = Date.now() + 120_000;
    let counts = new Map<string, number>();
    while (Date.now() < deadline) {
      await ensureRunning(job);
      counts = countsOf(await scanItems(pipeline.dynamodb.endpoint, plan.table.name), plan, select);
      if (counts.size >= truth.size && [...truth].every(([id, count]) => counts.get(id) === count)) break;
      await sleep(500);
    }
    assert.deepEqual(counts, truth);
    // The Python worker reports its metrics to Flink in bundles: poll for up to 30 s.
    let counted = 0;
    for (let i = 0; i < 60 && counted < bad.length; i++, await sleep(500)) {
      counted = (await metricSum(job, DROPPED_METRIC)) - before;
    }
    assert.equal(counted, bad.length);
  });
});
