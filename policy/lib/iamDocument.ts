import { TYPES } from "./resourceTypes";
import { asList, asRecord, dig, Props, Unknown, UNKNOWN } from "./known";

/** One IAM policy statement, with its one-or-many fields as lists. */
export interface Statement {
  /** Where the statement is, for messages: `statement "ReadStream"` or `statement #2`. */
  label: string;
  effect: unknown;
  actions: unknown[];
  notActions: unknown[];
  resources: unknown[];
  notResources: unknown[];
  principal: unknown;
  condition: unknown;
}

/** A policy document found on a resource, with where it was found. */
export interface FoundDocument {
  /** `policy` or `inline policy "name"`, for messages. */
  location: string;
  /** The statements, or {@link UNKNOWN} while the document is unknown (or malformed; the provider rejects those). */
  statements: Statement[] | Unknown;
}

/** Types whose props carry identity-based policy documents (what a principal may do). */
export const IDENTITY_POLICY_TYPES: readonly string[] = [TYPES.rolePolicy, TYPES.iamPolicy, TYPES.role];

/** Identity-based policy documents of a resource: `policy` of a policy resource, a role's inline policies. */
export function identityPolicyDocuments(type: string, props: Props): FoundDocument[] {
  if (type === TYPES.rolePolicy || type === TYPES.iamPolicy) {
    return [{ location: "policy", statements: parseStatements(props.policy) }];
  }
  if (type === TYPES.role) {
    const inlinePolicies = props.inlinePolicies;
    if (inlinePolicies === UNKNOWN) {
      return [{ location: "inline policies", statements: UNKNOWN }];
    }
    return asList(inlinePolicies).map((inline) => {
      const name = dig(inline, "name");
      return {
        location: typeof name === "string" ? `inline policy "${name}"` : "inline policy",
        statements: parseStatements(dig(inline, "policy")),
      };
    });
  }
  return [];
}

/** The statements of a policy document given as JSON text or as an object. */
export function parseStatements(document: unknown): Statement[] | Unknown {
  const parsed = asRecord(document);
  if (parsed === UNKNOWN || parsed === undefined) {
    return UNKNOWN;
  }
  if (parsed.Statement === UNKNOWN) {
    return UNKNOWN;
  }
  return asList(parsed.Statement).map((statement, index) => {
    const sid = dig(statement, "Sid");
    return {
      label: typeof sid === "string" && sid !== "" ? `statement "${sid}"` : `statement #${index + 1}`,
      effect: dig(statement, "Effect"),
      actions: asList(dig(statement, "Action")),
      notActions: asList(dig(statement, "NotAction")),
      resources: asList(dig(statement, "Resource")),
      notResources: asList(dig(statement, "NotResource")),
      principal: dig(statement, "Principal"),
      condition: dig(statement, "Condition"),
    };
  });
}

/** Allow statements grant; Deny statements only take away, so the checks skip them. */
export function isAllow(statement: Statement): boolean {
  return statement.effect === "Allow";
}

/** The known string items of a statement field; unknown items are left for the apply to reveal. */
export function knownStrings(items: unknown[]): string[] {
  return items.filter((item): item is string => typeof item === "string");
}

/** `*`, or every action of one service (`s3:*`). */
export function isWildcardAction(action: string): boolean {
  return action === "*" || /^[^:*]+:\*$/.test(action);
}

/**
 * The condition keys a statement's `Condition` tests (as written; IAM compares them case-insensitively), or
 * {@link UNKNOWN} while the condition is unknown.
 */
export function conditionKeys(condition: unknown): string[] | Unknown {
  const operators = asRecord(condition);
  if (operators === UNKNOWN) {
    return UNKNOWN;
  }
  return Object.values(operators ?? {}).flatMap((entries) => {
    const keys = asRecord(entries);
    return keys === undefined || keys === UNKNOWN ? [] : Object.keys(keys);
  });
}
