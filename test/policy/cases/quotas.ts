import { TYPES } from "../../../policy/lib/resourceTypes";
import {
  cloudwatchDashboardWidgets,
  snsTopicPolicySize,
  vpcEndpointPolicySize,
} from "../../../policy/policies/quotas";
import { PolicyCaseTable, resource, UNKNOWN_STRING } from "../harness";

const dashboard = (widgets: number) =>
  resource(TYPES.dashboard, "dashboard", {
    dashboardName: "flink-pipeline-dev",
    dashboardBody: JSON.stringify({
      widgets: Array.from({ length: widgets }, (_, i) => ({
        type: "text",
        x: 0,
        y: i,
        width: 24,
        height: 1,
      })),
    }),
  });
/** A policy document of exactly `bytes` bytes (ASCII: as many characters). */
const policyOf = (bytes: number) => {
  const empty = JSON.stringify({ Version: "2012-10-17", Id: "" });
  return JSON.stringify({ Version: "2012-10-17", Id: "x".repeat(bytes - empty.length) });
};
const endpoint = (policy: string) =>
  resource(TYPES.vpcEndpoint, "endpoint", { serviceName: "com.amazonaws.us-east-1.logs", policy });
const topicPolicy = (policy: string) =>
  resource(TYPES.snsTopicPolicy, "topic-policy", {
    arn: "arn:aws:sns:us-east-1:123456789012:alarms",
    policy,
  });

/** A size quota's cases: at the quota, one over it, not known at a preview, and `more`. */
function sizeCases(
  policy: PolicyCaseTable["policy"],
  withPolicy: (policy: string) => PolicyCaseTable["cases"][number]["input"],
  max: number,
  unit: string,
  over: RegExp,
  more: PolicyCaseTable["cases"],
): PolicyCaseTable {
  return {
    policy,
    cases: [
      { title: `a policy of ${max} ${unit} complies`, input: withPolicy(policyOf(max)), expect: "compliant" },
      {
        title: `a policy of ${max + 1} ${unit} is reported`,
        input: withPolicy(policyOf(max + 1)),
        expect: [over],
      },
      ...more,
      {
        title: "preview: a policy not known yet is not judged, and the policy says so",
        input: withPolicy(UNKNOWN_STRING),
        expect: { cannotJudge: /policy/ },
      },
    ],
  };
}

export const quotasCases: PolicyCaseTable[] = [
  {
    policy: cloudwatchDashboardWidgets,
    cases: [
      { title: "500 widgets comply", input: dashboard(500), expect: "compliant" },
      {
        title: "501 widgets are reported",
        input: dashboard(501),
        expect: [/has 501 widgets, over CloudWatch's 500/],
      },
      {
        title: "a body that is not JSON is reported",
        input: resource(TYPES.dashboard, "dashboard", { dashboardName: "d", dashboardBody: "{" }),
        expect: [/dashboardBody is not JSON/],
      },
      {
        title: "preview: a body not known yet is not judged, and the policy says so",
        input: resource(TYPES.dashboard, "dashboard", { dashboardName: "d", dashboardBody: UNKNOWN_STRING }),
        expect: { cannotJudge: /dashboardBody/ },
      },
    ],
  },
  sizeCases(
    snsTopicPolicySize,
    topicPolicy,
    30_000,
    "bytes",
    /Topic policy is 30001 bytes, over SNS's 30000/,
    [
      {
        title: "a topic's own policy counts as well",
        input: resource(TYPES.snsTopic, "topic", { name: "alarms", policy: policyOf(40_000) }),
        expect: [/40000 bytes/],
      },
      {
        title: "a topic without a policy of its own complies",
        input: resource(TYPES.snsTopic, "topic", { name: "alarms" }),
        expect: "compliant",
      },
    ],
  ),
  sizeCases(
    vpcEndpointPolicySize,
    endpoint,
    20_480,
    "characters",
    /Endpoint policy is 20481 characters, over the VPC's 20480/,
    [
      {
        title: "an endpoint without a policy is left to vpc-endpoint-policy-restricted",
        input: resource(TYPES.vpcEndpoint, "endpoint", { serviceName: "com.amazonaws.us-east-1.logs" }),
        expect: "compliant",
      },
    ],
  ),
];
