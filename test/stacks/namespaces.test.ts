import { strict as assert } from "assert";
import { AWS_REGIONS, PROVIDER_CONFIG_KEYS, closest, editDistance } from "../../stacks/namespaces";
import { cliConfig, configProblems, directoryWith, onePipelineConfig } from "../helpers";

const workDir = directoryWith({ "job/main.py": "print('job')\n" });
const context = { project: "flink-pipeline", stack: "team-a", projectDir: workDir, dryRun: true };

/** The problems of a config holding `values` besides a valid artifact and region. */
function problemsOf(values: Record<string, unknown>): string[] {
  return configProblems(() =>
    onePipelineConfig(
      { "aws:region": "eu-west-1", "flink-pipeline:flink": '{"artifact":"job"}', ...cliConfig(values) },
      context,
    ),
  );
}

describe("config namespaces and provider keys", () => {
  const typos: [string, Record<string, unknown>, RegExp][] = [
    [
      "a misspelt project namespace",
      { "flink-pipline:flink": { parallelism: 4 } },
      /^flink-pipline:flink is in namespace "flink-pipline", which nothing reads; did you mean flink-pipeline:flink\?$/,
    ],
    [
      "the project namespace in other case",
      { "Flink-Pipeline:protect": true },
      /did you mean flink-pipeline:protect\?/,
    ],
    ["the aws namespace in capitals", { "AWS:region": "eu-west-1" }, /did you mean aws:region\?/],
    ["a misspelt aws namespace", { "asw:region": "eu-west-1" }, /did you mean aws:region\?/],
    [
      "a misspelt confluentcloud namespace",
      { "confluentclod:cloudApiKey": "k" },
      /did you mean confluentcloud:cloudApiKey\?/,
    ],
    [
      "an aws key the provider does not read",
      { "aws:regoin": "eu-west-1" },
      /^aws:regoin is not a config key of the aws provider \(@pulumi\/aws\); did you mean aws:region\?$/,
    ],
    [
      "a confluentcloud key the provider does not read",
      { "confluentcloud:cloudApiSecrets": "s" },
      /did you mean confluentcloud:cloudApiSecret\?/,
    ],
    [
      "any awsx key",
      { "awsx:region": "eu-west-1" },
      /awsx:region is not a config key .* which reads no config/,
    ],
    [
      "an aws key far from every known one",
      { "aws:colour": "blue" },
      /aws:colour is not a config key .*; its keys: accessKey, .*region/,
    ],
    [
      "a misspelt top-level key",
      { "flink-pipeline:flnk": {} },
      /flink-pipeline:flnk is not a known key; did you mean flink-pipeline:flink\?/,
    ],
    [
      "a misspelt nested key",
      { "flink-pipeline:source": { streamMod: "ON_DEMAND" } },
      /flink-pipeline:source\.streamMod is not a known key; did you mean flink-pipeline:source\.streamMode\?/,
    ],
  ];
  for (const [what, values, expected] of typos) {
    it(`refuses ${what}, naming the intended key`, () => {
      const problems = problemsOf(values);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0], expected);
    });
  }

  it("refuses a region the installed provider does not know, suggesting the nearest", () => {
    assert.deepEqual(problemsOf({ "aws:region": "us-east-9" }), [
      'aws:region must be a region @pulumi/aws knows (got "us-east-9"; did you mean us-east-1?)',
    ]);
    assert.match(problemsOf({ "aws:region": "mars-1" })[0], /regions: af-south-1, .*us-west-2/);
  });

  it("accepts every region the provider knows, and any when the stack skips the provider's region check", () => {
    for (const region of ["eu-west-1", "ap-southeast-7", "us-gov-west-1"]) {
      assert.deepEqual(problemsOf({ "aws:region": region }), [], region);
    }
    assert.deepEqual(problemsOf({ "aws:region": "xx-local-1", "aws:skipRegionValidation": true }), []);
  });

  it("leaves namespaces nothing of ours is close to, and the engine's, to their readers", () => {
    assert.deepEqual(problemsOf({ "random:seed": "1", "kubernetes:context": "c", "pulumi:tags": {} }), []);
  });

  it("reads the provider keys from the installed packages", () => {
    for (const key of ["region", "defaultTags", "profile", "skipRegionValidation"]) {
      assert.ok(PROVIDER_CONFIG_KEYS.aws.includes(key), key);
    }
    assert.ok(PROVIDER_CONFIG_KEYS.confluentcloud.includes("cloudApiKey"));
    assert.ok(AWS_REGIONS.includes("eu-central-2") && !AWS_REGIONS.includes("us-east-9"));
  });

  it("reports every mistake at once", () => {
    const problems = problemsOf({
      "aws:regoin": "eu-west-1",
      "flink-pipline:flink": {},
      "flink-pipeline:protect": "yes",
      "flink-pipeline:table": { sortKey: "" },
    });
    assert.equal(problems.length, 4, problems.join("\n"));
  });

  describe("edit distance", () => {
    const cases: [string, string, number][] = [
      ["aws", "aws", 0],
      ["regoin", "region", 1],
      ["flink-pipline", "flink-pipeline", 1],
      ["asw", "aws", 1],
      ["gcp", "aws", 3],
      ["", "abc", 3],
    ];
    for (const [a, b, distance] of cases) {
      it(`${JSON.stringify(a)} to ${JSON.stringify(b)} is ${distance}`, () =>
        assert.equal(editDistance(a, b), distance));
    }
    it("suggests nothing for a word far from every candidate", () => {
      assert.equal(closest("gcp", ["aws", "awsx", "confluentcloud", "flink-pipeline"]), undefined);
      assert.equal(closest("awsx", ["aws", "awsx"]), "awsx");
    });
  });
});

describe("no message about a value the user did not write", () => {
  const cascades: [string, Record<string, unknown>, string[]][] = [
    [
      "a miscased streamMode with its shardCount",
      { "flink-pipeline:source": { streamMode: "provisioned", shardCount: 4 } },
      [
        'flink-pipeline:source.streamMode must be one of ON_DEMAND, PROVISIONED (got "provisioned"; did you mean PROVISIONED?)',
      ],
    ],
    [
      "a miscased streamMode without a shardCount",
      { "flink-pipeline:source": { streamMode: "provisioned" } },
      [
        'flink-pipeline:source.streamMode must be one of ON_DEMAND, PROVISIONED (got "provisioned"; did you mean PROVISIONED?)',
      ],
    ],
    [
      "a miscased source kind with the other kind's fields",
      { "flink-pipeline:source": { kind: "Confluent", environmentId: "env-1", clusterId: "lkc-1" } },
      [
        'flink-pipeline:source.kind must be one of kinesis, confluent (got "Confluent"; did you mean confluent?)',
      ],
    ],
    [
      "a misspelt restore type with a snapshot name",
      { "flink-pipeline:flink": { artifact: "job", restore: { type: "CUSTOM", snapshotName: "s1" } } },
      [
        'flink-pipeline:flink.restore.type must be one of RESTORE_FROM_LATEST_SNAPSHOT, RESTORE_FROM_CUSTOM_SNAPSHOT, SKIP_RESTORE_FROM_SNAPSHOT (got "CUSTOM")',
      ],
    ],
    [
      "a miscased language with a jar artifact",
      { "flink-pipeline:flink": { artifact: "job/main.py", language: "Java" } },
      ['flink-pipeline:flink.language must be one of java, python (got "Java"; did you mean java?)'],
    ],
  ];
  for (const [what, values, expected] of cascades) {
    it(`reports only the mistake for ${what}`, () => assert.deepEqual(problemsOf(values), expected));
  }
});
