import * as assert from "assert";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { Table } from "@pulumi/aws/dynamodb";
import { Stream } from "@pulumi/aws/kinesis";
import {
  buildResourceValidationArgs,
  buildStackValidationArgs,
  evaluatePolicies,
  loadPolicyConfig,
  PolicyNotApplicableError,
  resolvePolicyConfig,
} from "../../policy/evaluate";
import { allPolicies } from "../../policy/policies";
import { DEFAULT_REQUIRED_TAGS } from "../../policy/policies/tags";
import { compliantStack, stream, table } from "./fixtures";
import { awsProvider, resource, UNKNOWN_STRING, urnOf } from "./harness";

const CONFIG_DIR = join(__dirname, "..", "..", "policy", "config");

describe("policy config resolution", () => {
  it("fills schema defaults and each policy's own level when the file says nothing", () => {
    const config = resolvePolicyConfig({});
    assert.deepStrictEqual(config["required-tags"], {
      requiredTags: DEFAULT_REQUIRED_TAGS,
      enforcementLevel: "mandatory",
    });
    assert.deepStrictEqual(config["flink-parallelism-bounds"], {
      minParallelism: 1,
      maxParallelism: 32,
      enforcementLevel: "mandatory",
    });
    assert.deepStrictEqual(
      Object.keys(config),
      allPolicies.map((policy) => policy.name),
    );
  });

  it('lets "all" set every level and a named policy override it, config merged over defaults', () => {
    const config = resolvePolicyConfig({
      all: "advisory",
      "required-tags": "disabled",
      "flink-parallelism-bounds": { maxParallelism: 4 },
    });
    assert.strictEqual(config["kinesis-stream-encryption"].enforcementLevel, "advisory");
    assert.strictEqual(config["required-tags"].enforcementLevel, "disabled");
    assert.deepStrictEqual(config["flink-parallelism-bounds"], {
      minParallelism: 1,
      maxParallelism: 4,
      enforcementLevel: "advisory",
    });
  });

  it("resolves its own output to the same config", () => {
    const config = resolvePolicyConfig({ "required-tags": { requiredTags: ["owner"] } });
    assert.deepStrictEqual(resolvePolicyConfig(config), config);
  });

  it("rejects unknown policy names, naming them and the known ones", () => {
    assert.throws(
      () =>
        resolvePolicyConfig({
          "s3-bucket-encrpytion": "advisory",
          "kinesis-stream-encryption": "advisory",
          nope: "disabled",
        }),
      /^Error: Unknown policy name\(s\) in policy config: s3-bucket-encrpytion, nope\. Known policies: dynamodb-table-encryption, .*s3-bucket-encryption.*\.$/,
    );
  });

  const invalid: [string, unknown, RegExp][] = [
    [
      "an invalid level",
      { "required-tags": "strict" },
      /"required-tags": "strict" is not an enforcement level \(advisory, mandatory, remediate, disabled\)/,
    ],
    [
      "a level that is not a string",
      { "required-tags": { enforcementLevel: true } },
      /"required-tags": true is not an enforcement level/,
    ],
    [
      "a value that is neither level nor object",
      { "required-tags": 3 },
      /"required-tags" must be an enforcement level or an object/,
    ],
    [
      "config under all",
      { all: { enforcementLevel: "advisory", requiredTags: [] } },
      /"all" sets only an enforcement level/,
    ],
    [
      "a config key typo",
      { "flink-parallelism-bounds": { maxParalelism: 4 } },
      /unknown config "maxParalelism" \(known: minParallelism, maxParallelism\)/,
    ],
    [
      "config for a policy without config",
      { "s3-bucket-tls-only": { strict: true } },
      /"s3-bucket-tls-only": unknown config "strict" \(known: none\)/,
    ],
    [
      "a number given as text",
      { "flink-parallelism-bounds": { maxParallelism: "4" } },
      /"maxParallelism" must be of type integer/,
    ],
    [
      "a number under the minimum",
      { "kinesis-stream-retention": { minRetentionHours: 12 } },
      /"minRetentionHours" must be at least 24/,
    ],
    [
      "an empty tag key",
      { "required-tags": { requiredTags: ["owner", ""] } },
      /"requiredTags\[1\]" must have at least 1 characters/,
    ],
    [
      "a network entry that is a malformed ARN or a VPC",
      {
        "iam-statements-scoped-to-stack": {
          externalNetworkResources: [
            "sg-0123456789abcdef0",
            "arn:aws:ec2:us-east-1:1:subnet/subnet-1",
            "vpc-01234567",
            "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0123456789abcdef0",
          ],
        },
      },
      /"externalNetworkResources\[1\]" must match \^\(\(subnet\|sg\)-.*; "externalNetworkResources\[2\]" must match [^;]*\.$/,
    ],
    ["a document that is not an object", ["required-tags"], /must be a JSON object keyed by policy name/],
  ];
  for (const [title, json, message] of invalid) {
    it(`rejects ${title}`, () => assert.throws(() => resolvePolicyConfig(json), message));
  }

  it("names the file when a config file cannot be read", () => {
    const file = join(mkdtempSync(join(tmpdir(), "policy-config-")), "broken.json");
    writeFileSync(file, "{ not json");
    assert.throws(
      () => loadPolicyConfig(file),
      (error: Error) => error.message.startsWith(`${file}: `),
    );
  });
});

describe("evaluatePolicies", () => {
  const prod = loadPolicyConfig(join(CONFIG_DIR, "prod.json"));
  const dev = loadPolicyConfig(join(CONFIG_DIR, "dev.json"));
  const sloppyStack = () => [
    ...compliantStack().filter((input) => ![stream().urn, table().urn].includes(input.urn)),
    {
      ...stream({ encryptionType: "NONE" }),
      provider: awsProvider({ environment: "dev", project: "p", owner: "o", "cost-center": "c" }),
    },
    {
      ...table({ pointInTimeRecovery: { enabled: false } }),
      provider: awsProvider({ environment: "dev", project: "p", owner: "o", "cost-center": "c" }),
    },
  ];

  it("finds nothing wrong with a compliant stack under prod rules", async () => {
    assert.deepStrictEqual(await evaluatePolicies(compliantStack(), prod), []);
  });

  it("reports prod-only rules as advisory in dev and mandatory in prod", async () => {
    const levels = async (config: typeof prod) =>
      (await evaluatePolicies(sloppyStack(), config)).map((violation) => [
        violation.policy,
        violation.enforcementLevel,
        violation.urn,
      ]);
    assert.deepStrictEqual(await levels(dev), [
      ["kinesis-stream-encryption", "mandatory", stream().urn],
      ["dynamodb-point-in-time-recovery", "advisory", table().urn],
    ]);
    assert.deepStrictEqual(await levels(prod), [
      ["kinesis-stream-encryption", "mandatory", stream().urn],
      ["dynamodb-point-in-time-recovery", "mandatory", table().urn],
    ]);
  });

  it("skips disabled policies", async () => {
    const violations = await evaluatePolicies(sloppyStack(), {
      ...prod,
      "kinesis-stream-encryption": "disabled",
    });
    assert.deepStrictEqual(
      violations.map((violation) => violation.policy),
      ["dynamodb-point-in-time-recovery"],
    );
  });

  it("reports stack findings against the resource they name, with the remediation", async () => {
    const stack = compliantStack().filter(
      (input) => input.type !== "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    );
    const [violation, ...others] = await evaluatePolicies(stack, prod);
    assert.deepStrictEqual(others, []);
    assert.strictEqual(violation.policy, "s3-bucket-public-access-block");
    assert.strictEqual(violation.urn, urnOf("aws:s3/bucket:Bucket", "flink-artifacts-dev"));
    assert.match(
      violation.message,
      /^Bucket "flink-artifacts-dev" has no public access block .* Fix: add an aws\.s3\.BucketPublicAccessBlock/,
    );
  });

  const readsArn: ResourceValidationPolicy = {
    name: "reads-arn",
    description: "Reads the stream ARN without care for unknowns.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => reportViolation(`arn is ${String(args.props.arn)}`),
  };

  it("turns a read of an unknown value into an advisory can't-run, like the analyzer", async () => {
    const violations = await evaluatePolicies(
      [stream({ arn: UNKNOWN_STRING })],
      {},
      { policies: [readsArn] },
    );
    assert.deepStrictEqual(violations, [
      {
        policy: "reads-arn",
        enforcementLevel: "advisory",
        urn: stream().urn,
        message:
          "can't run policy 'reads-arn' during preview: string value at .arn can't be known during preview",
      },
    ]);
  });

  it("fails naming the policy and resource when a policy throws", async () => {
    const broken: ResourceValidationPolicy = {
      ...readsArn,
      name: "broken",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    await assert.rejects(evaluatePolicies([stream()], {}, { policies: [broken] }), {
      message: `Policy 'broken' failed on ${stream().urn}: boom`,
    });
  });
});

describe("validation arguments, built like the analyzer", () => {
  const input = {
    ...stream({ shardCount: undefined, arn: UNKNOWN_STRING }),
    parent: urnOf("flink-pipeline:source:KinesisSource", "orders"),
    protect: true,
    provider: awsProvider({ owner: "o" }),
  };

  it("answers isType and asType by the class's registered type token", () => {
    const args = buildResourceValidationArgs(input, {});
    assert.strictEqual(args.isType(Stream), true);
    assert.strictEqual(args.isType(Table), false);
    assert.strictEqual(args.asType(Stream)?.name, "orders");
    assert.strictEqual(args.asType(Table), undefined);
  });

  it("drops undefined props and throws on reading an unknown one", () => {
    const args = buildResourceValidationArgs(input, {});
    assert.strictEqual("shardCount" in args.props, false);
    assert.throws(() => args.props.arn, /string value at \.arn can't be known during preview/);
  });

  it("passes options, provider, config and a throwing notApplicable", () => {
    const args = buildResourceValidationArgs(input, { requiredTags: ["owner"] });
    assert.deepStrictEqual(
      { protect: args.opts.protect, parent: args.opts.parent, ignoreChanges: args.opts.ignoreChanges },
      { protect: true, parent: input.parent, ignoreChanges: [] },
    );
    assert.strictEqual(args.provider?.props.defaultTags, JSON.stringify({ tags: { owner: "o" } }));
    assert.deepStrictEqual(args.getConfig(), { requiredTags: ["owner"] });
    assert.throws(
      () => args.notApplicable("not mine"),
      (error) => error instanceof PolicyNotApplicableError && error.reason === "not mine",
    );
  });

  it("links parents, dependencies and property dependencies to resource objects, dropping unknown URNs", () => {
    const parent = resource("flink-pipeline:source:KinesisSource", "orders", {});
    const child = {
      ...stream(),
      parent: parent.urn,
      dependencies: [parent.urn, "urn:missing"],
      propertyDependencies: { name: [parent.urn] },
    };
    const args = buildStackValidationArgs([parent, child], { externalArtifactBuckets: [] });
    const [parentResource, childResource] = args.resources;
    assert.strictEqual(childResource.parent, parentResource);
    assert.deepStrictEqual(childResource.dependencies, [parentResource]);
    assert.deepStrictEqual(childResource.propertyDependencies, { name: [parentResource] });
    assert.strictEqual(childResource.isType(Stream), true);
    assert.deepStrictEqual(args.getConfig(), { externalArtifactBuckets: [] });
  });
});
