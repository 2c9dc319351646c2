// The job launcher (src/jobs/launcher/pyfront_launcher.py) in the python stand-in images, on the
// selected engine: its own unit tests, then jobs on packed code installing from the local index.
// Files go in with `docker cp` (through the engine's API), not bind mounts: engine B's dockerd has
// its own root, where host paths do not exist. --network host: the index listens on 127.0.0.1.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CommandResult, docker, engineEnv, repoRoot } from "./support/engine.js";
import { packedProject, tgz } from "./support/tgz.js";

const IMAGES = ["python:3.11-slim", "python:3.13-slim"] as const;
const LAUNCHER_DIR = join(repoRoot, "src", "jobs", "launcher");
const LAUNCHER = "/opt/pyfront/pyfront_launcher.py";
const EXIT_CODE_REFUSED = 65;
const EXIT_INSTALL_FAILED = 67;

const stages: string[] = [];
afterAll(() => {
  for (const stage of stages) rmSync(stage, { recursive: true, force: true });
});

function stageDir(): string {
  const stage = mkdtempSync(join(tmpdir(), "pyfront-job-e2e-"));
  stages.push(stage);
  return stage;
}

function copyLauncher(to: string): void {
  mkdirSync(to, { recursive: true });
  for (const file of ["pyfront_launcher.py", "test_pyfront_launcher.py"])
    cpSync(join(LAUNCHER_DIR, file), join(to, file));
}

async function must(args: string[]): Promise<CommandResult> {
  const result = await docker(args);
  if (result.code !== 0) throw new Error(`docker ${args.join(" ")} failed: ${result.stderr}`);
  return result;
}

interface JobResult extends CommandResult {
  /** /outputs/requirements.log, when the job wrote it. */
  log?: string;
}

/**
 * A job as the image runs it: /code is the archive, /outputs a writable directory, user 1000,
 * the launcher as the command. Returns the container's exit code and output, and the log.
 */
async function runJob(image: string, code: Buffer, command: string[], network = "host"): Promise<JobResult> {
  const stage = stageDir();
  const root = join(stage, "root");
  copyLauncher(join(root, "opt", "pyfront"));
  writeFileSync(join(root, "code"), code);
  mkdirSync(join(root, "outputs"));
  chmodSync(join(root, "outputs"), 0o777); // docker cp keeps modes; the job is not root
  const created = await must([
    "create",
    "--network",
    network,
    "--user",
    "1000:1000",
    "--env",
    `PIP_INDEX_URL=${engineEnv().indexUrl}`,
    image,
    "python",
    LAUNCHER,
    "--",
    ...command,
  ]);
  const id = created.stdout.trim();
  try {
    await must(["cp", `${root}/.`, `${id}:/`]);
    const result = await docker(["start", "--attach", id]);
    const collected = join(stage, "collected");
    mkdirSync(collected);
    const copied = await docker(["cp", `${id}:/outputs/.`, collected]);
    let log: string | undefined;
    try {
      log = readFileSync(join(collected, "requirements.log"), "utf8");
    } catch {
      log = undefined;
    }
    if (copied.code !== 0) throw new Error(`reading /outputs failed: ${copied.stderr}`);
    return { ...result, ...(log === undefined ? {} : { log }) };
  } finally {
    await docker(["rm", "--force", id]);
  }
}

