import { strict as assert } from "assert";
import * as path from "path";
import { ConfigError } from "../../stacks/validation";
import { cliConfig, configProblems, directoryWith, onePipelineConfig, zipOf } from "../helpers";

const workDir = directoryWith({
  "job/main.py": "print('job')\n",
  "job/lib/pyflink-dependencies.jar": "jar",
  "nojar/main.py": "print('job')\n",
  "job.jar": "jar",
  "job.zip": zipOf({ "main.py": "x", "lib/pyflink-dependencies.jar": "y" }),
  "nojar.zip": zipOf({ "main.py": "x" }),
  "flink119/main.py": "print('job')\n",
  "flink119/lib/pyflink-dependencies.jar": jarBuiltFor("1.19.1"),
  "flink120.jar": jarBuiltFor("1.20.0"),
  "unversioned.jar": zipOf({ "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\r\n\r\n" }),
});

/** A jar whose manifest says which Flink it was built for, as app/pom.xml writes it. */
function jarBuiltFor(version: string): Buffer {
  return zipOf({ "META-INF/MANIFEST.MF": `Manifest-Version: 1.0\r\nFlink-Version: ${version}\r\n\r\n` });
}

const context = { project: "flink-pipeline", stack: "team-a", projectDir: workDir, dryRun: true };

/** Validates config values given as objects, the way the CLI passes them (JSON strings). */
function validate(values: Record<string, unknown>, overrides: Partial<typeof context> = {}) {
  return onePipelineConfig(
    { "flink-pipeline:flink": JSON.stringify({ artifact: "job" }), ...cliConfig(values) },
    { ...context, ...overrides },
  );
}

function problemsOf(values: Record<string, unknown>, overrides: Partial<typeof context> = {}): string[] {
  return configProblems(() => validate(values, overrides));
}

