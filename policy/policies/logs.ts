import { resourcePolicy } from "../lib/definePolicy";
import { UNKNOWN } from "../lib/known";
import { TYPES } from "../lib/resourceTypes";

export const logGroupRetention = resourcePolicy({
  name: "cloudwatch-log-retention",
  description: "CloudWatch log groups expire their events (retention set, not 0 = forever).",
  severity: "low",
  remediationSteps:
    "set retentionInDays (e.g. 30 in dev, 365 in prod; in this project: flink-pipeline:flink.logRetentionDays (pipelines.<name>.flink.logRetentionDays in a stack of several pipelines)).",
  resourceTypes: [TYPES.logGroup],
  check: (props) => {
    const days = props.retentionInDays;
    return days === UNKNOWN || (typeof days === "number" && days > 0)
      ? []
      : ["Log group keeps events forever: retentionInDays is not set."];
  },
});
