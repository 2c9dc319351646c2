// Issue 13's outputs on a real engine: `pyfront build --push` to the local registry and back,
// with the docker config's login (a credential helper) for a registry that asks for one;
// `--output type=oci` read by skopeo (another tool than pyfront) and loaded back into the
// engine, `type=docker` loaded by docker load; `--label` and `--platform` honoured.

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pyfrontOnEngine } from "./support/cli.js";
import { type CommandResult, docker, engineEnv, imageInspect, removeImage } from "./support/engine.js";
import { combined, copyExample, EXAMPLES, type ExampleCopy } from "./support/examples.js";
import { deleteRegistryManifest, registryImage, registryTags } from "./support/registry.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const webapp = EXAMPLES.find((e) => e.name === "webapp");
if (!webapp) throw new Error("the webapp example is missing");
const images: string[] = [];
const copies: ExampleCopy[] = [];
const scratch = mkdtempSync(join(tmpdir(), "pyfront-e2e-outputs-"));
/** Repositories only this file pushes to, one per engine (both suites may run at once). */
const NAME = `pyfront-e2e-client-push-${engine}`;

async function deletePushed(name: string): Promise<void> {
  const digests = new Set<string>();
  for (const tag of await registryTags(name)) digests.add((await registryImage(name, tag)).digest);
  for (const digest of digests) await deleteRegistryManifest(name, digest);
}

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const copy of copies) copy.dispose();
  await deletePushed(NAME);
  rmSync(scratch, { recursive: true, force: true });
});

function scratchCopy(): ExampleCopy {
  const copy = copyExample("webapp");
  copies.push(copy);
  return copy;
}

function remember(tag: string): string {
  images.push(tag);
  return tag;
}

function skopeo(args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      "skopeo",
      [...args],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === "number" ? error.code : error ? 1 : 0, stdout, stderr }),
    );
  });
}

/**
 * A registry that asks for a login (HTTP basic, as a private registry does) in front of the local
 * one; it forwards every request it lets through unchanged, the Host header included, so the
 * registry's upload URLs point back at it.
 */
