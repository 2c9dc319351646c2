import { describe, expect, it } from "vitest";
import { definitionToJson, marshalDefinition } from "../../../src/buildkit/llb/index.js";
import { unbuildablePlatforms } from "../../../src/images/build.js";
import {
  Container,
  compareSemver,
  compileContainer,
  definitionDigest,
  emptyLock,
  formatLock,
  imageFamily,
  imageRegistry,
  lockProblems,
  lockWithNewVersions,
  parseLock,
  parseSemver,
  renderChangelog,
  renderVersionDockerfile,
  versionLabels,
} from "../../../src/images/index.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
const BASE = `python:3.13-slim@${DIGEST}`;

describe("semantic versions", () => {
  it("orders releases, pre-releases and numeric identifiers as semver.org says", () => {
    const ordered = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.10.0",
      "2.0.0",
    ];
    const shuffled = [...ordered].reverse().map(parseSemver).sort(compareSemver);
    expect(shuffled.map((v) => v.text)).toEqual(ordered);
  });

  it("drops build metadata and refuses what is not semver", () => {
    expect(parseSemver("1.2.3+build.5").text).toBe("1.2.3");
    expect(compareSemver(parseSemver("1.2.3+a"), parseSemver("1.2.3+b"))).toBe(0);
    for (const bad of ["1.2", "v1.2.3", "01.2.3", "1.2.3-01", "1.2.3-"])
      expect(() => parseSemver(bad)).toThrow(/not a semantic version/);
  });
});

describe("Container", () => {
  it("is immutable: each with* returns a new container and leaves the old one as it was", () => {
    const a = Container.from(BASE);
    const b = a.withEnv("A", "1");
    expect(a.steps).toEqual([]);
    expect(b.steps).toEqual([{ kind: "env", name: "A", value: "1" }]);
    expect(Object.isFrozen(b) && Object.isFrozen(b.steps) && Object.isFrozen(b.steps[0])).toBe(true);
    const args = ["echo", "hi"];
    const c = a.withExec(args);
    args.push("changed");
    expect(c.steps[0]).toMatchObject({ args: ["echo", "hi"] });
  });

  it("needs a base pinned by digest", () => {
    expect(() => Container.from("python:3.13-slim")).toThrow(/is not pinned: write it as NAME:TAG@sha256/);
    expect(Container.from(BASE).base).toEqual({ ref: "python:3.13-slim", digest: DIGEST });
  });

  it("refuses unsafe values with a message naming them", () => {
    const c = Container.from(BASE);
    expect(() => c.withWorkdir("relative")).toThrow(/must be an absolute path/);
    expect(() => c.withFile("/a/../b", "x")).toThrow(/"\." or "\.\."/);
    expect(() => c.withEnv("A=B", "x")).toThrow(/environment variable name/);
    expect(() => c.withFile("/x", "x", { mode: 0o600 })).toThrow(/use 0o644 or 0o755/);
    expect(() => c.withFile("/x", "x", { owner: { user: "a b" } })).toThrow(/owner "a b"/);
    expect(() => c.withExec([])).toThrow(/needs a program/);
  });

  it("mounts caches for the execs after withMountedCache only", () => {
    const c = Container.from(BASE).withExec(["a"]).withMountedCache("/cache", "pip").withExec(["b"]);
    expect(c.steps.map((s) => (s.kind === "exec" ? s.caches.map((m) => m.id) : []))).toEqual([[], ["pip"]]);
  });
});

function family(steps: (c: Container) => Container = (c) => c) {
  return imageFamily({
    name: "demo",
    description: "a demo",
    versions: [
      { version: "1.0.0", changelog: "first", container: steps(Container.from(BASE).withExec(["true"])) },
      { version: "1.1.0-rc.1", changelog: "candidate", container: Container.from(BASE).withEnv("A", "1") },
      { version: "1.1.0", changelog: "second", container: Container.from(BASE).withEnv("A", "1") },
    ],
  });
}

