/**
 * Regenerates tools/review/replaceFields.json for one provider from that provider's Pulumi schema
 * (`provider/cmd/pulumi-resource-<name>/schema.json` of its repository at the installed version):
 * every input path of the types the program registers whose change makes Pulumi replace the
 * resource (`willReplaceOnChanges`). Runs offline; how the schema was obtained is in README.md
 * ("Review").
 *
 *   node -r ./tools/register.js tools/review/generateReplaceFields.ts <provider> <schema.json> <version> <source>
 */
import * as fs from "fs";
import * as path from "path";
import { REPLACE_FIELDS_FILE, ReplaceFieldsFile } from "./replacement";

type Schema = { resources: Record<string, TypeSpec>; types: Record<string, TypeSpec> };
interface PropertySpec {
  $ref?: string;
  type?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  willReplaceOnChanges?: boolean;
}
interface TypeSpec {
  inputProperties?: Record<string, PropertySpec>;
  properties?: Record<string, PropertySpec>;
}

/** The replacing input paths of one type: `a`, `a.b`, `a[].b` (arrays of objects), sorted. */
export function replacingPaths(schema: Schema, token: string): string[] {
  const resource = schema.resources[token];
  if (!resource) throw new Error(`the schema has no resource ${token}`);
  const found = new Set<string>();
  const walk = (properties: Record<string, PropertySpec>, prefix: string, seen: Set<string>) => {
    for (const [name, spec] of Object.entries(properties)) {
      const at = `${prefix}${name}`;
      if (spec.willReplaceOnChanges) {
        found.add(at);
        continue;
      }
      let inner: PropertySpec | undefined = spec;
      let suffix = "";
      while (inner?.items) {
        inner = inner.items;
        suffix += "[]";
      }
      const ref = inner?.$ref?.startsWith("#/types/") ? inner.$ref.slice("#/types/".length) : undefined;
      if (ref && !seen.has(ref) && schema.types[ref]?.properties)
        walk(schema.types[ref].properties!, `${at}${suffix}.`, new Set([...seen, ref]));
    }
  };
  walk(resource.inputProperties ?? {}, "", new Set());
  return [...found].sort();
}

function main(argv: string[]): number {
  const [provider, schemaFile, version, source] = argv;
  if (!provider || !schemaFile || !version || !source) {
    console.error(
      "Usage: node -r ./tools/register.js tools/review/generateReplaceFields.ts <provider> <schema.json> <version> <source>",
    );
    return 2;
  }
  const schema: Schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
  const current: ReplaceFieldsFile = JSON.parse(fs.readFileSync(REPLACE_FIELDS_FILE, "utf8"));
  const types = Object.keys(current.types).filter((token) => token.startsWith(`${provider}:`));
  const next: ReplaceFieldsFile = {
    ...current,
    providers: { ...current.providers, [provider]: { version, source } },
    types: { ...current.types },
  };
  for (const token of types) next.types[token] = replacingPaths(schema, token);
  fs.writeFileSync(REPLACE_FIELDS_FILE, `${JSON.stringify(next, null, 2)}\n`);
  console.error(`${path.relative(process.cwd(), REPLACE_FIELDS_FILE)}: ${types.length} ${provider} types`);
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
