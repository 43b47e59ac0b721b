/**
 * A small reader for structured stack config that collects every problem instead of stopping at
 * the first, so a user fixes a config file in one pass. Each message names the full key
 * (`flink-pipeline:flink.parallelism`) and what is allowed.
 */

import * as pulumi from "@pulumi/pulumi";
import { didYouMean } from "./namespaces";

/**
 * Every problem found in a stack's config; the program stops before registering any resource.
 * A RunError, so the CLI prints the problems without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
  constructor(public readonly problems: string[]) {
    super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Names of the Flink application (and, by its description, of the Kinesis stream). */
export const NAME_PATTERN = {
  regex: /^[a-zA-Z0-9_.-]{1,128}$/,
  describe: "1 to 128 letters, digits, '_', '.' or '-'",
};

/** A customer-managed KMS key, by ARN (the alarm topic's key, the Confluent secrets' key). */
export const KMS_KEY_ARN = {
  regex: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/,
  describe: "a customer-managed KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
};

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One object-valued key of the config; tracks which fields were read to flag unknown ones. */
export class Section {
  private readonly read = new Set<string>();
  /** Fields whose value was refused: checks that depend on them would judge a fallback, not the user's value. */
  private readonly refused = new Set<string>();

  private constructor(
    readonly path: string,
    private readonly value: Plain,
    private readonly problems: string[],
  ) {}

  /** `raw` undefined means "not set": every field takes its default. */
  static of(path: string, raw: unknown, problems: string[]): Section {
    if (raw === undefined || raw === null) return new Section(path, {}, problems);
    if (!isPlainObject(raw)) {
      problems.push(`${path} must be an object (got ${describe(raw)})`);
      return new Section(path, {}, problems);
    }
    return new Section(path, raw, problems);
  }

  /** The full key of a field; the namespace root is `flink-pipeline:` so keys read as the CLI's. */
  key(field: string): string {
    return this.path.endsWith(":") ? `${this.path}${field}` : `${this.path}.${field}`;
  }

  /** The fields that are set, for maps whose keys are the user's (property groups). */
  fieldNames(): string[] {
    return Object.keys(this.value);
  }

  has(field: string): boolean {
    return this.value[field] !== undefined && this.value[field] !== null;
  }

  /** The same fields read by another reader whose problems are discarded, to learn which fields it knows. */
  probe(): Section {
    return new Section(this.path, this.value, []);
  }

  /** The fields read so far, after the reader ran. */
  fieldsRead(): ReadonlySet<string> {
    return this.read;
  }

  /** Marks every field as handled, when which fields are known depends on a value already refused. */
  markAllRead(): void {
    for (const field of Object.keys(this.value)) this.read.add(field);
  }

  /** Marks a field as handled (e.g. already reported as misplaced) so {@link rejectUnknown} skips it. */
  markRead(field: string): void {
    this.read.add(field);
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Whether `field` was set to a value already reported as a problem (its reader returned the fallback). */
  refusedValue(field: string): boolean {
    return this.refused.has(field);
  }

  /** Reports a problem with the value of `field` and remembers it as refused. */
  private refuse(field: string, message: string): void {
    this.refused.add(field);
    this.problem(message);
  }

  private get(field: string): unknown {
    this.read.add(field);
    const value = this.value[field];
    return value === null ? undefined : value;
  }

  optionalString(field: string, pattern?: { regex: RegExp; describe: string }): string | undefined {
    const value = this.get(field);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "") {
      this.refuse(field, `${this.key(field)} must be a non-empty string (got ${describe(value)})`);
      return undefined;
    }
    if (pattern && !pattern.regex.test(value)) {
      this.refuse(field, `${this.key(field)} must be ${pattern.describe} (got ${describe(value)})`);
      return undefined;
    }
    return value;
  }