describe("families and the registry", () => {
  it("looks versions up by name:version, lists them, finds latest and previous", () => {
    const registry = imageRegistry([family()]);
    expect(registry.list().map((v) => v.name)).toEqual(["demo:1.0.0", "demo:1.1.0-rc.1", "demo:1.1.0"]);
    expect(registry.get("demo:1.1.0-rc.1").changelog).toBe("candidate");
    expect(registry.get("demo").name).toBe("demo:1.1.0");
    expect(registry.latest("demo").name).toBe("demo:1.1.0");
    expect(registry.previous(registry.get("demo:1.1.0"))?.name).toBe("demo:1.1.0-rc.1");
    expect(registry.previous(registry.get("demo:1.0.0"))).toBeUndefined();
    expect(registry.earlier(registry.get("demo:1.1.0")).map((v) => v.name)).toEqual([
      "demo:1.0.0",
      "demo:1.1.0-rc.1",
    ]);
    expect(() => registry.get("demo:9.9.9")).toThrow(
      /demo has no version 9\.9\.9; versions: 1\.0\.0, 1\.1\.0-rc\.1, 1\.1\.0/,
    );
    expect(() => registry.get("other:1.0.0")).toThrow(/no image family "other"; families: demo/);
  });

  it("refuses a version declared twice and versions out of order", () => {
    const c = Container.from(BASE);
    const make = (versions: string[]) => () =>
      imageFamily({
        name: "demo",
        description: "",
        versions: versions.map((version) => ({ version, changelog: "x", container: c })),
      });
    expect(make(["1.0.0", "1.0.0"])).toThrow(/demo:1\.0\.0 is declared twice/);
    expect(make(["1.0.0", "1.0.0+build"])).toThrow(/declared twice/);
    expect(make(["1.1.0", "1.0.0"])).toThrow(
      /demo:1\.0\.0 comes after demo:1\.1\.0 in the list but is not greater/,
    );
    expect(() => imageRegistry([family(), family()])).toThrow(/image family demo is declared twice/);
  });
});

