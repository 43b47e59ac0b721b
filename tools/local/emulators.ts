/**
 * The local stand-ins for AWS, each on a free port of 127.0.0.1: kinesis-local (kinesis-mock's npm
 * build) for Kinesis, dynalite for DynamoDB, and moto's server for Secrets Manager and SSM.
 */
import * as fs from "fs";
import * as path from "path";
import { AwsEndpoint, callAws } from "./awsJson";
import { Child, ProcessGroup, freePort, waitUntil } from "./processes";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");
/** The account the plan's mocks put in every ARN: the emulators must serve the same ARNs. */
export const LOCAL_ACCOUNT_ID = "123456789012";
/** Credentials for the emulators only: they check the signature's shape, not the key. */
export const LOCAL_CREDENTIALS = { accessKeyId: LOCAL_ACCOUNT_ID, secretAccessKey: "local-emulator-secret" };
export const START_TIMEOUT_MS = 60_000;

/** A missing prerequisite: exit code 2, with how to install it. */
export class PrerequisiteError extends Error {}

export interface Emulator {
  child: Child;
  endpoint: AwsEndpoint;
}

function requireFile(file: string, install: string): string {
  if (!fs.existsSync(file)) throw new PrerequisiteError(`${file} not found: ${install}`);
  return file;
}

function endpointAt(port: number, region: string): AwsEndpoint {
  return { url: `http://127.0.0.1:${port}`, region, ...LOCAL_CREDENTIALS };
}

const NPM_INSTALL = "run `npm ci` in the project";

/** kinesis-local with its plain-HTTP port on 127.0.0.1 (its TLS port too, also loopback). */
export async function startKinesis(group: ProcessGroup, region: string): Promise<Emulator> {
  const main = requireFile(path.join(PROJECT_DIR, "node_modules", "kinesis-local", "main.js"), NPM_INSTALL);
  const [plainPort, tlsPort] = [await freePort(), await freePort()];
  const child = group.start(
    "kinesis",
    process.execPath,
    ["-r", path.join(PROJECT_DIR, "tools", "register.js"), "-r", path.join(__dirname, "loopback.ts"), main],
    {
      cwd: path.dirname(main), // it reads its TLS certificate, server.json, from there
      env: {
        ...process.env,
        KINESIS_MOCK_PLAIN_PORT: String(plainPort),
        KINESIS_MOCK_TLS_PORT: String(tlsPort),
        AWS_ACCOUNT_ID: LOCAL_ACCOUNT_ID,
        AWS_REGION: region,
        // Streams are created by the runner, from the plan; resharding waits are not under test.
        CREATE_STREAM_DURATION: "0ms",
        LOG_LEVEL: "WARN",
      },
    },
  );
  const endpoint = endpointAt(plainPort, region);
  await waitUntil(
    "Kinesis emulator",
    async () => (await callAws(endpoint, "kinesis", "ListStreams", {}), true),
    START_TIMEOUT_MS,
    child,
  );
  return { child, endpoint };
}

/** dynalite, in memory, on 127.0.0.1. */
export async function startDynamo(group: ProcessGroup, region: string): Promise<Emulator> {
  const cli = requireFile(path.join(PROJECT_DIR, "node_modules", "dynalite", "cli.js"), NPM_INSTALL);
  const port = await freePort();
  const child = group.start("dynamodb", process.execPath, [
    cli,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--createTableMs",
    "0",
  ]);
  const endpoint = endpointAt(port, region);
  await waitUntil(
    "DynamoDB emulator",
    async () => (await callAws(endpoint, "dynamodb", "ListTables", {}), true),
    START_TIMEOUT_MS,
    child,
  );
  return { child, endpoint };
}

export const VENV_DIR = path.join(PROJECT_DIR, ".venv");
export const SETUP_HINT = "run `bash tools/setup-runtime.sh` (creates .venv/ and builds the job's jars)";

/** moto's server (Secrets Manager, SSM) from the project's venv, on 127.0.0.1. */
export async function startMoto(group: ProcessGroup, region: string): Promise<Emulator> {
  const server = requireFile(path.join(VENV_DIR, "bin", "moto_server"), SETUP_HINT);
  const port = await freePort();
  const child = group.start("moto", server, ["-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, MOTO_ACCOUNT_ID: LOCAL_ACCOUNT_ID },
  });
  const endpoint = endpointAt(port, region);
  await waitUntil(
    "Secrets Manager / SSM emulator",
    async () => (await callAws(endpoint, "secretsmanager", "ListSecrets", {}), true),
    START_TIMEOUT_MS,
    child,
  );
  return { child, endpoint };
}
