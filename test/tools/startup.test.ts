/**
 * tools/startup.js, the start-up of the plan, the bench and these tests: the SDK internals it
 * defers stay unloaded through a whole plan and load when used; the policy pack shares the
 * project's SDK. Runs in a fresh process, as the plan does, so what this suite loaded does not count.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { PROJECT_DIR } from "../helpers";

/** Plans prod in a fresh process, then uses each deferred module; prints what was loaded when. */
const CHILD = `
const { createRequire } = require("module");
const path = require("path");
const { DEFERRED, SDK_FILES } = require("./tools/startup.js");
const loaded = () => Object.keys(require.cache);
// Where a constructor asks for its source position (the frame of the call, skipping none above it).
const asks = () => require("@pulumi/pulumi").Resource.stackTrace(1);
const fromCodePaths = createRequire(require.resolve("@pulumi/pulumi/runtime/closure/codePaths.js"));
const fromRpc = createRequire(require.resolve("@pulumi/pulumi/runtime/rpc.js"));
(async () => {
  process.stdout.write = () => true;
  const code = await require("./tools/plan.ts").main(["--stack", "prod", "--json"]);
  const afterPlan = loaded();
  const pulumi = require("@pulumi/pulumi");
  const debuggable = require(path.join(path.dirname(require.resolve("@pulumi/pulumi")), "runtime", "debuggable.js"));
  const traced = Promise.resolve();
  await debuggable.debuggablePromise(traced, "test");
  const used = {
    promiseTrace: traced._debugStackTrace !== undefined,
    // The Resource constructor still takes its source position from Resource.stackTrace.
    resourceTrace: String(pulumi.Resource).includes("Resource.stackTrace("),
    sourcePosition: asks(),
    LocalWorkspace: typeof pulumi.automation.LocalWorkspace,
    serialized: (await pulumi.runtime.serializeFunction(() => 40 + 2)).text.includes("40 + 2"),
    Arborist: typeof fromCodePaths("@npmcli/arborist").Arborist,
    fdir: typeof fromCodePaths("fdir").fdir,
    normalizePackageData: typeof fromCodePaths("normalize-package-data").default,
    ResourceMonitorClient: typeof require("@pulumi/pulumi/proto/resource_grpc_pb").ResourceMonitorClient,
    grpcUnavailable: require("@grpc/grpc-js").status.UNAVAILABLE,
    propagation: typeof require("@opentelemetry/api").propagation.inject,
    semverEq: fromRpc("semver").eq("1.2.3", "1.2.3"),
  };
  // Every generated gRPC client module, whichever the SDK loaded.
  for (const file of DEFERRED) if (file.endsWith("_grpc_pb.js")) Object.keys(require(file));
  const report = { code, deferred: [...DEFERRED], sdkFiles: SDK_FILES, afterPlan, afterUse: loaded(), used };
  require("fs").writeSync(3, JSON.stringify(report));
  process.exit(0);
})();
`;

/** The position (1-based, as V8 counts) of the call in `asks` of CHILD, run as `node -e`. */
const ASKS = (() => {
  const lines = CHILD.split("\n");
  const line = lines.findIndex((text) => text.includes("Resource.stackTrace(1)"));
  return { line: line + 1, column: lines[line].indexOf("stackTrace(1)") + 1 };
})();

interface Report {
  code: number;
  deferred: string[];
  sdkFiles: string[];
  afterPlan: string[];
  afterUse: string[];
  used: Record<string, unknown>;
}

describe("the plan's start-up", function () {
  this.timeout(60000);
  const fakePolicySdk = path.join(PROJECT_DIR, "policy", "node_modules");
  const createdFakes = !fs.existsSync(fakePolicySdk);
  let report: Report;

  before(() => {
    // A policy pack installed on its own has its own SDK copies; these stand-ins fail when loaded.
    if (createdFakes) {
      for (const pkg of ["@pulumi/pulumi", "@pulumi/policy"]) {
        const dir = path.join(fakePolicySdk, pkg);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: pkg, main: "index.js" }));
        fs.writeFileSync(path.join(dir, "index.js"), `throw new Error("policy pack's own ${pkg} loaded");`);
      }
    }
    const child = spawnSync(process.execPath, ["-r", "./tools/startup.js", "-e", CHILD], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    assert.equal(child.status, 0, child.stderr);
    report = JSON.parse(child.output[3] as string);
  });

  after(() => {
    if (createdFakes) fs.rmSync(fakePolicySdk, { recursive: true, force: true });
  });

  it("plans with the pack's own SDK copies never loaded", () => {
    assert.equal(report.code, 0);
    assert.deepEqual(
      report.afterUse.filter((file) => file.startsWith(fakePolicySdk)),
      [],
    );
  });

  it("relies only on SDK files that exist", () => {
    for (const file of report.sdkFiles)
      assert.ok(fs.existsSync(file), `${file} is gone: update tools/startup.js`);
  });

  it("loads none of the deferred code during a plan", () => {
    const heavy = [
      /\/typescript\/lib\/typescript\.js$/,
      /\/@npmcli\/arborist\//,
      /\/@pulumi\/pulumi\/automation\//,
      /\/@grpc\/grpc-js\//,
      /_grpc_pb\.js$/,
      /\/@opentelemetry\/api\//,
      /\/semver\//,
    ];
    for (const pattern of heavy) {
      assert.deepEqual(
        report.afterPlan.filter((file) => pattern.test(file)),
        [],
        `loaded during the plan: ${pattern}`,
      );
    }
    for (const file of report.deferred) assert.ok(!report.afterPlan.includes(file), `${file} loaded`);
  });

  it("skips the SDK's per-promise stack trace and all but a resource's source position, and loads each deferred module on first use", () => {
    assert.deepEqual(report.used, {
      promiseTrace: false,
      resourceTrace: true,
      // Only the frame of the source position, where the SDK's own reports every frame.
      sourcePosition: [{ uri: pathToFileURL(path.join(PROJECT_DIR, "[eval]")).toString(), ...ASKS }],
      LocalWorkspace: "function",
      serialized: true,
      Arborist: "function",
      fdir: "function",
      normalizePackageData: "function",
      ResourceMonitorClient: "function",
      grpcUnavailable: 14,
      propagation: "function",
      semverEq: true,
    });
    for (const file of report.deferred) assert.ok(report.afterUse.includes(file), `${file} never loaded`);
  });

  it("still counts a promise left pending at exit, and traces it under PULUMI_DEBUG_PROMISE_LEAKS", () => {
    const leaves = `require("@pulumi/pulumi/runtime/debuggable.js").debuggablePromise(new Promise(() => {}), "never settles");`;
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ["-r", "./tools/startup.js", "-e", leaves], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        env: { ...process.env, ...env },
      });
    const plain = run({});
    assert.equal(plain.status, 1);
    assert.match(plain.stderr, /detected that 1 promise was still active/);
    const debug = run({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    assert.equal(debug.status, 1);
    assert.match(debug.stderr, /CONTEXT\(\d+\): never settles\nSTACK_TRACE:\nError\n\s+at /);
  });
});
