import { strict as assert } from "assert";
import { checkPolicies, defaultPolicyConfig } from "../../tools/planPolicies";
import { readStackFiles } from "../../tools/stackFiles";
import {
  PROJECT_DIR,
  cliConfig,
  configProblems,
  inputsOf,
  onePipelineConfig,
  planStack,
  resourceOf,
  resourcesOf,
  statementsOf,
} from "../helpers";

const APPLICATION = "aws:kinesisanalyticsv2/application:Application";
const KEY = "aws:kms/key:Key";
const flink = (stateEncryption?: string) => ({ language: "python", artifact: "app", stateEncryption });

describe("application state encryption", () => {
  it("keeps the AWS-owned key by default and sends no encryption block (no change for existing apps)", async () => {
    const result = await planStack("staging");
    assert.equal(
      inputsOf(resourceOf(result, APPLICATION)).applicationConfiguration.applicationEncryptionConfiguration,
      undefined,
    );
  });

  it("create: a rotating key Managed Flink may use for this account, set on the application", async () => {
    const result = await planStack("staging", { flink: flink("create") });
    const key = resourceOf(result, KEY, "flink-state-key");
    assert.equal(inputsOf(key).enableKeyRotation, true);
    const service = statementsOf(key).find((s) => s.Sid === "ManagedFlinkUsesKey")!;
    assert.deepEqual(service.Principal, {
      Service: ["kinesisanalytics.amazonaws.com", "infrastructure.kinesisanalytics.amazonaws.com"],
    });
    assert.deepEqual(service.Action, [
      "kms:DescribeKey",
      "kms:Decrypt",
      "kms:GenerateDataKey*",
      "kms:CreateGrant",
    ]);
    assert.deepEqual(service.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    const encryption = inputsOf(resourceOf(result, APPLICATION)).applicationConfiguration
      .applicationEncryptionConfiguration;
    assert.equal(encryption.keyType, "CUSTOMER_MANAGED_KEY");
    assert.equal(encryption.keyId, key.outputs.arn);
  });

  it("uses a given key ARN without creating one", async () => {
    const arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const result = await planStack("staging", { flink: flink(arn) });
    assert.deepEqual(
      inputsOf(resourceOf(result, APPLICATION)).applicationConfiguration.applicationEncryptionConfiguration,
      {
        keyType: "CUSTOMER_MANAGED_KEY",
        keyId: arn,
      },
    );
    assert.equal(resourcesOf(result, KEY).filter((k) => k.name === "flink-state-key").length, 0);
  });

  it("passes the prod policy pack with a created key", async () => {
    const result = await planStack("prod", { flink: { ...flink("create"), parallelism: 4 } });
    const files = readStackFiles(PROJECT_DIR, "prod");
    const violations = await checkPolicies(result.resources, files, defaultPolicyConfig(files));
    assert.deepEqual(
      violations.filter((v) => v.enforcementLevel === "mandatory"),
      [],
    );
  });

  it("refuses anything else", () => {
    assert.deepEqual(
      configProblems(() =>
        onePipelineConfig(
          cliConfig({ "flink-pipeline:flink": { artifact: "app", stateEncryption: "alias/mine" } }),
          {
            project: "flink-pipeline",
            stack: "dev",
            projectDir: PROJECT_DIR,
            dryRun: true,
          },
        ),
      ),
      [
        'flink-pipeline:flink.stateEncryption must be aws-owned, create or a customer-managed KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) (got "alias/mine")',
      ],
    );
  });
});
