import { ProviderView, resourcePolicy } from "../lib/definePolicy";
import { asRecord, dig, Unknown, UNKNOWN } from "../lib/known";
import { TAGGABLE_TYPES } from "../lib/resourceTypes";

export const DEFAULT_REQUIRED_TAGS = ["environment", "project", "owner", "cost-center"];

type Tags = Record<string, unknown> | Unknown | undefined;

export const requiredTags = resourcePolicy<{ requiredTags: string[] }>({
  name: "required-tags",
  description:
    "Taggable AWS resources carry the required tags, set on the resource or as provider default tags.",
  severity: "low",
  remediationSteps:
    "set the missing tags in the stack's aws:defaultTags config (preferred: every resource gets them) or in " +
    "the resource's tags.",
  configSchema: {
    properties: {
      requiredTags: {
        type: "array",
        items: { type: "string", minLength: 1 },
        default: DEFAULT_REQUIRED_TAGS,
        description: "Tag keys every taggable resource must have, with a non-empty value.",
      },
    },
  },
  resourceTypes: TAGGABLE_TYPES,
  check: (props, { config, provider }) => {
    const own = asRecord(props.tags);
    const defaults = providerDefaultTags(provider);
    if (own === UNKNOWN || defaults === UNKNOWN) {
      return [];
    }
    const missing = config.requiredTags.filter((key) => !hasTag(own, key) && !hasTag(defaults, key));
    return missing.length > 0 ? [`Missing tags: ${missing.join(", ")}.`] : [];
  },
});

/** The provider's `defaultTags.tags`; provider config arrives as JSON text under the engine. */
function providerDefaultTags(provider: ProviderView | undefined): Tags {
  const defaultTags = asRecord(provider?.props.defaultTags);
  return defaultTags === UNKNOWN ? UNKNOWN : asRecord(dig(defaultTags, "tags"));
}

function hasTag(tags: Tags, key: string): boolean {
  if (tags === undefined || tags === UNKNOWN) {
    return false;
  }
  const value = tags[key];
  return value === UNKNOWN || (typeof value === "string" && value.trim() !== "");
}
