/**
 * tools/registerOnly.ts, the floor `npm run bench` times under a plan: the program under the plan's
 * mocks, registering exactly what the plan records, and nothing else.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main, parseArgs } from "../../tools/registerOnly";
import { stackNames } from "../../tools/stackFiles";
import { PROJECT_DIR, directoryWith, inProcess, planStack } from "../helpers";

const registerInProcess = (argv: string[], projectDir?: string) => inProcess(main, argv, projectDir);

describe("the registration floor (tools/registerOnly.ts)", () => {
  const good: [string[], { stack: string; program: string }][] = [
    [["--stack", "dev"], { stack: "dev", program: "index.ts" }],
    [["--program", "other.ts", "--stack", "prod"], { stack: "prod", program: "other.ts" }],
  ];
  for (const [argv, expected] of good) {
    it(`takes ${JSON.stringify(argv)} as ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(parseArgs(argv), expected));
  }

  const bad: [string[], RegExp][] = [
    [[], /--stack is required/],
    [["--stack"], /--stack needs a value/],
    [["--stack", "--program", "x.ts"], /--stack needs a value/],
    [["--stack", "../prod"], /--stack must be a stack name/],
    [["--stack", "dev", "--stack", "prod"], /--stack is given twice/],
    [["--stack", "dev", "--json", "x"], /bad argument "--json"/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${JSON.stringify(argv)}`, () => assert.throws(() => parseArgs(argv), message));
  }

  for (const stack of stackNames(PROJECT_DIR)) {
    it(`registers every resource the plan of ${stack} records, and prints how many`, async function () {
      this.timeout(60000);
      const planned = (await planStack(stack)).resources.filter((r) => r.createdBy === undefined);
      const { code, stdout, stderr } = await registerInProcess(["--stack", stack]);
      assert.equal(code, 0, stderr);
      assert.equal(stdout, `${planned.length} resources registered\n`);
    });
  }

  it("exits 2 for a stack without a config file, and 1 with the cause when the program fails", async () => {
    const missing = await registerInProcess(["--stack", "nope"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no config file Pulumi\.nope\.yaml/);

    const dir = directoryWith({ "failing.ts": 'throw new Error("the program broke");\n' });
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.dev.yaml"));
    try {
      const failed = await registerInProcess(["--stack", "dev", "--program", "failing.ts"], dir);
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /the program broke/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
