/**
 * Compares two offline plans of one stack resource by resource (by URN, following the head's
 * aliases) and says what a reviewer must know: the action per resource, the inputs that changed,
 * which of them force a replacement, and the dangers of the change.
 */
import { replacingChanges } from "./replacement";

type Inputs = Record<string, any>;

/** One resource of a plan's `--json` document, with the options the review needs. */
export interface ReviewResource {
  urn: string;
  type: string;
  name: string;
  protect: boolean;
  inputs: Inputs;
  /** URNs this resource was known by before (the `aliases` option); head only. */
  aliases?: string[];
  /** The `replaceOnChanges` option; head only. */
  replaceOnChanges?: string[];
}

export type Action = "create" | "update" | "replace" | "delete";

export interface InputChange {
  path: string;
  old?: unknown;
  new?: unknown;
}

export interface Change {
  urn: string;
  type: string;
  action: Action;
  /** The base URN when the resource moved under an alias. */
  previousUrn?: string;
  inputs: InputChange[];
  replaceBecause: string[];
  danger: string[];
}

const TABLE = "aws:dynamodb/table:Table";
const STREAM = "aws:kinesis/stream:Stream";
const APPLICATION = "aws:kinesisanalyticsv2/application:Application";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

/** What is lost when a stateful resource goes away, per type. */
const STATE_LOST: Record<string, (r: ReviewResource) => string> = {
  [TABLE]: (r) =>
    `DynamoDB table ${r.inputs.name}: the new table starts empty; every item (keys ${r.inputs.hashKey}${r.inputs.rangeKey ? `/${r.inputs.rangeKey}` : ""}) in the old one is lost unless restored from a backup${r.inputs.pointInTimeRecovery?.enabled ? " (point-in-time recovery is on: restore before the old table's backups expire)" : ""}`,
  [STREAM]: (r) =>
    `Kinesis stream ${r.inputs.name}: every record still retained (${r.inputs.retentionPeriod ?? 24} h) is lost, and consumers must start again from the new stream`,
  "aws:s3/bucket:Bucket": (r) =>
    `S3 bucket ${r.inputs.bucket ?? r.name}: every object in it (the job's code and anything else stored there) is lost`,
  "aws:secretsmanager/secret:Secret": (r) =>
    `secret ${r.inputs.name ?? r.name}: its value and every version are lost; whatever reads it fails until a new value is set`,
  "aws:secretsmanager/secretVersion:SecretVersion": (r) =>
    `secret version ${r.name}: the stored secret value is replaced; readers of the old version fail`,
  "aws:kms/key:Key": (r) =>
    `KMS key ${r.name}: data encrypted with it (stream records, table items, secrets, snapshots) cannot be decrypted once the key is deleted`,
  "confluentcloud:index/kafkaTopic:KafkaTopic": (r) =>
    `Kafka topic ${r.inputs.topicName}: every message in it and the consumers' committed offsets are lost`,
  [APPLICATION]: (r) =>
    `Managed Flink application ${r.inputs.name}: its snapshots and running state (windows, keyed state, source positions) are lost; the new application starts with no state`,
};

/** `FLINK-1_20` -> [1, 20]. */
function flinkVersion(runtime: unknown): [number, number] | undefined {
  const match = /^FLINK-(\d+)_(\d+)$/.exec(String(runtime));
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Leaf values by path: `a.b`, `a[0].c`; empty objects and arrays are leaves too. */
export function flatten(value: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, index) => flatten(item, `${prefix}[${index}]`, out));
  } else if (typeof value === "object" && value !== null && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix !== "") out.set(prefix, value);
  return out;
}

export function changedInputs(base: Inputs, head: Inputs): InputChange[] {
  const before = flatten(base);
  const after = flatten(head);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths
    .filter((path) => JSON.stringify(before.get(path)) !== JSON.stringify(after.get(path)))
    .map((path) => ({ path, old: before.get(path), new: after.get(path) }));
}

/** Pairs base and head resources: same URN, or a head alias naming a base URN. */
function pair(base: ReviewResource[], head: ReviewResource[]) {
  const byUrn = new Map(base.map((r) => [r.urn, r]));
  const matched = new Set<string>();
  const pairs: { base?: ReviewResource; head?: ReviewResource }[] = [];
  for (const resource of head) {
    let previous = byUrn.get(resource.urn);
    if (!previous)
      previous = resource.aliases?.map((urn) => byUrn.get(urn)).find((r) => r && !matched.has(r.urn));
    if (previous) matched.add(previous.urn);
    pairs.push({ base: previous, head: resource });
  }
  for (const resource of base) if (!matched.has(resource.urn)) pairs.push({ base: resource });
  return pairs;
}

