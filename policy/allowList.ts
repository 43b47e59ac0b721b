/**
 * What may be granted without naming a resource of the stack. Data only: each entry says why it is here,
 * and the IAM policies read these lists.
 */

/** An action that may be granted on `Resource: "*"`. */
export interface WildcardResourceAction {
  /** IAM action, `service:Action` (compared case-insensitively, as IAM does). */
  action: string;
  reason: string;
}

const DESCRIBE_ONLY =
  "EC2 Describe* calls support no resource-level permissions; Managed Flink needs it to attach the app to a VPC";

/**
 * Actions for which AWS offers no resource scoping. The ENI write actions of the Managed Flink VPC guide
 * (`ec2:CreateNetworkInterface`, `ec2:CreateNetworkInterfacePermission`, `ec2:DeleteNetworkInterface`) are
 * absent on purpose: they accept network-interface, subnet and security-group ARNs, so grant them on
 * `arn:aws:ec2:<region>:<account>:network-interface/*` and the stack's subnets and security groups.
 */
export const WILDCARD_RESOURCE_ACTIONS: readonly WildcardResourceAction[] = [
  {
    action: "cloudwatch:PutMetricData",
    reason: "CloudWatch metrics have no ARNs: no resource-level permissions",
  },
  { action: "logs:DescribeLogGroups", reason: "lists log groups account-wide: no resource scoping" },
  { action: "ec2:DescribeNetworkInterfaces", reason: DESCRIBE_ONLY },
  { action: "ec2:DescribeVpcs", reason: DESCRIBE_ONLY },
  { action: "ec2:DescribeSubnets", reason: DESCRIBE_ONLY },
  { action: "ec2:DescribeSecurityGroups", reason: DESCRIBE_ONLY },
  { action: "ec2:DescribeDhcpOptions", reason: DESCRIBE_ONLY },
];

/**
 * A resource that is created at run time by a service on the stack's behalf, so no stack resource can name
 * it; allowed only in the stack's own region and account.
 */
export interface RuntimeCreatedResource {
  /** ARN service, e.g. `ec2`. */
  service: string;
  /** The ARN's resource part, exactly as it must appear, e.g. `network-interface/*`. */
  resource: string;
  reason: string;
}

export const RUNTIME_CREATED_RESOURCES: readonly RuntimeCreatedResource[] = [
  {
    service: "ec2",
    resource: "network-interface/*",
    reason: "Managed Flink creates the app's network interfaces in the VPC at start; their ids are not known",
  },
];
