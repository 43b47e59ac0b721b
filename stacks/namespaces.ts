/**
 * Config keys outside the program's own fields: the namespaces a stack file may use and the keys
 * each provider we deploy with reads. A namespace typo (`flink-pipline:flink`, `AWS:region`) or an
 * unknown provider key (`aws:regoin`) would otherwise be ignored without a word, and the stack
 * would deploy on defaults.
 */
import * as awsConfig from "@pulumi/aws/config/vars";
import { Region } from "@pulumi/aws/types/enums";
import * as confluentConfig from "@pulumi/confluentcloud/config/vars";

/**
 * The config keys each provider we use reads, from the installed packages' generated config
 * modules (one getter per key of the provider's schema). `@pulumi/awsx` has no provider config:
 * its `ProviderArgs` is empty, so every `awsx:` key is a typo.
 */
export const PROVIDER_CONFIG_KEYS: Readonly<Record<string, readonly string[]>> = {
  aws: Object.keys(awsConfig),
  awsx: [],
  confluentcloud: Object.keys(confluentConfig),
};

/** The regions the installed `@pulumi/aws` knows (its `Region` enum). */
export const AWS_REGIONS: readonly string[] = Object.values(Region);

/** Namespaces the engine itself reads (`pulumi:tags`, `pulumi:disable-default-providers`). */
const ENGINE_NAMESPACE = "pulumi";

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const rows = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        rows[i - 1][j] + 1,
        row[j - 1] + 1,
        rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j], rows[i - 2][j - 2] + 1);
      }
    }
    rows.push(row);
  }
  return rows[a.length][b.length];
}

/**
 * The candidate `word` most likely meant: equal ignoring case, else the nearest within a quarter
 * of its length (at least 1, so `awz` means `aws` but `gcp` means nothing).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const sameLetters = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(candidate.length / 4));
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** ` (did you mean x?)` when a candidate is close, else nothing. */
export function didYouMean(word: string, candidates: readonly string[], prefix = ""): string {
  const match = closest(word, candidates);
  return match === undefined || match === word ? "" : `; did you mean ${prefix}${match}?`;
}

/**
 * Problems with the config keys outside `ownNamespace`'s fields: namespaces close to ours or to a
 * provider's, keys a provider does not read, and an `aws:region` the provider does not know.
 * Keys of other namespaces (another provider's, the engine's) are left to their readers.
 */
export function namespaceProblems(raw: Record<string, string>, ownNamespace: string): string[] {
  const problems: string[] = [];
  const namespaces = [ownNamespace, ...Object.keys(PROVIDER_CONFIG_KEYS)];
  for (const fullKey of Object.keys(raw).sort()) {
    const colon = fullKey.indexOf(":");
    if (colon < 0) continue;
    const namespace = fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (namespace === ownNamespace || namespace === ENGINE_NAMESPACE) continue;
    const providerKeys = PROVIDER_CONFIG_KEYS[namespace];
    if (providerKeys !== undefined) {
      if (!providerKeys.includes(key)) problems.push(unknownProviderKey(namespace, key, providerKeys));
      continue;
    }
    const intended = closest(namespace, namespaces);
    if (intended !== undefined) {
      problems.push(
        `${fullKey} is in namespace ${JSON.stringify(namespace)}, which nothing reads; did you mean ${intended}:${key}?`,
      );
    }
  }
  problems.push(...regionProblems(raw));
  return problems;
}

function unknownProviderKey(namespace: string, key: string, providerKeys: readonly string[]): string {
  const what = `${namespace}:${key} is not a config key of the ${namespace} provider (@pulumi/${namespace})`;
  if (providerKeys.length === 0) return `${what}, which reads no config`;
  const intended = closest(key, providerKeys);
  if (intended !== undefined) return `${what}; did you mean ${namespace}:${intended}?`;
  return `${what}; its keys: ${providerKeys.join(", ")}`;
}

/** `aws:region` must be one the provider knows, unless the stack turns the provider's own check off. */
function regionProblems(raw: Record<string, string>): string[] {
  const region = raw["aws:region"];
  if (region === undefined || AWS_REGIONS.includes(region) || raw["aws:skipRegionValidation"] === "true") {
    return [];
  }
  const hint = didYouMean(region, AWS_REGIONS);
  return [
    `aws:region must be a region @pulumi/aws knows (got ${JSON.stringify(region)}${hint})${hint ? "" : `; regions: ${AWS_REGIONS.join(", ")}`}`,
  ];
}