export function diffPlans(base: ReviewResource[], head: ReviewResource[]): Change[] {
  const changes: Change[] = [];
  for (const { base: before, head: after } of pair(base, head)) {
    if (!before) {
      changes.push({
        urn: after!.urn,
        type: after!.type,
        action: "create",
        inputs: [],
        replaceBecause: [],
        danger: [],
      });
      continue;
    }
    if (!after) {
      changes.push({
        urn: before.urn,
        type: before.type,
        action: "delete",
        inputs: [],
        replaceBecause: [],
        danger: [],
      });
      continue;
    }
    const inputs = changedInputs(before.inputs, after.inputs);
    const moved = before.urn !== after.urn;
    if (inputs.length === 0 && !moved) continue;
    const replaceBecause = replacingChanges(
      after.type,
      inputs.map((i) => i.path),
      after.replaceOnChanges,
    );
    changes.push({
      urn: after.urn,
      type: after.type,
      action: replaceBecause.length > 0 ? "replace" : "update",
      ...(moved ? { previousUrn: before.urn } : {}),
      inputs,
      replaceBecause,
      danger: [],
    });
  }
  addDangers(changes, base, head);
  return changes.sort((a, b) => a.urn.localeCompare(b.urn));
}

function addDangers(changes: Change[], base: ReviewResource[], head: ReviewResource[]): void {
  const baseByUrn = new Map(base.map((r) => [r.urn, r]));
  const headByUrn = new Map(head.map((r) => [r.urn, r]));
  for (const change of changes) {
    const before = baseByUrn.get(change.previousUrn ?? change.urn);
    const after = headByUrn.get(change.urn);
    if (change.action === "replace" || change.action === "delete") {
      const gone = before!;
      const verb =
        change.action === "replace"
          ? `replaced (because ${change.replaceBecause.join(", ")} changed)`
          : "deleted";
      const lost = STATE_LOST[change.type];
      if (lost) change.danger.push(`${verb}: ${lost(gone)}`);
      if (
        change.action === "delete" &&
        change.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
      )
        change.danger.push("public exposure: the bucket's public access block is removed");
      if (gone.protect)
        change.danger.push(
          `${verb} while protected: the deployment fails until someone removes protect on purpose`,
        );
    }
    if (change.type === APPLICATION && before && after) applicationDangers(change, before, after);
    if (after) exposureDangers(change, before, after);
  }
  grantDangers(changes, base, head);
}

function applicationDangers(change: Change, before: ReviewResource, after: ReviewResource): void {
  if (before.inputs.name !== after.inputs.name)
    change.danger.push(
      `application renamed ${before.inputs.name} -> ${after.inputs.name}: a new application, its state starts empty`,
    );
  const from = flinkVersion(before.inputs.runtimeEnvironment);
  const to = flinkVersion(after.inputs.runtimeEnvironment);
  if (from && to && (to[0] !== from[0] || to[1] !== from[1])) {
    const older = to[0] < from[0] || (to[0] === from[0] && to[1] < from[1]);
    if (older)
      change.danger.push(
        `runtime downgraded ${before.inputs.runtimeEnvironment} -> ${after.inputs.runtimeEnvironment}: a snapshot taken by the newer Flink cannot be restored by the older one`,
      );
    else if (to[0] === 2 && to[1] >= 2 && (from[0] < 2 || from[1] < 2))
      change.danger.push(
        `runtime upgraded ${before.inputs.runtimeEnvironment} -> ${after.inputs.runtimeEnvironment}: one-way; state written by Flink 2.2 cannot be restored by ${before.inputs.runtimeEnvironment}, so there is no rollback`,
      );
  }
  const code = (r: ReviewResource) =>
    JSON.stringify(r.inputs.applicationConfiguration?.applicationCodeConfiguration ?? null);
  const run = after.inputs.applicationConfiguration?.runConfiguration ?? {};
  const restores =
    run.applicationRestoreConfiguration?.applicationRestoreType !== "SKIP_RESTORE_FROM_SNAPSHOT";
  const allowNonRestored = run.flinkRunConfiguration?.allowNonRestoredState === true;
  if (change.action === "update" && code(before) !== code(after) && restores && !allowNonRestored)
    change.danger.push(
      "job code changed while allowNonRestoredState is false: the application restarts from its latest snapshot, and if the new job dropped or renamed an operator (or changed its uid), Flink cannot map that state and the job fails to start until the change is rolled back or allowNonRestoredState is set",
    );
}

