/**
 * Mock provider behaviour for the offline plan and the tests: realistic physical names, ids and
 * ARNs (one fixed account, the stack's region), so the scoping of every IAM statement can be read.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

export const MOCK_ACCOUNT_ID = "123456789012";

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
type CallMock = (
  inputs: Record<string, any>,
  context: { region: string; account: string },
) => Record<string, unknown>;

function named(
  field: string,
  service: string,
  resource: (name: string) => string,
  idIsArn = false,
): ResourceMock {
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
      state: {
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        region: c.region,
      },
    };
  },
  "aws:s3/bucketObject:BucketObject": (c) => ({
    id: c.inputs.key,
    state: {
      arn: `arn:aws:s3:::${c.inputs.bucket}/${c.inputs.key}`,
      versionId: mockHex(c.inputs.key, 32),
      etag: mockHex(c.inputs.key, 32),
    },
  }),
  "aws:iam/role:Role": (c) => {
    const name = c.physicalName("name");
    return {
      id: name,
      state: {
        name,
        arn: c.arn("iam", `role/${name}`, { region: "" }),
        uniqueId: `AROA${mockHex(name, 16).toUpperCase()}`,
      },
    };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => {
    const name = c.physicalName("name");
    return { id: `${c.inputs.role}:${name}`, state: { name } };
  },
  "aws:iam/policy:Policy": named("name", "iam", (n) => `policy/${n}`),
  "aws:cloudwatch/logGroup:LogGroup": named("name", "logs", (n) => `log-group:${n}`),
  "aws:cloudwatch/logStream:LogStream": (c) => {
    const name = c.physicalName("name");
    return {
      id: name,
      state: { name, arn: c.arn("logs", `log-group:${c.inputs.logGroupName}:log-stream:${name}`) },
    };
  },
  "aws:kinesisanalyticsv2/application:Application": (c) => {
    const name = c.physicalName("name");
    const arn = c.arn("kinesisanalytics", `application/${name}`);
    return {
      id: arn,
      state: { name, arn, status: c.inputs.startApplication ? "RUNNING" : "READY", versionId: 1 },
    };
  },
  "aws:secretsmanager/secret:Secret": (c) => {
    const name = c.physicalName("name");
    const arn = c.arn("secretsmanager", `secret:${name}-${mockHex(name, 6)}`);
    return { id: arn, state: { name, arn } };
  },
  "aws:ssm/parameter:Parameter": (c) => {
    const name = c.physicalName("name");
    return {
      id: name,
      state: { name, arn: c.arn("ssm", `parameter/${name.replace(/^\//, "")}`), version: 1 },
    };
  },
  "aws:sns/topic:Topic": named("name", "sns", (n) => n, true),
  "aws:cloudwatch/metricAlarm:MetricAlarm": named("name", "cloudwatch", (n) => `alarm:${n}`),
  "aws:cloudwatch/dashboard:Dashboard": (c) => {
    const name = c.physicalName("dashboardName");
    return {
      id: name,
      state: { dashboardName: name, dashboardArn: c.arn("cloudwatch", `dashboard/${name}`, { region: "" }) },
    };
  },
  "aws:kms/key:Key": (c) => {
    const keyId = uuidFrom(c.name);
    return { id: keyId, state: { keyId, arn: c.arn("kms", `key/${keyId}`) } };
  },
  "aws:kms/alias:Alias": (c) => {
    const name = c.physicalName("name");
    return {
      id: name,
      state: { name, arn: c.arn("kms", name), targetKeyArn: c.arn("kms", `key/${c.inputs.targetKeyId}`) },
    };
  },
  "aws:sns/topicPolicy:TopicPolicy": (c) => ({ id: c.inputs.arn, state: { owner: c.account } }),
  "aws:sns/topicSubscription:TopicSubscription": (c) => ({
    id: `${c.inputs.topic}:${uuidFrom(`${c.name}:${c.inputs.endpoint}`)}`,
    // An e-mail subscription stays pending until its owner confirms it.
    state: {
      arn: `${c.inputs.topic}:${uuidFrom(`${c.name}:${c.inputs.endpoint}`)}`,
      pendingConfirmation: c.inputs.protocol === "email",
    },
  }),
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
};

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
        return typeof given === "string" && given !== ""
          ? given
          : `${args.name}-${mockHex(`${args.type}::${args.name}`, 7)}`;
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
