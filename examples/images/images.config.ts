// pyfront's own example image family. Outside this repository, import from "pyfront/images".
import { Container, type ImageChecks, imageFamily, imageRegistry } from "../../src/images/index.js";

// The base, pinned by digest. A real family pins what `docker buildx imagetools inspect
// python:3.13-slim` prints; this digest only stands for it: the repository's test engines have no
// registry access and hold stand-ins under other digests, so their tests add --base-source python:3.13-slim.
const PYTHON_313_SLIM = "python:3.13-slim@sha256:8f3aba466a471c0ab903dbd7cb979abd4bda370b04789d25440cc90372b50e04";
const PIP_VERSION = "25.1.1";

/** UTC, pip pinned (--no-index: the build fails unless the base has exactly this pip), a non-root user: the steps 1.0.0 released (never edit them: the lock holds their digest). */
function pythonBase(extra: (c: Container) => Container = (c) => c): Container {
  const root = Container.from(PYTHON_313_SLIM)
    .withExec(["ln", "-snf", "/usr/share/zoneinfo/Etc/UTC", "/etc/localtime"])
    .withFile("/etc/timezone", "Etc/UTC\n")
    .withEnv("TZ", "Etc/UTC")
    .withMountedCache("/root/.cache/pip", "pyfront-pip")
    .withExec(["python", "-m", "pip", "install", "--no-index", "--disable-pip-version-check", `pip==${PIP_VERSION}`]);
  return extra(root)
    .withExec(["groupadd", "--gid", "1000", "app"])
    .withExec(["useradd", "--uid", "1000", "--gid", "app", "--create-home", "--home-dir", "/home/app", "--shell", "/usr/sbin/nologin", "app"])
    .withWorkdir("/home/app")
    .withEnv("PYTHONUNBUFFERED", "1")
    .withLabel("org.opencontainers.image.title", "pyfront-python-base")
    .withUser("app")
    .withDefaultArgs(["python3"]);
}

const baseChecks: ImageChecks = {
  commandTests: [
    { name: "python 3.13", command: "python", args: ["--version"], expectedOutput: ["^Python 3\\.13\\."] },
    { name: "pip pinned", command: "python", args: ["-m", "pip", "--version"], expectedOutput: [`^pip ${PIP_VERSION.replace(/\./g, "\\.")} `] },
    { name: "UTC clock", command: "date", args: ["+%Z"], expectedOutput: ["^UTC$"] },
    { name: "runs as app", command: "id", args: ["-un"], expectedOutput: ["^app$"] },
  ],
  fileExistenceTests: [
    { name: "localtime is UTC's", path: "/etc/localtime", permissions: "lrwxrwxrwx" },
    { name: "home of app", path: "/home/app", uid: 1000, gid: 1000 },
  ],
  fileContentTests: [{ name: "timezone file", path: "/etc/timezone", expectedContents: ["^Etc/UTC$"] }],
  metadataTest: {
    user: "app",
    workdir: "/home/app",
    cmd: ["python3"],
    envVars: [{ key: "TZ", value: "Etc/UTC" }],
    labels: [{ key: "org.opencontainers.image.title", value: "pyfront-python-base" }],
  },
  functions: [
    {
      name: "python sees UTC",
      async run(image) {
        const result = await image.exec("python", ["-c", "import time; print(time.strftime('%z'))"]);
        if (result.stdout.trim() !== "+0000") throw new Error(`time.strftime('%z') printed ${JSON.stringify(result.stdout.trim())}`);
      },
    },
  ],
};

export const pyfrontPythonBase = imageFamily({
  name: "pyfront-python-base",
  description: "Python 3.13 on Debian slim: UTC, pip pinned, a non-root user `app` (uid 1000).",
  versions: [
    {
      version: "1.0.0",
      changelog: "Python 3.13 slim with the UTC timezone, pip pinned and the non-root user app.",
      container: pythonBase(),
      checks: baseChecks,
    },
    {
      version: "1.1.0",
      changelog: "Add tini, a minimal init that reaps zombie processes and forwards signals.",
      container: pythonBase((c) =>
        c.withExec(["sh", "-c", "apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*"]),
      ),
      runPreviousChecks: true,
      checks: {
        commandTests: [{ name: "tini installed", command: "tini", args: ["--version"], expectedOutput: ["^tini version "] }],
        fileExistenceTests: [{ name: "tini executable", path: "/usr/bin/tini", isExecutableBy: "any" }],
      },
    },
  ],
});

export default imageRegistry([pyfrontPythonBase]);
