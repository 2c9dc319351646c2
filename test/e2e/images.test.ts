// Issue 14 on a real engine: the example family (examples/images) is built through `pyfront images
// build` (src/client's build, the CLI as frontend), checked, broken on purpose and checked again,
// published to the local registry, refused when its 1.0.0 changed, and its generated Dockerfile of
// 1.1.0 built with the engine's stock Dockerfile frontend into an equivalent image.
//
// The example pins python:3.13-slim by a digest these engines do not hold (no registry access), so
// every build here adds --base-source python:3.13-slim: the engine's stand-in.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docCommands } from "../support/doc-commands.js";
import { pyfrontOnEngine } from "./support/cli.js";
import { build, docker, engineEnv, imageInspect, removeImage, repoRoot } from "./support/engine.js";
import { combined } from "./support/examples.js";
import { fileTree, runtimeConfig } from "./support/image-tree.js";
import { deleteRegistryManifest, registryImage, registryTags } from "./support/registry.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const EXAMPLE = join(repoRoot, "examples", "images");
const MODULE = join(EXAMPLE, "images.config.ts");
const FAMILY = "pyfront-python-base";
const BASE = ["--base-source", "python:3.13-slim"];
/** One registry path per engine: both suites may run at once. */
const REGISTRY = `${env.registry}/pyfront-e2e-images-${engine}`;
const REPOSITORY = `pyfront-e2e-images-${engine}/${FAMILY}`;
/** Where docs/images.md's publish goes in place of registry.example.com/team. */
const DOCS_REGISTRY_PATH = `pyfront-e2e-images-docs-${engine}`;

const images: string[] = [];
const scratch: string[] = [];

function tag(version: string, variant = ""): string {
  const name = `pyfront-e2e-images${variant}-${engine}:${version}`;
  images.push(name);
  return name;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-e2e-images-"));
  scratch.push(dir);
  return dir;
}

async function clearRegistry(): Promise<void> {
  for (const repository of [REPOSITORY, `${DOCS_REGISTRY_PATH}/app-base`]) {
    for (const t of await registryTags(repository)) {
      const { digest } = await registryImage(repository, t);
      await deleteRegistryManifest(repository, digest);
    }
  }
}

const images_ = (args: string[]) => pyfrontOnEngine(["images", ...args, "--module", MODULE]);

beforeAll(async () => {
  await clearRegistry();
});

afterAll(async () => {
  for (const image of images) await removeImage(image);
  // What a push leaves behind once its tag moved on: images known only by their registry digest.
  for (const reference of [`${REGISTRY}/*`, `${env.registry}/${DOCS_REGISTRY_PATH}/*`]) {
    const listed = await docker(["images", "--quiet", "--filter", `reference=${reference}`]);
    for (const id of new Set(listed.stdout.split("\n").filter(Boolean))) await removeImage(id);
  }
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  await clearRegistry();
});

