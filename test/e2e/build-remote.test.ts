// Issue 13's remote engine: a Docker daemon of this engine's version on a second host (a network
// namespace of its own, `scripts/engine remote-up`), reached over TCP with `--builder tcp://…`
// and with DOCKER_HOST. It shares no socket and no loopback with this machine: the context, the
// session, the base images and the result all go over the wire; only the package index is
// forwarded to it, as a real remote host would reach a mirror.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pyfrontOnEngine } from "./support/cli.js";
import { type CommandResult, engineEnv } from "./support/engine.js";
import {
  combined,
  copyExample,
  EXAMPLES,
  type ExampleCopy,
  vertexLines,
  wasCached,
} from "./support/examples.js";
import { dockerAt, engineScript, remoteUp, seedRemote } from "./support/remote.js";

const env = engineEnv();
const webapp = EXAMPLES.find((e) => e.name === "webapp");
if (!webapp) throw new Error("the webapp example is missing");
const copies: ExampleCopy[] = [];
let remoteHost = "";

/** Bytes the build sent of its context: the `transferring …` lines of its `load build context` step. */
function contextBytes(log: string): number {
  const units: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };
  let total = 0;
  for (const line of vertexLines(log, /^\[internal\] load build context$/)) {
    const match = /transferring (?:context: )?([\d.]+)([kKMG]?B)/.exec(line);
    if (match) total = Math.max(total, Number(match[1]) * (units[match[2] ?? "B"] ?? 1));
  }
  return total;
}

beforeAll(async () => {
  remoteHost = await remoteUp(env.engine);
  // The web app's base images (builder and runtime); the remote has no registry to pull it from.
  await seedRemote(remoteHost, "python:3.11");
  await seedRemote(remoteHost, "python:3.11-slim");
});

afterAll(async () => {
  for (const copy of copies) copy.dispose();
  await engineScript(["remote-down", env.engine]);
});

describe(`pyfront build on a remote Docker daemon (engine ${env.engine}'s version, its own network namespace)`, () => {
  it("builds with --builder tcp://, the context sent over the wire, then again after an edit with DOCKER_HOST", async () => {
    // The remote is another host: this machine's loopback services are not there.
    const registry = await dockerAt(remoteHost, ["pull", `${env.registry}/pyfront-none:absent`]);
    expect(registry.stderr).toMatch(/connection refused|no such host|dial tcp/);

    const copy = copyExample("webapp");
    copies.push(copy);
    // Data beside the code (2 MB): sent with the first build, and never again unless it changes.
    copy.write("webapp/data.bin", randomBytes(1024 * 1024).toString("hex"));
    const tag = `pyfront-e2e-remote-webapp:${env.engine.toLowerCase()}`;
    const first = await pyfrontOnEngine([
      "build",
      copy.dir,
      "--builder",
      remoteHost,
      "-t",
      tag,
      "--network",
      "host",
      "--progress",
      "plain",
    ]);
    const firstLog = combined(first);
    expect(first.code, firstLog).toBe(0);
    expect(first.stderr).toContain(`pyfront build: built ${tag} (sha256:`);
    const sentFirst = contextBytes(firstLog);
    expect(sentFirst, firstLog).toBeGreaterThan(2e6);

    // The image is in the remote's store, not in this engine's.
    expect((await dockerAt(remoteHost, ["image", "inspect", tag])).code).toBe(0);
    expect((await dockerAt(env.vars.DOCKER_HOST ?? "", ["image", "inspect", tag])).code).not.toBe(0);
    // And it runs there: the app answers its health check inside the remote host.
    const started = await dockerAt(remoteHost, ["run", "-d", "--rm", tag]);
    expect(started.code, started.stderr).toBe(0);
    const container = started.stdout.trim();
    try {
      let answer: CommandResult | undefined;
      for (let attempt = 0; attempt < 50; attempt++) {
        answer = await dockerAt(remoteHost, [
          "exec",
          container,
          "python",
          "-c",
          "import urllib.request as u; print(u.urlopen('http://127.0.0.1:8000/health').read().decode())",
        ]);
        if (answer.code === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(answer?.code, answer?.stderr).toBe(0);
      expect(JSON.parse(answer?.stdout ?? "")).toMatchObject({ status: "ok" });
    } finally {
      await dockerAt(remoteHost, ["rm", "-f", container]);
    }

    // A one-line edit, built the docker CLI's way (DOCKER_HOST): only the edited file travels,
    // and the dependency layer comes from the remote's cache.
    copy.touchSource(webapp);
    const second = await pyfrontOnEngine(
      ["build", copy.dir, "-t", tag, "--network", "host", "--progress", "plain"],
      {
        DOCKER_HOST: remoteHost,
      },
    );
    const secondLog = combined(second);
    expect(second.code, secondLog).toBe(0);
    expect(wasCached(secondLog, /^\[builder\] install dependencies/), secondLog).toBe(true);
    expect(
      vertexLines(secondLog, /^\[project\] install the project/).some((l) => / DONE \d/.test(l)),
      secondLog,
    ).toBe(true);
    const sentSecond = contextBytes(secondLog);
    expect(sentSecond, secondLog).toBeGreaterThan(0);
    console.info(
      `engine ${env.engine} remote: context sent ${sentFirst} B, then ${sentSecond} B after the edit`,
    );
    expect(sentSecond, `first ${sentFirst} B, then ${sentSecond} B`).toBeLessThan(100e3);
    const edited = await dockerAt(remoteHost, [
      "run",
      "--rm",
      "--entrypoint",
      "python",
      tag,
      "-c",
      "import webapp; print(open(webapp.__file__).read().splitlines()[-1])",
    ]);
    expect(edited.stdout, edited.stderr).toMatch(/^# edited \d+/);
  });
});
