import { resourcePolicy } from "../lib/definePolicy";
import { UNKNOWN } from "../lib/known";
import { DASHBOARD_MAX_WIDGETS, SNS_POLICY_MAX_BYTES, VPC_ENDPOINT_POLICY_MAX_CHARS } from "../lib/quotas";
import { TYPES } from "../lib/resourceTypes";

export const cloudwatchDashboardWidgets = resourcePolicy({
  name: "cloudwatch-dashboard-widget-quota",
  description: `CloudWatch dashboards hold at most ${DASHBOARD_MAX_WIDGETS} widgets: PutDashboard refuses a larger body.`,
  severity: "medium",
  remediationSteps: `spread the widgets over several dashboards of at most ${DASHBOARD_MAX_WIDGETS} (this project's stack dashboard does so itself, 45 pipelines a page).`,
  resourceTypes: [TYPES.dashboard],
  check: (props, { couldNotJudge }) => {
    const body = props.dashboardBody;
    if (body === UNKNOWN) return (couldNotJudge("dashboardBody"), []);
    let widgets: unknown;
    try {
      widgets = (JSON.parse(String(body)) as { widgets?: unknown }).widgets;
    } catch {
      return ["dashboardBody is not JSON."];
    }
    const count = Array.isArray(widgets) ? widgets.length : 0;
    return count > DASHBOARD_MAX_WIDGETS
      ? [`Dashboard has ${count} widgets, over CloudWatch's ${DASHBOARD_MAX_WIDGETS}.`]
      : [];
  },
});

/** The message for a resource policy (text or document) whose `size` is over `max`; none without one. */
function oversizedPolicy(
  policy: unknown,
  couldNotJudge: (what: string) => void,
  max: number,
  size: (text: string) => number,
  message: (size: number) => string,
): string[] {
  if (policy === undefined) return [];
  if (policy === UNKNOWN) return (couldNotJudge("policy"), []);
  const measured = size(typeof policy === "string" ? policy : JSON.stringify(policy));
  return measured > max ? [message(measured)] : [];
}

export const snsTopicPolicySize = resourcePolicy({
  name: "sns-topic-policy-size-quota",
  description: `SNS topic policies are at most ${SNS_POLICY_MAX_BYTES} bytes: SNS refuses a larger one.`,
  severity: "medium",
  remediationSteps:
    "shorten the policy: fewer statements, or ARN patterns in place of long lists of exact ARNs (this project's alarm topic switches to one pattern per pipeline itself when the exact alarm ARNs would not fit).",
  resourceTypes: [TYPES.snsTopic, TYPES.snsTopicPolicy],
  check: (props, { couldNotJudge }) =>
    oversizedPolicy(
      props.policy,
      couldNotJudge,
      SNS_POLICY_MAX_BYTES,
      Buffer.byteLength,
      (bytes) => `Topic policy is ${bytes} bytes, over SNS's ${SNS_POLICY_MAX_BYTES}.`,
    ),
});

export const vpcEndpointPolicySize = resourcePolicy({
  name: "vpc-endpoint-policy-size-quota",
  description: `VPC endpoint policies are at most ${VPC_ENDPOINT_POLICY_MAX_CHARS} characters: EC2 refuses a larger one.`,
  severity: "medium",
  remediationSteps:
    "shorten the policy (this project's restricted endpoint policies list every pipeline's resources: about 100 pipelines fit one VPC's: put more in a second stack).",
  resourceTypes: [TYPES.vpcEndpoint],
  check: (props, { couldNotJudge }) =>
    oversizedPolicy(
      props.policy,
      couldNotJudge,
      VPC_ENDPOINT_POLICY_MAX_CHARS,
      (text) => text.length,
      (characters) =>
        `Endpoint policy is ${characters} characters, over the VPC quota of ${VPC_ENDPOINT_POLICY_MAX_CHARS}.`,
    ),
});