describe("the lock", () => {
  it("digests the definition deterministically; changelog and checks are not part of it", () => {
    const a = family().versions[0]!;
    const b = family().versions[0]!;
    expect(definitionDigest(a)).toBe(definitionDigest(b));
    expect(definitionDigest(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
    const reworded = imageFamily({
      name: "demo",
      description: "",
      versions: [
        { version: "1.0.0", changelog: "other words", container: a.container, checks: { commandTests: [] } },
      ],
    });
    expect(definitionDigest(reworded.versions[0]!)).toBe(definitionDigest(a));
  });

  it("refuses a released version whose definition changed, naming it", () => {
    const registry = imageRegistry([family()]);
    const lock = lockWithNewVersions(registry, emptyLock());
    expect(lockProblems(registry, lock)).toEqual([]);
    const changed = imageRegistry([family((c) => c.withExec(["echo", "sneaked in"]))]);
    const problems = lockProblems(changed, lock);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^demo:1\.0\.0 changed after its release: images\.lock\.json records sha256:[0-9a-f]{64}, the definition is now sha256:/,
    );
    expect(() => lockWithNewVersions(changed, lock)).toThrow(/demo:1\.0\.0 changed after its release/);
  });

  it("refuses a new version not greater than the released ones, and a deleted release", () => {
    const lock = parseLock(
      formatLock({ lockVersion: 1, families: { demo: { "2.0.0": `sha256:${"b".repeat(64)}` } } }),
    );
    const problems = lockProblems(imageRegistry([family()]), lock);
    expect(problems).toContain(
      "demo:2.0.0 is released (images.lock.json) but no longer declared: released versions are never deleted",
    );
    expect(problems).toContain(
      "demo:1.1.0 is new but not greater than the released demo:2.0.0: a new version must be greater than the last",
    );
  });

  it("writes versions in semver order and reads only a well-formed lock", () => {
    const text = formatLock({
      lockVersion: 1,
      families: { demo: { "1.10.0": `sha256:${"1".repeat(64)}`, "1.9.0": `sha256:${"2".repeat(64)}` } },
    });
    expect(Object.keys(parseLock(text).families.demo!)).toEqual(["1.9.0", "1.10.0"]);
    expect(() => parseLock("{")).toThrow(/not JSON/);
    expect(() => parseLock('{"lockVersion":1,"families":{"demo":{"1.0.0":"md5:x"}}}')).toThrow(
      /demo:1\.0\.0 has no sha256 digest/,
    );
  });
});

describe("compiling to LLB", () => {
  const container = Container.from(BASE)
    .withMountedCache("/root/.cache/pip", "pip", { sharing: "shared" })
    .withExec(["pip", "install", "x; rm -rf /"])
    .withEnv("TZ", "Etc/UTC")
    .withFile("/etc/timezone", "Etc/UTC\n", { owner: { user: "app", group: "app" } })
    .withUser("app")
    .withWorkdir("/srv/app")
    .withLabel("a", "b")
    .withEntrypoint(["tini", "--"]);

  it("gives the same bytes for the same definition", () => {
    const one = marshalDefinition(compileContainer(container).state).bytes;
    const two = marshalDefinition(compileContainer(container).state).bytes;
    expect(Buffer.from(one).equals(Buffer.from(two))).toBe(true);
  });

  it("runs argv as written with the cache, env and user, and pins the base", () => {
    const compiled = compileContainer(container, {
      baseConfig: { config: { Env: ["PATH=/usr/bin"], Cmd: ["python3"] } },
    });
    const json = JSON.stringify(definitionToJson(marshalDefinition(compiled.state).definition));
    expect(json).toContain(`docker-image://docker.io/library/python:3.13-slim@${DIGEST}`);
    expect(json).toContain('"args":["pip","install","x; rm -rf /"]');
    expect(json).toContain('"ID":"pip"');
    expect(compiled.imageConfig.config).toMatchObject({
      Env: ["PATH=/usr/bin", "TZ=Etc/UTC"],
      User: "app",
      WorkingDir: "/srv/app",
      Labels: { a: "b" },
      Entrypoint: ["tini", "--"],
    });
    // ENTRYPOINT drops the base's CMD, as in a Dockerfile.
    expect(compiled.imageConfig.config?.Cmd).toBeUndefined();
  });

  it("pulls a replacement base when asked, keeping the definition's name in the log", () => {
    const json = JSON.stringify(
      definitionToJson(
        marshalDefinition(compileContainer(container, { baseSource: "python:3.13-slim" }).state).definition,
      ),
    );
    expect(json).toContain('docker-image://docker.io/library/python:3.13-slim"');
    expect(json).not.toContain(DIGEST);
  });

  it("gives every run the build environment, which stays out of the image's config and the definition", () => {
    const v = imageFamily({
      name: "env",
      description: "d",
      versions: [{ version: "1.0.0", changelog: "c", container }],
    }).versions[0]!;
    const before = definitionDigest(v);
    const compiled = compileContainer(container, {
      buildEnv: [["PIP_INDEX_URL", "http://127.0.0.1:3141/simple"]],
    });
    const json = JSON.stringify(definitionToJson(marshalDefinition(compiled.state).definition));
    expect(json).toContain("PIP_INDEX_URL=http://127.0.0.1:3141/simple");
    expect(JSON.stringify(compiled.imageConfig)).not.toContain("PIP_INDEX_URL");
    expect(definitionDigest(v)).toBe(before);
  });
});

describe("building a version", () => {
  const workers = (platforms: string[]) => ({
    opts: {},
    sessionId: undefined,
    product: undefined,
    workers: [{ ID: "w", Labels: {}, Platforms: platforms.map((p) => ({ os: "linux", architecture: p })) }],
  });

  it("refuses a platform no worker runs, naming what the engine offers", () => {
    const arm = [{ os: "linux", architecture: "arm64" }];
    expect(unbuildablePlatforms(arm, workers(["amd64", "386"]))).toBe(
      "this engine cannot build linux/arm64: its workers run linux/amd64, linux/386 (an engine with QEMU emulation registered, or a native worker, can)",
    );
    expect(unbuildablePlatforms(arm, workers(["amd64", "arm64"]))).toBeUndefined();
  });

  it("labels the image with its version, base and definition digest", () => {
    const v = family().versions[0]!;
    const config = compileContainer(v.container, { labels: versionLabels(v) }).imageConfig.config;
    expect(config?.Labels).toEqual({
      "org.opencontainers.image.base.name": `python:3.13-slim@${DIGEST}`,
      "org.opencontainers.image.version": "1.0.0",
      "org.pyfront.images.definition": definitionDigest(v),
    });
  });
});

describe("the generated Dockerfile", () => {
  const version = (c: Container) =>
    imageFamily({
      name: "demo",
      description: "d",
      versions: [{ version: "1.0.0", changelog: "the first\nline", container: c }],
    }).versions[0]!;

  it("writes exec form, cache mounts, quoted ENV and LABEL, COPY of generated files, user and workdir", () => {
    const demo = version(
      Container.from(BASE)
        .withMountedCache("/root/.cache/pip", "pip")
        .withExec(["sh", "-c", 'echo "$HOME" \\ done'])
        .withEnv("GREETING", 'say "hi" $USER')
        .withFile("/usr/local/bin/tool", "#!/bin/sh\n", {
          mode: 0o755,
          owner: { user: "app", group: 1000 },
        })
        .withDirectory("/opt/data", { "a.txt": "A", "sub/b.txt": "B" })
        .withLabel("org.example.note", "it's")
        .withUser("app")
        .withWorkdir("/home/app dir")
        .withEntrypoint(["tini", "--"])
        .withDefaultArgs(["python3"]),
    );
    const rendered = renderVersionDockerfile(demo);
    expect(rendered.dockerfile.split("\n")).toEqual([
      "# demo:1.0.0: generated by pyfront images generate from its definition; do not edit.",
      "# the first line",
      `FROM python:3.13-slim@${DIGEST}`,
      'RUN --mount=type=cache,id=pip,target=/root/.cache/pip,sharing=locked ["sh","-c","echo \\"$HOME\\" \\\\ done"]',
      'ENV GREETING="say \\"hi\\" \\$USER"',
      "COPY --chown=app:1000 files/1 /usr/local/bin/tool",
      "COPY files/2/ /opt/data/",
      'LABEL "org.example.note"="it\'s"',
      "USER app",
      "WORKDIR '/home/app dir'",
      'ENTRYPOINT ["tini","--"]',
      'CMD ["python3"]',
      // The identity labels every build of a version carries, through LLB as well.
      'LABEL "org.opencontainers.image.version"="1.0.0"',
      `LABEL "org.opencontainers.image.base.name"="python:3.13-slim@${DIGEST}"`,
      `LABEL "org.pyfront.images.definition"="${definitionDigest(demo)}"`,
      "",
    ]);
    expect([...rendered.files]).toEqual([
      ["files/1", { contents: "#!/bin/sh\n", mode: 0o755 }],
      ["files/2/a.txt", { contents: "A", mode: 0o644 }],
      ["files/2/sub/b.txt", { contents: "B", mode: 0o644 }],
    ]);
  });

  it("refuses a cache id or path that a --mount flag word cannot carry the same on every engine", () => {
    const c = Container.from(BASE).withMountedCache("/caché", "pip").withExec(["true"]);
    expect(() => renderVersionDockerfile(version(c))).toThrow(
      /cannot write "\/caché" into a Dockerfile --mount target/,
    );
  });

  it("writes a changelog, newest first", () => {
    const f = family();
    const text = renderChangelog(f);
    expect(text.indexOf("| 1.1.0 |")).toBeLessThan(text.indexOf("| 1.0.0 |"));
    expect(text).toContain("| 1.0.0 | `python:3.13-slim@sha256:aaaaaaaaaaaa…` | first |");
  });
});
