import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ENVIRONMENTS } from "../../stacks/config";
import { stackNames } from "../../tools/stackFiles";
import { PROJECT_DIR, SHIPPED_STACKS, directoryWith, expandedScript } from "../helpers";

/** GitHub Actions cannot run here: these tests read the workflow files and pin what they do. */
type Doc = Record<string, any>;

function workflow(file: string): Doc {
  return parse(fs.readFileSync(path.join(PROJECT_DIR, ".github", "workflows", file), "utf8"));
}

const pipeline = workflow("pipeline.yml");
const deployStack = workflow("deploy-stack.yml");
const jobs: Record<string, Doc> = pipeline.jobs;

/** Every `run:` command of a job. */
function commands(job: Doc): string[] {
  return (job.steps ?? []).filter((s: Doc) => s.run !== undefined).map((s: Doc) => String(s.run).trim());
}

/** The `with:` of the job's step that uses `action` (an `owner/name@version`, matched without the version). */
function step(job: Doc, action: string): Doc {
  const found = (job.steps ?? []).filter((s: Doc) => String(s.uses ?? "").split("@")[0] === action);
  assert.equal(found.length, 1, `expected one ${action} step, found ${found.length}`);
  return found[0];
}

/** The `pulumi/actions` step that runs `pulumi up`. */
function upStep(job: Doc): Doc {
  const found = (job.steps ?? []).filter(
    (s: Doc) => String(s.uses ?? "").split("@")[0] === "pulumi/actions" && s.with?.command === "up",
  );
  assert.equal(found.length, 1, `expected one pulumi up step, found ${found.length}`);
  return found[0];
}

function usesAction(job: Doc, action: string): boolean {
  return (job.steps ?? []).some((s: Doc) => String(s.uses ?? "").split("@")[0] === action);
}

/**
 * Stands in for `npm` and `pulumi` in a step's script: records each call (one line) in $CALLS.
 * `npm run --silent flink -- <command> ... [--pipeline <p>]` prints $FAKE_PIPELINES for `pipelines`
 * (exit $FAKE_PIPELINES_EXIT, default 0);
 * `snapshot`, `verify` and `rollback` exit with the code $FAKE_SNAPSHOT, $FAKE_VERIFY and
 * $FAKE_ROLLBACK give `<p>` (`app` without --pipeline, e.g. `orders=1 app=0`; 0 when not named), and
 * each snapshot (verify) waits until $FAKE_SNAPSHOT_TOGETHER ($FAKE_VERIFY_TOGETHER) of them have
 * started, or fails (exit 9) after 10 s.
 * `pulumi preview` prints $FAKE_PREVIEW.
 */
const FAKE_COMMANDS = {
  npm: `#!/bin/bash
echo "npm $*" >> "$CALLS"
command=$5
pipeline=app
args=("$@")
for ((i = 0; i < $#; i++)); do if [ "\${args[$i]}" = --pipeline ]; then pipeline=\${args[$((i + 1))]}; fi; done
code_of() { for entry in $1; do if [ "\${entry%%=*}" = "$pipeline" ]; then echo "\${entry#*=}"; return; fi; done; echo 0; }
together() {
  for ((i = 0; i < 200; i++)); do
    [ "$(grep -c -- "-- $command " "$CALLS")" -ge "$1" ] && return
    sleep 0.05
  done
  exit 9
}
case $command in
  pipelines) printf '%s' "$FAKE_PIPELINES"; exit "\${FAKE_PIPELINES_EXIT:-0}" ;;
  snapshot) together "\${FAKE_SNAPSHOT_TOGETHER:-1}"; exit "$(code_of "$FAKE_SNAPSHOT")" ;;
  verify)
    together "\${FAKE_VERIFY_TOGETHER:-1}"
    code=$(code_of "$FAKE_VERIFY")
    if [ "$code" = 0 ]; then echo "$pipeline HEALTHY for 10m"; else echo "$pipeline UNHEALTHY: restarts"; fi
    exit "$code" ;;
  rollback) exit "$(code_of "$FAKE_ROLLBACK")" ;;
esac
`,
  pulumi: `#!/bin/bash
echo "pulumi $*" >> "$CALLS"
if [ "$1" = preview ]; then printf '%s' "$FAKE_PREVIEW"; fi
`,
};

