/**
 * Calling AWS: one retry policy for throttling and transient faults (the SDK's own retries are
 * off, so the behaviour is the one the tests pin), and errors turned into one clear line.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { KinesisAnalyticsV2Client } from "@aws-sdk/client-kinesis-analytics-v2";
import { UsageError } from "../stackFiles";

export interface Clients {
  flink: KinesisAnalyticsV2Client;
  cloudwatch: CloudWatchClient;
}

/** Time, injectable so tests wait for nothing. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function createClients(region: string): Clients {
  // The project supports Node 20 (engines); the SDK's multi-line notice about future releases would
  // bury the one line a command prints.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // maxAttempts 1: `send` below retries, with progress lines, and nothing retries twice.
  return {
    flink: new KinesisAnalyticsV2Client({ region, maxAttempts: 1 }),
    cloudwatch: new CloudWatchClient({ region, maxAttempts: 1 }),
  };
}

/** The operation was refused or did not reach its goal: exit 1 with this message. */
export class OperationFailed extends Error {}

export const MAX_ATTEMPTS = 6;
/** Backoff before attempt n+1: 1 s, 2 s, 4 s, 8 s, 16 s. */
export function backoffMs(attempt: number): number {
  return Math.min(16_000, 1000 * 2 ** (attempt - 1));
}

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
]);
const CREDENTIALS = new Set([
  "CredentialsProviderError",
  "ExpiredTokenException",
  "ExpiredToken",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "AccessDeniedException",
  "AccessDenied",
]);

interface AwsError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

function isTransient(error: AwsError): boolean {
  const status = error.$metadata?.httpStatusCode ?? 0;
  return (
    THROTTLING.has(error.name ?? "") ||
    status >= 500 ||
    ["ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "ECONNREFUSED"].includes(error.code ?? "")
  );
}

type Sendable<Output> = { send(command: any): Promise<Output> };

/**
 * Sends `command`, retrying throttling and transient faults with backoff; gives every other error
 * a message naming the call. `onRetry` reports each wait.
 */
export async function send<Output>(
  client: Sendable<Output>,
  command: { constructor: { name: string } },
  clock: Clock,
  onRetry: (line: string) => void,
): Promise<Output> {
  const call = command.constructor.name.replace(/Command$/, "");
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.send(command);
    } catch (caught) {
      const error = caught as AwsError;
      if (isTransient(error) && attempt < MAX_ATTEMPTS) {
        const wait = backoffMs(attempt);
        onRetry(
          `${call}: ${error.name ?? "error"}, retrying in ${wait / 1000} s (attempt ${attempt + 1} of ${MAX_ATTEMPTS})`,
        );
        await clock.sleep(wait);
        continue;
      }
      throw explain(call, error, attempt);
    }
  }
}

function explain(call: string, error: AwsError, attempts: number): Error {
  const message = (error.message ?? String(error)).split("\n")[0];
  if (CREDENTIALS.has(error.name ?? "")) return new UsageError(`AWS credentials: ${call}: ${message}`);
  if (error.name === "ResourceNotFoundException") return new UsageError(`${call}: ${message}`);
  if (isTransient(error)) {
    return new OperationFailed(`${call} still failing after ${attempts} attempts: ${error.name}: ${message}`);
  }
  return new OperationFailed(`${call} refused: ${error.name ?? "error"}: ${message}`);
}
