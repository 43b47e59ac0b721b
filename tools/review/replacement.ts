/**
 * Which input changes make Pulumi replace a resource rather than update it in place, per resource
 * type, from the providers' schemas (`willReplaceOnChanges`), kept in replaceFields.json with the
 * provider version it was made for.
 */
import * as fs from "fs";
import * as path from "path";

export const REPLACE_FIELDS_FILE = path.join(__dirname, "replaceFields.json");

export interface ReplaceFieldsFile {
  /** Where each provider's paths come from, and the installed version they were checked against. */
  providers: Record<string, { version: string; source: string }>;
  /** Resource type token -> replacing input paths (`a`, `a.b`, `a[].b`). */
  types: Record<string, string[]>;
}

let loaded: ReplaceFieldsFile | undefined;

export function replaceFields(): ReplaceFieldsFile {
  loaded ??= JSON.parse(fs.readFileSync(REPLACE_FIELDS_FILE, "utf8")) as ReplaceFieldsFile;
  return loaded;
}

/** `a[3].b` -> `a[].b`: schema paths do not name array positions. */
export function schemaPath(inputPath: string): string {
  return inputPath.replace(/\[\d+\]/g, "[]");
}

/**
 * The changed input paths that force a replacement of a `type`: those under a replacing schema
 * path, or under a `replaceOnChanges` resource option.
 */
export function replacingChanges(type: string, changed: string[], replaceOnChanges: string[] = []): string[] {
  const fields = [...(replaceFields().types[type] ?? []), ...replaceOnChanges.map(schemaPath)];
  if (fields.includes("*")) return changed;
  return changed.filter((change) => {
    const at = schemaPath(change);
    return fields.some((field) => at === field || at.startsWith(`${field}.`) || at.startsWith(`${field}[`));
  });
}
