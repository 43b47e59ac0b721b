import * as confluentcloud from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { ConfluentManagerResources, createConfluentManager } from "./confluentManager";

/** A topic the component creates. */
export interface TopicSpec {
  name: string;
  /** @default 6 */
  partitions?: number;
  /** Topic settings (`retention.ms`, `cleanup.policy`, ...). @default {} (the cluster's defaults) */
  config?: Record<string, string>;
}

/** A key generation: its name is part of the key's resource name, so it must be stable. */
export interface KeyGenerationSpec {
  /** e.g. `g0007` */
  name: string;
  /** When the generation became (or becomes) active; written to the key's description. */
  start: Date;
}

/** Arguments of {@link ConfluentSource}. */
export interface ConfluentSourceArgs {
  /** The existing Confluent Cloud environment (`env-...`). */
  environmentId: string;
  /** The existing Kafka cluster (`lkc-...`) in that environment. */
  clusterId: string;
  /** Display name of the job's service account; its own topic manager's is `<name>-manager`. */
  serviceAccountName: string;
  /** Topics the job reads; created here. */
  topics: TopicSpec[];
  /** Topics the job writes; created here. @default [] */
  sinkTopics?: TopicSpec[];
  /** The job's consumer group id; the READ ACL on groups is PREFIXED with it. */
  consumerGroup: string;
  /**
   * The live key generations, oldest first; the last is the active one. Each holds one Kafka key
   * and one Schema Registry key owned by the job's service account.
   */
  keyGenerations: KeyGenerationSpec[];
  /**
   * The account that manages the topics and ACLs, shared with other pipelines on this cluster
   * (a `ConfluentManager`). @default an account (`<serviceAccountName>-manager`) of this source's own
   */
  manager?: ConfluentManagerResources;
}

/** Kafka and Schema Registry keys of one generation. */
export interface KeyPair {
  kafka: confluentcloud.ApiKey;
  schemaRegistry: confluentcloud.ApiKey;
}

/**
 * The job's side of an existing Confluent Cloud Kafka cluster: its service account with
 * least-privilege ACLs (read its topics and consumer groups, write its sink topics) and Schema
 * Registry role bindings, one Kafka + Schema Registry key pair per live key generation, and the
 * topics. Topics and ACLs are managed with a separate, stable key of a manager service account
 * (CloudClusterAdmin on this cluster only), so rotating the job's keys never touches them.
 */
export class ConfluentSource extends pulumi.ComponentResource {
  public readonly serviceAccount: confluentcloud.ServiceAccount;
  public readonly managerServiceAccount: confluentcloud.ServiceAccount;
  public readonly managerKey: confluentcloud.ApiKey;
  public readonly topics: confluentcloud.KafkaTopic[];
  public readonly acls: confluentcloud.KafkaAcl[];
  public readonly roleBindings: confluentcloud.RoleBinding[];
  /** What the job needs before it starts: its topics, its ACLs and its Schema Registry role bindings. */
  public readonly readyForJob: pulumi.Resource[];
  /** Key pairs by generation name, oldest first. */
  public readonly keys: { generation: string; pair: KeyPair }[];
  /** The newest generation's keys: the ones the client configs carry. */
  public readonly activeKeys: KeyPair;
  /** `host:port` without the `SASL_SSL://` scheme, as Java clients take it. */
  public readonly bootstrapServers: pulumi.Output<string>;
  public readonly schemaRegistryUrl: pulumi.Output<string>;
  public readonly topicNames: string[];
  public readonly sinkTopicNames: string[];
  public readonly consumerGroup: string;
  public readonly serviceAccountId: pulumi.Output<string>;
  public readonly activeApiKeyId: pulumi.Output<string>;

