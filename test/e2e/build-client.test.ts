// Issue 13's first part on a real engine: `pyfront build` drives the engine's BuildKit itself (the
// CLI is the frontend, on the Control API's gateway), loads the image into Docker, caches an
// unchanged rebuild, hands secrets over its session, and fails fast and clearly.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dialHijack } from "../../src/client/dial.js";
import { resolveEngineAddress } from "../../src/client/engine-address.js";
import { pyfront, pyfrontOnEngine } from "./support/cli.js";
import { docker, engineEnv, imageInspect, removeImage, repoRoot } from "./support/engine.js";
import {
  combined,
  copyExample,
  EXAMPLES,
  type ExampleCopy,
  expectBestPractice,
  useAuthIndex,
  vertexLines,
  wasCached,
} from "./support/examples.js";
import { ensureFrontendImage } from "./support/frontend.js";
import { occurrences, saveImage } from "./support/image-search.js";
import { fileTree, runtimeConfig } from "./support/image-tree.js";
import { expectOnlyTheCodeLayersChanged, folderBytes, layerDigests } from "./support/layers.js";

const env = engineEnv();
const images: string[] = [];
const copies: ExampleCopy[] = [];
const webapp = EXAMPLES.find((e) => e.name === "webapp");
if (!webapp) throw new Error("the webapp example is missing");

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const copy of copies) copy.dispose();
});

function scratchCopy(): ExampleCopy {
  const copy = copyExample("webapp");
  copies.push(copy);
  return copy;
}

function tagFor(name: string): string {
  const tag = `pyfront-e2e-client-${name}:${env.engine.toLowerCase()}`;
  images.push(tag);
  return tag;
}

/** A Unix socket that forwards to the engine's, and can cut every connection at once. */
async function socketProxy(): Promise<{ host: string; dropAll(): void; close(): void }> {
  const target = (env.vars.DOCKER_HOST ?? "").replace(/^unix:\/\//, "");
  const path = join(tmpdir(), `pyfront-proxy-${randomBytes(4).toString("hex")}.sock`);
  const open: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect(target);
    open.push(client, upstream);
    client.pipe(upstream).on("error", () => {});
    upstream.pipe(client).on("error", () => {});
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    host: `unix://${path}`,
    dropAll: () => {
      for (const socket of open) socket.destroy();
    },
    close: () => {
      for (const socket of open) socket.destroy();
      server.close();
      rmSync(path, { force: true });
    },
  };
}

/**
 * Starts `pyfront build`, waits until a step whose name matches is running, does `then` to it and
 * resolves to how it ended, with the seconds from `then` to the exit.
 */
function interruptedBuild(
  args: string[],
  extraEnv: Record<string, string>,
  running: RegExp,
  then: (child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; stderr: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "bin", "pyfront.js"), ...args], {
      env: { ...process.env, ...env.vars, ...extraEnv },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    let at: number | undefined;
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (at === undefined && running.test(stderr)) {
        at = Date.now();
        then(child);
      }
    });
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stderr, seconds: at === undefined ? -1 : (Date.now() - at) / 1000 }),
    );
  });
}

/**
 * A stand-in for a standalone BuildKit socket (this machine has no buildkitd): every connection
 * is upgraded on the Docker daemon's `/grpc` endpoint, which serves BuildKit's Control API, and
 * then piped raw, so pyfront sees plain h2c gRPC on a socket as from buildkitd.
 */
