// pyfront's job images (issue #15), declared with the images-as-code API: exec-python-3.11 and
// exec-python-3.13 run a user's packed code with the launcher, exec-duckdb runs Debian's DuckDB
// CLI. Built, checked and published with `pyfront images ... --module src/jobs/images/images.config.ts`
// (docs/jobs.md); the lock and generated/ beside this file record the released definitions.
import { readFileSync } from "node:fs";
import { CheckFailure, Container, type ImageChecks, imageFamily, imageRegistry } from "../../images/index.js";
import {
  checkDuckdbVersion,
  DUCKDB_DEBIAN_PINS,
  DUCKDB_UPSTREAM_VERSION,
  duckdbInstallCommands,
  sha256sumCheckFile,
} from "../duckdb-debian.js";

/*
 * The upstream bases, pinned by digest. These stand for what `docker buildx imagetools inspect
 * NAME:TAG` prints: the machines these images are developed on reach no public registry, so the
 * digests could not be read there, and every build on the test engines adds --base-source with
 * the engine's stand-in (python:3.11-slim, python:3.13-slim, debian:sid-slim). Pin the real
 * digests, as a new version, before publishing anywhere else.
 */
const BASES = {
  "3.11": "python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7",
  "3.13": "python:3.13-slim@sha256:8f3aba466a471c0ab903dbd7cb979abd4bda370b04789d25440cc90372b50e04",
  sid: "debian:sid-slim@sha256:54f7a23f03be1e9fe2849c61a7455588ea29b84c1659440f8ece2aea4c9871af",
} as const;

/** The jobs' user: not root, with a fixed id so /outputs can be made writable for it. */
export const JOB_USER = "job";
export const JOB_UID = 1000;
export const LAUNCHER_DIR = "/opt/pyfront";
export const LAUNCHER_PATH = `${LAUNCHER_DIR}/pyfront_launcher.py`;
const BASE_REQUIREMENTS_PATH = `${LAUNCHER_DIR}/base-requirements.txt`;
const DUCKDB_CHECK_FILE = `${LAUNCHER_DIR}/duckdb-debs.sha256`;

const source = (relative: string) => readFileSync(new URL(relative, import.meta.url), "utf8");
const LAUNCHER = source("../launcher/pyfront_launcher.py");
const LAUNCHER_TESTS = source("../launcher/test_pyfront_launcher.py");
const BASE_REQUIREMENTS = source("../base-requirements.txt");

