import { resourcePolicy } from "../lib/definePolicy";
import { UNKNOWN } from "../lib/known";
import { TYPES } from "../lib/resourceTypes";
import { isCredentialReference, isSensitiveName, secretShape } from "../lib/sensitive";

export const secretDescription = resourcePolicy({
  name: "secretsmanager-secret-description",
  description: "Secrets Manager secrets say what they hold and who reads them.",
  severity: "low",
  remediationSteps: 'set description, e.g. "Kafka client config read by the flink-pipeline job at start".',
  resourceTypes: [TYPES.secret],
  check: (props) => {
    const description = props.description;
    return description === UNKNOWN || (typeof description === "string" && description.trim() !== "")
      ? []
      : ["Secret has no description."];
  },
});

export const ssmSensitiveSecureString = resourcePolicy({
  name: "ssm-sensitive-parameter-secure-string",
  description: "SSM parameters whose name or value looks like a credential are SecureString.",
  severity: "high",
  remediationSteps: 'set type: "SecureString" (and pass the value through value, not insecureValue).',
  resourceTypes: [TYPES.ssmParameter],
  check: (props, { name: resourceName }) => {
    if (props.type === "SecureString" || props.type === UNKNOWN) {
      return [];
    }
    // An autonamed parameter is named after the resource.
    const name = typeof props.name === "string" ? props.name : resourceName;
    const reason = sensitivityReason(name, [props.value, props.insecureValue]);
    return reason ? [`Parameter "${name}" is ${String(props.type)} but ${reason}.`] : [];
  },
});

function sensitivityReason(name: string, values: unknown[]): string | undefined {
  for (const value of values) {
    const shape = typeof value === "string" && !isCredentialReference(value) ? secretShape(value) : undefined;
    if (shape) {
      return `its value looks like ${shape}`;
    }
  }
  // The last path segment names the value; earlier ones only group parameters.
  const leafName = name.split("/").pop() ?? name;
  return isSensitiveName(leafName) ? "its name says it holds a credential" : undefined;
}