interface StepRun {
  code: number;
  stdout: string;
  /** What the step wrote to $GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** The fake commands' calls, in order (verify's side by side ones in any order). */
  calls: string[];
}

/**
 * Runs a step's script as GitHub Actions does (`bash -e`) in `dir`, its `${{ }}` expressions (in
 * `run` and `env`) taken from `context` (an unknown one fails the test), with npm and pulumi faked
 * ({@link FAKE_COMMANDS}, configured by `fakes`).
 */
function runStep(
  step: Doc,
  dir: string,
  context: Record<string, string>,
  fakes: Record<string, string>,
): StepRun {
  const expand = (text: string) =>
    text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
      assert.ok(expression in context, `no value for \${{ ${expression} }}`);
      return context[expression];
    });
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin, { recursive: true });
  for (const [name, script] of Object.entries(FAKE_COMMANDS)) {
    fs.writeFileSync(path.join(bin, name), script, { mode: 0o755 });
  }
  const calls = path.join(dir, "calls.txt");
  const output = path.join(dir, "github-output.txt");
  fs.writeFileSync(calls, "");
  fs.writeFileSync(output, "");
  fs.writeFileSync(path.join(dir, "step.sh"), expand(String(step.run)));
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))]));
  const result = spawnSync("bash", ["-e", "step.sh"], {
    cwd: dir,
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      CALLS: calls,
      GITHUB_OUTPUT: output,
      GITHUB_SHA: "0123456789abcdef0123",
      GITHUB_RUN_ATTEMPT: "1",
      ...fakes,
      ...env,
    },
  });
  return {
    code: result.status!,
    stdout: result.stdout,
    outputs: Object.fromEntries(
      fs
        .readFileSync(output, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    ),
    calls: fs.readFileSync(calls, "utf8").split("\n").filter(Boolean),
  };
}

function matrixStacks(job: Doc): { stack: string; environment: string }[] {
  return job.strategy.matrix.include.map((entry: Doc) => ({
    stack: entry.stack,
    environment: entry.environment,
  }));
}