describe.each(IMAGES)("job launcher on %s", (image) => {
  it("passes its own unit tests in the image, offline and as a non-root user", async () => {
    const stage = stageDir();
    copyLauncher(join(stage, "pyfront"));
    const created = await must([
      "create",
      "--network",
      "none",
      "--user",
      "1000:1000",
      image,
      "python",
      "-m",
      "unittest",
      "discover",
      "-v",
      "-s",
      "/opt/pyfront",
    ]);
    const id = created.stdout.trim();
    try {
      await must(["cp", `${join(stage, "pyfront")}`, `${id}:/opt/`]);
      const result = await docker(["start", "--attach", id]);
      expect(result.stderr).toMatch(/^Ran [1-9][0-9]+ tests in /m);
      expect(result.stderr).not.toMatch(/\b(skipped|FAIL|ERROR)\b/);
      expect(result.stderr.trimEnd()).toMatch(/\nOK$/);
      expect(result.code).toBe(0);
    } finally {
      await docker(["rm", "--force", id]);
    }
  });

  const projects: Record<string, { files: Record<string, string>; chose: string; installed: string }> = {
    "requirements.txt": {
      files: { "requirements.txt": "click==8.1.8\n" },
      chose: "requirements: requirements.txt",
      installed: "click-8.1.8",
    },
    "PEP 621 pyproject.toml": {
      files: {
        "pyproject.toml": '[project]\nname = "job"\nversion = "0"\ndependencies = ["click==8.1.8"]\n',
      },
      chose: "requirements: pyproject.toml (PEP 621)",
      installed: "click-8.1.8",
    },
    "Poetry pyproject.toml": {
      files: {
        "pyproject.toml":
          '[tool.poetry]\nname = "job"\n[tool.poetry.dependencies]\npython = ">=3.8"\nclick = "~8.1.3"\n',
      },
      chose: "requirements: pyproject.toml (Poetry)",
      installed: "click-8.1.8",
    },
  };
  const main = "import click, sys\nprint('job ran with click', click.__version__, sys.argv[1:])\n";

  it.each(Object.keys(projects))(
    "installs from %s via the local index and runs the command",
    async (kind) => {
      const project = projects[kind]!;
      const result = await runJob(
        image,
        packedProject({ ...project.files, "main.py": main, "helper.py": "" }),
        ["python", "main.py", "a b", "$HOME"],
      );
      expect(result.stderr).toContain(project.chose);
      expect(result.stdout).toBe("job ran with click 8.1.8 ['a b', '$HOME']\n");
      expect(result.code).toBe(0);
      expect(result.log).toContain(`Successfully installed ${project.installed}`);
    },
  );

  it("installs PEP 723 inline script metadata of a single-file job", async () => {
    const script = [
      "# /// script",
      '# requires-python = ">=3.11"',
      '# dependencies = ["six==1.17.0"]',
      "# ///",
      "import six",
      "print('six', six.__version__)",
      "",
    ].join("\n");
    const result = await runJob(image, packedProject({ "job.py": script }), ["python", "job.py"]);
    expect(result.stderr).toContain("requirements: inline script metadata (job.py)");
    expect(result.stdout).toBe("six 1.17.0\n");
    expect(result.code).toBe(0);
    expect(result.log).toContain("Successfully installed six-1.17.0");
  });

  it("fails the job with a distinct exit code and the install log when an install fails", async () => {
    const result = await runJob(
      image,
      packedProject({
        "requirements.txt": "six==1.17.0\npyfront-no-such-project==1.0\n",
        "main.py": "print('never')\n",
      }),
      ["python", "main.py"],
    );
    expect(result.code).toBe(EXIT_INSTALL_FAILED);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("installing requirements failed");
    expect(result.stderr).toContain("the whole output is in /outputs/requirements.log");
    expect(result.log).toMatch(/No matching distribution found for pyfront-no-such-project==1\.0/i);
    expect(result.log).toMatch(/# exit code [1-9]/);
  });

  it("passes the command's exit code through", async () => {
    const result = await runJob(
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
    const result = await runJob(image, hostile, ["python", "main.py"], "none");
    expect(result.code).toBe(EXIT_CODE_REFUSED);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "code refused: member 'job/../../../tmp/planted.py' has a '..' component",
    );
  });

  it("runs with a read-only root, a tmpfs /tmp and /code as a directory", async () => {
    const stage = stageDir();
    copyLauncher(join(stage, "launcher"));
    mkdirSync(join(stage, "code"));
    writeFileSync(join(stage, "code", "requirements.txt"), "six==1.16.0\n");
    writeFileSync(
      join(stage, "code", "main.py"),
      "import six\nprint('six', six.__version__)\nprint(open('/outputs/requirements.log').read().count('Successfully installed six-1.16.0'))\n",
    );
    const volumes = [`pyfront-job-code-${process.pid}`, `pyfront-job-launcher-${process.pid}`];
    for (const volume of volumes) await must(["volume", "create", volume]);
    let id = "";
    try {
      const created = await must([
        "create",
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--tmpfs",
        "/outputs:mode=1777",
        "--volume",
        `${volumes[0]}:/code`,
        "--volume",
        `${volumes[1]}:/opt/pyfront`,
        "--network",
        "host",
        "--user",
        "1000:1000",
        "--env",
        `PIP_INDEX_URL=${engineEnv().indexUrl}`,
        image,
        "python",
        LAUNCHER,
        "--",
        "python",
        "main.py",
      ]);
      id = created.stdout.trim();
      await must(["cp", `${join(stage, "code")}/.`, `${id}:/code`]);
      await must(["cp", `${join(stage, "launcher")}/.`, `${id}:/opt/pyfront`]);
      const result = await docker(["start", "--attach", id]);
      expect(result.stderr).toContain("requirements: requirements.txt");
      expect(result.stdout).toBe("six 1.16.0\n1\n");
      expect(result.code).toBe(0);
    } finally {
      if (id) await docker(["rm", "--force", id]);
      for (const volume of volumes) await docker(["volume", "rm", "--force", volume]);
    }
  });
});
