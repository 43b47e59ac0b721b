/**
 * What goes into the job artifact and its content hash. Pure file-system helpers, kept apart from
 * the component so validation (which must check the PyFlink jar before any resource exists) and
 * the component use the same file list.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { inflateRawSync } from "zlib";

/** Directory entries never shipped: VCS and editor files, Python caches, build folders. */
const EXCLUDED = new Set(["__pycache__", "target", "node_modules"]);

/** Where tools/build_job_zip.py vendors boto3 into the PyFlink job directory; Kafka stacks only. */
export const VENDORED_PYTHON_DIR = "dep";

/** Files of a directory artifact, as sorted relative POSIX paths; `exclude` names top-level entries to leave out. */
export function listArtifactFiles(dir: string, exclude: readonly string[] = []): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      if (entry.name.startsWith(".") || EXCLUDED.has(entry.name) || entry.name.endsWith(".pyc")) continue;
      if (relative === "" && exclude.includes(entry.name)) continue;
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) files.push(child);
    }
  };
  walk("");
  return files.sort();
}

/** Results computed from files, by what was computed and the files' identities (see fileIdentity). */
const computed = new Map<string, unknown>();

/** Where results are kept across processes too, once a tool asked for it (persistComputedResults). */
let persistDir: string | undefined;

/**
 * A file's device, inode, size, modification and change times: any write changes the change time,
 * which no tool can set back (unlike the modification time).
 */
function fileIdentity(file: string, stat: fs.BigIntStats): string[] {
  return [file, ...[stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs].map(String)];
}

/**
 * File timestamps are coarse (up to 2 s on some file systems): a file changed this recently could
 * change again without a new change time, so what was computed from it is not kept across processes.
 */
const RECENT_CHANGE_MS = 2000;

/**
 * Keeps the results of {@link computedFromFiles} in `dir` across processes too, as JSON, for a tool
 * run again and again on the same job (the offline plan; not the program `pulumi up` runs): a
 * result is found again only for the same files unchanged, the same computation (its code and this
 * module's) and the same `what`.
 */
export function persistComputedResults(dir: string): void {
  persistDir = dir;
}

/** This module's own code, part of every kept result's key (the computations use its helpers). */
let ownCode: string | undefined;

/**
 * `compute()`, once per process for the same files unchanged: the pipelines of a stack that share
 * one artifact (the PyFlink job with its connector jar, some 90 MB) read and hash it once. `what`
 * names everything the result depends on besides the files' contents.
 */
export function computedFromFiles<T>(what: string, files: string[], compute: () => T): T {
  const stats = files.map((file) => fs.statSync(file, { bigint: true }));
  const key = JSON.stringify([what, ...files.map((file, index) => fileIdentity(file, stats[index]))]);
  if (!computed.has(key)) computed.set(key, persistDir ? persisted(key, stats, compute) : compute());
  return computed.get(key) as T;
}

/** `compute()` as kept under {@link persistDir}, computed (and kept, unless a file just changed) when not there. */
function persisted<T>(key: string, stats: fs.BigIntStats[], compute: () => T): T {
  ownCode ??= fs.readFileSync(__filename, "utf8");
  const fullKey = JSON.stringify([key, compute.toString(), ownCode]);
  const file = path.join(persistDir!, `${createHash("sha256").update(fullKey).digest("hex")}.json`);
  try {
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { value: T }).value;
  } catch {
    // Not kept yet (or unreadable): compute it.
  }
  const value = compute();
  const recent = stats.some((stat) => Date.now() - Number(stat.ctimeMs) < RECENT_CHANGE_MS);
  if (!recent) {
    fs.mkdirSync(persistDir!, { recursive: true });
    // Written whole, then renamed: a plan running beside this one reads all of it or nothing.
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, JSON.stringify({ value }));
    fs.renameSync(partial, file);
  }
  return value;
}

/** sha256 over each file's path and bytes: any change of name or content changes the hash. */
export function hashDirectory(dir: string, files: string[]): string {
  return computedFromFiles(
    `sha256 of directory ${dir}`,
    files.map((file) => path.join(dir, file)),
    () => {
      const hash = createHash("sha256");
      for (const file of files) {
        hash
          .update(file)
          .update("\0")
          .update(fs.readFileSync(path.join(dir, file)))
          .update("\0");
      }
      return hash.digest("hex");
    },
  );
}

export function hashFile(file: string): string {
  return computedFromFiles("sha256", [file], () =>
    createHash("sha256").update(fs.readFileSync(file)).digest("hex"),
  );
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

/** The entries of a zip (or jar) archive, read from its central directory. */
function zipEntries(archive: Buffer): ZipEntry[] {
  // The end-of-central-directory record sits in the last 22 bytes plus an optional comment.
  let end = -1;
  for (let offset = archive.length - 22; offset >= Math.max(0, archive.length - 22 - 0xffff); offset--) {
    if (archive.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw new Error("not a zip archive (no end of central directory)");
  const count = archive.readUInt16LE(end + 10);
  let offset = archive.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER)
      throw new Error("corrupt zip central directory");
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    entries.push({
      name: archive.toString("utf8", offset + 46, offset + 46 + nameLength),
      method: archive.readUInt16LE(offset + 10),
      compressedSize: archive.readUInt32LE(offset + 20),
      localHeaderOffset: archive.readUInt32LE(offset + 42),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Entry names of a zip (or jar) archive. */
export function zipEntryNames(archive: Buffer): string[] {
  return zipEntries(archive).map((entry) => entry.name);
}

/** The bytes of one entry (stored or deflated), or undefined when the archive has no such entry. */
export function zipEntryContent(archive: Buffer, name: string): Buffer | undefined {
  const entry = zipEntries(archive).find((candidate) => candidate.name === name);
  if (entry === undefined) return undefined;
  const header = entry.localHeaderOffset;
  const dataStart = header + 30 + archive.readUInt16LE(header + 26) + archive.readUInt16LE(header + 28);
  const data = archive.subarray(dataStart, dataStart + entry.compressedSize);
  if (entry.method === 0) return data;
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`zip entry ${name} uses compression method ${entry.method}`);
}

/** A main attribute of a jar's META-INF/MANIFEST.MF (continuation lines joined), if present. */
export function manifestAttribute(jar: Buffer, attribute: string): string | undefined {
  const manifest = zipEntryContent(jar, "META-INF/MANIFEST.MF");
  if (manifest === undefined) return undefined;
  const text = manifest.toString("utf8").replace(/\r?\n /g, "");
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break; // the main section ends at the first blank line
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon) === attribute) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** Where the job's code comes from: a local file or directory to upload, or an existing S3 object. */
export type ArtifactSource =
  | { kind: "s3"; bucket: string; key: string }
  | { kind: "file"; path: string }
  | { kind: "directory"; path: string }
  /** A local jar not built yet: only a preview accepts it, and its key says `unbuilt` instead of a hash. */
  | { kind: "unbuilt"; path: string };

/** Stands for the content hash in the key of an {@link ArtifactSource} of kind `unbuilt`. */
export const UNBUILT = "unbuilt";

/** The uploaded file name, with the content hash so every code change gets a new key. */
export function contentHashedName(source: Exclude<ArtifactSource, { kind: "s3" }>, hash: string): string {
  const extension = source.kind === "directory" ? ".zip" : path.extname(source.path);
  const base = path.basename(source.path, source.kind === "directory" ? "" : extension);
  return `${base}-${hash.slice(0, 16)}${extension}`;
}
