import * as assert from "assert";
import { readFileSync } from "fs";
import { dirname, join } from "path";
import { TAGGABLE_TYPES, TYPES } from "../../policy/lib/resourceTypes";

const AWS_SDK = dirname(require.resolve("@pulumi/aws/package.json"));

/** `aws:kinesis/stream:Stream` -> `<sdk>/kinesis/stream`, where @pulumi/aws defines that class. */
function sdkModule(token: string): { path: string; className: string } {
  const [, modulePath, className] = token.split(":");
  return { path: join(AWS_SDK, modulePath), className };
}

describe("resource type tokens", () => {
  for (const token of Object.values(TYPES)) {
    it(`${token} is a class of the installed @pulumi/aws`, () => {
      const { path } = sdkModule(token);
      assert.ok(readFileSync(`${path}.js`, "utf8").includes(`__pulumiType = '${token}'`));
    });
  }

  for (const token of TAGGABLE_TYPES) {
    it(`${token} accepts tags`, () => {
      const { path, className } = sdkModule(token);
      const declarations = readFileSync(`${path}.d.ts`, "utf8");
      const args = declarations.slice(declarations.indexOf(`export interface ${className}Args {`));
      assert.match(args.slice(0, args.indexOf("\n}")), /\n {4}tags\?:/);
    });
  }
});
