import * as policySdk from "@pulumi/policy";
import * as policySdkProxy from "@pulumi/policy/proxy";

/**
 * Stands for a value the engine cannot know yet: during `pulumi preview`, outputs of resources that do not
 * exist yet. Policies treat it as "cannot judge" and stay silent rather than guess.
 */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/** Resource properties after {@link markUnknowns}: plain data, unknown values replaced by {@link UNKNOWN}. */
export type Props = Readonly<Record<string, unknown>>;

// The SDK throws this when a policy reads an unknown value; it is exported at run time, but the published
// typings leave it out, so it is typed here.
const { UnknownValueError } = policySdk as unknown as { UnknownValueError: new (...args: never[]) => Error };

// The sentinel the SDK's proxy uses for an unknown string (exported at run time, left out of the typings).
const { unknownStringValue } = policySdkProxy as unknown as { unknownStringValue: unknown };

/**
 * The SDK's "value unknown during preview" error for what a check could not judge (`what`, e.g.
 * `policy`): thrown after the check reported what it could judge, the analyzer adds an advisory
 * "can't run policy ... during preview" diagnostic naming it, as it does for any unknown value read.
 */
export function cannotJudgeError(what: string[]): Error {
  const SdkError = UnknownValueError as unknown as new (sentinel: unknown, path: string[]) => Error;
  return new SdkError(unknownStringValue, [what.join(", ")]);
}

/** True when `error` is the SDK's "value unknown during preview" error. */
export function isUnknownValueError(error: unknown): boolean {
  return error instanceof UnknownValueError;
}

/**
 * A plain copy of engine-provided properties in which every unknown value is {@link UNKNOWN}. The engine
 * hands policies a proxy that throws on reading an unknown value; copying once up front lets the checks
 * tell "unknown" from "missing" without try/catch around every read.
 */
export function markUnknowns(props: Readonly<Record<string, unknown>>): Props {
  return copyKnown(props) as Props;
}

function copyKnown(value: unknown): unknown {
  if (value === null || typeof value !== "object") {
    return value;
  }
  // Index loops rather than map/entries: the SDK proxy wraps everything it returns, prototype methods too.
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      items.push(readKnown(value, i));
    }
    return items;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    copy[key] = readKnown(value, key);
  }
  return copy;
}

function readKnown(container: object, key: string | number): unknown {
  try {
    return copyKnown((container as Record<string | number, unknown>)[key]);
  } catch (error) {
    if (isUnknownValueError(error)) {
      return UNKNOWN;
    }
    throw error;
  }
}

/**
 * Follows `path` into `value`: {@link UNKNOWN} as soon as a step is unknown, `undefined` as soon as a step
 * is missing or not an object.
 */
export function dig(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === UNKNOWN) {
      return UNKNOWN;
    }
    if (current === null || typeof current !== "object") {
      return undefined;
    }
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A list from a value that may be one item or many (IAM's `Action`, `Resource`, ...). */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** A record from a value that may be an object or its JSON text (provider config, policy documents). */
export function asRecord(value: unknown): Record<string, unknown> | Unknown | undefined {
  if (value === UNKNOWN) {
    return UNKNOWN;
  }
  if (typeof value === "string") {
    try {
      return asRecord(JSON.parse(value) as unknown);
    } catch {
      // Not JSON: the provider rejects malformed documents itself, so there is nothing to judge here.
      return undefined;
    }
  }
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
