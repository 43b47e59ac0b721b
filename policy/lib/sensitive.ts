/**
 * Heuristics for "this looks like a credential", shared by the Flink properties check and the SSM parameter
 * check. They err towards flagging: a false alarm costs a rename, a leaked key costs a rotation.
 */

/** Names that say the value is a credential. */
const SENSITIVE_NAME =
  /password|passwd|secret|credential|token|private[._-]?key|api[._-]?key|access[._-]?key|sasl\.jaas\.config|basic\.auth\.user\.info/i;

/** Names that hold where a credential lives (an ARN, id, name or path), not the credential itself. */
const REFERENCE_SUFFIX = /([._-](arn|id|name|path|ref)|(Arn|Id|Name|Path|Ref))$/;

/** True when a property or parameter name says its value is a credential (and not a reference to one). */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name) && !REFERENCE_SUFFIX.test(name);
}

/** True when the value is a reference to a credential store rather than a credential. */
export function isCredentialReference(value: string): boolean {
  return value.startsWith("arn:");
}

/**
 * A name that says its value is an API key's id: the public half of a key pair (its secret is the
 * credential), which a job may get to notice a rotation.
 */
const API_KEY_ID_NAME = /api[._-]?key[._-]?id$/i;

/**
 * Why `value` looks like a credential, or undefined when it does not. Never echoes the value.
 * Under a name ending in `api.key.id`, a Confluent key id is taken for what the name says.
 */
export function secretShape(value: string, name = ""): string | undefined {
  if (/LoginModule\s+required/i.test(value) || /password\s*=\s*["']/i.test(value)) {
    return "a JAAS login configuration with inline credentials";
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) {
    return "a PEM private key";
  }
  if (/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(value)) {
    return "an AWS access key id";
  }
  if (/^[A-Z0-9]{16}$/.test(value) && !API_KEY_ID_NAME.test(name)) {
    return "a Confluent Cloud API key";
  }
  if (looksRandom(value)) {
    return "a high-entropy token (API secret shaped)";
  }
  return undefined;
}

/**
 * Long strings of base64/url-safe characters that mix cases and digits with near-random spread: API secrets
 * (Confluent: 64 characters, AWS: 40) rather than names, which are shorter, lower-case or separated.
 */
function looksRandom(value: string): boolean {
  if (value.length < 32 || !/^[A-Za-z0-9+/=_-]+$/.test(value)) {
    return false;
  }
  if (!/[A-Z]/.test(value) || !/[a-z]/.test(value) || !/[0-9]/.test(value)) {
    return false;
  }
  return shannonEntropy(value) >= 4.5;
}

/** Bits per character of `value`. */
function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const character of value) {
    counts.set(character, (counts.get(character) ?? 0) + 1);
  }
  let entropy = 0;
  for (const count of counts.values()) {
    const share = count / value.length;
    entropy -= share * Math.log2(share);
  }
  return entropy;
}
