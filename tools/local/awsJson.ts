/**
 * A minimal client for AWS's JSON protocols (Kinesis, DynamoDB, Secrets Manager, SSM), signed with
 * Signature Version 4 as every SDK signs: the local emulators parse the Authorization header (kinesis-mock
 * reads the account from it), so requests must look like real ones.
 */
import * as crypto from "crypto";

/** Where and as whom to call one service. */
export interface AwsEndpoint {
  /** Base URL, e.g. http://127.0.0.1:4567. */
  url: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** An AWS error response: `code` is the `__type` the service returned, e.g. ResourceNotFoundException. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Target prefix and signing name per service (the X-Amz-Target header is `<prefix>.<Action>`). */
export const SERVICES = {
  kinesis: { target: "Kinesis_20131202", signingName: "kinesis", version: "1.1" },
  dynamodb: { target: "DynamoDB_20120810", signingName: "dynamodb", version: "1.0" },
  secretsmanager: { target: "secretsmanager", signingName: "secretsmanager", version: "1.1" },
  ssm: { target: "AmazonSSM", signingName: "ssm", version: "1.1" },
} as const;

export type ServiceName = keyof typeof SERVICES;

function sha256Hex(data: string): string {
  return crypto.createHash("sha256").update(data, "utf8").digest("hex");
}

function hmac(key: crypto.BinaryLike, data: string): Buffer {
  return crypto.createHmac("sha256", key).update(data, "utf8").digest();
}

/** The SigV4 headers for a POST of `body` to `url` (path "/", no query), as of `now`. */
export function signedHeaders(
  endpoint: AwsEndpoint,
  service: ServiceName,
  action: string,
  body: string,
  now: Date,
): Record<string, string> {
  const { target, signingName, version } = SERVICES[service];
  const host = new URL(endpoint.url).host;
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    "content-type": `application/x-amz-json-${version}`,
    host,
    "x-amz-date": amzDate,
    "x-amz-target": `${target}.${action}`,
  };
  const names = Object.keys(headers).sort();
  const canonicalRequest = [
    "POST",
    "/",
    "",
    ...names.map((name) => `${name}:${headers[name]}`),
    "",
    names.join(";"),
    sha256Hex(body),
  ].join("\n");
  const scope = `${day}/${endpoint.region}/${signingName}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  let key: Buffer = hmac(`AWS4${endpoint.secretAccessKey}`, day);
  for (const part of [endpoint.region, signingName, "aws4_request"]) key = hmac(key, part);
  const signature = crypto.createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
  // fetch sets Host itself (it refuses one given).
  delete headers.host;
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${endpoint.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
}

/** Calls `action` and returns the parsed response; throws AwsError on an error response. */
export async function callAws(
  endpoint: AwsEndpoint,
  service: ServiceName,
  action: string,
  request: object,
): Promise<any> {
  const body = JSON.stringify(request);
  const response = await fetch(`${endpoint.url}/`, {
    method: "POST",
    headers: signedHeaders(endpoint, service, action, body, new Date()),
    body,
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const code = String(parsed.__type ?? `HTTP${response.status}`).replace(/^.*#/, "");
    throw new AwsError(code, String(parsed.message ?? parsed.Message ?? text), response.status);
  }
  return parsed;
}
