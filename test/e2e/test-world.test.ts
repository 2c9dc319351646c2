// The test world must look like the real one where a recipe can tell the difference: the stand-in
// python images keep CPython under /usr/local with pip and venv, the slim ones can add users, the
// full ones compile, the tags are Docker Hub's, and /usr/local carries over into a Debian image of
// the same release (as multi-version recipes do with COPY --from=python:X-slim /usr/local/).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build, docker, engineEnv, imageInspect, removeImage, run } from "./support/engine.js";

const env = engineEnv();
const SERIES = [
  { series: "3.11", release: "bookworm" },
  { series: "3.13", release: "trixie" },
  { series: "3.14", release: "trixie" },
] as const;
const scratch: string[] = [];
const images: string[] = [];

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function envOf(config: { Env?: string[] | null } | undefined): Record<string, string> {
  return Object.fromEntries(
    (config?.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
}

describe(`stand-in base images on engine ${env.engine}`, () => {
  for (const { series, release } of SERIES) {
    it(`python:${series}-slim and python:${series} look like the official images`, async () => {
      const slim = await imageInspect(`python:${series}-slim`);
      expect(slim, `python:${series}-slim is missing`).toBeDefined();
      const vars = envOf(slim?.Config);
      expect(vars.PATH).toBe("/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      expect(vars.LANG).toBe("C.UTF-8");
      const version = vars.PYTHON_VERSION ?? "";
      expect(version).toMatch(new RegExp(`^${series.replace(".", "\\.")}\\.\\d+$`));
      expect(slim?.Config.Cmd).toEqual(["python3"]);

      // The same image answers to every Docker Hub spelling of it.
      for (const tag of [
        `python:${version}-slim`,
        `python:${series}-slim-${release}`,
        `python:${version}-slim-${release}`,
      ]) {
        expect((await imageInspect(tag))?.Id, tag).toBe(slim?.Id);
      }
      const full = await imageInspect(`python:${series}`);
      expect((await imageInspect(`python:${version}`))?.Id).toBe(full?.Id);
      expect((await imageInspect(`python:${series}-${release}`))?.Id).toBe(full?.Id);

      const probe = await run(`python:${series}-slim`, {
        command: [
          "sh",
          "-c",
          'command -v useradd && command -v groupadd && command -v adduser && /usr/local/bin/python3 -c "import sys, venv, ssl, sqlite3; print(sys.prefix)" && python3 --version && pip --version && ls /usr/local/lib/python3*/site-packages && test -f /etc/ssl/certs/ca-certificates.crt && test -f /usr/share/zoneinfo/UTC && test -f /etc/services && test ! -e /usr/lib/python3*/EXTERNALLY-MANAGED && ! command -v gcc',
        ],
      });
      expect(probe.code, probe.stdout + probe.stderr).toBe(0);
      const lines = probe.stdout.trim().split("\n");
      expect(lines.slice(0, 3)).toEqual(["/usr/sbin/useradd", "/usr/sbin/groupadd", "/usr/sbin/adduser"]);
      expect(lines[3]).toBe("/usr/local");
      expect(lines[4]).toBe(`Python ${version}`);
      expect(lines[5]).toMatch(
        new RegExp(
          `^pip [\\d.]+ from /usr/local/lib/python${series}/site-packages/pip \\(python ${series}\\)$`,
        ),
      );

      // pip installs into /usr/local's site-packages, as in the official image; a venv gets pip too.
      const tools = await run(`python:${series}`, {
        command: [
          "sh",
          "-c",
          `gcc --version >/dev/null && git --version >/dev/null && test -f /usr/local/include/python${series}/Python.h && python3 -c "import sysconfig; print(sysconfig.get_paths()['purelib']); print(sysconfig.get_config_var('INCLUDEPY'))" && python3 -m venv /tmp/v && /tmp/v/bin/pip --version`,
        ],
      });
      expect(tools.code, tools.stdout + tools.stderr).toBe(0);
      expect(tools.stdout.split("\n").slice(0, 2)).toEqual([
        `/usr/local/lib/python${series}/site-packages`,
        `/usr/local/include/python${series}`,
      ]);
    });

    // As with the official images, pip then needs libexpat1 (pyexpat links it; --with-system-expat),
    // which a bare Debian slim lacks: the interpreter and a venv work without it, pip with it.
    it(`COPY --from=python:${series}-slim /usr/local/ into debian:${release}-slim gives a working python${series} -m venv`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "pyfront-e2e-world-"));
      scratch.push(dir);
      writeFileSync(
        join(dir, "Dockerfile"),
        [
          `FROM debian:${release}-slim`,
          `COPY --from=python:${series}-slim /usr/local/ /usr/local/`,
          "RUN ldconfig",
          `RUN python${series} -m venv --without-pip /opt/bare && /opt/bare/bin/python -c "import venv, json, hashlib"`,
          "RUN apt-get update && apt-get install -y --no-install-recommends libexpat1",
          `RUN python${series} -m venv /opt/venv && /opt/venv/bin/python -m pip --version`,
          'CMD ["/opt/venv/bin/python", "-c", "import sys; print(sys.version.split()[0], sys.base_prefix)"]',
          "",
        ].join("\n"),
      );
      const tag = `pyfront-e2e-world-copy-${series.replace(".", "")}:${env.engine.toLowerCase()}`;
      images.push(tag);
      const result = await build({ context: dir, tag });
      expect(result.code, result.stderr).toBe(0);
      const out = await run(tag);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout.trim()).toMatch(new RegExp(`^${series.replace(".", "\\.")}\\.\\d+ /usr/local$`));
    });
  }

  it("docker exec runs inside the container's filesystem, as on a normal engine", async () => {
    const started = await docker([
      "run",
      "-d",
      "--rm",
      "-w",
      "/usr/local",
      "python:3.13-slim",
      "sleep",
      "60",
    ]);
    expect(started.code, started.stderr).toBe(0);
    const container = started.stdout.trim();
    try {
      const inside = await docker([
        "exec",
        container,
        "sh",
        "-c",
        "pwd; . /etc/os-release; echo $VERSION_CODENAME",
      ]);
      expect(inside.code, inside.stderr).toBe(0);
      expect(inside.stdout.trim().split("\n")).toEqual(["/usr/local", "trixie"]);
    } finally {
      await docker(["rm", "-f", container]);
    }
  });

  it("python:3-slim, python:slim and python:latest are the newest series, as on Docker Hub", async () => {
    const newest = await imageInspect("python:3.14-slim");
    expect((await imageInspect("python:3-slim"))?.Id).toBe(newest?.Id);
    expect((await imageInspect("python:slim"))?.Id).toBe(newest?.Id);
    expect((await imageInspect("python:latest"))?.Id).toBe((await imageInspect("python:3.14"))?.Id);
  });
});