async function buildkitSocket(): Promise<{ address: string; close(): void }> {
  const daemon = resolveEngineAddress(undefined, { env: env.vars, readFile: () => undefined });
  const path = join(tmpdir(), `pyfront-buildkitd-${randomBytes(4).toString("hex")}.sock`);
  const open: Socket[] = [];
  const server = createServer((client) => {
    open.push(client);
    dialHijack(daemon, "/grpc").then(
      (upstream) => {
        open.push(upstream);
        client.pipe(upstream).on("error", () => {});
        upstream.pipe(client).on("error", () => {});
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      },
      () => client.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    address: `unix://${path}`,
    close: () => {
      for (const socket of open) socket.destroy();
      server.close();
      rmSync(path, { force: true });
    },
  };
}

/** The steps of a plain log (`#N name` lines) that build on others, as the summary counts them. */
const CACHED_SUMMARY = /; (\d+) of (\d+) steps cached\n/;

describe(`pyfront build on engine ${env.engine}`, () => {
  it("builds the web app into Docker's image store, and an unchanged rebuild is fully cached", async () => {
    const copy = scratchCopy();
    const tag = tagFor("webapp");
    const first = await pyfrontOnEngine(["build", copy.dir, "-t", tag, "--network", "host"]);
    expect(first.code, combined(first)).toBe(0);
    expect(first.stderr).toMatch(/^#\d+ \[builder\] install dependencies/m);
    expect(first.stderr).toContain(`pyfront build: built ${tag} (sha256:`);
    await webapp.check(tag);
    await expectBestPractice(tag);

    const again = await pyfrontOnEngine(["build", copy.dir, "-t", tag, "--network", "host"]);
    const log = combined(again);
    expect(again.code, log).toBe(0);
    const [, cached, total] = CACHED_SUMMARY.exec(again.stderr) ?? [];
    expect(Number(total), log).toBeGreaterThanOrEqual(5);
    expect(cached, log).toBe(total);
    for (const step of [
      /^\[builder\] install dependencies/,
      /^\[project\] install the project/,
      /^\[runtime\] COPY /,
    ]) {
      expect(wasCached(log, step), log).toBe(true);
    }
    // Every step that runs or copies something said CACHED; only sources and the export did not.
    const numbered = [...new Set([...log.matchAll(/^(#\d+) /gm)].map((m) => m[1]))];
    for (const id of numbered) {
      const lines = log.split("\n").filter((line) => line.startsWith(`${id} `));
      const name = lines[0]?.slice(`${id} `.length) ?? "";
      if (/^\[internal\]|FROM |^exporting/.test(name)) continue;
      expect(lines, name).toContain(`${id} CACHED`);
    }

    // A one-line edit: the image shares every layer before the project's with the one before.
    const layersBefore = await layerDigests(tag);
    copy.touchSource(webapp);
    const edited = await pyfrontOnEngine(["build", copy.dir, "-t", tag, "--network", "host"]);
    expect(edited.code, combined(edited)).toBe(0);
    await expectOnlyTheCodeLayersChanged(layersBefore, tag, folderBytes(copy.dir));
    await webapp.check(tag);
  });

  it("gives the same image as docker build -f pyproject.toml through the frontend image", async () => {
    ensureFrontendImage();
    const copy = scratchCopy();
    const [viaClient, viaDocker] = [tagFor("eq-client"), tagFor("eq-docker")];
    const client = await pyfrontOnEngine(["build", copy.dir, "-t", viaClient, "--network", "host"]);
    expect(client.code, combined(client)).toBe(0);
    const dockerBuild = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      "-f",
      join(copy.dir, "pyproject.toml"),
      "-t",
      viaDocker,
      copy.dir,
    ]);
    expect(dockerBuild.code, combined(dockerBuild)).toBe(0);
    const [a, b] = await Promise.all([imageInspect(viaClient), imageInspect(viaDocker)]);
    expect(runtimeConfig(a)).toEqual(runtimeConfig(b));
    expect(await fileTree(viaClient)).toEqual(await fileTree(viaDocker));
  });

  it("takes -t more than once, --build-arg, --target and --no-cache", async () => {
    const copy = scratchCopy();
    const [one, two] = [tagFor("tag-one"), tagFor("tag-two")];
    const built = await pyfrontOnEngine([
      "build",
      copy.dir,
      "-t",
      one,
      "-t",
      two,
      "--network",
      "host",
      "--no-cache",
      "--build-arg",
      "SOURCE_DATE_EPOCH=1700000000",
    ]);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    expect(wasCached(log, /^\[builder\] install dependencies/), log).toBe(false);
    const ids = await Promise.all(
      [one, two].map((t) => docker(["image", "inspect", "--format", "{{.Id}} {{.Created}}", t])),
    );
    expect(ids[0]?.code, ids[0]?.stderr).toBe(0);
    expect(ids[0]?.stdout).toBe(ids[1]?.stdout);
    expect(ids[0]?.stdout).toMatch(/ 2023-11-14T22:13:20Z\n$/);
    const noTarget = await pyfrontOnEngine(["build", copy.dir, "--target", "nope", "--network", "host"]);
    expect(noTarget.code, combined(noTarget)).toBe(2);
    expect(noTarget.stderr).toMatch(/nope/);
  });

  it("hands a secret to pip over the session, and it is nowhere in the image, its history or the output", async () => {
    const copy = scratchCopy();
    const { password, secretFile } = useAuthIndex(copy);
    const tag = tagFor("secret");
    // --no-cache: pip must really run (a secret is not part of a step's cache key).
    const built = await pyfrontOnEngine([
      "build",
      copy.dir,
      "-t",
      tag,
      "--network",
      "host",
      "--no-cache",
      "--secret",
      `id=pypi,src=${secretFile}`,
    ]);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    // pip used the index that needs the password (shown masked), so the secret arrived.
    expect(log).toContain(
      `Looking in indexes: ${env.authIndexUrl.replace("://", `://${env.indexUser}:****@`)}`,
    );
    await webapp.check(tag);
    const history = await docker(["history", "--no-trunc", tag]);
    expect(occurrences(log, password)).toBe(0);
    expect(occurrences(history.stdout, password)).toBe(0);
    expect(occurrences(await saveImage(tag), password)).toBe(0);
    expect(occurrences(pyfront(["llb", "--json", copy.dir]), password)).toBe(0);

    // The same secret from a variable works too; a missing one fails before any build.
    const fromEnv = await pyfrontOnEngine(
      ["build", copy.dir, "-t", tag, "--network", "host", "--secret", "id=pypi,env=PYFRONT_TEST_SECRET"],
      {
        PYFRONT_TEST_SECRET: `${env.indexUser}:${password}`,
      },
    );
    expect(fromEnv.code, combined(fromEnv)).toBe(0);
    const missing = await pyfrontOnEngine([
      "build",
      copy.dir,
      "--secret",
      "id=pypi,env=PYFRONT_UNSET_SECRET",
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "--secret id=pypi: the environment variable PYFRONT_UNSET_SECRET is not set",
    );
  });

  it("reports a bad spec with its file, line and problem (exit 2), and a failed step with its last lines (exit 1)", async () => {
    const copy = scratchCopy();
    copy.write(
      "pyproject.toml",
      copy
        .read("pyproject.toml")
        .replace(/\[tool\.pyfront\]\n/, '[tool.pyfront]\nbuild_deps = ["gcc; rm -rf /"]\n'),
    );
    const bad = await pyfrontOnEngine(["build", copy.dir, "--network", "host"]);
    expect(bad.code, combined(bad)).toBe(2);
    expect(bad.stderr).toMatch(
      /pyproject\.toml:\d+:\d+: tool\.pyfront\.build_deps\[0\]: "gcc; rm -rf \/" is not a Debian package name/,
    );
    expect(bad.stderr).not.toMatch(/internal error|TypeError/);

    const broken = scratchCopy();
    broken.write(
      "pyproject.toml",
      broken
        .read("pyproject.toml")
        .replace(/dependencies = \[/, 'dependencies = ["no-such-project-pyfront==1.0", '),
    );
    const failed = await pyfrontOnEngine(["build", broken.dir, "--network", "host"]);
    const log = combined(failed);
    expect(failed.code, log).toBe(1);
    expect(log).toMatch(/^failed step #\d+: \[builder\] install dependencies/m);
    expect(log).toMatch(/^ {2}> .*no-such-project-pyfront/m);
    expect(log).toMatch(/^pyfront build: the build failed: /m);
  });

  it("runs the pyfront build commands README.md shows, and their images answer", async () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const shown = [...readme.matchAll(/^\$ npx pyfront (build [^#\n]*?)\s*(?:#.*)?$/gm)].map(
      (m) => m[1] ?? "",
    );
    expect(shown.length).toBeGreaterThanOrEqual(2);
    // The working directory: the examples, and "." a copy of the web app as the README's project.
    const copy = scratchCopy();
    cpSync(join(repoRoot, "examples"), join(copy.dir, "examples"), { recursive: true });
    for (const line of shown) {
      const args = line.split(/\s+/);
      const tag = args[args.indexOf("-t") + 1] ?? "";
      expect(tag).not.toBe("");
      const own = tagFor(`readme-${images.length}`);
      args[args.indexOf("-t") + 1] = own;
      // This machine has no PyPI: the examples' index is on the host's loopback, so builds here
      // need the host network whether the line shows it or not.
      if (!args.includes("--network")) args.push("--network", "host");
      const built = await pyfrontOnEngine(args, {}, copy.dir);
      expect(built.code, `${line}\n${combined(built)}`).toBe(0);
      await webapp.check(own);
    }
  });

  it("runs eight builds at once against one engine, each with its own context and image", async () => {
    const runs = Array.from({ length: 8 }, (_, i) => {
      const copy = scratchCopy();
      // A code edit of its own: each build sends and installs a different project.
      copy.write("webapp/__init__.py", `${copy.read("webapp/__init__.py")}\nBUILD_NUMBER = ${i}\n`);
      return { copy, tag: tagFor(`concurrent-${i}`), i };
    });
    const results = await Promise.all(
      runs.map((r) => pyfrontOnEngine(["build", r.copy.dir, "-t", r.tag, "--network", "host"])),
    );
    for (const [i, result] of results.entries())
      expect(result.code, `build ${i}\n${combined(result)}`).toBe(0);
    for (const r of runs) {
      const answer = await docker([
        "run",
        "--rm",
        "--entrypoint",
        "python",
        r.tag,
        "-c",
        "import webapp; print(webapp.BUILD_NUMBER)",
      ]);
      expect(answer.code, answer.stderr).toBe(0);
      expect(answer.stdout.trim()).toBe(String(r.i));
    }
    await webapp.check(runs[7]?.tag ?? "");
  });

  it("builds on a standalone BuildKit's socket (--builder), the session over Control.Session", async () => {
    const buildkitd = await buildkitSocket();
    try {
      const copy = scratchCopy();
      copy.touchSource(webapp);
      const built = await pyfrontOnEngine([
        "build",
        copy.dir,
        "--builder",
        buildkitd.address,
        "--network",
        "host",
      ]);
      const log = combined(built);
      expect(built.code, log).toBe(0);
      // The edited code reached BuildKit through the session: the project was installed again.
      expect(
        vertexLines(log, /^\[project\] install the project/).some((l) => / DONE \d/.test(l)),
        log,
      ).toBe(true);
      expect(built.stderr).toContain(
        "pyfront build: built; the result stays in BuildKit's cache (-t names an image)",
      );
      const fromEnv = await pyfrontOnEngine(["build", copy.dir, "--network", "host"], {
        BUILDKIT_HOST: buildkitd.address,
      });
      expect(fromEnv.code, combined(fromEnv)).toBe(0);
      // BUILDKIT_HOST reaches the same engine: the unchanged rebuild is fully cached.
      const [, cached, total] = CACHED_SUMMARY.exec(fromEnv.stderr) ?? [];
      expect(cached, fromEnv.stderr).toBe(total);
    } finally {
      buildkitd.close();
    }
  });

  it("fails fast with a clear message when the engine cannot be reached or never answers", async () => {
    // Bounds are over the command's own start-up, measured now: on a loaded machine (CI runs two
    // engines' suites at once on two cores) starting Node and tsx alone has taken over 10 s.
    const startup = (await pyfrontOnEngine(["--version"])).seconds;
    const gone = await pyfrontOnEngine(["build", scratchCopy().dir], {
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(
      "pyfront build: cannot reach the Docker daemon at unix:///nonexistent/docker.sock (from DOCKER_HOST)",
    );
    // No socket at all fails at once: nothing waits for the 10 s connect timeout.
    expect(gone.stderr).not.toMatch(/within 10 s/);
    expect(gone.seconds).toBeLessThan(startup * 2 + 8);

    // A socket that accepts and then says nothing: the upgrade times out instead of hanging.
    const path = join(tmpdir(), `pyfront-silent-${randomBytes(4).toString("hex")}.sock`);
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(path, resolve));
    try {
      const mute = await pyfrontOnEngine(["build", scratchCopy().dir], { DOCKER_HOST: `unix://${path}` });
      expect(mute.code).toBe(1);
      expect(mute.stderr).toMatch(
        /cannot reach the Docker daemon at unix:\/\/.* no answer to POST \/grpc within 10 s/,
      );
      expect(mute.seconds).toBeLessThan(startup * 2 + 18);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
      rmSync(path, { force: true });
    }
  });
});

// A build cut off mid-way on BuildKit 0.8 (Docker 20.10, engine A) can take the whole daemon down:
// its solver dereferences a nil pointer in CalcSlowCache (solver/jobs.go) when the build's job ends
// while a content checksum is being computed; it happened twice here, each time while these two
// tests ran. The engine is shared, so they run on BuildKit 0.13 (engine B) only.
if (env.engine === "B") {
  describe(`pyfront build's faults on engine ${env.engine}`, () => {
    it("ends with a clear error within seconds when the engine connection drops mid-build", async () => {
      const proxy = await socketProxy();
      try {
        const ended = await interruptedBuild(
          ["build", scratchCopy().dir, "--network", "host", "--no-cache", "--progress", "plain"],
          { DOCKER_HOST: proxy.host },
          /^#\d+ \[builder\] install dependencies/m,
          () => proxy.dropAll(),
        );
        expect(ended.code, ended.stderr).toBe(1);
        expect(ended.seconds, ended.stderr).toBeGreaterThanOrEqual(0);
        expect(ended.seconds, ended.stderr).toBeLessThan(10);
        expect(ended.stderr).toContain(
          `pyfront build: the build failed: the connection to the Docker daemon at ${proxy.host} was lost during the build`,
        );
        expect(ended.stderr).not.toMatch(/internal error|TypeError|at .*\.ts:\d+/);
      } finally {
        proxy.close();
      }
    });

    it("cancels the build on the engine at Ctrl-C, and no image is made", async () => {
      const tag = tagFor("cancelled");
      await removeImage(tag);
      const ended = await interruptedBuild(
        ["build", scratchCopy().dir, "-t", tag, "--network", "host", "--no-cache", "--progress", "plain"],
        {},
        /^#\d+ \[builder\] install dependencies/m,
        (child) => child.kill("SIGINT"),
      );
      expect(ended.code, ended.stderr).toBe(1);
      expect(ended.seconds, ended.stderr).toBeLessThan(10);
      expect(ended.stderr).toContain(
        "pyfront build: the build failed: cancelled (the engine stops the build)",
      );
      const inspected = await docker(["image", "inspect", tag]);
      expect(inspected.code).not.toBe(0);
    });
  });
}
