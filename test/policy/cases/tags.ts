import { TYPES } from "../../../policy/lib/resourceTypes";
import { requiredTags } from "../../../policy/policies/tags";
import { stream, TAGS } from "../fixtures";
import { awsProvider, PolicyCaseTable, resource, UNKNOWN_STRING } from "../harness";

const untaggedStream = stream({ tags: undefined });

export const tagsCases: PolicyCaseTable[] = [
  {
    policy: requiredTags,
    cases: [
      { title: "tags on the resource comply", input: stream(), expect: "compliant" },
      {
        title: "tags from the provider's default tags (JSON text) comply",
        input: { ...untaggedStream, provider: awsProvider(TAGS) },
        expect: "compliant",
      },
      {
        title: "resource and provider tags combine",
        input: {
          ...stream({ tags: { owner: "data-platform" } }),
          provider: awsProvider({ environment: "dev", project: "p", "cost-center": "c" }),
        },
        expect: "compliant",
      },
      {
        title: "missing tags are listed",
        input: {
          ...stream({ tags: { owner: "data-platform", environment: "" } }),
          provider: awsProvider({ project: "p" }),
        },
        expect: [/Missing tags: environment, cost-center\./],
      },
      {
        title: "a stack may require other tags",
        input: stream(),
        config: { requiredTags: ["environment", "data-classification"] },
        expect: [/Missing tags: data-classification\./],
      },
      {
        title: "preview: unknown tags are not judged",
        input: stream({ tags: UNKNOWN_STRING }),
        expect: "compliant",
      },
      {
        title: "dashboards take no tags",
        input: resource("aws:cloudwatch/dashboard:Dashboard", "ops", { dashboardBody: "{}" }),
        expect: { notApplicable: /only applies to resources of type/ },
      },
      {
        title: "an untagged role is reported",
        input: resource(TYPES.role, "r", { assumeRolePolicy: "{}" }),
        expect: [/Missing tags: environment, project, owner, cost-center\./],
      },
    ],
  },
];
