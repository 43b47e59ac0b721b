import * as assert from "assert";
import { readFileSync } from "fs";
import { dirname, join } from "path";
import { COMPONENT_TYPES, TAGGABLE_TYPES, TYPES } from "../../policy/lib/resourceTypes";

const AWS_SDK = dirname(require.resolve("@pulumi/aws/package.json"));
const AWSX_SDK = dirname(require.resolve("@pulumi/awsx/package.json"));

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

  for (const token of Object.values(COMPONENT_TYPES)) {
    it(`${token} is a component of the installed @pulumi/awsx`, () => {
      // `awsx:ec2:Vpc` -> `<awsx>/ec2/vpc.js`.
      const [, module, className] = token.split(":");
      const file = join(AWSX_SDK, module, `${className.charAt(0).toLowerCase()}${className.slice(1)}.js`);
      assert.ok(readFileSync(file, "utf8").includes(`__pulumiType = '${token}'`));
    });
  }

  it("awsx.ec2.Vpc outputs the ids the scoping policy reads", () => {
    const declarations = readFileSync(join(AWSX_SDK, "ec2", "vpc.d.ts"), "utf8");
    for (const output of ["vpcId", "privateSubnetIds", "publicSubnetIds", "isolatedSubnetIds"]) {
      assert.match(declarations, new RegExp(`readonly ${output}: pulumi\\.Output<`));
    }
  });

  const NETWORK_INPUTS: [string, string, string[]][] = [
    [TYPES.securityGroup, "SecurityGroupArgs", ["ingress", "egress"]],
    [TYPES.securityGroupIngressRule, "SecurityGroupIngressRuleArgs", ["cidrIpv4", "cidrIpv6", "ipProtocol"]],
    [TYPES.securityGroupRule, "SecurityGroupRuleArgs", ["type", "cidrBlocks", "ipv6CidrBlocks", "protocol"]],
    [TYPES.vpcEndpoint, "VpcEndpointArgs", ["policy", "vpcEndpointType", "serviceName"]],
  ];
  for (const [token, argsName, inputs] of NETWORK_INPUTS) {
    it(`${token} has the inputs the network policies read: ${inputs.join(", ")}`, () => {
      const declarations = readFileSync(`${sdkModule(token).path}.d.ts`, "utf8");
      const args = declarations.slice(declarations.indexOf(`export interface ${argsName} {`));
      const body = args.slice(0, args.indexOf("\n}"));
      for (const input of inputs) {
        assert.match(body, new RegExp(`\\n {4}${input}\\??:`), input);
      }
    });
  }

  it("inline ingress rules carry cidrBlocks and ipv6CidrBlocks", () => {
    const inputs = readFileSync(join(AWS_SDK, "types", "input.d.ts"), "utf8");
    const rule = inputs.slice(inputs.indexOf("interface SecurityGroupIngress {"));
    const body = rule.slice(0, rule.indexOf("\n    }"));
    assert.match(body, /\n {8}cidrBlocks\?:/);
    assert.match(body, /\n {8}ipv6CidrBlocks\?:/);
  });

  for (const token of TAGGABLE_TYPES) {
    it(`${token} accepts tags`, () => {
      const { path, className } = sdkModule(token);
      const declarations = readFileSync(`${path}.d.ts`, "utf8");
      const args = declarations.slice(declarations.indexOf(`export interface ${className}Args {`));
      assert.match(args.slice(0, args.indexOf("\n}")), /\n {4}tags\?:/);
    });
  }
});