describe("CI/CD workflow", () => {
  it("runs on pull requests and pushes to main, on a schedule and by hand", () => {
    assert.deepEqual(pipeline.on.pull_request, { branches: ["main"] });
    assert.deepEqual(pipeline.on.push, { branches: ["main"] });
    assert.equal(pipeline.on.schedule.length, 1);
    assert.match(pipeline.on.schedule[0].cron, /^\d+ \d+ \* \* \*$/, "a daily cron");
    assert.ok("workflow_dispatch" in pipeline.on);
  });

  it("grants only read access by default", () => {
    assert.deepEqual(pipeline.permissions, { contents: "read" });
  });

  describe("without cloud credentials", () => {
    for (const name of ["checks", "plan"]) {
      it(`${name} uses no credentials and no secrets`, () => {
        assert.ok(!usesAction(jobs[name], "aws-actions/configure-aws-credentials"));
        assert.ok(!usesAction(jobs[name], "pulumi/actions"));
        assert.doesNotMatch(JSON.stringify(jobs[name]), /secrets\./);
        assert.equal(jobs[name].permissions, undefined, "inherits contents: read");
      });
    }

    it("checks install, type-check and test", () => {
      assert.deepEqual(commands(jobs.checks), ["npm ci", "npm run typecheck", "npm test"]);
      assert.match(jobs.checks.if, /pull_request/);
      assert.match(jobs.checks.if, /push/);
      // The PyFlink job's unit tests run under npm test.
      assert.equal(step(jobs.checks, "actions/setup-python").with["python-version"], "3.11");
    });

    it("npm test builds the Java job once, running its tests, before the suites that plan its jar", () => {
      const scripts: Record<string, string> = JSON.parse(
        fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"),
      ).scripts;
      const run = expandedScript("test");
      const builds = run.filter((c) => c.startsWith("mvn") && c.includes("-f app-java/pom.xml"));
      assert.equal(builds.length, 1, `one Maven build of app-java, got ${JSON.stringify(builds)}`);
      assert.match(builds[0], /\bpackage\b/);
      assert.doesNotMatch(builds[0], /-DskipTests/, "with its JUnit tests");
      assert.ok(run.indexOf(builds[0]) < run.indexOf("mocha"), "java-dev's plans read the built jar");
      // Alone, build:java still builds the jar (the README's deployment steps name it).
      assert.match(scripts["build:java"], /-f app-java\/pom\.xml clean package -DskipTests$/);
    });

    it("plans every stack offline, which evaluates the policy pack", () => {
      assert.ok(commands(jobs.plan).includes("npm run plan -- --stack ${{ matrix.stack }}"));
      assert.equal(jobs.plan.strategy["fail-fast"], false, "one stack's failure hides no other's");
    });
  });

  it("covers every shipped stack in the plan and preview matrices, each with its file", () => {
    for (const job of ["plan", "preview"]) {
      const planned = matrixStacks(jobs[job]).map((entry) => entry.stack);
      for (const stack of SHIPPED_STACKS) assert.ok(planned.includes(stack), `${job} matrix lacks ${stack}`);
      // A stack a user adds joins the matrices (README, "A new stack"); one without a file cannot plan.
      for (const stack of planned) assert.ok(stackNames(PROJECT_DIR).includes(stack), `${job}: ${stack}`);
    }
    assert.deepEqual(matrixStacks(jobs.preview), matrixStacks(jobs.plan));
  });

  it("pairs each stack with the environment tier its config names", () => {
    for (const { stack, environment } of matrixStacks(jobs.plan)) {
      assert.ok((ENVIRONMENTS as readonly string[]).includes(environment), `${stack}: ${environment}`);
      const file = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"));
      assert.equal(file.config["flink-pipeline:environment"] ?? "dev", environment, stack);
    }
  });

  describe("preview", () => {
    const preview = jobs.preview;

    it("runs only on pull requests from this repository once checks and plans pass", () => {
      assert.match(preview.if, /github\.event_name == 'pull_request'/);
      assert.match(preview.if, /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
      assert.deepEqual(preview.needs, ["checks", "plan"]);
    });

    it("assumes the preview role through OIDC", () => {
      assert.deepEqual(preview.permissions, {
        contents: "read",
        "id-token": "write",
        "pull-requests": "write",
      });
      const aws = step(preview, "aws-actions/configure-aws-credentials").with;
      assert.equal(aws["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
      assert.ok(aws["aws-region"]);
      assert.equal(aws["aws-access-key-id"], undefined, "no long-lived keys");
    });

    it("previews each stack with the policy pack and its environment's policy config, commenting on the PR", () => {
      const pulumi = step(preview, "pulumi/actions");
      assert.equal(pulumi.with.command, "preview");
      assert.match(pulumi.with["stack-name"], /matrix\.stack/);
      assert.equal(pulumi.with.policyPacks, "policy");
      assert.equal(pulumi.with.policyPackConfigs, "policy/config/${{ matrix.environment }}.json");
      assert.equal(pulumi.with["comment-on-pr"], true);
      assert.equal(pulumi.env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
    });
  });

  describe("deployment on pushes to main", () => {
    it("promotes dev, then staging, then prod behind the production approval", () => {
      const chain = ["deploy-dev", "deploy-staging", "deploy-prod"].map((name) => jobs[name]);
      assert.match(chain[0].if, /github\.event_name == 'push'/);
      assert.match(chain[0].if, /refs\/heads\/main/);
      assert.deepEqual(chain[0].needs, ["checks", "plan"]);
      assert.equal(chain[1].needs, "deploy-dev");
      assert.equal(chain[2].needs, "deploy-staging");
      assert.deepEqual(
        chain.map((job) => job.with),
        [
          { stack: "dev", environment: "dev", "github-environment": "dev" },
          { stack: "staging", environment: "staging", "github-environment": "staging", "health-gate": true },
          { stack: "prod", environment: "prod", "github-environment": "production", "health-gate": true },
        ],
      );
      for (const job of chain) {
        assert.equal(job.uses, "./.github/workflows/deploy-stack.yml");
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
        assert.equal(job.secrets, "inherit");
      }
    });
  });

  describe("health-gated deployments", () => {
    /** Every job deploying a stack through deploy-stack.yml, with the stacks it deploys. */
    const deploying = Object.entries(jobs).filter(
      ([, job]) => job.uses === "./.github/workflows/deploy-stack.yml",
    );
    const tierOf = (stack: string) =>
      parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")).config[
        "flink-pipeline:environment"
      ] ?? "dev";

    it("gates every deployment of a staging or prod stack on verify, with rollback", () => {
      const gated: string[] = [];
      for (const [name, job] of deploying) {
        const entries = job.strategy?.matrix?.include ?? [job.with];
        for (const entry of entries) {
          const stack = entry.stack;
          assert.equal(tierOf(stack), entry.environment, `${name}: ${stack}'s tier`);
          if (entry.environment === "dev") continue;
          assert.equal(
            job.with["health-gate"],
            true,
            `${name} deploys ${stack} (${entry.environment}) ungated`,
          );
          gated.push(stack);
        }
      }
      assert.deepEqual(gated.sort(), ["prod", "staging"]);
    });

    it("prunes the gated stacks' snapshots on schedule, keeping the newest and the young ones", () => {
      const prune = jobs["prune-snapshots"];
      assert.equal(prune.if, "github.event_name == 'schedule'");
      assert.deepEqual(
        prune.strategy.matrix.include.map((entry: Doc) => entry.stack),
        ["staging", "prod"],
      );
      assert.equal(prune.environment, undefined, "no approval every night");
      assert.ok(
        commands(prune).includes(
          "npm run --silent flink -- snapshots --stack ${{ matrix.stack }} --prune --keep 10 --min-age 30d",
        ),
      );
      const order = commands(prune);
      assert.ok(order.indexOf("npm ci") < order.findIndex((c) => c.includes("--prune")));
    });
  });

  describe("key rotation", () => {
    const rotate = jobs["rotate-keys"];

    it("runs pulumi up on schedule for the stacks that rotate keys", () => {
      assert.match(rotate.if, /github\.event_name == 'schedule'/);
      assert.equal(rotate.uses, "./.github/workflows/deploy-stack.yml");
      assert.deepEqual(
        rotate.strategy.matrix.include.map((entry: Doc) => entry.stack),
        ["kafka-dev"],
      );
      assert.equal(rotate.with.stack, "${{ matrix.stack }}");
      for (const entry of rotate.strategy.matrix.include) {
        assert.ok((ENVIRONMENTS as readonly string[]).includes(entry.environment));
      }
    });

    it("leaves the deployments and previews to pushes and pull requests", () => {
      for (const name of ["checks", "plan", "preview", "deploy-dev"]) {
        assert.doesNotMatch(jobs[name].if, /schedule/, name);
      }
    });
  });

  describe("deploy-stack (the reusable pulumi up)", () => {
    const up: Doc = deployStack.jobs.up;

    it("takes the stack, its policy environment and its GitHub environment", () => {
      assert.deepEqual(Object.keys(deployStack.on.workflow_call.inputs).sort(), [
        "environment",
        "github-environment",
        "health-gate",
        "stack",
        "verify-window",
      ]);
      assert.equal(up.environment, "${{ inputs.github-environment }}");
    });

    it("runs one update per stack at a time, never cancelling a running one", () => {
      assert.deepEqual(up.concurrency, { group: "pulumi-${{ inputs.stack }}", "cancel-in-progress": false });
    });

    it("builds the connector jar and installs dependencies before deploying", () => {
      const run = commands(up);
      assert.ok(run.some((c) => c.startsWith("mvn") && c.includes("-f app/pom.xml package")));
      assert.ok(run.includes("npm ci"));
    });

    it("assumes the stack's deploy role through OIDC and runs pulumi up with the policy pack", () => {
      assert.deepEqual(deployStack.permissions, { contents: "read", "id-token": "write" });
      assert.equal(
        step(up, "aws-actions/configure-aws-credentials").with["role-to-assume"],
        "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
      );
      const pulumi = upStep(up);
      assert.equal(pulumi.with.command, "up");
      assert.match(pulumi.with["stack-name"], /inputs\.stack/);
      assert.equal(pulumi.with.policyPacks, "policy");
      assert.equal(pulumi.with.policyPackConfigs, "policy/config/${{ inputs.environment }}.json");
      assert.equal(pulumi.env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
    });

    it("orders its steps: checkout, build, credentials, then pulumi", () => {
      const order = up.steps.map((s: Doc) => String(s.uses ?? s.run ?? "").split("@")[0]);
      const at = (prefix: string) => order.findIndex((entry: string) => entry.startsWith(prefix));
      assert.equal(at("actions/checkout"), 0);
      assert.ok(at("mvn") < at("aws-actions/configure-aws-credentials"));
      assert.ok(at("aws-actions/configure-aws-credentials") < at("pulumi/actions"));
    });

    describe("health gate", () => {
      const steps: Doc[] = up.steps;
      const index = (predicate: (s: Doc) => boolean, what: string) => {
        const found = steps.findIndex(predicate);
        assert.ok(found >= 0, `no step ${what}`);
        return found;
      };
      const runs = (text: string) => (s: Doc) => String(s.run ?? "").includes(text);
      const snapshot = index(runs("npm run --silent flink -- snapshot "), "taking a snapshot");
      const upIndex = steps.indexOf(upStep(up));
      const verify = index(runs("npm run --silent flink -- verify "), "verifying");
      const rollback = index(runs("npm run --silent flink -- rollback "), "rolling back");

      it("is an input, off unless a caller turns it on", () => {
        assert.equal(deployStack.on.workflow_call.inputs["health-gate"].type, "boolean");
        assert.equal(deployStack.on.workflow_call.inputs["health-gate"].default, false);
      });

      it("snapshots before pulumi up, verifies after, rolls back only when verify says unhealthy", () => {
        const credentials = steps.findIndex((s) => String(s.uses ?? "").startsWith("aws-actions/"));
        assert.ok(credentials < snapshot && snapshot < upIndex && upIndex < verify && verify < rollback);
        for (const i of [snapshot, verify, rollback]) assert.match(steps[i].if, /inputs\.health-gate/);
        assert.equal(steps[upIndex].if, undefined, "pulumi up runs with or without the gate");
        assert.match(steps[rollback].if, /steps\.verify\.outputs\.code == '1'/);
        assert.equal(steps[verify].id, "verify");
      });

      it("snapshots only when the preview shows the application changing, and only a running one", () => {
        const run = String(steps[snapshot].run);
        assert.match(run, /pulumi preview --stack "\$STACK_REF" --json/);
        assert.match(run, /aws:kinesisanalyticsv2\/application:Application/);
        assert.match(run, /--if-running/);
        const install = steps.findIndex((s) => s.name === "Install the Pulumi CLI");
        assert.ok(install >= 0 && install < snapshot);
      });

      describe("run with npm and pulumi faked, on a stack of one pipeline and on one of three", () => {
        const list = index((s) => s.id === "pipelines", "listing the pipelines");
        const changed = JSON.stringify({
          steps: [
            {
              urn: "urn:pulumi:s::flink-pipeline::x$aws:kinesisanalyticsv2/application:Application::flink",
              op: "update",
            },
          ],
        });
        const THREE = "orders\nclicks\npayments\n";

        /** The gate's steps in order, stopping at the first that fails, as Actions does. */
        function runGate(stack: string, fakes: Record<string, string>) {
          const dir = directoryWith({});
          const context: Record<string, string> = {
            "inputs.stack": stack,
            "inputs.verify-window": "10m",
            "secrets.PULUMI_ACCESS_TOKEN": "token",
            "vars.PULUMI_ORG != '' && format('{0}/{1}', vars.PULUMI_ORG, inputs.stack) || inputs.stack": `acme/${stack}`,
          };
          const all = { FAKE_PREVIEW: changed, ...fakes };
          const ran: Record<string, StepRun> = {};
          ran.list = runStep(steps[list], dir, context, all);
          context["steps.pipelines.outputs.names"] = ran.list.outputs.names;
          for (const [name, at] of [
            ["snapshot", snapshot],
            ["verify", verify],
          ] as const) {
            if (Object.values(ran).some((r) => r.code !== 0)) return ran;
            ran[name] = runStep(steps[at], dir, context, all);
          }
          context["steps.verify.outputs.unhealthy"] = ran.verify.outputs.unhealthy;
          if (ran.verify.code === 0 && ran.verify.outputs.code === "1") {
            ran.rollback = runStep(steps[rollback], dir, context, all);
          }
          return ran;
        }
        const cli = (command: string, stack: string, pipeline?: string, rest = "") =>
          `npm run --silent flink -- ${command} --stack ${stack}${pipeline ? ` --pipeline ${pipeline}` : ""}${rest}`;
        const snapshotCall = (stack: string, pipeline?: string) =>
          cli("snapshot", stack, pipeline, " --if-running --name before-0123456789ab-1");
        const verifyCall = (stack: string, pipeline?: string) => cli("verify", stack, pipeline, " --for 10m");
        const refresh = (stack: string) => `pulumi refresh --stack acme/${stack} --yes --skip-preview`;

        it("lists the pipelines from the ops CLI, one line of names for the later steps", () => {
          const { list: one } = runGate("staging", { FAKE_PIPELINES: "" });
          assert.deepEqual(
            [one.code, one.outputs, one.calls],
            [0, { names: "" }, [cli("pipelines", "staging")]],
          );
          const { list: three } = runGate("pipelines-dev", { FAKE_PIPELINES: THREE });
          assert.deepEqual(three.outputs, { names: "orders clicks payments" });
        });

        it("stops before pulumi up when the stack's config cannot be read (pipelines exits 2)", () => {
          const ran = runGate("pipelines-dev", { FAKE_PIPELINES: "", FAKE_PIPELINES_EXIT: "2" });
          assert.equal(ran.list.code, 2);
          assert.deepEqual(Object.keys(ran), ["list"]);
        });

        it("on a stack of one pipeline, acts on its application without --pipeline, as before", () => {
          const ran = runGate("staging", { FAKE_PIPELINES: "", FAKE_VERIFY: "app=1" });
          assert.deepEqual(ran.snapshot.calls, [
            `pulumi preview --stack acme/staging --json`,
            snapshotCall("staging"),
          ]);
          assert.deepEqual([ran.verify.code, ran.verify.outputs], [0, { code: "1", unhealthy: "" }]);
          assert.deepEqual(ran.verify.calls, [verifyCall("staging")]);
          assert.equal(ran.verify.stdout, "app UNHEALTHY: restarts\n");
          assert.deepEqual(ran.rollback.calls, [cli("rollback", "staging"), refresh("staging")]);
          assert.equal(
            ran.rollback.stdout,
            "::error::staging was unhealthy after the update and has been rolled back: app UNHEALTHY: restarts\n",
          );
          assert.equal(ran.rollback.code, 1);
        });

        it("on three pipelines, stops before pulumi up when a snapshot fails, naming each that failed", () => {
          const ran = runGate("pipelines-dev", {
            FAKE_PIPELINES: THREE,
            FAKE_SNAPSHOT_TOGETHER: "3",
            FAKE_SNAPSHOT: "clicks=1 payments=2",
          });
          assert.equal(ran.snapshot.code, 1);
          assert.equal(
            ran.snapshot.stdout,
            "::error::could not snapshot pipelines-dev pipeline clicks before the update\n" +
              "::error::could not snapshot pipelines-dev pipeline payments before the update\n",
          );
          assert.equal(ran.snapshot.calls.length, 4, "every pipeline's snapshot was asked for");
          assert.deepEqual(Object.keys(ran), ["list", "snapshot"]);
        });

        it("takes no snapshot when the preview leaves every application as it is", () => {
          const same = JSON.stringify({ steps: [{ urn: changed.split('"')[5], op: "same" }] });
          const ran = runGate("pipelines-dev", { FAKE_PIPELINES: THREE, FAKE_PREVIEW: same });
          assert.deepEqual(ran.snapshot.calls, ["pulumi preview --stack acme/pipelines-dev --json"]);
          assert.match(ran.snapshot.stdout, /does not touch the Flink application: no snapshot needed/);
        });

        const rolledBack = (pipeline: string) =>
          `::error::pipelines-dev pipeline ${pipeline} was unhealthy after the update and has been rolled back: ${pipeline} UNHEALTHY: restarts`;
        const cases: {
          title: string;
          fakes: Record<string, string>;
          /** verify's exit code and its step's outputs. */
          verify: [number, Record<string, string>];
          /** What verify printed beyond each pipeline's first line. */
          errors: string[];
          rollbacks: string[];
          rollbackErrors: string[];
        }[] = [
          {
            title: "every pipeline healthy",
            fakes: {},
            verify: [0, { code: "0", unhealthy: "" }],
            errors: [],
            rollbacks: [],
            rollbackErrors: [],
          },
          {
            title: "clicks unhealthy: only clicks is rolled back",
            fakes: { FAKE_VERIFY: "clicks=1" },
            verify: [0, { code: "1", unhealthy: "clicks" }],
            errors: [],
            rollbacks: ["clicks"],
            rollbackErrors: [rolledBack("clicks")],
          },
          {
            title: "orders unhealthy, payments not checked: orders is rolled back, and the job fails",
            fakes: { FAKE_VERIFY: "orders=1 payments=2" },
            verify: [0, { code: "1", unhealthy: "orders" }],
            errors: ["::error::could not check the health of pipelines-dev pipeline payments (exit 2)"],
            rollbacks: ["orders"],
            rollbackErrors: [rolledBack("orders")],
          },
          {
            title: "payments not checked: the step fails, nothing is rolled back",
            fakes: { FAKE_VERIFY: "payments=2" },
            verify: [2, { code: "2", unhealthy: "" }],
            errors: ["::error::could not check the health of pipelines-dev pipeline payments (exit 2)"],
            rollbacks: [],
            rollbackErrors: [],
          },
          {
            title: "orders and payments unhealthy, orders' rollback fails: payments is rolled back still",
            fakes: { FAKE_VERIFY: "orders=1 payments=1", FAKE_ROLLBACK: "orders=1" },
            verify: [0, { code: "1", unhealthy: "orders payments" }],
            errors: [],
            rollbacks: ["orders", "payments"],
            rollbackErrors: [
              "::error::pipelines-dev pipeline orders was unhealthy after the update and its rollback failed: orders UNHEALTHY: restarts",
              rolledBack("payments"),
            ],
          },
        ];
        for (const { title, fakes, verify, errors, rollbacks, rollbackErrors } of cases) {
          it(`on three pipelines, ${title}`, () => {
            const ran = runGate("pipelines-dev", {
              FAKE_PIPELINES: THREE,
              FAKE_SNAPSHOT_TOGETHER: "3",
              FAKE_VERIFY_TOGETHER: "3",
              ...fakes,
            });
            const names = ["orders", "clicks", "payments"];
            // Side by side: each snapshot waited for all three to start.
            assert.deepEqual(
              [...ran.snapshot.calls.slice(1)].sort(),
              names.map((p) => snapshotCall("pipelines-dev", p)).sort(),
            );
            // Side by side: each verify waited for all three to start.
            assert.deepEqual(
              [...ran.verify.calls].sort(),
              names.map((p) => verifyCall("pipelines-dev", p)).sort(),
            );
            assert.deepEqual([ran.verify.code, ran.verify.outputs], verify);
            assert.deepEqual(
              ran.verify.stdout.split("\n").filter((line) => line.startsWith("::")),
              errors,
            );
            // Each pipeline's outcome once, in the file's order.
            assert.deepEqual(
              ran.verify.stdout
                .split("\n")
                .filter((line) => / (UN)?HEALTHY/.test(line))
                .map((line) => line.split(" ")[0]),
              names,
            );
            if (rollbacks.length === 0) return assert.equal(ran.rollback, undefined);
            assert.deepEqual(ran.rollback.calls, [
              ...rollbacks.map((p) => cli("rollback", "pipelines-dev", p)),
              refresh("pipelines-dev"),
            ]);
            assert.deepEqual(ran.rollback.stdout.split("\n").filter(Boolean), rollbackErrors);
            assert.equal(ran.rollback.code, 1);
          });
        }
      });

      it("fails the job with the reason after rolling back, and refreshes the state", () => {
        const run = String(steps[rollback].run);
        assert.match(run, /pulumi refresh --stack "\$STACK_REF" --yes/);
        assert.match(run, /::error::.*rolled back: \$reason/);
        assert.match(run.trim(), /exit 1$/);
      });
    });
  });
});

describe("review workflow (the offline review on pull requests)", () => {
  const review = workflow("review.yml");
  const job: Doc = review.jobs.review;
  const run = (name: string) => String(job.steps.find((s: Doc) => s.name === name).run);

  it("runs on every pull request event that can change the gate, labels included", () => {
    assert.deepEqual(review.on.pull_request.branches, ["main"]);
    assert.deepEqual(review.on.pull_request.types, [
      "opened",
      "synchronize",
      "reopened",
      "labeled",
      "unlabeled",
    ]);
    assert.deepEqual(review.permissions, { contents: "read" });
  });

  it("uses no credentials or secrets; it may only comment", () => {
    assert.ok(!usesAction(job, "aws-actions/configure-aws-credentials"));
    assert.ok(!usesAction(job, "pulumi/actions"));
    assert.doesNotMatch(JSON.stringify(job), /secrets\./);
    assert.deepEqual(job.permissions, { contents: "read", "pull-requests": "write" });
  });

  it("reviews every stack against the base branch, with its history checked out", () => {
    assert.equal(step(job, "actions/checkout").with["fetch-depth"], 0);
    assert.ok(commands(job).includes("npm ci"));
    const command = run("Review every stack against the base branch");
    assert.match(
      command,
      /npm run --silent review -- --base "origin\/\$BASE_REF" --all --markdown > review\.md/,
    );
    // --all is every Pulumi.<stack>.yaml at the base or here: no list to forget a stack in.
    assert.ok(stackNames(PROJECT_DIR).length >= 4);
    // The branch name reaches the shell as data, never as script.
    assert.doesNotMatch(command, /\$\{\{/);
  });

  it("keeps one comment: updates the marked one or creates it; a fork's run only writes the summary", () => {
    const comment = step(job, "actions/github-script");
    assert.match(comment.if, /head\.repo\.full_name == github\.repository/);
    assert.match(comment.with.script, /updateComment/);
    assert.match(comment.with.script, /createComment/);
    assert.match(comment.with.script, /<!-- flink-pipeline-review -->/);
    assert.match(run("Review every stack against the base branch"), /GITHUB_STEP_SUMMARY/);
  });

  it("fails on a danger unless the review-accepted label is set; a failed review is never accepted", () => {
    const gate = job.steps.find((s: Doc) => s.name === "Gate on dangers");
    assert.match(
      gate.env.ACCEPTED,
      /contains\(github\.event\.pull_request\.labels\.\*\.name, 'review-accepted'\)/,
    );
    const script = String(gate.run);
    assert.match(script, /if \[ "\$CODE" = 0 \]; then exit 0; fi/);
    assert.match(script, /if \[ "\$ACCEPTED" = true \]/);
    assert.match(script, /The review failed \(exit \$CODE\)[^\n]*\n\s*exit 1\s*$/);
  });
});