describe(`pyfront images on engine ${env.engine}`, () => {
  it("builds 1.0.0 and 1.1.0 through the build client, with the definition's config", async () => {
    for (const version of ["1.0.0", "1.1.0"]) {
      const built = await images_(["build", `${FAMILY}:${version}`, "-t", tag(version), ...BASE]);
      expect(built.code, combined(built)).toBe(0);
      expect(built.stderr).toContain(`pyfront images: built ${FAMILY}:${version} as ${tag(version)}`);
      // Using a stand-in is said, every time.
      expect(built.stderr).toContain("is replaced by python:3.13-slim (--base-source)");
    }
    const info = await imageInspect(tag("1.1.0"));
    expect(info?.Config.User).toBe("app");
    expect(info?.Config.WorkingDir).toBe("/home/app");
    expect(info?.Config.Cmd).toEqual(["python3"]);
    expect(info?.Config.Labels?.["org.opencontainers.image.version"]).toBe("1.1.0");
    expect(info?.Config.Labels?.["org.pyfront.images.definition"]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("checks 1.1.0 with its own checks and 1.0.0's", async () => {
    const checked = await images_(["check", `${FAMILY}:1.1.0`, "--image", tag("1.1.0")]);
    expect(checked.code, combined(checked)).toBe(0);
    expect(checked.stdout).toMatch(
      new RegExp(`^${FAMILY}:1\\.1\\.0 \\(${tag("1.1.0")}\\): 15 checks, all passed$`, "m"),
    );
    expect(checked.stdout).toContain(`  ok   commandTests "UTC clock" (from ${FAMILY}:1.0.0)`);
    expect(checked.stdout).toContain('  ok   commandTests "tini installed"\n');
    expect(checked.stdout).not.toContain("FAIL");
  });

  it("fails the checks of a broken image, saying which check, what was expected and what was seen", async () => {
    const dir = tempDir();
    // A binary removed, the timezone changed, the wrong user.
    writeFileSync(
      join(dir, "Dockerfile"),
      [
        `FROM ${tag("1.1.0")}`,
        "USER root",
        'RUN ["rm", "/usr/bin/tini"]',
        'RUN ["ln", "-snf", "/usr/share/zoneinfo/Asia/Tokyo", "/etc/localtime"]',
        'ENV TZ="Asia/Tokyo"',
        "",
      ].join("\n"),
    );
    const broken = tag("1.1.0", "-broken");
    const built = await build({ context: dir, tag: broken });
    expect(built.code, built.stderr).toBe(0);
    const checked = await images_(["check", `${FAMILY}:1.1.0`, "--image", broken]);
    expect(checked.code).toBe(1);
    const out = checked.stdout;
    expect(out).toMatch(/: 15 checks, 7 failed$/m);
    expect(out).toContain(
      '  FAIL commandTests "tini installed"\n         expected: exit code 0\n         seen:     exit code 127',
    );
    expect(out).toContain(
      `  FAIL commandTests "UTC clock" (from ${FAMILY}:1.0.0)\n         expected: stdout matching /^UTC$/\n         seen:     "JST\\n"`,
    );
    expect(out).toContain(
      `  FAIL commandTests "runs as app" (from ${FAMILY}:1.0.0)\n         expected: stdout matching /^app$/\n         seen:     "root\\n"`,
    );
    expect(out).toContain(
      `  FAIL metadataTest "user" (from ${FAMILY}:1.0.0)\n         expected: "app"\n         seen:     "root"`,
    );
    expect(out).toContain(
      `  FAIL metadataTest "envVars" (from ${FAMILY}:1.0.0)\n         expected: env TZ=Etc/UTC\n         seen:     TZ=Asia/Tokyo`,
    );
    expect(out).toContain(`  FAIL functions "python sees UTC" (from ${FAMILY}:1.0.0)`);
    expect(out).toContain('  ok   fileContentTests "timezone file"');
  });

  it("refuses a changed 1.0.0, naming it, before anything is built", async () => {
    const dir = tempDir();
    const api = join(repoRoot, "src", "images", "index.ts");
    const source = readFileSync(MODULE, "utf8")
      .replace('"../../src/images/index.js"', JSON.stringify(api))
      .replace('.withEnv("TZ", "Etc/UTC")', '.withEnv("TZ", "Etc/UTC").withEnv("CHANGED", "1")');
    expect(source).toContain('withEnv("CHANGED", "1")');
    writeFileSync(join(dir, "images.config.ts"), source);
    // An ES module, as in a project whose package.json says "type": "module".
    writeFileSync(join(dir, "package.json"), '{"type": "module"}\n');
    cpSync(join(EXAMPLE, "images.lock.json"), join(dir, "images.lock.json"));
    const refused = await pyfrontOnEngine(["images", "build", `${FAMILY}:1.0.0`, ...BASE], {}, dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `${FAMILY}:1\\.0\\.0 changed after its release: \\S+images\\.lock\\.json records sha256:[0-9a-f]{64}, the definition is now sha256:[0-9a-f]{64}`,
      ),
    );
    expect(refused.stderr).not.toContain("#1 ");
  });

  it("publishes released versions after their checks, once, and refuses a tag the registry holds from another definition", async () => {
    // Someone else's image under 1.0.0: publish must not replace it.
    const squatter = `${REGISTRY}/${FAMILY}:1.0.0`;
    images.push(squatter);
    expect((await docker(["tag", tag("1.1.0", "-broken"), squatter])).code).toBe(0);
    const pushed = await docker(["push", squatter]);
    expect(pushed.code, pushed.stderr).toBe(0);
    const refused = await images_(["publish", `${FAMILY}:1.0.0`, "--registry", REGISTRY, ...BASE]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /is already in the registry \(sha256:[0-9a-f]{64}\) built from another definition, sha256:[0-9a-f]{64}; pyfront-python-base:1\.0\.0 is sha256:/,
    );
    await clearRegistry();

    for (const version of ["1.0.0", "1.1.0"]) {
      images.push(`${REGISTRY}/${FAMILY}:${version}`, `${FAMILY}:${version}`);
      const published = await images_(["publish", `${FAMILY}:${version}`, "--registry", REGISTRY, ...BASE]);
      expect(published.code, combined(published)).toBe(0);
      expect(published.stdout).toMatch(/checks, all passed/);
      expect(published.stdout).toMatch(
        new RegExp(`published ${REGISTRY}/${FAMILY}:${version.replace(/\./g, "\\.")}@sha256:[0-9a-f]{64}`),
      );
    }
    expect((await registryTags(REPOSITORY)).sort()).toEqual(["1.0.0", "1.1.0"]);
    const held = await registryImage(REPOSITORY, "1.1.0");
    expect(held.config.config?.Labels?.["org.opencontainers.image.version"]).toBe("1.1.0");

    const again = await images_(["publish", `${FAMILY}:1.1.0`, "--registry", REGISTRY, ...BASE]);
    expect(again.code, combined(again)).toBe(0);
    expect(again.stdout).toContain(
      `is already published from this definition (${held.digest}); nothing to push`,
    );
  });

  it("serves as an app's runtime_image: the published 1.1.0, whose USER is app, under the web app", async () => {
    // Issue 14 item 6: pyfront's own family as a project's runtime base, pulled from the registry
    // it was published to. Its USER is app (uid 1000): the recipe's steps still run as root.
    const dir = tempDir();
    cpSync(join(repoRoot, "examples", "webapp"), dir, { recursive: true });
    const spec = join(dir, "pyproject.toml");
    const text = readFileSync(spec, "utf8");
    writeFileSync(
      spec,
      text
        .replace('python_version = "3.11"', 'python_version = "3.13"')
        .replace("[tool.pyfront]\n", `[tool.pyfront]\nruntime_image = "${REGISTRY}/${FAMILY}:1.1.0"\n`),
    );
    const app = tag("webapp", "-app");
    const built = await pyfrontOnEngine(["build", dir, "-t", app, "--network", "host"]);
    expect(built.code, combined(built)).toBe(0);
    const inspected = await imageInspect(app);
    expect(inspected?.Config.User).toBe("65532:65532");
    // The family's own settings stay under the app's: its UTC clock and its title label.
    expect(inspected?.Config.Env).toContain("TZ=Etc/UTC");
    const ran = await docker([
      "run",
      "--rm",
      "--entrypoint",
      "python",
      app,
      "-c",
      "import flask, time; print(time.strftime('%Z'), flask.__name__)",
    ]);
    expect(ran.stdout.trim(), combined(ran)).toBe("UTC flask");
  });

  it("builds 1.1.0's generated Dockerfile with the stock frontend into an equivalent image", async () => {
    const dir = tempDir();
    cpSync(join(EXAMPLE, "generated", "dockerfiles", FAMILY, "1.1.0"), dir, { recursive: true });
    const dockerfile = readFileSync(join(dir, "Dockerfile"), "utf8");
    // The stand-in in place of the pinned base, as --base-source does for the LLB build.
    const from = /^FROM (\S+)$/m.exec(dockerfile)?.[1];
    expect(from).toMatch(/^python:3\.13-slim@sha256:[0-9a-f]{64}$/);
    writeFileSync(join(dir, "Dockerfile"), dockerfile.replace(`FROM ${from}`, "FROM python:3.13-slim"));
    const fromDockerfile = tag("1.1.0", "-dockerfile");
    const built = await build({ context: dir, tag: fromDockerfile });
    expect(built.code, built.stderr).toBe(0);
    expect(runtimeConfig(await imageInspect(fromDockerfile))).toEqual(
      runtimeConfig(await imageInspect(tag("1.1.0"))),
    );
    // apt's and dpkg's logs hold times of their own; everything else must match path for path.
    const tree = async (image: string) => (await fileTree(image)).filter((line) => !/ var\/log\//.test(line));
    expect(await tree(fromDockerfile)).toEqual(await tree(tag("1.1.0")));
  });

  it("refuses a platform the engine cannot build, naming what it can", async () => {
    // s390x: the test machine registers an emulator for arm64 only (scripts/lib/binfmt.sh), so the
    // engines may build linux/arm64 but never this.
    const refused = await images_([
      "build",
      `${FAMILY}:1.0.0`,
      "--platform",
      "linux/s390x",
      "-t",
      tag("s390x"),
      ...BASE,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/this engine cannot build linux\/s390x: its workers run linux\/amd64/);
  });

  it("runs docs/images.md's example as the doc shows it", async () => {
    const doc = readFileSync(join(repoRoot, "docs", "images.md"), "utf8");
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(1);
    const dir = tempDir();
    // The doc's import of the installed package, here the checkout's sources.
    const module = blocks[0]!.replace(
      'from "pyfront/images"',
      `from ${JSON.stringify(join(repoRoot, "src", "images", "index.ts"))}`,
    );
    expect(module).not.toBe(blocks[0]);
    writeFileSync(join(dir, "images.config.ts"), module);
    writeFileSync(join(dir, "package.json"), '{"type": "module"}\n');
    const commands = docCommands().filter((c) => c.where.startsWith("docs/images.md: "));
    expect(commands.map((c) => c.words.slice(0, 3).join(" "))).toEqual([
      "pyfront images list",
      "pyfront images generate",
      "pyfront images build",
      "pyfront images check",
      "pyfront images generate",
      "pyfront images publish",
    ]);
    for (const command of commands) {
      // This machine's stand-ins: the engine's python:3.13-slim, the local registry; and tags of the test's own.
      const words = command.words
        .slice(1)
        .map((w) => w.replace("registry.example.com/team", `${env.registry}/${DOCS_REGISTRY_PATH}`));
      if (words[1] === "build" || words[1] === "publish") words.push(...BASE);
      images.push("app-base:1.1.0", `${env.registry}/${DOCS_REGISTRY_PATH}/app-base:1.1.0`);
      const result = await pyfrontOnEngine(words, {}, dir);
      expect(result.code, `${command.text}\n${combined(result)}`).toBe(0);
      if (words[1] === "check" || words[1] === "publish")
        expect(result.stdout).toMatch(/app-base:1\.1\.0 \(.*\): 5 checks, all passed/);
    }
    expect(readFileSync(join(dir, "generated", "changelogs", "app-base.md"), "utf8")).toContain("| 1.1.0 |");
    expect(await registryTags(`${DOCS_REGISTRY_PATH}/app-base`)).toEqual(["1.1.0"]);
  });
});
