// Issue 15 on a real engine: pyfront's job images (src/jobs/images/images.config.ts) published to the
// local registry through `pyfront images publish` (build, checks, push: once per image and run),
// then jobs run from the published images with `pyfront job run`: requirements.txt, PEP 621,
// Poetry and PEP 723 installs from the local index, a failed install, an exit code, a refused
// archive, a folder as code on a read-only root, signals, and a DuckDB query over a mounted CSV.
//
// The definitions pin upstream digests these engines do not hold (no registry access), so every
// build adds --base-source with the engine's stand-in; the index listens on 127.0.0.1, so builds
// and jobs that install use the host's network.

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docCommands } from "../support/doc-commands.js";
import { pyfrontOnEngine } from "./support/cli.js";
import { type CommandResult, docker, engineEnv, removeImage, repoRoot } from "./support/engine.js";
import { combined } from "./support/examples.js";
import { deleteRegistryManifest, registryImage, registryTags } from "./support/registry.js";
import { packedProject, tgz } from "./support/tgz.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const MODULE = join(repoRoot, "src", "jobs", "images", "images.config.ts");
/** One registry path per engine: both suites may run at once. */
const REGISTRY_PATH = `pyfront-e2e-jobs-${engine}`;
const REGISTRY = `${env.registry}/${REGISTRY_PATH}`;
const FAMILIES = {
  "exec-python-3.11": "python:3.11-slim",
  "exec-python-3.13": "python:3.13-slim",
  "exec-duckdb": "debian:sid-slim",
} as const;
type Family = keyof typeof FAMILIES;
const VERSION = "1.0.0";
const published = (family: Family) => `${REGISTRY}/${family}:${VERSION}`;
const EXIT_CODE_REFUSED = 65;
const EXIT_INSTALL_FAILED = 67;

const scratch: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-e2e-jobs-"));
  scratch.push(dir);
  return dir;
}

async function clearRegistry(): Promise<void> {
  for (const family of Object.keys(FAMILIES)) {
    const repository = `${REGISTRY_PATH}/${family}`;
    for (const t of await registryTags(repository)) {
      const { digest } = await registryImage(repository, t);
      await deleteRegistryManifest(repository, digest);
    }
  }
}

const publishResults = new Map<Family, CommandResult>();

beforeAll(async () => {
  await clearRegistry();
  // Each image is built, checked and pushed once; the jobs below run the published images.
  for (const [family, standIn] of Object.entries(FAMILIES) as [Family, string][]) {
    const result = await pyfrontOnEngine([
      "images",
      "publish",
      `${family}:${VERSION}`,
      "--module",
      MODULE,
      "--registry",
      REGISTRY,
      "--base-source",
      standIn,
      "--network",
      "host",
      "--build-env",
      `PIP_INDEX_URL=${env.indexUrl}`,
      "--progress",
      "quiet",
    ]);
    publishResults.set(family, result);
  }
});

afterAll(async () => {
  for (const family of Object.keys(FAMILIES) as Family[]) {
    await removeImage(published(family));
    await removeImage(`${family}:${VERSION}`);
  }
  const listed = await docker(["images", "--quiet", "--filter", `reference=${REGISTRY}/*`]);
  for (const id of new Set(listed.stdout.split("\n").filter(Boolean))) await removeImage(id);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  await clearRegistry();
});

interface JobRun extends CommandResult {
  outputs: string;
  /** outputs/requirements.log, when the job wrote it. */
  log?: string;
}

/** `pyfront job run` with the local index, the host's network (the index is on 127.0.0.1) and a known outputs folder. */
async function jobRun(
  image: string,
  code: Buffer | string | undefined,
  args: readonly string[],
  extra: readonly string[] = [],
): Promise<JobRun> {
  const dir = tempDir();
  const outputs = join(dir, "outputs");
  let codeArg: string[] = [];
  if (Buffer.isBuffer(code)) {
    writeFileSync(join(dir, "code.tgz"), code);
    codeArg = [join(dir, "code.tgz")];
  } else if (typeof code === "string") codeArg = [code];
  const result = await pyfrontOnEngine([
    "job",
    "run",
    "--image",
    image,
    "--network",
    "host",
    "--env",
    `PIP_INDEX_URL=${env.indexUrl}`,
    "--outputs",
    outputs,
    ...extra,
    ...codeArg,
    "--",
    ...args,
  ]);
  let log: string | undefined;
  try {
    log = readFileSync(join(outputs, "requirements.log"), "utf8");
  } catch {
    log = undefined;
  }
  return { ...result, outputs, ...(log === undefined ? {} : { log }) };
}