describe("stack config validation", () => {
  it("fills every default when only the artifact is set", () => {
    const config = validate({});
    assert.equal(config.environment, "dev");
    assert.equal(config.protect, false);
    assert.deepEqual(config.source, {
      kind: "kinesis",
      streamName: "flink-pipeline-team-a-events",
      streamMode: "ON_DEMAND",
      shardCount: undefined,
      retentionHours: 24,
      kmsKeyId: "alias/aws/kinesis",
      enhancedFanOut: false,
      initialPosition: "LATEST",
    });
    assert.deepEqual(config.table, {
      tableName: "flink-pipeline-team-a-features",
      partitionKey: "key",
      sortKey: "featureName",
      ttlAttribute: "ttl",
      pointInTimeRecovery: false,
      deletionProtection: false,
    });
    assert.equal(config.flink.applicationName, "flink-pipeline-team-a");
    assert.equal(config.flink.runtime, "FLINK-1_20");
    assert.equal(config.flink.language, "python");
    assert.deepEqual(config.flink.artifact, { kind: "directory", path: path.join(workDir, "job") });
    assert.deepEqual(config.flink.checkpointing, { enabled: true, intervalMs: 60000, minPauseMs: 5000 });
    assert.deepEqual(config.flink.restore, {
      type: "RESTORE_FROM_LATEST_SNAPSHOT",
      snapshotName: undefined,
      allowNonRestoredState: false,
    });
    assert.deepEqual(config.flink.timeouts, { create: "30m", update: "30m", delete: "30m" });
  });

  it("reads top-level scalars the CLI passes as strings", () => {
    const config = validate({ "flink-pipeline:environment": "prod", "flink-pipeline:protect": "true" });
    assert.equal(config.environment, "prod");
    assert.equal(config.protect, true);
  });

  it("resolves each kind of artifact", () => {
    const flink = (artifact: string, language = "python") =>
      validate({ "flink-pipeline:flink": { artifact, language } }).flink.artifact;
    assert.deepEqual(flink("job.zip"), { kind: "file", path: path.join(workDir, "job.zip") });
    assert.deepEqual(flink("job.jar", "java"), { kind: "file", path: path.join(workDir, "job.jar") });
    assert.deepEqual(flink("s3://my-team-artifacts/flink/job-1.2.jar", "java"), {
      kind: "s3",
      bucket: "my-team-artifacts",
      key: "flink/job-1.2.jar",
    });
  });

  it("reads the Flink version the artifact was built for, or says why it cannot", () => {
    const version = (artifact: string, language = "python") =>
      validate({ "flink-pipeline:flink": { artifact, language } }).flink.artifactFlinkVersion;
    assert.deepEqual(version("flink120.jar", "java"), { version: "1.20.0" });
    assert.deepEqual(version("nojar"), {
      unreadable: `lib/pyflink-dependencies.jar in ${path.join(workDir, "nojar")} does not exist (not built yet)`,
    });
    assert.deepEqual(version("unversioned.jar", "java"), {
      unreadable: `the manifest of ${path.join(workDir, "unversioned.jar")} has no Flink-Version`,
    });
    assert.deepEqual(version("s3://bucket/job.jar", "java"), {
      unreadable: "the artifact is an S3 object (s3://bucket/job.jar), which the program does not download",
    });
  });

  it("keeps the stack's property groups, numbers written as strings", () => {
    const config = validate({
      "flink-pipeline:flink": {
        artifact: "job",
        properties: { job: { "window.seconds": 60, "dry.run": false } },
      },
    });
    assert.deepEqual(config.flink.properties, { job: { "window.seconds": "60", "dry.run": "false" } });
  });

  it("accepts a PyFlink artifact with its jar when deploying", () => {
    assert.deepEqual(problemsOf({ "flink-pipeline:flink": { artifact: "job" } }, { dryRun: false }), []);
    assert.deepEqual(problemsOf({ "flink-pipeline:flink": { artifact: "job.zip" } }, { dryRun: false }), []);
  });

  const badInputs: { name: string; values: Record<string, unknown>; expected: string[]; dryRun?: boolean }[] =
    [
      {
        name: "parallelism below 1",
        values: { "flink-pipeline:flink": { artifact: "job", parallelism: 0 } },
        expected: ["flink-pipeline:flink.parallelism must be an integer >= 1 (got 0)"],
      },
      {
        name: "a fractional parallelism",
        values: { "flink-pipeline:flink": { artifact: "job", parallelism: 1.5 } },
        expected: ["flink-pipeline:flink.parallelism must be an integer >= 1 (got 1.5)"],
      },
      {
        name: "an artifact key for an uploaded artifact",
        values: {
          "flink-pipeline:flink": {
            artifact: "job",
            artifactKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1111aaaa-11aa-11aa-11aa-111111111111",
          },
        },
        expected: [
          'flink-pipeline:flink.artifactKmsKeyArn applies only when flink-pipeline:flink.artifact is an s3://<bucket>/<key> URI (got "job": the program uploads it to its own bucket, encrypted with SSE-S3)',
        ],
      },
      {
        name: "an artifact key that is not a key ARN",
        values: {
          "flink-pipeline:flink": {
            language: "java",
            artifact: "s3://team/jobs/job.jar",
            artifactKmsKeyArn: "alias/aws/s3",
          },
        },
        expected: [
          'flink-pipeline:flink.artifactKmsKeyArn must be a customer-managed KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) (got "alias/aws/s3")',
        ],
      },
      {
        name: "a property group with an over-long key and value",
        values: {
          "flink-pipeline:flink": {
            artifact: "job",
            properties: { job: { [`k${"x".repeat(2048)}`]: "v", long: "v".repeat(2049) } },
          },
        },
        expected: [
          `flink-pipeline:flink.properties.job: property keys must have 1 to 2048 characters (got 2049: "k${"x".repeat(39)}")`,
          'flink-pipeline:flink.properties.job: the value of "long" must have 1 to 2048 characters (got 2049)',
        ],
      },
      {
        name: "a property group of 51 properties",
        values: {
          "flink-pipeline:flink": {
            artifact: "job",
            properties: { job: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, "1"])) },
          },
        },
        expected: [
          "flink-pipeline:flink.properties.job: Managed Flink allows at most 50 properties per group (got 51)",
        ],
      },
      {
        name: "an unsupported runtime",
        values: { "flink-pipeline:flink": { artifact: "job", runtime: "FLINK-1_15" } },
        expected: [
          'flink-pipeline:flink.runtime must be one of FLINK-1_18, FLINK-1_19, FLINK-1_20, FLINK-2_2 (got "FLINK-1_15")',
        ],
      },
      {
        name: "an unknown top-level key",
        values: { "flink-pipeline:sorce": { kind: "kinesis" } },
        expected: ["flink-pipeline:sorce is not a known key; did you mean flink-pipeline:source?"],
      },
      {
        name: "a typo inside a section",
        values: { "flink-pipeline:table": { partitionKey: "id", pointInTimeRecovry: true } },
        expected: [
          "flink-pipeline:table.pointInTimeRecovry is not a known key; did you mean flink-pipeline:table.pointInTimeRecovery?",
        ],
      },
      {
        name: "an unknown environment",
        values: { "flink-pipeline:environment": "production" },
        expected: ['flink-pipeline:environment must be one of dev, staging, prod (got "production")'],
      },
      {
        name: "protect that is not a boolean",
        values: { "flink-pipeline:protect": "yes" },
        expected: ['flink-pipeline:protect must be true or false (got "yes")'],
      },
      {
        name: "a section that is not an object",
        values: { "flink-pipeline:source": "kinesis" },
        expected: ['flink-pipeline:source must be an object (got "kinesis")'],
      },
      {
        name: "provisioned mode without shards",
        values: { "flink-pipeline:source": { streamMode: "PROVISIONED" } },
        expected: [
          "flink-pipeline:source.shardCount is required when flink-pipeline:source.streamMode is PROVISIONED",
        ],
      },
      {
        name: "shards in on-demand mode",
        values: { "flink-pipeline:source": { shardCount: 2 } },
        expected: [
          "flink-pipeline:source.shardCount applies only when flink-pipeline:source.streamMode is PROVISIONED (got streamMode ON_DEMAND)",
        ],
      },
      {
        name: "retention under a day",
        values: { "flink-pipeline:source": { retentionHours: 12 } },
        expected: ["flink-pipeline:source.retentionHours must be an integer between 24 and 8760 (got 12)"],
      },
      {
        name: "a KMS alias other than the AWS-managed key",
        values: { "flink-pipeline:source": { kmsKeyId: "alias/my-key" } },
        expected: [
          'flink-pipeline:source.kmsKeyId must be "alias/aws/kinesis" or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) (got "alias/my-key")',
        ],
      },
      {
        name: "an unknown source kind",
        values: { "flink-pipeline:source": { kind: "kafka" } },
        expected: ['flink-pipeline:source.kind must be one of kinesis, confluent (got "kafka")'],
      },
      {
        name: "Confluent keys with kind not set (one message, not one per key)",
        values: { "flink-pipeline:source": { environmentId: "env-1", clusterId: "lkc-1", topics: [] } },
        expected: [
          "flink-pipeline:source.kind is kinesis (the default: kind is not set), but environmentId, clusterId, topics are keys of kind confluent: set flink-pipeline:source.kind: confluent, or remove them",
        ],
      },
      {
        name: "the same partition and sort key",
        values: { "flink-pipeline:table": { partitionKey: "id", sortKey: "id" } },
        expected: [
          'flink-pipeline:table.sortKey must differ from flink-pipeline:table.partitionKey (both are "id")',
        ],
      },
      {
        name: "a TTL attribute that is also the partition key",
        values: { "flink-pipeline:table": { ttlAttribute: "key" } },
        expected: [
          'flink-pipeline:table.ttlAttribute must differ from flink-pipeline:table.partitionKey (both are "key")',
        ],
      },
      {
        name: "an application name too long to name the stream after it",
        values: { "flink-pipeline:flink": { artifact: "job", applicationName: "a".repeat(125) } },
        expected: [
          `flink-pipeline:source.streamName is required when the default "${"a".repeat(125)}-events" is not 1 to 128 letters, digits, '_', '.' or '-' (the application name is too long)`,
        ],
      },
      {
        name: "a log retention CloudWatch does not offer",
        values: { "flink-pipeline:flink": { artifact: "job", logRetentionDays: 10 } },
        expected: [
          "flink-pipeline:flink.logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 10)",
        ],
      },
      {
        name: "a missing artifact",
        values: { "flink-pipeline:flink": { artifact: "missing" } },
        expected: [
          `flink-pipeline:flink.artifact must be a .zip file, a directory (zipped on deploy) or an s3://<bucket>/<key>.zip URI for language python (got "missing": ${path.join(workDir, "missing")} does not exist)`,
        ],
      },
      {
        name: "a jar for a PyFlink job",
        values: { "flink-pipeline:flink": { artifact: "job.jar" } },
        expected: [
          'flink-pipeline:flink.artifact must be a .zip file, a directory (zipped on deploy) or an s3://<bucket>/<key>.zip URI for language python (got "job.jar")',
        ],
      },
      {
        name: "a directory for a Java job",
        values: { "flink-pipeline:flink": { artifact: "job", language: "java" } },
        expected: [
          'flink-pipeline:flink.artifact must be a .jar file or an s3://<bucket>/<key>.jar URI for language java (got "job")',
        ],
      },
      {
        name: "python settings for a Java job",
        values: {
          "flink-pipeline:flink": { artifact: "job.jar", language: "java", python: { script: "x.py" } },
        },
        expected: [
          "flink-pipeline:flink.python applies only when flink-pipeline:flink.language is python (got java)",
        ],
      },
      {
        name: "a malformed S3 URI",
        values: { "flink-pipeline:flink": { artifact: "s3://Bad_Bucket", language: "java" } },
        expected: [
          'flink-pipeline:flink.artifact must be a .jar file or an s3://<bucket>/<key>.jar URI for language java (got "s3://Bad_Bucket": not an s3://<bucket>/<key> URI)',
        ],
      },
      {
        name: "a PyFlink directory without its connector jar, when deploying",
        values: { "flink-pipeline:flink": { artifact: "nojar" } },
        dryRun: false,
        expected: [
          `flink-pipeline:flink.artifact lacks the connector jar "lib/pyflink-dependencies.jar" named in flink-pipeline:flink.python.jarfile (looked in ${path.join(workDir, "nojar")}); build it first, e.g. mvn -f app/pom.xml package`,
        ],
      },
      {
        name: "a PyFlink zip without its connector jar, when deploying",
        values: { "flink-pipeline:flink": { artifact: "nojar.zip" } },
        dryRun: false,
        expected: [
          `flink-pipeline:flink.artifact lacks the connector jar "lib/pyflink-dependencies.jar" named in flink-pipeline:flink.python.jarfile (looked in ${path.join(workDir, "nojar.zip")}); build it first, e.g. mvn -f app/pom.xml package`,
        ],
      },
      {
        name: "a custom snapshot without a name",
        values: {
          "flink-pipeline:flink": { artifact: "job", restore: { type: "RESTORE_FROM_CUSTOM_SNAPSHOT" } },
        },
        expected: [
          "flink-pipeline:flink.restore.snapshotName is required when flink-pipeline:flink.restore.type is RESTORE_FROM_CUSTOM_SNAPSHOT",
        ],
      },
      {
        name: "restoring from snapshots that are off",
        values: {
          "flink-pipeline:flink": {
            artifact: "job",
            snapshots: false,
            restore: { type: "RESTORE_FROM_LATEST_SNAPSHOT" },
          },
        },
        expected: [
          "flink-pipeline:flink.restore.type must be SKIP_RESTORE_FROM_SNAPSHOT when flink-pipeline:flink.snapshots is false (got RESTORE_FROM_LATEST_SNAPSHOT)",
        ],
      },
      {
        name: "the old forceStop key",
        values: { "flink-pipeline:flink": { artifact: "job", forceStop: true } },
        expected: [
          "flink-pipeline:flink.forceStop was renamed flink-pipeline:flink.stopWithoutSnapshot: the provider reads it only when flink-pipeline:flink.startApplication changes to false (the stop is then forced, without a snapshot); it never unblocks a hung update or delete (docs/operations.md#a-deployment-hangs-on-a-snapshot)",
        ],
      },
      {
        name: "Flink 2.2 without accepting the one-way upgrade",
        values: { "flink-pipeline:flink": { artifact: "job", runtime: "FLINK-2_2" } },
        expected: [
          "flink-pipeline:flink.runtime FLINK-2_2 is a one-way upgrade: Managed Flink cannot take the application or its FLINK-2_2 snapshots back to an earlier runtime. Take a snapshot first (npm run flink -- snapshot --stack <stack>), then set flink-pipeline:flink.acceptOneWayRuntime: FLINK-2_2 (docs/operations.md#upgrading-flink-1x-to-22)",
        ],
      },
      {
        name: "going back to 1.x after accepting 2.2",
        values: {
          "flink-pipeline:flink": {
            artifact: "job",
            runtime: "FLINK-1_20",
            acceptOneWayRuntime: "FLINK-2_2",
          },
        },
        expected: [
          "flink-pipeline:flink.acceptOneWayRuntime FLINK-2_2 says this stack's application runs FLINK-2_2, which cannot be taken back to flink-pipeline:flink.runtime FLINK-1_20: keep FLINK-2_2, or delete and recreate the application (docs/operations.md#upgrading-flink-1x-to-22)",
        ],
      },
      {
        name: "a timeout without a unit",
        values: { "flink-pipeline:flink": { artifact: "job", timeouts: { update: "30" } } },
        expected: [
          'flink-pipeline:flink.timeouts.update must be a duration such as "30m", "90s" or "2h" (got "30")',
        ],
      },
      {
        name: "a PyFlink connector jar built for another Flink than the runtime",
        values: { "flink-pipeline:flink": { artifact: "flink119" } },
        expected: [
          "flink-pipeline:flink.runtime is FLINK-1_20 (Flink 1.20) but the artifact was built for Flink 1.19.1 (Flink-Version in its jar's manifest): set flink-pipeline:flink.runtime to match, or rebuild the artifact for Flink 1.20",
        ],
      },
      {
        name: "a Java jar built for another Flink than the runtime",
        values: {
          "flink-pipeline:flink": { artifact: "flink120.jar", language: "java", runtime: "FLINK-1_19" },
        },
        expected: [
          "flink-pipeline:flink.runtime is FLINK-1_19 (Flink 1.19) but the artifact was built for Flink 1.20.0 (Flink-Version in its jar's manifest): set flink-pipeline:flink.runtime to match, or rebuild the artifact for Flink 1.19",
        ],
      },
      {
        name: "endpoint overrides in a stack's properties",
        values: {
          "flink-pipeline:flink": {
            artifact: "job",
            properties: { endpoints: { kinesis: "http://127.0.0.1:4567" } },
          },
        },
        expected: [
          "flink-pipeline:flink.properties.endpoints is refused: the job reads group endpoints only to reach local emulators (npm run local writes it); a deployed job uses the AWS endpoints of its region",
        ],
      },
      {
        name: "a property that overrides a generated one",
        values: {
          "flink-pipeline:flink": { artifact: "job", properties: { source: { "stream.name": "other" } } },
        },
        expected: [
          "flink-pipeline:flink.properties.source.stream.name is generated from the wiring and cannot be set; generated keys of group source: kind, stream.name, stream.arn, aws.region, initial.position, efo.consumer.name, bootstrap.servers, topics, sink.topics, group.id, starting.offsets, kafka.secret.arn, schema.registry.secret.arn, consumer.parameters.path, producer.parameters.path, api.key.id",
        ],
      },
      {
        name: "a property value that is an object",
        values: { "flink-pipeline:flink": { artifact: "job", properties: { job: { nested: { a: 1 } } } } },
        expected: [
          'flink-pipeline:flink.properties.job.nested must be a non-empty string, a number or a boolean (got {"a":1})',
        ],
      },
      {
        name: "an empty property value",
        values: {
          "flink-pipeline:flink": { artifact: "job", properties: { job: { "window.seconds": "" } } },
        },
        expected: [
          'flink-pipeline:flink.properties.job.window.seconds must be a non-empty string, a number or a boolean (got "")',
        ],
      },
      {
        name: "a property group id Managed Flink refuses",
        values: { "flink-pipeline:flink": { artifact: "job", properties: { "my group": { a: "1" } } } },
        expected: [
          `flink-pipeline:flink.properties.my group: a property group id must be 1 to 50 letters, digits, '_', '.' or '-' (got "my group")`,
        ],
      },
      {
        name: "an application name with spaces",
        values: { "flink-pipeline:flink": { artifact: "job", applicationName: "my app" } },
        expected: [
          `flink-pipeline:flink.applicationName must be 1 to 128 letters, digits, '_', '.' or '-' (got "my app")`,
        ],
      },
      {
        name: "several problems at once, each reported",
        values: {
          "flink-pipeline:source": { retentionHours: 0 },
          "flink-pipeline:flink": { artifact: "job", parallelism: -1, autoScaling: "yes" },
        },
        expected: [
          "flink-pipeline:source.retentionHours must be an integer between 24 and 8760 (got 0)",
          'flink-pipeline:flink.autoScaling must be true or false (got "yes")',
          "flink-pipeline:flink.parallelism must be an integer >= 1 (got -1)",
        ],
      },
    ];

  for (const { name, values, expected, dryRun } of badInputs) {
    it(`rejects ${name}`, () => {
      assert.deepEqual(problemsOf(values, { dryRun: dryRun ?? true }).sort(), [...expected].sort());
    });
  }

  it("names every problem in one error message without a stack trace for the CLI", () => {
    try {
      validate({ "flink-pipeline:flink": { artifact: "job", parallelism: 0 } });
      assert.fail("expected a ConfigError");
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(
        error.message,
        "Invalid stack configuration:\n  - flink-pipeline:flink.parallelism must be an integer >= 1 (got 0)",
      );
    }
  });
});
