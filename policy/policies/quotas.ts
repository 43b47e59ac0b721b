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

/** A policy holding `resourceTypes`' `policy` (text or document) to `max` in `unit`s of `size`. */
function policySizeQuota(definition: {
  name: string;
  /** What the policy is on, e.g. "Topic policy". */
  what: string;
  service: string;
  resourceTypes: readonly string[];
  max: number;
  unit: string;
  size: (text: string) => number;
  remediationSteps: string;
}) {
  const { what, service, max, unit, size } = definition;
  return resourcePolicy({
    name: definition.name,
    description: `${what} is at most ${max} ${unit}: ${service} refuses a larger one.`,
    severity: "medium",
    remediationSteps: definition.remediationSteps,
    resourceTypes: definition.resourceTypes,
    check: (props, { couldNotJudge }) => {
      const policy = props.policy;
      if (policy === undefined) return [];
      if (policy === UNKNOWN) return (couldNotJudge("policy"), []);
      const measured = size(typeof policy === "string" ? policy : JSON.stringify(policy));
      return measured > max ? [`${what} is ${measured} ${unit}, over ${service}'s ${max}.`] : [];
    },
  });
}

export const snsTopicPolicySize = policySizeQuota({
  name: "sns-topic-policy-size-quota",
  what: "Topic policy",
  service: "SNS",
  resourceTypes: [TYPES.snsTopic, TYPES.snsTopicPolicy],
  max: SNS_POLICY_MAX_BYTES,
  unit: "bytes",
  size: Buffer.byteLength,
  remediationSteps:
    "shorten the policy: fewer statements, or ARN patterns in place of long lists of exact ARNs (this project's alarm topic switches to one pattern per pipeline itself when the exact alarm ARNs would not fit).",
});

export const vpcEndpointPolicySize = policySizeQuota({
  name: "vpc-endpoint-policy-size-quota",
  what: "Endpoint policy",
  service: "the VPC",
  resourceTypes: [TYPES.vpcEndpoint],
  max: VPC_ENDPOINT_POLICY_MAX_CHARS,
  unit: "characters",
  size: (text) => text.length,
  remediationSteps:
    "shorten the policy (this project's restricted endpoint policies list every pipeline's resources: about 100 pipelines fit one VPC's: put more in a second stack).",
});