/** A policy's Allow statements as `action on resource` pairs (a missing Resource reads `*`). */
function grants(document: unknown): Set<string> {
  const pairs = new Set<string>();
  for (const statement of statements(document)) {
    if ((statement.Effect ?? "Allow") !== "Allow") continue;
    const list = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
    const resources = list(statement.Resource);
    for (const action of list(statement.Action))
      for (const resource of resources.length ? resources : ["*"]) pairs.add(`${action} on ${resource}`);
  }
  return pairs;
}

function statements(document: unknown): Inputs[] {
  let parsed: unknown = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch {
      return [];
    }
  }
  const body = (parsed ?? {}) as Inputs;
  if (body.Statement === undefined) return [];
  return Array.isArray(body.Statement) ? body.Statement : [body.Statement];
}

/** New grants per role (by role name), over every inline policy of the role. */
function grantDangers(changes: Change[], base: ReviewResource[], head: ReviewResource[]): void {
  const byRole = (resources: ReviewResource[]) => {
    const roles = new Map<string, Set<string>>();
    for (const r of resources.filter((r) => r.type === ROLE_POLICY)) {
      const role = String(r.inputs.role);
      roles.set(role, new Set([...(roles.get(role) ?? []), ...grants(r.inputs.policy)]));
    }
    return roles;
  };
  const before = byRole(base);
  for (const r of head.filter((r) => r.type === ROLE_POLICY)) {
    const had = before.get(String(r.inputs.role));
    if (!had) continue; // a new role: nothing widened
    const added = [...grants(r.inputs.policy)].filter((grant) => !had.has(grant));
    const change = changes.find((c) => c.urn === r.urn);
    if (added.length > 0 && change)
      change.danger.push(`IAM grants widened for role ${r.inputs.role}: ${added.join("; ")}`);
  }
}

const OPEN = ["0.0.0.0/0", "::/0"];

function publicStatements(document: unknown): string[] {
  return statements(document)
    .filter((s) => (s.Effect ?? "Allow") === "Allow" && s.Condition === undefined)
    .filter(
      (s) =>
        s.Principal === "*" ||
        s.Principal?.AWS === "*" ||
        (Array.isArray(s.Principal?.AWS) && s.Principal.AWS.includes("*")),
    )
    .map((s) => `${[s.Action].flat().join(",")} for everyone`);
}

const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

function exposureDangers(change: Change, before: ReviewResource | undefined, after: ReviewResource): void {
  const was = before?.inputs ?? {};
  const now = after.inputs;
  if (after.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
    const peer = now.cidrIpv4 ?? now.cidrIpv6;
    if (OPEN.includes(peer) && (was.cidrIpv4 ?? was.cidrIpv6) !== peer)
      change.danger.push(
        `public exposure: ingress ${now.ipProtocol} ${now.fromPort}-${now.toPort} from ${peer} (the internet)`,
      );
  }
  if (after.type === "aws:ec2/securityGroup:SecurityGroup") {
    const open = (inputs: Inputs) =>
      (inputs.ingress ?? []).filter((rule: Inputs) =>
        [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].some((c: string) => OPEN.includes(c)),
      );
    if (open(now).length > open(was).length)
      change.danger.push("public exposure: an ingress rule open to the internet");
  }
  if (after.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock") {
    const lifted = BLOCK_FLAGS.filter((flag) => was[flag] === true && now[flag] !== true);
    if (lifted.length)
      change.danger.push(
        `public exposure: the bucket's public access block no longer sets ${lifted.join(", ")}`,
      );
  }
  if (after.type === "aws:s3/bucketAcl:BucketAcl" && /^public-/.test(now.acl ?? "") && was.acl !== now.acl)
    change.danger.push(`public exposure: bucket ACL ${now.acl}`);
  if (typeof now.policy === "string" || typeof now.policy === "object") {
    const had = new Set(publicStatements(was.policy));
    const added = publicStatements(now.policy).filter((s) => !had.has(s));
    if (added.length)
      change.danger.push(`public exposure: ${after.type.split(":").pop()} allows ${added.join("; ")}`);
  }
}

export function hasDanger(changes: Change[]): boolean {
  return changes.some((c) => c.danger.length > 0);
}
