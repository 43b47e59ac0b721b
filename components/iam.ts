/**
 * Grants as inline role policies: each grant is one `aws.iam.RolePolicy` whose statements name
 * exact ARNs, owned by the component that holds the resources it opens up.
 */
import * as aws from "../stacks/aws";
import * as pulumi from "@pulumi/pulumi";

export interface Statement {
  Sid: string;
  Effect?: "Allow" | "Deny";
  Action: string[];
  /** Exact ARNs; a list may also come as one output (e.g. ARNs derived from looked-up ids). */
  Resource: pulumi.Input<string> | pulumi.Input<string>[] | pulumi.Output<string[]>;
  Condition?: Record<string, Record<string, pulumi.Input<string>>>;
}

/** A JSON policy document from statements whose ARNs may still be outputs. */
export function policyDocument(statements: Statement[]): pulumi.Output<string> {
  return pulumi
    .output(statements.map((statement) => ({ Effect: "Allow", ...statement })))
    .apply((resolved) => JSON.stringify({ Version: "2012-10-17", Statement: resolved }));
}

/** Attaches `statements` to `role` as an inline policy parented to the granting component. */
export function grant(
  name: string,
  role: aws.iam.Role,
  statements: Statement[],
  parent: pulumi.Resource,
): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(name, { role: role.name, policy: policyDocument(statements) }, { parent });
}

/**
 * A KMS key policy: the account keeps control of the key through IAM, as in the default key policy,
 * and `useStatements` let services use it (in a key policy, Resource "*" means the key itself).
 */
export function keyPolicy(
  partition: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
  useStatements: object[],
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersKey",
        Effect: "Allow",
        Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      ...useStatements,
    ],
  });
}
