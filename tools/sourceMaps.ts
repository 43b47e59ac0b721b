/**
 * Maps the frames of a stack trace in the project's TypeScript back to the lines written, from the
 * inline source maps `register.js` emits. Node reads those maps only with `--enable-source-maps`,
 * which would parse every map at start-up; here they are parsed only when a trace is printed.
 */
import { SourceMap } from "module";

/** The transpiled code by file name, when the plan runs under `tools/register.js`. */
function compiledFiles(): Map<string, string> | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the loader the plan runs under, if any
    return (require("./register.js") as { compiled?: Map<string, string> }).compiled;
  } catch {
    return undefined;
  }
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/** `text` with every `<file>.ts:<line>:<column>` of a transpiled file replaced by its position in the source. */
export function mapStackTrace(text: string, compiled = compiledFiles()): string {
  if (compiled === undefined) return text;
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string) => {
    if (!maps.has(file)) {
      const payload = INLINE_MAP.exec(compiled.get(file) ?? "")?.[1];
      const json = payload === undefined ? undefined : Buffer.from(payload, "base64").toString("utf8");
      maps.set(file, json === undefined ? undefined : new SourceMap(JSON.parse(json)));
    }
    return maps.get(file);
  };
  return text.replace(
    /([^\s()]+\.ts):(\d+):(\d+)/g,
    (frame: string, file: string, line: string, column: string) => {
      const entry = mapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1) as
        { originalLine?: number; originalColumn?: number } | undefined;
      if (entry?.originalLine === undefined || entry.originalColumn === undefined) return frame;
      return `${file}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    },
  );
}

/** How the plan prints an error that is not the user's input: its stack, mapped to the TypeScript. */
export function describeFailure(error: unknown): string {
  return error instanceof Error && error.stack ? mapStackTrace(error.stack) : String(error);
}
