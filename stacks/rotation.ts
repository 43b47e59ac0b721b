/**
 * API-key rotation as a pure function of time. Time since a fixed epoch is cut into periods of
 * `periodDays`; period `n` is key generation `n`. At any instant the live generations are the
 * newest `retain` ones, and the newest is the active one (the one the job's secrets carry).
 *
 * Because a generation's name depends only on its index, a deployment inside a period registers
 * exactly the resources the previous one did. At a period boundary a deployment adds one
 * generation and drops the oldest: Pulumi creates the new key, points the secrets and the job at
 * it, and deletes the dropped key last, so the running job's key (the previous newest) always
 * outlives the switch.
 */
import { ConfigError } from "./validation";

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Confluent Cloud's quota of API keys per service account. */
export const MAX_KEYS_PER_SERVICE_ACCOUNT = 10;
/** Each generation holds a Kafka key and a Schema Registry key, both owned by the job's account. */
export const KEYS_PER_GENERATION = 2;
/** The previous generation must stay while the job switches to the newest. */
export const MIN_RETAIN = 2;
/** `retain` generations plus the one a rollover adds must fit the quota: (4 + 1) x 2 = 10 keys. */
export const MAX_RETAIN = Math.floor(MAX_KEYS_PER_SERVICE_ACCOUNT / KEYS_PER_GENERATION) - 1;
export const MAX_PERIOD_DAYS = 365;

/** The environment variable the program reads "now" from; the offline plan sets it (`--now`). */
export const NOW_ENV = "FLINK_PIPELINE_NOW";

export interface RotationSettings {
  /** ISO-8601 instant where generation 0 starts, e.g. "2025-01-01T00:00:00Z". */
  epoch: string;
  /** Length of a period, in days. */
  periodDays: number;
  /** How many generations are live between rollovers (at least 2). */
  retain: number;
}

/** One generation of keys: active from `start` until a newer one takes over at `end`. */
export interface KeyGeneration {
  index: number;
  /** `g0007`: part of the resource names, so they never change within a period. */
  name: string;
  start: Date;
  end: Date;
}

export interface RotationPlan {
  /** Live generations, oldest first; the last one is {@link active}. */
  generations: KeyGeneration[];
  /** The newest generation: the secrets carry its keys. */
  active: KeyGeneration;
  /** When the next generation starts (the next deployment after it rotates). */
  nextRotation: Date;
}

/** `g` + the index, zero-padded to 4 digits so names sort by age. */
export function generationName(index: number): string {
  return `g${String(index).padStart(4, "0")}`;
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** What {@link parseInstant} accepts, for messages. */
export const INSTANT_FORMAT =
  'an ISO-8601 date or UTC/offset time such as "2025-01-01" or "2025-01-01T00:00:00Z"';

/**
 * A strict ISO-8601 instant: a date (midnight UTC) or a date-time with `Z` or an offset; no
 * local times (ambiguous) and no impossible dates (JavaScript would roll 02-30 into March).
 */
export function parseInstant(text: string): Date | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime())) return undefined;
  // Compare the fields as written with the same instant read back in the written offset.
  const offset = match[8] && match[8] !== "Z" ? offsetMinutes(match[8]) : 0;
  const local = new Date(date.getTime() + offset * 60_000);
  const fits =
    local.getUTCFullYear() === Number(year) &&
    local.getUTCMonth() + 1 === Number(month) &&
    local.getUTCDate() === Number(day) &&
    (hour === undefined || local.getUTCHours() === Number(hour)) &&
    (minute === undefined || local.getUTCMinutes() === Number(minute)) &&
    (second === undefined || local.getUTCSeconds() === Number(second));
  return fits ? date : undefined;
}

function offsetMinutes(offset: string): number {
  const sign = offset.startsWith("-") ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(":").map(Number);
  return sign * (hours * 60 + minutes);
}

/** Every problem with rotation settings, worded per field; empty when they are valid. */
export function rotationProblems(settings: RotationSettings): string[] {
  const problems: string[] = [];
  if (parseInstant(settings.epoch) === undefined) {
    problems.push(`epoch must be ${INSTANT_FORMAT} (got ${JSON.stringify(settings.epoch)})`);
  }
  if (
    !Number.isInteger(settings.periodDays) ||
    settings.periodDays < 1 ||
    settings.periodDays > MAX_PERIOD_DAYS
  ) {
    problems.push(
      `periodDays must be an integer between 1 and ${MAX_PERIOD_DAYS} (got ${settings.periodDays})`,
    );
  }
  if (!Number.isInteger(settings.retain) || settings.retain < MIN_RETAIN || settings.retain > MAX_RETAIN) {
    problems.push(
      `retain must be an integer between ${MIN_RETAIN} and ${MAX_RETAIN} (got ${settings.retain}): the job's key must outlive the switch to the next, and (retain + 1) generations of ${KEYS_PER_GENERATION} keys must fit Confluent's ${MAX_KEYS_PER_SERVICE_ACCOUNT} keys per service account`,
    );
  }
  return problems;
}

/**
 * The live key generations at `now`. Throws a RangeError for invalid settings or a `now` before
 * the epoch (validation reports both with the config key first).
 */
export function liveGenerations(settings: RotationSettings, now: Date): RotationPlan {
  const problems = rotationProblems(settings);
  if (Number.isNaN(now.getTime())) problems.push("now must be a valid time");
  if (problems.length > 0) throw new RangeError(`invalid rotation settings: ${problems.join("; ")}`);
  const epoch = parseInstant(settings.epoch) as Date;
  if (now.getTime() < epoch.getTime()) {
    throw new RangeError(
      `invalid rotation settings: now (${now.toISOString()}) is before the epoch (${epoch.toISOString()})`,
    );
  }
  const period = settings.periodDays * DAY_MS;
  const current = Math.floor((now.getTime() - epoch.getTime()) / period);
  const oldest = Math.max(0, current - settings.retain + 1);
  const generations: KeyGeneration[] = [];
  for (let index = oldest; index <= current; index++) {
    generations.push({
      index,
      name: generationName(index),
      start: new Date(epoch.getTime() + index * period),
      end: new Date(epoch.getTime() + (index + 1) * period),
    });
  }
  const active = generations[generations.length - 1];
  return { generations, active, nextRotation: active.end };
}

/**
 * The instant the program plans for: `FLINK_PIPELINE_NOW` when set (the offline plan's `--now`),
 * else the current time. A malformed value stops the program like a config problem.
 */
export function deploymentTime(
  env: NodeJS.ProcessEnv = process.env,
  clock: () => Date = () => new Date(),
): Date {
  const text = env[NOW_ENV];
  if (text === undefined || text === "") return clock();
  const parsed = parseInstant(text);
  if (parsed === undefined)
    throw new ConfigError([`${NOW_ENV} must be ${INSTANT_FORMAT} (got ${JSON.stringify(text)})`]);
  return parsed;
}
