/**
 * Loads the project's TypeScript for the offline plan and the benchmark. Each file is transpiled
 * once per content (no type check: `npm test` runs tsc) and cached under node_modules/.cache, so
 * a repeated plan never loads the compiler; that is most of the plan's start-up time.
 */
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const cacheDir = path.join(__dirname, "..", "node_modules", ".cache", "flink-pipeline-ts");
const compilerOptions = {
  module: "commonjs",
  target: "es2022",
  esModuleInterop: true,
  inlineSourceMap: true,
};
let typescript;
/** The transpiled code of each loaded file, read only to map a failing program's stack trace. */
const compiled = new Map();

function transpile(source, filename) {
  typescript ??= require("typescript");
  const options = typescript.convertCompilerOptionsFromJson(compilerOptions, process.cwd()).options;
  return typescript.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
}

require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  const key = crypto
    .createHash("sha256")
    .update(JSON.stringify(compilerOptions))
    .update(filename)
    .update(source);
  const cached = path.join(cacheDir, `${key.digest("hex")}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, "utf8");
  } catch {
    code = transpile(source, filename);
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(cached, code);
  }
  compiled.set(filename, code);
  module._compile(code, filename);
};

module.exports = { compiled };