  constructor(name: string, args: ConfluentSourceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flink-pipeline:source:ConfluentSource", name, {}, opts);
    if (args.keyGenerations.length === 0) {
      throw new Error(`ConfluentSource ${name}: keyGenerations must hold at least the active generation`);
    }
    if (args.topics.length === 0)
      throw new Error(`ConfluentSource ${name}: topics must name at least one topic`);
    const parent = { parent: this };
    const sinkTopics = args.sinkTopics ?? [];
    const environment = { id: args.environmentId };

    const cluster = confluentcloud.getKafkaClusterOutput({ id: args.clusterId, environment }, parent);
    const schemaRegistry = confluentcloud.getSchemaRegistryClusterOutput({ environment }, parent);
    const clusterResource = {
      id: cluster.id,
      apiVersion: cluster.apiVersion,
      kind: cluster.kind,
      environment,
    };
    const registryResource = {
      id: schemaRegistry.id,
      apiVersion: schemaRegistry.apiVersion,
      kind: schemaRegistry.kind,
      environment,
    };

    if (args.manager && args.manager.clusterId !== args.clusterId) {
      throw new Error(
        `ConfluentSource ${name}: the manager administers ${args.manager.clusterId}, not ${args.clusterId}`,
      );
    }
    const manager =
      args.manager ??
      createConfluentManager(
        name,
        { environmentId: args.environmentId, clusterId: args.clusterId, owner: args.serviceAccountName },
        cluster,
        this,
      );
    this.managerServiceAccount = manager.serviceAccount;
    this.managerKey = manager.key;
    const admin = {
      kafkaCluster: { id: cluster.id },
      restEndpoint: cluster.restEndpoint,
      credentials: { key: this.managerKey.id, secret: this.managerKey.secret },
    };

    this.topics = [...args.topics, ...sinkTopics].map(
      (topic) =>
        new confluentcloud.KafkaTopic(
          `${name}-topic-${topic.name}`,
          {
            ...admin,
            topicName: topic.name,
            partitionsCount: topic.partitions ?? 6,
            config: topic.config ?? {},
          },
          parent,
        ),
    );

    // The job's identity: ACLs grant exactly what the Flink Kafka source and sink use.
    this.serviceAccount = new confluentcloud.ServiceAccount(
      `${name}-account`,
      { displayName: args.serviceAccountName, description: `Flink job ${args.serviceAccountName} (Pulumi)` },
      parent,
    );
    const principal = pulumi.interpolate`User:${this.serviceAccount.id}`;
    const acl = (
      suffix: string,
      resourceType: string,
      resourceName: string,
      patternType: string,
      operation: string,
    ) =>
      new confluentcloud.KafkaAcl(
        `${name}-acl-${suffix}`,
        {
          ...admin,
          resourceType,
          resourceName,
          patternType,
          principal,
          host: "*",
          operation,
          permission: "ALLOW",
        },
        parent,
      );
    this.acls = [
      // READ implies DESCRIBE: the source lists partitions and fetches.
      ...args.topics.map((topic) => acl(`read-${topic.name}`, "TOPIC", topic.name, "LITERAL", "READ")),
      // Offsets are committed under the group; PREFIXED allows `<group>-<suffix>` variants.
      acl("read-group", "GROUP", args.consumerGroup, "PREFIXED", "READ"),
      ...sinkTopics.map((topic) => acl(`write-${topic.name}`, "TOPIC", topic.name, "LITERAL", "WRITE")),
    ];

    // Schema Registry: the subjects of the job's topics (TopicNameStrategy), nothing else.
    const subjectBinding = (topic: string, part: "key" | "value", roleName: string) =>
      new confluentcloud.RoleBinding(
        `${name}-${roleName === "DeveloperRead" ? "read" : "write"}-subject-${topic}-${part}`,
        {
          principal,
          roleName,
          crnPattern: pulumi.interpolate`${schemaRegistry.resourceName}/subject=${topic}-${part}`,
        },
        parent,
      );
    const parts = ["key", "value"] as const;
    this.roleBindings = [
      // A shared manager's binding is its owner's; the topics still wait for it.
      manager.adminBinding,
      ...args.topics.flatMap((topic) =>
        parts.map((part) => subjectBinding(topic.name, part, "DeveloperRead")),
      ),
      ...sinkTopics.flatMap((topic) =>
        parts.map((part) => subjectBinding(topic.name, part, "DeveloperWrite")),
      ),
    ];

    this.readyForJob = [...this.topics, ...this.acls, ...this.roleBindings];

    this.keys = args.keyGenerations.map((generation) => {
      const created = generation.start.toISOString().slice(0, 10);
      const key = (kind: string, managedResource: typeof clusterResource, label: string) =>
        new confluentcloud.ApiKey(
          `${name}-${kind}-key-${generation.name}`,
          {
            displayName: `${args.serviceAccountName}-${kind}-${generation.name}`,
            description: `${label} key of ${args.serviceAccountName}, generation ${generation.name} (active from ${created}); rotated by Pulumi`,
            owner: ownerOf(this.serviceAccount),
            managedResource,
          },
          parent,
        );
      return {
        generation: generation.name,
        pair: {
          kafka: key("kafka", clusterResource, "Kafka"),
          schemaRegistry: key("sr", registryResource, "Schema Registry"),
        },
      };
    });
    this.activeKeys = this.keys[this.keys.length - 1].pair;

    this.bootstrapServers = cluster.bootstrapEndpoint.apply((endpoint) =>
      endpoint.replace(/^[A-Za-z_]+:\/\//, ""),
    );
    this.schemaRegistryUrl = schemaRegistry.restEndpoint;
    this.topicNames = args.topics.map((topic) => topic.name);
    this.sinkTopicNames = sinkTopics.map((topic) => topic.name);
    this.consumerGroup = args.consumerGroup;
    this.serviceAccountId = this.serviceAccount.id;
    this.activeApiKeyId = this.activeKeys.kafka.id;
    this.registerOutputs({
      bootstrapServers: this.bootstrapServers,
      schemaRegistryUrl: this.schemaRegistryUrl,
      topicNames: this.topicNames,
      serviceAccountId: this.serviceAccountId,
      activeApiKeyId: this.activeApiKeyId,
    });
  }
}

function ownerOf(account: confluentcloud.ServiceAccount) {
  return { id: account.id, apiVersion: account.apiVersion, kind: account.kind };
}
