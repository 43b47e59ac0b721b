/**
 * The `@pulumi/awsx` sub-modules the program uses, under their usual names (see ./aws.ts): the
 * package root also loads its ECS, load balancer, ECR and classic modules, and through them all of
 * `@pulumi/aws`.
 */
export * as ec2 from "@pulumi/awsx/ec2";
// Types only: the argument shapes of awsx.ec2.Vpc (`awsx.types.input.ec2.SubnetSpecArgs`).
export type * as types from "@pulumi/awsx/types";
