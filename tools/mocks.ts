/**
 * Mock provider behaviour for the offline plan and the tests: realistic physical names, ids and
 * ARNs (one fixed account, the stack's region), so the scoping of every IAM statement can be read.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_CONFLUENT_ORGANIZATION = "1111aaaa-11aa-11aa-11aa-111111aaaaaa";

export interface MockContext {
  /** The resource's logical name. */
  name: string;
  inputs: Record<string, any>;
  region: string;
  account: string;
  /** `inputs[field]` when set, else a Pulumi-style auto-name (`<name>-<7 hex>`), stable across runs. */
  physicalName(field?: string): string;
  /** `arn:aws:<service>:<region>:<account>:<resource>` */
  arn(service: string, resource: string, scope?: { region?: string; account?: string }): string;
}

export interface MockState {
  id: string;
  state: Record<string, unknown>;
}

type ResourceMock = (context: MockContext) => MockState;
type CallMock = (inputs: Record<string, any>, context: { region: string; account: string }) => Record<string, unknown>;

function named(field: string, service: string, resource: (name: string) => string, idIsArn = false): ResourceMock {
  return (c) => {
    const name = c.physicalName(field);
    const arn = c.arn(service, resource(name));
    return { id: idIsArn ? arn : name, state: { [field]: name, arn } };
  };
}

