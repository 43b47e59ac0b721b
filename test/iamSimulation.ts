/**
 * A small IAM evaluator for identity policies: is one request (action, resource, request context)
 * allowed by a set of statements? It implements what our grants use: Allow/Deny, Action and Resource
 * with `*` and `?` wildcards (actions case-insensitively, as IAM compares them), and the condition
 * operators StringEquals, StringLike, ArnEquals and ArnLike (a key missing from the context fails the
 * condition). Anything else throws, so a grant using more fails the test instead of passing unjudged.
 */
import { PolicyStatement } from "./helpers";

export interface SimulatedRequest {
  action: string;
  resource: string;
  /** Condition keys the request carries, e.g. `{ "cloudwatch:namespace": "AWS/KinesisAnalytics" }`. */
  context?: Record<string, string>;
}

const OPERATORS = ["StringEquals", "StringLike", "ArnEquals", "ArnLike"] as const;

function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split("")
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

function list(value: unknown): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [String(value)];
}

function conditionHolds(condition: PolicyStatement["Condition"], context: Record<string, string>): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) => {
    if (!(OPERATORS as readonly string[]).includes(operator)) {
      throw new Error(`the IAM simulation does not implement the condition operator ${operator}`);
    }
    const exact = operator === "StringEquals" || operator === "ArnEquals";
    return Object.entries(keys).every(([key, expected]) => {
      const actual = Object.entries(context).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
      if (actual === undefined) return false;
      return list(expected).some((value) => (exact ? value === actual : globMatches(value, actual, false)));
    });
  });
}

function matches(statement: PolicyStatement, request: SimulatedRequest): boolean {
  for (const field of ["NotAction", "NotResource", "NotPrincipal"]) {
    if (field in statement) throw new Error(`the IAM simulation does not implement ${field}`);
  }
  return (
    list(statement.Action).some((action) => globMatches(action, request.action, true)) &&
    list(statement.Resource).some((resource) => globMatches(resource, request.resource, false)) &&
    conditionHolds(statement.Condition, request.context ?? {})
  );
}

/** IAM's identity-policy logic: allowed when some Allow statement matches and no Deny statement does. */
export function isAllowed(statements: PolicyStatement[], request: SimulatedRequest): boolean {
  const matching = statements.filter((statement) => matches(statement, request));
  return matching.some((s) => s.Effect === "Allow") && !matching.some((s) => s.Effect === "Deny");
}
