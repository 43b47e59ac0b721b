import * as confluentcloud from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link ConfluentManager}. */
export interface ConfluentManagerArgs {
  /** The existing Confluent Cloud environment (`env-...`). */
  environmentId: string;
  /** The existing Kafka cluster (`lkc-...`) whose topics and ACLs the account manages. */
  clusterId: string;
  /**
   * Whose topics and ACLs it manages: names the account `<owner>-manager` (and its key); the
   * job's service account name for a pipeline's own manager, the stack's name for a shared one.
   */
  owner: string;
}

/** The looked-up cluster the manager administers. */
export type ManagedCluster = Pick<
  confluentcloud.GetKafkaClusterResult,
  "id" | "apiVersion" | "kind" | "rbacCrn"
>;

/** The stable identity that manages topics and ACLs, and the cluster it manages. */
export interface ConfluentManagerResources {
  serviceAccount: confluentcloud.ServiceAccount;
  /** Never rotated by this program: rotating the jobs' keys never touches topics or ACLs. */
  key: confluentcloud.ApiKey;
  /** CloudClusterAdmin on the cluster: what topic and ACL management needs. */
  adminBinding: confluentcloud.RoleBinding;
  /** The cluster `key` is scoped to. */
  clusterId: string;
}

/**
 * The manager service account (CloudClusterAdmin on this cluster only) and its stable key, named
 * after `name` and parented to `parent`: {@link ConfluentManager} for one shared by pipelines,
 * `ConfluentSource` for its own.
 */
export function createConfluentManager(
  name: string,
  args: ConfluentManagerArgs,
  cluster: pulumi.Output<ManagedCluster>,
  parent: pulumi.Resource,
): ConfluentManagerResources {
  const environment = { id: args.environmentId };
  const displayName = `${args.owner}-manager`;
  const serviceAccount = new confluentcloud.ServiceAccount(
    `${name}-manager`,
    {
      displayName,
      description: `Manages the topics and ACLs of ${args.owner} on ${args.clusterId} (Pulumi)`,
    },
    { parent },
  );
  const adminBinding = new confluentcloud.RoleBinding(
    `${name}-manager-admin`,
    {
      principal: pulumi.interpolate`User:${serviceAccount.id}`,
      roleName: "CloudClusterAdmin",
      crnPattern: cluster.rbacCrn,
    },
    { parent },
  );
  const key = new confluentcloud.ApiKey(
    `${name}-manager-key`,
    {
      displayName,
      description: `Stable key for topic and ACL management of ${args.owner} (not rotated)`,
      owner: { id: serviceAccount.id, apiVersion: serviceAccount.apiVersion, kind: serviceAccount.kind },
      managedResource: {
        id: cluster.id,
        apiVersion: cluster.apiVersion,
        kind: cluster.kind,
        environment,
      },
    },
    { parent, dependsOn: [adminBinding] },
  );
  return { serviceAccount, key, adminBinding, clusterId: args.clusterId };
}

/**
 * One manager account shared by the Confluent pipelines of a stack on one cluster: one identity
 * (and one key) manages every pipeline's topics and ACLs; each job keeps its own account and keys.
 */
export class ConfluentManager extends pulumi.ComponentResource implements ConfluentManagerResources {
  public readonly serviceAccount: confluentcloud.ServiceAccount;
  public readonly key: confluentcloud.ApiKey;
  public readonly adminBinding: confluentcloud.RoleBinding;
  public readonly clusterId: string;
  public readonly serviceAccountId: pulumi.Output<string>;

  constructor(name: string, args: ConfluentManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flink-pipeline:source:ConfluentManager", name, {}, opts);
    const cluster = confluentcloud.getKafkaClusterOutput(
      { id: args.clusterId, environment: { id: args.environmentId } },
      { parent: this },
    );
    const manager = createConfluentManager(name, args, cluster, this);
    this.serviceAccount = manager.serviceAccount;
    this.key = manager.key;
    this.adminBinding = manager.adminBinding;
    this.clusterId = manager.clusterId;
    this.serviceAccountId = manager.serviceAccount.id;
    this.registerOutputs({ serviceAccountId: this.serviceAccountId });
  }
}
