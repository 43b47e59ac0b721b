/**
 * The input of a local run: generated events or the lines of a JSON-lines file, sent as they are,
 * and the ground truth they imply: which records the job must count, in which window, and which
 * windows the input's watermark can close.
 */
import * as fs from "fs";
import { AwsEndpoint, callAws } from "./awsJson";

/** DynamoDB's limit on a partition key value, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 2048;
/** Kinesis: at most 500 records per PutRecords call, partition keys of 1 to 256 characters. */
export const PUT_RECORDS_BATCH = 500;
export const MAX_PARTITION_KEY_CHARS = 256;

/** One event the job counts: its key and its event time in epoch milliseconds. */
export interface ValidEvent {
  key: string;
  eventTimeMs: number;
}

// ISO-8601 in UTC with a trailing Z, optional fraction: what the job's JSON format reads as TIMESTAMP_LTZ.
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The event a line carries if the job must count it, else undefined (the job drops and counts it). */
export function validEvent(line: string): ValidEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { key, event_time: eventTime } = value as Record<string, unknown>;
  if (typeof key !== "string" || key === "" || Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES)
    return undefined;
  if (typeof eventTime !== "string" || !EVENT_TIME.test(eventTime)) return undefined;
  const eventTimeMs = Date.parse(eventTime);
  return Number.isNaN(eventTimeMs) ? undefined : { key, eventTimeMs };
}

/** `count` events a second for `seconds` seconds over keys key-0..key-(keys-1), stamped `startMs` on. */
export function generatedLines(options: {
  rate: number;
  keys: number;
  seconds: number;
  startMs: number;
}): string[] {
  const lines: string[] = [];
  const total = options.rate * options.seconds;
  for (let i = 0; i < total; i++) {
    const eventTimeMs = options.startMs + Math.floor((i * 1000) / options.rate);
    lines.push(
      JSON.stringify({ key: `key-${i % options.keys}`, event_time: new Date(eventTimeMs).toISOString() }),
    );
  }
  return lines;
}

export function readEventsFile(file: string): string[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.length > 0);
}

/** A window's item identity: partition key and window start (ISO-8601, seconds precision). */
export function windowStartIso(eventTimeMs: number, windowSeconds: number): string {
  const windowMs = windowSeconds * 1000;
  return new Date(Math.floor(eventTimeMs / windowMs) * windowMs).toISOString().replace(".000Z", "Z");
}

/** Count per `<key>\u0000<window start>` of the valid events whose window the watermark can close. */
export interface Truth {
  counts: Map<string, number>;
  valid: number;
  invalid: number;
  /** The watermark the input reaches: the largest event time minus the delay (ms), or undefined. */
  watermarkMs?: number;
}

export function truthKey(key: string, windowStart: string): string {
  return `${key}\u0000${windowStart}`;
}

/**
 * What the job must write for `lines`, counting only windows that end at or before the watermark
 * (largest event time − `delaySeconds`). No record is taken as dropped for lateness: the job counts
 * a record whose window ended up to its allowed lateness (600 s by default) before the watermark.
 */
export function truthOf(lines: string[], windowSeconds: number, delaySeconds: number): Truth {
  const events = lines.map(validEvent);
  const valid = events.filter((event): event is ValidEvent => event !== undefined);
  const counts = new Map<string, number>();
  if (valid.length === 0) return { counts, valid: 0, invalid: lines.length };
  const watermarkMs = Math.max(...valid.map((event) => event.eventTimeMs)) - delaySeconds * 1000;
  const windowMs = windowSeconds * 1000;
  for (const event of valid) {
    const windowEndMs = (Math.floor(event.eventTimeMs / windowMs) + 1) * windowMs;
    if (windowEndMs > watermarkMs + 1) continue; // Flink fires a window once the watermark reaches end - 1 ms
    const id = truthKey(event.key, windowStartIso(event.eventTimeMs, windowSeconds));
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return { counts, valid: valid.length, invalid: lines.length - valid.length, watermarkMs };
}

/** Kinesis partition key for a line: its key when Kinesis accepts it, else one derived from the line number. */
export function partitionKeyOf(line: string, index: number): string {
  const event = validEvent(line);
  if (event && event.key.length <= MAX_PARTITION_KEY_CHARS) return event.key;
  return `line-${index}`;
}

/** Sends `lines` to the stream in PutRecords batches, retrying the records Kinesis did not take. */
export async function putLines(
  kinesis: AwsEndpoint,
  streamArn: string,
  lines: string[],
  firstIndex = 0,
): Promise<void> {
  for (let start = 0; start < lines.length; start += PUT_RECORDS_BATCH) {
    let records = lines.slice(start, start + PUT_RECORDS_BATCH).map((line, offset) => ({
      Data: Buffer.from(line, "utf8").toString("base64"),
      PartitionKey: partitionKeyOf(line, firstIndex + start + offset),
    }));
    for (let attempt = 0; records.length > 0; attempt++) {
      if (attempt === 10) throw new Error(`Kinesis kept refusing ${records.length} records`);
      const result = await callAws(kinesis, "kinesis", "PutRecords", {
        StreamARN: streamArn,
        Records: records,
      });
      records = records.filter(
        (_record, i) => result.Records[i].ErrorCode !== undefined && result.Records[i].ErrorCode !== null,
      );
    }
  }
}