describe(`pyfront's job images on engine ${env.engine}`, () => {
  it.each(Object.keys(FAMILIES) as Family[])(
    "%s passes its checks and is published to the local registry",
    async (family) => {
      const result = publishResults.get(family)!;
      expect(result.code, combined(result)).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(`^${family}:1\\.0\\.0 \\(${published(family)}\\): \\d+ checks, all passed$`, "m"),
      );
      expect(result.stdout).not.toContain("FAIL");
      const line = new RegExp(
        `published ${published(family).replace(/[.]/g, "\\.")}@(sha256:[0-9a-f]{64})`,
      ).exec(result.stdout);
      expect(line, result.stdout).not.toBeNull();
      expect(await registryTags(`${REGISTRY_PATH}/${family}`)).toEqual([VERSION]);
      const held = await registryImage(`${REGISTRY_PATH}/${family}`, VERSION);
      expect(held.digest).toBe(line![1]);
    },
  );

  it("checks the launcher's own unit tests and the pinned DuckDB in the images", () => {
    for (const family of ["exec-python-3.11", "exec-python-3.13"] as const)
      expect(publishResults.get(family)?.stdout).toContain(
        `  ok   functions "the launcher's unit tests pass in the image"`,
      );
    expect(publishResults.get("exec-duckdb")?.stdout).toContain(
      `  ok   functions "duckdb --version is the pinned 2.0.0"`,
    );
  });

  describe.each(["exec-python-3.11", "exec-python-3.13"] as const)("%s", (family) => {
    const image = published(family);
    const main = "import click, sys\nprint('job ran with click', click.__version__, sys.argv[1:])\n";
    const projects: Record<string, { files: Record<string, string>; chose: string }> = {
      "requirements.txt": {
        files: { "requirements.txt": "click==8.1.8\n" },
        chose: "requirements: requirements.txt",
      },
      "PEP 621 pyproject.toml": {
        files: {
          "pyproject.toml": '[project]\nname = "job"\nversion = "0"\ndependencies = ["click==8.1.8"]\n',
        },
        chose: "requirements: pyproject.toml (PEP 621)",
      },
      "Poetry pyproject.toml": {
        files: {
          "pyproject.toml":
            '[tool.poetry]\nname = "job"\n[tool.poetry.dependencies]\npython = ">=3.8"\nclick = "~8.1.3"\n',
        },
        chose: "requirements: pyproject.toml (Poetry)",
      },
    };

    it.each(Object.keys(projects))("runs a job declaring its requirements in %s", async (kind) => {
      const project = projects[kind]!;
      const result = await jobRun(image, packedProject({ ...project.files, "main.py": main }), [
        "python",
        "main.py",
        "a b",
        "$HOME",
      ]);
      expect(result.code, combined(result)).toBe(0);
      expect(result.stdout).toBe("job ran with click 8.1.8 ['a b', '$HOME']\n");
      expect(result.stderr).toContain(project.chose);
      expect(result.stderr).toContain(`pyfront job: outputs in ${result.outputs} (requirements.log)`);
      expect(result.log).toContain("Successfully installed click-8.1.8");
    });

    it("runs a single-file job with PEP 723 inline metadata", async () => {
      const script = [
        "# /// script",
        '# requires-python = ">=3.11"',
        '# dependencies = ["six==1.17.0"]',
        "# ///",
        "import six, requests",
        "print('six', six.__version__, 'requests', requests.__version__)",
        "",
      ].join("\n");
      const result = await jobRun(image, packedProject({ "job.py": script }), ["python", "job.py"]);
      expect(result.code, combined(result)).toBe(0);
      expect(result.stderr).toContain("requirements: inline script metadata (job.py)");
      // requests is one of the image's base requirements: there without an install.
      expect(result.stdout).toBe("six 1.17.0 requests 2.32.3\n");
      expect(result.log).toContain("Successfully installed six-1.17.0");
    });

    it("fails the job with the install's exit code and its log in /outputs/requirements.log", async () => {
      const result = await jobRun(
        image,
        packedProject({
          "requirements.txt": "six==1.17.0\npyfront-no-such-project==1.0\n",
          "main.py": "print('never')\n",
        }),
        ["python", "main.py"],
      );
      expect(result.code, combined(result)).toBe(EXIT_INSTALL_FAILED);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("installing requirements failed");
      expect(result.log).toMatch(/No matching distribution found for pyfront-no-such-project==1\.0/i);
      expect(result.log).toMatch(/# exit code [1-9]/);
    });

    it("exits with the command's exit code", async () => {
      const result = await jobRun(
        image,
        packedProject({ "main.py": "import sys\nprint('failing')\nsys.exit(3)\n" }),
        ["python", "main.py"],
      );
      expect(result.stdout).toBe("failing\n");
      expect(result.code).toBe(3);
    });

    it("refuses an archive with a ../ member and runs nothing", async () => {
      const hostile = tgz([
        { name: "job/", type: "dir" },
        { name: "job/main.py", content: "print('never')\n" },
        { name: "job/../../../tmp/planted.py", content: "print('planted')\n" },
      ]);
      const result = await jobRun(image, hostile, ["python", "main.py"], ["--network", "none"]);
      expect(result.code).toBe(EXIT_CODE_REFUSED);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(
        "code refused: member 'job/../../../tmp/planted.py' has a '..' component",
      );
    });
  });

  it("runs a folder as code as the non-root user job, on a read-only root with a writable /tmp, /code read-only", async () => {
    const code = join(tempDir(), "job");
    mkdirSync(code);
    writeFileSync(join(code, "requirements.txt"), "six==1.16.0\n");
    writeFileSync(
      join(code, "main.py"),
      [
        "import os, pathlib, six",
        "print('six', six.__version__, 'uid', os.getuid())",
        "for path in ('/written-by-the-job', '/code/written-by-the-job', '/tmp/scratch'):",
        "    try:",
        "        pathlib.Path(path).write_text('x')",
        "        print(path, 'writable')",
        "    except OSError as error:",
        "        print(path, error.strerror)",
        "pathlib.Path('/outputs/result.csv').write_text('a,b\\n1,2\\n')",
        "",
      ].join("\n"),
    );
    const result = await jobRun(published("exec-python-3.13"), code, ["python", "main.py"]);
    expect(result.code, combined(result)).toBe(0);
    expect(result.stdout).toBe(
      [
        "six 1.16.0 uid 1000",
        "/written-by-the-job Read-only file system",
        "/code/written-by-the-job Read-only file system",
        "/tmp/scratch writable",
        "",
      ].join("\n"),
    );
    expect(readFileSync(join(result.outputs, "result.csv"), "utf8")).toBe("a,b\n1,2\n");
    expect(result.stderr).toContain(
      `pyfront job: outputs in ${result.outputs} (requirements.log, result.csv)`,
    );
  });

  it("passes a SIGTERM on to the job, through tini, and exits with the job's exit code", async () => {
    const dir = tempDir();
    const code = join(dir, "job");
    mkdirSync(code);
    writeFileSync(join(code, "main.py"), "import time\nprint('ready', flush=True)\ntime.sleep(120)\n");
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, "bin", "pyfront.js"),
        "job",
        "run",
        "--image",
        published("exec-python-3.11"),
        code,
        "--",
        "python",
        "main.py",
      ],
      { env: { ...process.env, ...env.vars }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the job never said ready: ${stderr}`)), 60_000);
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("ready\n")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGTERM");
    const exitCode = await exited;
    // python has no SIGTERM handler: the default action, 128 + 15, long before its sleep ends.
    expect(exitCode, stderr).toBe(143);
    expect(Date.now() - started).toBeLessThan(60_000);
    const left = await docker(["ps", "--all", "--quiet", "--filter", "label=org.pyfront.job"]);
    expect(left.stdout.trim()).toBe("");
  });

  it("runs a DuckDB query over a mounted CSV and prints the CSV", async () => {
    const inputs = join(tempDir(), "inputs");
    mkdirSync(inputs);
    writeFileSync(join(inputs, "t.csv"), "city,temp\nOslo,4\nLisbon,19\nCairo,31\n");
    const result = await jobRun(
      published("exec-duckdb"),
      undefined,
      ["-csv", "-c", "SELECT city, temp FROM read_csv('/inputs/t.csv') WHERE temp > 10 ORDER BY temp"],
      ["--input", inputs],
    );
    expect(result.code, combined(result)).toBe(0);
    expect(result.stdout).toBe("city,temp\nLisbon,19\nCairo,31\n");
  });

  it("runs docs/jobs.md's commands as the page shows them", async () => {
    // The job and the data the page describes, in a folder of the test's own.
    const dir = tempDir();
    mkdirSync(join(dir, "myjob"));
    writeFileSync(join(dir, "myjob", "requirements.txt"), "six==1.17.0\n");
    writeFileSync(
      join(dir, "myjob", "main.py"),
      "import six\nprint('hello from a job with six', six.__version__)\n",
    );
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "t.csv"), "city,temp\nOslo,4\nLisbon,19\nCairo,31\n");
    const commands = docCommands().filter((c) => c.where.startsWith("docs/jobs.md: "));
    expect(commands.map((c) => c.words.slice(0, 3).join(" "))).toEqual([
      "pyfront images publish",
      "pyfront images publish",
      "tar czf code.tgz",
      "pyfront job run",
      "pyfront job run",
    ]);
    const outputs: string[] = [];
    for (const command of commands) {
      // This machine's stand-ins: the local registry, the checkout's module, the engines' bases and index.
      const words = command.words.map((w) =>
        w.replace("registry.example.com/jobs", REGISTRY).replace("src/jobs/images/images.config.ts", MODULE),
      );
      if (words[0] === "tar") {
        execFileSync("tar", words.slice(1), { cwd: dir });
        continue;
      }
      if (words[2] === "publish") {
        const family = words[3] as Family;
        words.push(
          "--base-source",
          FAMILIES[family],
          "--network",
          "host",
          "--build-env",
          `PIP_INDEX_URL=${env.indexUrl}`,
        );
      } else {
        words.splice(words.indexOf("--"), 0, "--network", "host", "--env", `PIP_INDEX_URL=${env.indexUrl}`);
      }
      const result = await pyfrontOnEngine(words.slice(1), {}, dir);
      expect(result.code, `${command.text}\n${combined(result)}`).toBe(0);
      // beforeAll published these very definitions: the page's publish finds them there.
      if (words[2] === "publish")
        expect(result.stdout).toContain("is already published from this definition");
      else outputs.push(result.stdout);
    }
    expect(outputs).toEqual(["hello from a job with six 1.17.0\n", "city,temp\nLisbon,19\nCairo,31\n"]);
  });
});
