import { WILDCARD_RESOURCE_ACTIONS } from "../allowList";
import { resourcePolicy } from "../lib/definePolicy";
import {
  IDENTITY_POLICY_TYPES,
  identityPolicyDocuments,
  isAllow,
  isWildcardAction,
  knownStrings,
  parseStatements,
  Statement,
} from "../lib/iamDocument";
import { asList, asRecord, dig, Props, UNKNOWN } from "../lib/known";
import { TYPES } from "../lib/resourceTypes";

/** AWS managed policies that grant (nearly) everything. */
const ADMIN_POLICY_NAMES = ["AdministratorAccess", "PowerUserAccess"];

/** Condition keys that tie a service principal to our account or resource (confused-deputy guard). */
const SOURCE_CONDITION_KEYS = ["aws:sourceaccount", "aws:sourcearn"];

/**
 * What `judge` finds wrong with each Allow statement of the resource's identity policies, located; a
 * document not known yet (a first preview) goes to `couldNotJudge`.
 */
function judgeAllowStatements(
  type: string,
  props: Props,
  couldNotJudge: (what: string) => void,
  judge: (statement: Statement) => string | undefined,
): string[] {
  return identityPolicyDocuments(type, props).flatMap((document) =>
    document.statements === UNKNOWN
      ? (couldNotJudge(document.location), [])
      : document.statements
          .filter(isAllow)
          .map(judge)
          .filter((problem): problem is string => problem !== undefined)
          .map((problem) => `${capitalize(document.location)}, ${problem}`),
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const iamNoWildcardActions = resourcePolicy({
  name: "iam-no-wildcard-actions",
  description: 'IAM policies grant named actions: no "*", no "<service>:*", no Allow with NotAction.',
  severity: "critical",
  remediationSteps: "list the actions the principal calls (e.g. kinesis:GetRecords), nothing broader.",
  resourceTypes: IDENTITY_POLICY_TYPES,
  check: (props, { type, couldNotJudge }) =>
    judgeAllowStatements(type, props, couldNotJudge, (statement) => {
      if (statement.notActions.length > 0) {
        return `${statement.label} allows NotAction, which grants every other action.`;
      }
      const wildcards = knownStrings(statement.actions).filter(isWildcardAction);
      return wildcards.length > 0 ? `${statement.label} allows ${wildcards.join(", ")}.` : undefined;
    }),
});

const wildcardAllowed = new Set(WILDCARD_RESOURCE_ACTIONS.map((entry) => entry.action.toLowerCase()));

export const iamResourceWildcardAllowList = resourcePolicy({
  name: "iam-resource-wildcard-allow-list",
  description:
    'IAM policies grant on Resource "*" only actions AWS cannot scope to a resource (the allow-list in ' +
    "policy/allowList.ts).",
  severity: "high",
  remediationSteps:
    "name the resources (stream, table, bucket, log group ARNs) in Resource; if AWS really offers no " +
    "resource-level permission for the action, add it to policy/allowList.ts with the reason.",
  resourceTypes: IDENTITY_POLICY_TYPES,
  check: (props, { type, couldNotJudge }) =>
    judgeAllowStatements(type, props, couldNotJudge, (statement) => {
      if (statement.notResources.length > 0) {
        return `${statement.label} allows NotResource, which grants on every other resource.`;
      }
      if (!knownStrings(statement.resources).includes("*")) {
        return undefined;
      }
      const scopable = knownStrings(statement.actions).filter(
        (action) => !wildcardAllowed.has(action.toLowerCase()),
      );
      return scopable.length > 0
        ? `${statement.label} allows ${scopable.join(", ")} on Resource "*"; only allow-listed actions may.`
        : undefined;
    }),
});

export const iamServiceTrustConfusedDeputy = resourcePolicy({
  name: "iam-service-trust-confused-deputy",
  description:
    "A role assumable by an AWS service restricts its trust with aws:SourceAccount or aws:SourceArn.",
  severity: "high",
  remediationSteps:
    'add Condition: { StringEquals: { "aws:SourceAccount": "<account id>" } } and/or ' +
    '{ ArnEquals: { "aws:SourceArn": "<arn of the app>" } } to each statement trusting a service principal.',
  resourceTypes: [TYPES.role],
  check: (props, { couldNotJudge }) => {
    const statements = parseStatements(props.assumeRolePolicy);
    if (statements === UNKNOWN) {
      couldNotJudge("assumeRolePolicy");
      return [];
    }
    return statements.filter(isAllow).flatMap((statement) => {
      const services = knownStrings(asList(dig(statement.principal, "Service")));
      if (
        services.length === 0 ||
        statement.condition === UNKNOWN ||
        hasSourceCondition(statement.condition)
      ) {
        return [];
      }
      return [
        `Trust ${statement.label} lets ${services.join(", ")} assume the role from any account or resource.`,
      ];
    });
  },
});

function hasSourceCondition(condition: unknown): boolean {
  const operators = asRecord(condition);
  if (operators === undefined || operators === UNKNOWN) {
    return false;
  }
  return Object.values(operators).some((entries) => {
    const keys = asRecord(entries);
    return (
      keys !== undefined &&
      keys !== UNKNOWN &&
      Object.keys(keys).some((key) => SOURCE_CONDITION_KEYS.includes(key.toLowerCase()))
    );
  });
}

function isAdminPolicyArn(arn: unknown): arn is string {
  return (
    typeof arn === "string" &&
    ADMIN_POLICY_NAMES.some((name) => new RegExp(`^arn:aws[a-z-]*:iam::aws:policy/${name}$`).test(arn))
  );
}

export const iamNoAdminPolicies = resourcePolicy({
  name: "iam-no-admin-policies",
  description: "No role or attachment uses the AWS managed AdministratorAccess or PowerUserAccess policies.",
  severity: "critical",
  remediationSteps: "attach a policy that grants only the actions and resources the role needs.",
  resourceTypes: [
    TYPES.role,
    TYPES.rolePolicyAttachment,
    TYPES.policyAttachment,
    TYPES.rolePolicyAttachmentsExclusive,
  ],
  check: (props) => {
    const arns = [...asList(props.managedPolicyArns), props.policyArn, ...asList(props.policyArns)];
    return arns.filter(isAdminPolicyArn).map((arn) => `Attaches ${arn}.`);
  },
});