async function registryWithLogin(user: string, password: string) {
  const [upstreamHost, upstreamPort] = env.registry.replace(/^localhost/, "127.0.0.1").split(":");
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const refused: string[] = [];
  const server = http.createServer((request, response) => {
    if (request.headers.authorization !== expected) {
      refused.push(`${request.method} ${request.url}`);
      request.resume();
      response.writeHead(401, {
        "WWW-Authenticate": 'Basic realm="pyfront-e2e"',
        "Content-Type": "application/json",
      });
      response.end(
        JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }),
      );
      return;
    }
    const upstream = http.request(
      {
        host: upstreamHost,
        port: Number(upstreamPort),
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe(`pyfront build's outputs on engine ${env.engine}`, () => {
  it("--push sends every -t name to the registry, and a pull of it back runs", async () => {
    await deletePushed(NAME);
    const copy = scratchCopy();
    const first = remember(`${env.registry}/${NAME}:1.0`);
    const second = remember(`${env.registry}/${NAME}:latest`);
    const built = await pyfrontOnEngine([
      "build",
      copy.dir,
      "-t",
      first,
      "-t",
      second,
      "--push",
      "--cache-to",
      "type=inline",
      "--network",
      "host",
    ]);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    expect(built.stderr).toMatch(
      new RegExp(`pyfront build: pushed ${first.replace(/[.:/]/g, "\\$&")} \\(sha256:[0-9a-f]{64}\\)`),
    );
    expect((await registryTags(NAME)).sort()).toEqual(["1.0", "latest"]);
    const pushed = await registryImage(NAME, "1.0");
    expect(pushed.digest).toMatch(/^sha256:/);
    expect(built.stderr).toContain(`pushed ${first} (${pushed.digest})`);
    // --cache-to type=inline: the cache's metadata travels in the pushed image's config.
    expect(Object.keys(pushed.config)).toContain("moby.buildkit.cache.v0");
    // --cache-from IMAGE: BuildKit imports the cache that image carries.
    const fromCache = await pyfrontOnEngine(["build", copy.dir, "--cache-from", first, "--network", "host"]);
    const cacheLog = combined(fromCache);
    expect(fromCache.code, cacheLog).toBe(0);
    expect(cacheLog).toContain(`importing cache manifest from ${first}`);
    expect(cacheLog).not.toMatch(/failed to configure registry cache importer/);
    // Gone from the engine, then pulled back from the registry: the image that runs is the pushed one.
    for (const tag of [first, second]) await removeImage(tag);
    const pulled = await docker(["pull", first]);
    expect(pulled.code, combined(pulled)).toBe(0);
    await webapp.check(first);
  });

  it("--push logs in with the docker config's credential helper, and a registry's refusal is told", async () => {
    const password = `pw-${randomBytes(12).toString("hex")}`;
    const registry = await registryWithLogin("pyfront-ci", password);
    try {
      const tag = remember(`${registry.host}/${NAME}:login`);
      const copy = scratchCopy();
      // No login: the daemon's push is refused, and pyfront build says so (exit 1).
      const anonymousConfig = join(scratch, "anonymous");
      mkdirSync(anonymousConfig, { recursive: true });
      const refused = await pyfrontOnEngine(["build", copy.dir, "-t", tag, "--push", "--network", "host"], {
        DOCKER_CONFIG: anonymousConfig,
      });
      expect(refused.code, combined(refused)).toBe(1);
      expect(refused.stderr).toMatch(
        new RegExp(
          `pushing ${tag.replace(/[.:/]/g, "\\$&")}: .*(unauthorized|authentication required|no basic auth credentials)`,
          "i",
        ),
      );
      expect(registry.refused.length).toBeGreaterThan(0);

      // A credential helper named for the host in credHelpers, as `docker login` with a helper leaves it.
      const helperDir = join(scratch, "bin");
      mkdirSync(helperDir, { recursive: true });
      const helper = join(helperDir, "docker-credential-pyfronte2e");
      writeFileSync(
        helper,
        `#!/bin/sh\nread server\n[ "$server" = "${registry.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\nprintf '{"ServerURL":"%s","Username":"pyfront-ci","Secret":"${password}"}' "$server"\n`,
      );
      chmodSync(helper, 0o755);
      const config = join(scratch, "with-helper");
      mkdirSync(config, { recursive: true });
      writeFileSync(
        join(config, "config.json"),
        JSON.stringify({ credHelpers: { [registry.host]: "pyfronte2e" } }),
      );
      const pushed = await pyfrontOnEngine(["build", copy.dir, "-t", tag, "--push", "--network", "host"], {
        DOCKER_CONFIG: config,
        PATH: `${helperDir}:${process.env.PATH}`,
      });
      const log = combined(pushed);
      expect(pushed.code, log).toBe(0);
      expect(log).toContain(`pushed ${tag} (sha256:`);
      expect((await registryTags(NAME)).includes("login")).toBe(true);
      expect(log).not.toContain(password);
      expect(log).not.toContain(Buffer.from(password).toString("base64"));

      // BuildKit asks the session for the login when it pulls a base image from that registry
      // (the pushed image, which already has the non-root user; gone from the engine, so pulled).
      await removeImage(tag);
      const derived = scratchCopy();
      const spec = join(derived.dir, "pyproject.toml");
      writeFileSync(
        spec,
        readFileSync(spec, "utf8").replace("[tool.pyfront]\n", `[tool.pyfront]\nruntime_image = "${tag}"\n`),
      );
      const derivedTag = remember(`pyfront-e2e-client-derived:${engine}`);
      const anonymousPull = await pyfrontOnEngine(
        ["build", derived.dir, "-t", derivedTag, "--network", "host"],
        {
          DOCKER_CONFIG: anonymousConfig,
        },
      );
      // The base image cannot be had: told at the spec's runtime_image line, with a login hint (exit 2).
      expect(anonymousPull.code, combined(anonymousPull)).toBe(2);
      expect(anonymousPull.stderr).toMatch(
        /pyproject\.toml:\d+:\d+: the base image .* \(from runtime_image\) is not available .*401/,
      );
      expect(anonymousPull.stderr).toContain("the registry wants a login: docker login to it");
      const withLogin = await pyfrontOnEngine(["build", derived.dir, "-t", derivedTag, "--network", "host"], {
        DOCKER_CONFIG: config,
        PATH: `${helperDir}:${process.env.PATH}`,
      });
      expect(withLogin.code, combined(withLogin)).toBe(0);
      expect(combined(withLogin)).not.toContain(password);
      await webapp.check(derivedTag);
    } finally {
      await registry.close();
    }
  });

  it("--output type=oci writes an archive skopeo reads and loads back; type=docker one docker load takes", async () => {
    const copy = scratchCopy();
    const tag = remember(`pyfront-e2e-client-oci:${engine}`);
    const [oci, archive] = [join(scratch, "app.oci.tar"), join(scratch, "app.docker.tar")];
    const built = await pyfrontOnEngine([
      "build",
      copy.dir,
      "-t",
      tag,
      "--network",
      "host",
      "--output",
      `type=oci,dest=${oci}`,
      "-o",
      `type=docker,dest=${archive}`,
    ]);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    expect(built.stderr).toContain(`pyfront build: wrote an OCI layout tar to ${oci}`);
    const inspected = await imageInspect(tag);
    const seen = await skopeo(["inspect", "--config", `oci-archive:${oci}`]);
    expect(seen.code, seen.stderr).toBe(0);
    const config = JSON.parse(seen.stdout) as {
      config: { User?: string; Env?: string[]; Entrypoint?: string[] };
    };
    expect(config.config.User).toBe(inspected?.Config.User);
    expect(config.config.Env).toEqual(inspected?.Config.Env);
    const raw = JSON.parse((await skopeo(["inspect", "--raw", `oci-archive:${oci}`])).stdout) as {
      mediaType: string;
    };
    expect(raw.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");

    // Back into the engine through skopeo's own reading of the OCI archive (its docker-daemon
    // transport speaks an API version Docker 26 no longer takes, so by way of docker load).
    const back = remember(`pyfront-e2e-client-oci-back:${engine}`);
    const rewritten = join(scratch, "from-oci.docker.tar");
    const copied = await skopeo(["copy", `oci-archive:${oci}`, `docker-archive:${rewritten}:${back}`]);
    expect(copied.code, combined(copied)).toBe(0);
    const loadedBack = await docker(["load", "-i", rewritten]);
    expect(loadedBack.code, combined(loadedBack)).toBe(0);
    await webapp.check(back);

    await removeImage(tag);
    const loaded = await docker(["load", "-i", archive]);
    expect(loaded.code, combined(loaded)).toBe(0);
    expect(loaded.stdout).toContain(tag);
    await webapp.check(tag);
  });

  it("--label goes on the image, --platform builds for the one asked, and several are refused", async () => {
    const copy = scratchCopy();
    const tag = remember(`pyfront-e2e-client-label:${engine}`);
    const built = await pyfrontOnEngine([
      "build",
      copy.dir,
      "-t",
      tag,
      "--network",
      "host",
      "--label",
      "org.example.team=data",
      "--platform",
      "linux/amd64",
    ]);
    expect(built.code, combined(built)).toBe(0);
    const inspected = await imageInspect(tag);
    expect(inspected?.Config.Labels?.["org.example.team"]).toBe("data");
    expect(inspected?.Architecture).toBe("amd64");
    const several = await pyfrontOnEngine(["build", copy.dir, "--platform", "linux/amd64,linux/arm64"]);
    expect(several.code, combined(several)).toBe(2);
    expect(several.stderr).toMatch(/linux\/arm64/);
  });

  it("refuses outputs it cannot give before building anything", async () => {
    const copy = scratchCopy();
    const cases: [string[], RegExp][] = [
      [["--push"], /--push has no name to push to/],
      [["-o", "type=local,dest=out"], /cannot write type=local yet/],
      [["-o", "out"], /bare path as type=local/],
      [["--cache-to", "type=registry,ref=x/y"], /a Docker daemon's BuildKit exports only inline cache/],
      [["--cache-from", "type=local,src=cache"], /--cache-from type=local is not supported/],
    ];
    for (const [args, message] of cases) {
      const result = await pyfrontOnEngine(["build", copy.dir, ...args]);
      expect(result.code, combined(result)).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/^#\d+ /m);
    }
  });
});
