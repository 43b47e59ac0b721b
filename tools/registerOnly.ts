/**
 * Runs a stack's program under the offline plan's mocks and does nothing else: no recording, no
 * policies, no document. `npm run bench` times it as the floor under a plan: what the SDK's
 * registration of the program's resources costs, which no change to the plan can go below.
 *
 *   node -r ./tools/startup.js tools/registerOnly.ts --stack <name> [--program <file>]
 *
 * Prints how many resources reached the monitor. Exit codes: 0 registered, 1 the program failed,
 * 2 bad usage or config.
 */
import { persistComputedResults } from "../components/artifactContent";
import { ConfigError } from "../stacks/validation";
import { COMPUTED_RESULTS_DIR, programFromFile, registerOnly, reportFailure } from "./planRuntime";
import { UsageError, checkStackName, programArg, readStackFiles, refuseRepeated } from "./stackFiles";

export const USAGE =
  "Usage: node -r ./tools/startup.js tools/registerOnly.ts --stack <name> [--program <file>]   (default program: index.ts)";

export function parseArgs(argv: string[]): { stack: string; program: string } {
  let stack: string | undefined;
  let program = "index.ts";
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    refuseRepeated(flag, given);
    const value = argv[++i];
    if (value === undefined || value.startsWith("--"))
      throw new UsageError(`${flag} needs a value\n${USAGE}`);
    if (flag === "--stack") stack = checkStackName(value);
    else if (flag === "--program") program = value;
    else throw new UsageError(`bad argument ${JSON.stringify(flag)}\n${USAGE}`);
  }
  if (stack === undefined) throw new UsageError(`--stack is required\n${USAGE}`);
  return { stack, program };
}

export async function main(argv: string[], projectDir = process.cwd()): Promise<number> {
  try {
    const args = parseArgs(argv);
    const files = readStackFiles(projectDir, args.stack);
    if (files.typeProblems.length > 0) throw new ConfigError(files.typeProblems);
    const count = await registerOnly(programFromFile(programArg(projectDir, args.program)), files);
    console.log(`${count} resources registered`);
    return 0;
  } catch (error) {
    return reportFailure(error);
  }
}

if (require.main === module) {
  // As the plan does: the job's hash is read from the cache the plan keeps, so the floor is not
  // dearer than the plan by hashing the job.
  persistComputedResults(COMPUTED_RESULTS_DIR);
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