/** Per resource type: the id and computed outputs the provider would return. */
export const RESOURCE_MOCKS: Record<string, ResourceMock> = {
  "aws:kinesis/stream:Stream": named("name", "kinesis", (n) => `stream/${n}`, true),
  "aws:dynamodb/table:Table": named("name", "dynamodb", (n) => `table/${n}`),
  "aws:s3/bucket:Bucket": (c) => {
    const bucket = c.physicalName("bucket");
    return {
      id: bucket,
      state: { bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com`, region: c.region },
    };
  },
  "aws:s3/bucketObject:BucketObject": (c) => ({
    id: c.inputs.key,
    state: { arn: `arn:aws:s3:::${c.inputs.bucket}/${c.inputs.key}`, versionId: mockHex(c.inputs.key, 32), etag: mockHex(c.inputs.key, 32) },
  }),
  "aws:iam/role:Role": (c) => {
    const name = c.physicalName("name");
    return { id: name, state: { name, arn: c.arn("iam", `role/${name}`, { region: "" }), uniqueId: `AROA${mockHex(name, 16).toUpperCase()}` } };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => {
    const name = c.physicalName("name");
    return { id: `${c.inputs.role}:${name}`, state: { name } };
  },
  "aws:iam/policy:Policy": named("name", "iam", (n) => `policy/${n}`),
  "aws:cloudwatch/logGroup:LogGroup": named("name", "logs", (n) => `log-group:${n}`),
  "aws:cloudwatch/logStream:LogStream": (c) => {
    const name = c.physicalName("name");
    return { id: name, state: { name, arn: c.arn("logs", `log-group:${c.inputs.logGroupName}:log-stream:${name}`) } };
  },
  "aws:kinesisanalyticsv2/application:Application": (c) => {
    const name = c.physicalName("name");
    const arn = c.arn("kinesisanalytics", `application/${name}`);
    return { id: arn, state: { name, arn, status: c.inputs.startApplication ? "RUNNING" : "READY", versionId: 1 } };
  },
  "aws:secretsmanager/secret:Secret": (c) => {
    const name = c.physicalName("name");
    const arn = c.arn("secretsmanager", `secret:${name}-${mockHex(name, 6)}`);
    return { id: arn, state: { name, arn } };
  },
  "aws:ssm/parameter:Parameter": (c) => {
    const name = c.physicalName("name");
    return { id: name, state: { name, arn: c.arn("ssm", `parameter/${name.replace(/^\//, "")}`), version: 1 } };
  },
  "aws:sns/topic:Topic": named("name", "sns", (n) => n, true),
  "aws:cloudwatch/metricAlarm:MetricAlarm": named("name", "cloudwatch", (n) => `alarm:${n}`),
  "aws:cloudwatch/dashboard:Dashboard": (c) => {
    const name = c.physicalName("dashboardName");
    return { id: name, state: { dashboardName: name, dashboardArn: c.arn("cloudwatch", `dashboard/${name}`, { region: "" }) } };
  },
  "aws:secretsmanager/secretVersion:SecretVersion": (c) => {
    const versionId = uuidFrom(
      `${c.name}:${JSON.stringify(pulumi.runtime.unwrapRpcSecret(c.inputs.secretString) ?? "")}`,
    );
    return { id: `${c.inputs.secretId}|${versionId}`, state: { versionId, versionStages: ["AWSCURRENT"] } };
  },
  "confluentcloud:index/serviceAccount:ServiceAccount": (c) => ({
    id: `sa-${mockHex(`sa::${c.name}`, 6)}`,
    state: { apiVersion: "iam/v2", kind: "ServiceAccount" },
  }),
  // Key ids are 16 upper-case characters; the secret is a Pulumi secret, as the provider marks it.
  "confluentcloud:index/apiKey:ApiKey": (c) => ({
    id: mockHex(`key::${c.name}`, 16).toUpperCase(),
    state: { secret: rpcSecret(`cflt${mockHex(`secret::${c.name}`, 60)}`), disableWaitForReady: false },
  }),
  "confluentcloud:index/kafkaTopic:KafkaTopic": (c) => ({
    id: `${c.inputs.kafkaCluster?.id}/${c.inputs.topicName}`,
    state: {},
  }),
  "confluentcloud:index/kafkaAcl:KafkaAcl": (c) => ({
    id: [
      c.inputs.kafkaCluster?.id,
      c.inputs.resourceType,
      c.inputs.resourceName,
      c.inputs.patternType,
      c.inputs.principal,
      c.inputs.host,
      c.inputs.operation,
      c.inputs.permission,
    ].join("#"),
    state: {},
  }),
  "confluentcloud:index/roleBinding:RoleBinding": (c) => ({
    id: `rb-${mockHex(`rb::${c.name}`, 6)}`,
    state: {},
  }),
  "aws:kms/key:Key": (c) => {
    const keyId = uuidFrom(c.name);
    return { id: keyId, state: { keyId, arn: c.arn("kms", `key/${keyId}`) } };
  },
};

/** Per function token: what the provider function returns. */
export const CALL_MOCKS: Record<string, CallMock> = {
  "aws:index/getCallerIdentity:getCallerIdentity": (_inputs, c) => ({
    accountId: c.account,
    arn: `arn:aws:iam::${c.account}:user/offline-plan`,
    userId: "AIDAOFFLINEPLAN",
    id: c.account,
  }),
  "aws:index/getRegion:getRegion": (_inputs, c) => ({
    region: c.region,
    name: c.region,
    id: c.region,
    endpoint: `ec2.${c.region}.amazonaws.com`,
    description: c.region,
  }),
  "aws:index/getPartition:getPartition": () => ({
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
    id: "aws",
  }),
  // Existing clusters are referenced by id: answer for whatever id the stack names.
  "confluentcloud:index/getKafkaCluster:getKafkaCluster": (inputs, c) => {
    const host = `pkc-${mockHex(`pkc::${inputs.id}`, 5)}.${c.region}.aws.confluent.cloud`;
    const environmentId = inputs.environment?.id;
    return {
      id: inputs.id,
      apiVersion: "cmk/v2",
      kind: "Cluster",
      displayName: `cluster-${inputs.id}`,
      availability: "SINGLE_ZONE",
      cloud: "AWS",
      region: c.region,
      bootstrapEndpoint: `SASL_SSL://${host}:9092`,
      restEndpoint: `https://${host}:443`,
      rbacCrn: `crn://confluent.cloud/organization=${MOCK_CONFLUENT_ORGANIZATION}/environment=${environmentId}/cloud-cluster=${inputs.id}`,
      environment: { id: environmentId },
      basics: [],
      byokKeys: [],
      endpoints: [],
      networks: [],
    };
  },
  "confluentcloud:index/getSchemaRegistryCluster:getSchemaRegistryCluster": (inputs, c) => {
    const environmentId = inputs.environment?.id;
    const id = `lsrc-${mockHex(`lsrc::${environmentId}`, 5)}`;
    return {
      id,
      apiVersion: "srcm/v3",
      kind: "Cluster",
      displayName: "Stream Governance Package",
      package: "ESSENTIALS",
      cloud: "AWS",
      region: c.region,
      restEndpoint: `https://psrc-${mockHex(`psrc::${environmentId}`, 5)}.${c.region}.aws.confluent.cloud`,
      catalogEndpoint: `https://psrc-${mockHex(`psrc::${environmentId}`, 5)}.${c.region}.aws.confluent.cloud`,
      privateRestEndpoint: "",
      privateRegionalRestEndpoints: {},
      resourceName: `crn://confluent.cloud/organization=${MOCK_CONFLUENT_ORGANIZATION}/environment=${environmentId}/schema-registry=${id}`,
      environment: { id: environmentId },
    };
  },
};

/** A value the mock runtime hands back as a Pulumi secret (as `additionalSecretOutputs` would). */
function rpcSecret(value: unknown): Record<string, unknown> {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

export function mockHex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function uuidFrom(seed: string): string {
  const hex = mockHex(seed, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Pulumi mocks answering with {@link RESOURCE_MOCKS} and {@link CALL_MOCKS}. */
export class PipelineMocks implements pulumi.runtime.Mocks {
  constructor(
    private readonly region: string,
    private readonly account = MOCK_ACCOUNT_ID,
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): MockState {
    const inputs = args.inputs as Record<string, any>;
    const context: MockContext = {
      name: args.name,
      inputs,
      region: this.region,
      account: this.account,
      physicalName: (field = "name") => {
        const given = pulumi.runtime.unwrapRpcSecret(inputs[field]);
        return typeof given === "string" && given !== "" ? given : `${args.name}-${mockHex(`${args.type}::${args.name}`, 7)}`;
      },
      arn: (service, resource, scope = {}) =>
        `arn:aws:${service}:${scope.region ?? this.region}:${scope.account ?? this.account}:${resource}`,
    };
    const mock = RESOURCE_MOCKS[args.type];
    const result = mock ? mock(context) : { id: `${args.name}-id`, state: {} };
    return { id: result.id, state: { ...inputs, ...result.state } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const mock = CALL_MOCKS[args.token];
    if (!mock) throw new Error(`the offline plan has no mock for the function ${args.token}`);
    return mock(args.inputs, { region: this.region, account: this.account });
  }
}