  string(field: string, fallback: string, pattern?: { regex: RegExp; describe: string }): string {
    return this.optionalString(field, pattern) ?? fallback;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback: T): T {
    const value = this.get(field);
    if (value === undefined) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    // Only a value in other case is surely meant as one of these (FLINK-1_15 is not FLINK-1_18).
    const sameLetters = allowed.find(
      (option) => typeof value === "string" && option.toLowerCase() === value.toLowerCase(),
    );
    const hint = sameLetters === undefined ? "" : `; did you mean ${sameLetters}?`;
    this.refuse(
      field,
      `${this.key(field)} must be one of ${allowed.join(", ")} (got ${describe(value)}${hint})`,
    );
    return fallback;
  }

  optionalInteger(field: string, min: number, max?: number): number | undefined {
    const value = this.get(field);
    if (value === undefined) return undefined;
    if (
      typeof value === "number" &&
      Number.isInteger(value) &&
      value >= min &&
      (max === undefined || value <= max)
    ) {
      return value;
    }
    const range = max === undefined ? `>= ${min}` : `between ${min} and ${max}`;
    this.refuse(field, `${this.key(field)} must be an integer ${range} (got ${describe(value)})`);
    return undefined;
  }

  integer(field: string, fallback: number, min: number, max?: number): number {
    return this.optionalInteger(field, min, max) ?? fallback;
  }

  boolean(field: string, fallback: boolean): boolean {
    const value = this.get(field);
    if (value === undefined) return fallback;
    if (typeof value === "boolean") return value;
    this.refuse(field, `${this.key(field)} must be true or false (got ${describe(value)})`);
    return fallback;
  }

  /** A list of strings, each matching `pattern` when given; undefined when the field is not set. */
  stringList(field: string, pattern?: { regex: RegExp; describe: string }): string[] | undefined {
    const value = this.get(field);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      this.refuse(field, `${this.key(field)} must be a list of strings (got ${describe(value)})`);
      return undefined;
    }
    const bad = value.filter(
      (entry) => typeof entry !== "string" || (pattern !== undefined && !pattern.regex.test(entry)),
    );
    if (bad.length > 0) {
      const what = pattern ? pattern.describe : "a non-empty string";
      this.refuse(
        field,
        `${this.key(field)} entries must each be ${what} (got ${bad.map(describe).join(", ")})`,
      );
      return undefined;
    }
    return value as string[];
  }

  section(field: string): Section {
    return Section.of(this.key(field), this.get(field), this.problems);
  }

  /** A list of objects, each read as its own section (`field[0]`, `field[1]`, ...); undefined when unset. */
  list(field: string): Section[] | undefined {
    const value = this.get(field);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      this.refuse(field, `${this.key(field)} must be a list (got ${describe(value)})`);
      return [];
    }
    return value.map((item, index) => Section.of(`${this.key(field)}[${index}]`, item, this.problems));
  }

  /** A map of non-empty string values; numbers and booleans are accepted and written as strings. */
  stringMap(field: string): Record<string, string> {
    const value = this.get(field);
    if (value === undefined) return {};
    if (!isPlainObject(value)) {
      this.refuse(field, `${this.key(field)} must be a map of names to strings (got ${describe(value)})`);
      return {};
    }
    const result: Record<string, string> = {};
    for (const [name, entry] of Object.entries(value)) {
      if (
        (typeof entry === "string" && entry !== "") ||
        typeof entry === "number" ||
        typeof entry === "boolean"
      ) {
        result[name] = String(entry);
      } else {
        this.problem(
          `${this.key(field)}.${name} must be a non-empty string, a number or a boolean (got ${describe(entry)})`,
        );
      }
    }
    return result;
  }

  /** Reports every field that was never read: typos must not pass silently. */
  rejectUnknown(): void {
    const known = [...this.read].sort();
    for (const field of Object.keys(this.value)) {
      if (!this.read.has(field)) {
        const hint = didYouMean(field, known, this.key(""));
        this.problem(`${this.key(field)} is not a known key${hint || `; known keys: ${known.join(", ")}`}`);
      }
    }
  }
}