/** One shell line from fixed argument vectors (no user input reaches it), so apt's lists live in one layer only. */
function shellLine(commands: readonly (readonly string[])[]): string {
  const quote = (arg: string) =>
    /^[A-Za-z0-9_./=+:@%-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
  return commands.map((argv) => argv.map(quote).join(" ")).join(" && ");
}

const APT_INSTALL = ["apt-get", "install", "--yes", "--no-install-recommends"];

/** The user `job` (uid 1000) with its home, and the /code and /outputs the jobs see. */
function withJobUser(container: Container): Container {
  return container
    .withExec(["groupadd", "--gid", String(JOB_UID), JOB_USER])
    .withExec([
      "useradd",
      "--uid",
      String(JOB_UID),
      "--gid",
      JOB_USER,
      "--create-home",
      "--home-dir",
      `/home/${JOB_USER}`,
      "--shell",
      "/usr/sbin/nologin",
      JOB_USER,
    ])
    .withExec(["install", "--directory", "--mode", "0755", "/code"])
    .withExec([
      "install",
      "--directory",
      "--mode",
      "0755",
      "--owner",
      JOB_USER,
      "--group",
      JOB_USER,
      "/outputs",
    ]);
}

function execPython(series: "3.11" | "3.13"): Container {
  return (
    withJobUser(
      Container.from(BASES[series])
        .withEnv("PYTHONUNBUFFERED", "1")
        .withEnv("PYTHONDONTWRITEBYTECODE", "1")
        // A compiler and headers (Python's own are in the base) for requirements that build from source; tini as PID 1.
        .withExec([
          "sh",
          "-c",
          `${shellLine([
            ["apt-get", "update"],
            [...APT_INSTALL, "build-essential", "tini"],
          ])} && rm -rf /var/lib/apt/lists/*`,
        ])
        .withFile(BASE_REQUIREMENTS_PATH, BASE_REQUIREMENTS)
        // The preinstalled set: exactly the pinned packages (--no-deps), then pip check proves it complete.
        .withExec([
          "python",
          "-m",
          "pip",
          "install",
          "--no-input",
          "--no-cache-dir",
          "--disable-pip-version-check",
          "--root-user-action=ignore",
          "--no-deps",
          "--requirement",
          BASE_REQUIREMENTS_PATH,
        ])
        .withExec(["python", "-m", "pip", "check"])
        .withFile(LAUNCHER_PATH, LAUNCHER, { mode: 0o755 })
        .withFile(`${LAUNCHER_DIR}/test_pyfront_launcher.py`, LAUNCHER_TESTS),
    )
      .withLabel("org.opencontainers.image.title", `exec-python-${series}`)
      .withUser(JOB_USER)
      .withWorkdir(`/home/${JOB_USER}`)
      // The container's arguments are the job's command: `docker run IMAGE python main.py`. The
      // launcher's options have defaults fit for the image; PYFRONT_JOB_CODE moves /code.
      .withEntrypoint(["tini", "--", "python", LAUNCHER_PATH, "--"])
  );
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** What every job image is checked for: the non-root user, tini in front, /outputs writable for the job. */
const jobImageChecks: ImageChecks = {
  commandTests: [
    { name: "runs as job", command: "id", args: ["-un"], expectedOutput: ["^job$"] },
    { name: "tini installed", command: "tini", args: ["--version"], expectedOutput: ["^tini version "] },
  ],
  fileExistenceTests: [
    { name: "tini executable", path: "/usr/bin/tini", isExecutableBy: "any" },
    { name: "outputs owned by job", path: "/outputs", uid: JOB_UID, gid: JOB_UID, permissions: "drwxr-xr-x" },
  ],
};

function execPythonChecks(series: "3.11" | "3.13"): ImageChecks {
  return {
    commandTests: [
      ...(jobImageChecks.commandTests ?? []),
      {
        name: `python ${series}`,
        command: "python",
        args: ["--version"],
        expectedOutput: [`^Python ${escaped(series)}\\.`],
      },
      { name: "a C compiler", command: "cc", args: ["--version"], expectedOutput: ["^cc \\("] },
      {
        name: "base requirements importable",
        command: "python",
        args: ["-c", "import requests, yaml; print(requests.__version__)"],
        expectedOutput: ["^2\\.32\\.3$"],
      },
      {
        name: "the launcher wants a command",
        command: "python",
        args: [LAUNCHER_PATH],
        exitCode: 64,
        expectedError: ["no command: give it after `--`"],
      },
    ],
    fileExistenceTests: [
      ...(jobImageChecks.fileExistenceTests ?? []),
      { name: "launcher present", path: LAUNCHER_PATH, permissions: "-rwxr-xr-x", uid: 0 },
      { name: "Python headers", path: `/usr/local/include/python${series}/Python.h` },
      { name: "base requirements file", path: BASE_REQUIREMENTS_PATH },
    ],
    metadataTest: {
      user: JOB_USER,
      workdir: `/home/${JOB_USER}`,
      entrypoint: ["tini", "--", "python", LAUNCHER_PATH, "--"],
      envVars: [{ key: "PYTHONUNBUFFERED", value: "1" }],
    },
    functions: [
      {
        name: "the launcher's unit tests pass in the image",
        async run(image) {
          const result = await image.exec("python", ["-m", "unittest", "discover", "-s", LAUNCHER_DIR]);
          const summary = /^Ran (\d+) tests? in .*$/m.exec(result.stderr)?.[0];
          if (result.exitCode !== 0 || !/\nOK\s*$/.test(result.stderr) || /\bskipped\b/.test(result.stderr))
            throw new CheckFailure(
              "exit code 0 and OK, nothing skipped",
              `exit code ${result.exitCode}: ${result.stderr.trim().split("\n").slice(-12).join("\n")}`,
            );
          if (!summary) throw new CheckFailure("a 'Ran N tests' line", result.stderr.trim().slice(-300));
        },
      },
    ],
  };
}

function execPythonFamily(series: "3.11" | "3.13") {
  return imageFamily({
    name: `exec-python-${series}`,
    description: `Python ${series} for jobs: pyfront's launcher (under tini) unpacks the code at /code, installs its requirements and runs the command; a compiler and headers, preinstalled base requirements, the non-root user job.`,
    versions: [
      {
        version: "1.0.0",
        changelog: `Python ${series} slim with build-essential, tini, the base requirements and pyfront's job launcher, as the user job.`,
        container: execPython(series),
        checks: execPythonChecks(series),
      },
    ],
  });
}

function execDuckdb(): Container {
  return withJobUser(
    Container.from(BASES.sid)
      .withFile(DUCKDB_CHECK_FILE, sha256sumCheckFile(DUCKDB_DEBIAN_PINS))
      // apt checks the .debs against sid's signed index, sha256sum against the pins; one layer.
      .withExec([
        "sh",
        "-c",
        `${shellLine([
          ["apt-get", "update"],
          [...APT_INSTALL, "tini"],
          ...duckdbInstallCommands(DUCKDB_DEBIAN_PINS, DUCKDB_CHECK_FILE),
        ])} && rm -rf /var/lib/apt/lists/*`,
      ]),
  )
    .withLabel("org.opencontainers.image.title", "exec-duckdb")
    .withLabel("org.pyfront.jobs.duckdb.version", DUCKDB_UPSTREAM_VERSION)
    .withUser(JOB_USER)
    .withWorkdir(`/home/${JOB_USER}`)
    .withEntrypoint(["tini", "--", "duckdb"]);
}

const duckdbChecks: ImageChecks = {
  commandTests: jobImageChecks.commandTests ?? [],
  fileExistenceTests: [
    ...(jobImageChecks.fileExistenceTests ?? []),
    { name: "duckdb executable", path: "/usr/bin/duckdb", isExecutableBy: "any" },
  ],
  metadataTest: { user: JOB_USER, entrypoint: ["tini", "--", "duckdb"] },
  functions: [
    {
      name: `duckdb --version is the pinned ${DUCKDB_UPSTREAM_VERSION}`,
      async run(image) {
        const result = await image.exec("duckdb", ["--version"]);
        const problem = result.exitCode === 0 ? checkDuckdbVersion(result.stdout) : undefined;
        if (result.exitCode !== 0 || problem)
          throw new CheckFailure(
            `v${DUCKDB_UPSTREAM_VERSION}`,
            problem ?? `exit code ${result.exitCode}: ${result.stderr.trim()}`,
          );
      },
    },
    {
      name: "duckdb -csv answers a query",
      async run(image) {
        const result = await image.exec("duckdb", ["-csv", "-c", "SELECT 21 * 2 AS answer, 'ok' AS word"]);
        if (result.exitCode !== 0 || result.stdout !== "answer,word\n42,ok\n")
          throw new CheckFailure(
            '"answer,word\\n42,ok\\n"',
            `exit code ${result.exitCode}: ${JSON.stringify(result.stdout)} ${result.stderr.trim()}`,
          );
      },
    },
  ],
};

export const execPython311 = execPythonFamily("3.11");
export const execPython313 = execPythonFamily("3.13");
export const execDuckdbFamily = imageFamily({
  name: "exec-duckdb",
  description: `The DuckDB CLI (Debian sid's duckdb ${DUCKDB_DEBIAN_PINS[0]!.version}, pinned by version and SHA-256) for jobs on mounted inputs: duckdb -csv -c "SELECT ...", as the non-root user job, under tini.`,
  versions: [
    {
      version: "1.0.0",
      changelog: `DuckDB ${DUCKDB_UPSTREAM_VERSION} from Debian's pinned duckdb and libduckdb packages on sid, with tini, as the user job.`,
      container: execDuckdb(),
      checks: duckdbChecks,
    },
  ],
});

export default imageRegistry([execPython311, execPython313, execDuckdbFamily]);
