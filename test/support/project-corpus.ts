// The corpus under test/projects/: small projects written the way their authors write them (no
// #syntax= line, no pyfront table unless the layout needs one), each with a pyfront-expect.json
// saying how a user builds it and what the built image must do. Shared by the golden plans (unit)
// and the docker build test (e2e).
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const CORPUS_DIR = fileURLToPath(new URL("../projects/", import.meta.url));

/**
 * The expectation file's name. It lives beside the project so a project is one directory, but it is
 * ours, not the author's: copies made for a build leave it out, so pyfront never sees it.
 */
export const EXPECTATION_FILE = "pyfront-expect.json";

const substrings = z.array(z.string().min(1));

const runCheck = z.strictObject({
  /** Arguments after the image in `docker run`; none runs the image's own command. */
  args: z.array(z.string()).default([]),
  /** Each must occur in the container's standard output. */
  stdout: substrings.min(1),
  /** None may occur in standard output or standard error. */
  absent: substrings.default([]),
});

const httpCheck = z.strictObject({
  path: z.string().startsWith("/"),
  status: z.number().int().min(100).max(599),
  /** Each must occur in the response body. */
  body: substrings.min(1),
  absent: substrings.default([]),
});

const expectationSchema = z.strictObject({
  /** The layout the project stands for, in a sentence. */
  layout: z.string().min(1),
  /**
   * The file given to `docker build -f`, relative to the project. Always named: Docker's own
   * frontend reads that file (default `Dockerfile`) before it hands over to BUILDKIT_SYNTAX, so a
   * build without one fails before pyfront runs.
   */
  file: z.string().min(1),
  /** The Python series the project's own files ask for (or the default, when they ask for none). */
  python: z.string().regex(/^3\.\d+$/),
  /** Build arguments a user passes beyond BUILDKIT_SYNTAX and PIP_INDEX_URL. */
  buildArgs: z.record(z.string(), z.string()).default({}),
  check: z.union([z.strictObject({ run: runCheck }), z.strictObject({ http: httpCheck })]),
});

export type ProjectExpectation = z.infer<typeof expectationSchema>;
export type RunCheck = z.infer<typeof runCheck>;
export type HttpCheck = z.infer<typeof httpCheck>;

export interface CorpusProject {
  name: string;
  /** The project in the repository; never built or edited in place. */
  dir: string;
  expect: ProjectExpectation;
}

/** Every project directory, sorted; a directory without a valid expectation file throws. */
export function corpusProjects(): CorpusProject[] {
  return readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = join(CORPUS_DIR, name);
      const path = join(dir, EXPECTATION_FILE);
      const parsed = expectationSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
      if (!parsed.success) throw new Error(`${path}: ${z.prettifyError(parsed.error)}`);
      statSync(join(dir, parsed.data.file)); // the named file exists
      return { name, dir, expect: parsed.data };
    });
}

/** A scratch copy of a project, exactly as its author has it: our expectation file stays behind. */
export interface ProjectCopy {
  dir: string;
  dispose(): void;
}

export function copyProject(project: CorpusProject): ProjectCopy {
  const root = mkdtempSync(join(tmpdir(), `pyfront-corpus-${project.name}-`));
  const dir = join(root, project.name);
  cpSync(project.dir, dir, {
    recursive: true,
    filter: (source) => source !== join(project.dir, EXPECTATION_FILE),
  });
  return { dir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
