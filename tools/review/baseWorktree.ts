/**
 * The base side of a review: the repository at a git ref, checked out in a temporary worktree with
 * its own dependencies, planned with its own `npm run plan`. Removed afterwards, also on failure.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError, stackNames } from "../stackFiles";

export interface BaseWorktree {
  dir: string;
  commit: string;
  /** True when node_modules is the working tree's own (the lock files are identical). */
  sharedModules: boolean;
  stacks: string[];
  remove(): void;
}

function git(cwd: string, args: string[]) {
  return spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 1 << 26 });
}

/** Resolves `ref` to a commit, or throws a UsageError (exit 2). */
export function resolveRef(projectDir: string, ref: string): string {
  if (ref.startsWith("-")) throw new UsageError(`--base must be a git ref (got ${JSON.stringify(ref)})`);
  const result = git(projectDir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (result.status !== 0) throw new UsageError(`--base ${ref}: not a commit in ${projectDir}`);
  return result.stdout.trim();
}

export function checkoutBase(projectDir: string, ref: string): BaseWorktree {
  const commit = resolveRef(projectDir, ref);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flink-pipeline-review-"));
  const dir = path.join(root, "base");
  const remove = () => {
    git(projectDir, ["worktree", "remove", "--force", dir]);
    fs.rmSync(root, { recursive: true, force: true });
    git(projectDir, ["worktree", "prune"]);
  };
  try {
    const added = git(projectDir, ["worktree", "add", "--detach", dir, commit]);
    if (added.status !== 0) throw new Error(`git worktree add failed: ${added.stderr.trim()}`);
    // The program may live in a subfolder of the repository.
    const top = git(projectDir, ["rev-parse", "--show-toplevel"]).stdout.trim();
    const projectInBase = path.join(dir, path.relative(top, projectDir));
    const lock = (d: string) => path.join(d, "package-lock.json");
    const same =
      fs.existsSync(lock(projectInBase)) &&
      fs.existsSync(path.join(projectDir, "node_modules")) &&
      fs.readFileSync(lock(projectInBase)).equals(fs.readFileSync(lock(projectDir)));
    if (same) {
      fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(projectInBase, "node_modules"), "dir");
    } else {
      const install = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
        cwd: projectInBase,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      if (install.status !== 0)
        throw new Error(`npm ci at ${ref} failed:\n${(install.stderr || install.stdout).trim()}`);
    }
    const stacks = fs.existsSync(path.join(projectInBase, "Pulumi.yaml")) ? stackNames(projectInBase) : [];
    return { dir: projectInBase, commit, sharedModules: same, stacks, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/**
 * The base's plan document of `stack` (its own `npm run plan -- --json`); a mandatory violation
 * (exit 1) still prints the document.
 */
export function planAtBase(base: BaseWorktree, stack: string, env: NodeJS.ProcessEnv): Record<string, any> {
  const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--stack", stack, "--json"], {
    cwd: base.dir,
    encoding: "utf8",
    env,
    maxBuffer: 1 << 28,
  });
  if (result.status === 0 || result.status === 1) {
    try {
      return JSON.parse(result.stdout);
    } catch {
      // fall through: no document
    }
  }
  throw new Error(
    `the plan of stack ${stack} at ${base.commit.slice(0, 12)} failed (exit ${result.status}):\n${result.stderr.trim()}`,
  );
}
