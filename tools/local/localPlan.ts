/**
 * What a local run needs from a stack's offline plan (`npm run plan -- --stack <name> --json`, the
 * tools' interface): the stream or topics, the table, the job's property groups and, for a Confluent
 * source, where the client configs live. Read from the plan's resources, never derived again.
 */
import { execFile } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "./emulators";

/** A property group as Managed Flink writes it to application_properties.json. */
export interface PropertyGroup {
  PropertyGroupId: string;
  PropertyMap: Record<string, string>;
}

export interface LocalStream {
  name: string;
  arn: string;
  /** Shards to create: the plan's `shardCount`, or {@link ON_DEMAND_INITIAL_SHARDS} for an on-demand stream. */
  shardCount: number;
  mode: "ON_DEMAND" | "PROVISIONED";
}

export interface LocalTable {
  name: string;
  partitionKey: string;
  sortKey?: string;
  attributes: { name: string; type: string }[];
  ttlAttribute?: string;
}

export interface LocalKafka {
  topics: { name: string; partitions: number }[];
  /** Name of the secret the program writes `sasl.jaas.config` and `bootstrap.servers` into. */
  kafkaSecretName: string;
  /** The consumer client settings the program writes to SSM: property name -> value. */
  consumerParameters: Record<string, string>;
}

export interface LocalPlan {
  stack: string;
  region: string;
  kind: "kinesis" | "confluent";
  stream?: LocalStream;
  kafka?: LocalKafka;
  table: LocalTable;
  propertyGroups: PropertyGroup[];
  /** The application's parallelism as the program configures it. */
  parallelism: number;
  /**
   * The stack's `flink.language`, as the plan carries it: Managed Flink runs a Python job because of
   * the {@link RUN_OPTIONS_GROUP} group naming its `python` file; without it, the artifact is a jar.
   */
  language: "python" | "java";
}

/** The property group Managed Flink reads a PyFlink job's entry point from. */
export const RUN_OPTIONS_GROUP = "kinesis.analytics.flink.run.options";

/** AWS creates an on-demand stream with 4 shards (Kinesis developer guide, "on-demand mode"). */
export const ON_DEMAND_INITIAL_SHARDS = 4;

/** The plan is unusable for a local run (exit code 2). */
export class PlanError extends Error {}

interface PlanResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  outputs: Record<string, any>;
}

function only(resources: PlanResource[], type: string, stack: string): PlanResource {
  const found = resources.filter((resource) => resource.type === type);
  if (found.length !== 1) {
    throw new PlanError(
      `the plan of stack ${stack} has ${found.length} resources of type ${type}; a local run needs exactly one`,
    );
  }
  return found[0];
}

/** The local-run view of a plan document. */
export function localPlan(document: { stack: string; resources: PlanResource[] }): LocalPlan {
  const { stack, resources } = document;
  const application = only(resources, "aws:kinesisanalyticsv2/application:Application", stack);
  const groups: { propertyGroupId: string; propertyMap: Record<string, string> }[] =
    application.inputs.applicationConfiguration?.environmentProperties?.propertyGroups ?? [];
  const propertyGroups = groups.map((group) => ({
    PropertyGroupId: group.propertyGroupId,
    PropertyMap: { ...group.propertyMap },
  }));
  const source = propertyGroups.find((group) => group.PropertyGroupId === "source")?.PropertyMap;
  if (!source) throw new PlanError(`the plan of stack ${stack} has no property group 'source'`);
  const region = source["aws.region"];
  const language = propertyGroups.some(
    (group) => group.PropertyGroupId === RUN_OPTIONS_GROUP && group.PropertyMap.python,
  )
    ? "python"
    : "java";
  const parallelism = Number(
    application.inputs.applicationConfiguration?.flinkApplicationConfiguration?.parallelismConfiguration
      ?.parallelism ?? 1,
  );

  const tableResource = only(resources, "aws:dynamodb/table:Table", stack);
  const inputs = tableResource.inputs;
  const table: LocalTable = {
    name: inputs.name,
    partitionKey: inputs.hashKey,
    sortKey: inputs.rangeKey,
    attributes: (inputs.attributes ?? []).map((attribute: any) => ({
      name: attribute.name,
      type: attribute.type,
    })),
    ttlAttribute: inputs.ttl?.enabled ? inputs.ttl.attributeName : undefined,
  };

  if (source.kind === "kinesis") {
    const streamResource = only(resources, "aws:kinesis/stream:Stream", stack);
    const mode = streamResource.inputs.streamModeDetails?.streamMode ?? "PROVISIONED";
    return {
      stack,
      region,
      kind: "kinesis",
      stream: {
        name: streamResource.inputs.name,
        arn: streamResource.outputs.arn ?? source["stream.arn"],
        mode,
        shardCount:
          mode === "ON_DEMAND" ? ON_DEMAND_INITIAL_SHARDS : Number(streamResource.inputs.shardCount),
      },
      table,
      propertyGroups,
      parallelism,
      language,
    };
  }
  if (source.kind === "confluent") {
    const topics = resources
      .filter((resource) => resource.type === "confluentcloud:index/kafkaTopic:KafkaTopic")
      .map((resource) => ({
        name: resource.inputs.topicName,
        partitions: Number(resource.inputs.partitionsCount),
      }))
      .filter((topic) => source.topics.split(",").includes(topic.name));
    const consumerPath = source["consumer.parameters.path"];
    const consumerParameters: Record<string, string> = {};
    for (const resource of resources) {
      if (resource.type !== "aws:ssm/parameter:Parameter") continue;
      const name: string = resource.inputs.name;
      if (name.startsWith(`${consumerPath}/`))
        consumerParameters[name.slice(consumerPath.length + 1)] = resource.inputs.insecureValue;
    }
    const secret = resources.find(
      (resource) =>
        resource.type === "aws:secretsmanager/secret:Secret" &&
        resource.outputs.arn === source["kafka.secret.arn"],
    );
    if (!secret)
      throw new PlanError(`the plan of stack ${stack} has no secret ${source["kafka.secret.arn"]}`);
    return {
      stack,
      region,
      kind: "confluent",
      kafka: { topics, kafkaSecretName: secret.inputs.name, consumerParameters },
      table,
      propertyGroups,
      parallelism,
      language,
    };
  }
  throw new PlanError(`stack ${stack}: source kind '${source.kind}' cannot run locally`);
}

/** Runs the offline plan of `stack` in a child process and returns its JSON document. */
export function planDocument(stack: string): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        "-r",
        path.join(PROJECT_DIR, "tools", "register.js"),
        path.join(PROJECT_DIR, "tools", "plan.ts"),
        "--stack",
        stack,
        "--json",
      ],
      { cwd: PROJECT_DIR, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // Exit 1 with a document is a mandatory policy violation: the data path is still what the program declares.
        if (stdout.trim().startsWith("{")) return resolve(JSON.parse(stdout));
        const exitCode = (error as any)?.code;
        reject(
          new PlanError(`the offline plan of stack ${stack} failed (exit ${exitCode}):\n${stderr.trim()}`),
        );
      },
    );
  });
}
