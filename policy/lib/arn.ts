/** The parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the account, e.g. `stream/orders/consumer/app` or `log-group:/flink/app:*`. */
  resource: string;
}

/** The parts of `text`, or undefined when it is not an ARN. */
export function parseArn(text: string): Arn | undefined {
  const parts = text.split(":");
  if (parts.length < 6 || parts[0] !== "arn") {
    return undefined;
  }
  const [, partition, service, region, account, ...resource] = parts;
  return { partition, service, region, account, resource: resource.join(":") };
}

/** True when `text` holds an IAM wildcard character. */
export function hasWildcard(text: string): boolean {
  return text.includes("*") || text.includes("?");
}
