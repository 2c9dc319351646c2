import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { definitionToJson, marshalDefinition } from "../../../src/buildkit/index.js";
import type { BuildPlan, RunStep } from "../../../src/plan/build-plan.js";
import { PIP_WITH_CREDENTIALS_SCRIPT, pipIndexSetup } from "../../../src/plan/pip-steps.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import {
  isPypiIndex,
  type PlatformOverrides,
  readPlatformOverrides,
} from "../../../src/plan/platform-overrides.js";
import { PROJECT_FILES_SCRIPT } from "../../../src/plan/project-layer.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { renderLlb } from "../../../src/render/llb.js";
import type { PackageIndex } from "../../../src/spec/build-spec.js";
import type { Diagnostic } from "../../../src/spec/diagnostics.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { FIXTURES } from "./spec-fixtures.js";

function read(buildArgs: Record<string, string>): { overrides: PlatformOverrides; problems: string[] } {
  const diagnostics: Diagnostic[] = [];
  const overrides = readPlatformOverrides(buildArgs, diagnostics);
  return { overrides, problems: diagnostics.map(formatDiagnostic) };
}

function problemsOf(buildArgs: Record<string, string>): string[] {
  return read(buildArgs).problems;
}

const PASSWORD = "S3cr3t-pw";

describe("reading the index build args", () => {
  it("reads nothing from no args, unrelated args and empty values", () => {
    const argsList: Array<Record<string, string>> = [
      {},
      { FOO: "1" },
      { PIP_INDEX_URL: "", PIP_EXTRA_INDEX_URL: "  ", PIP_TRUSTED_HOST: "" },
    ];
    for (const args of argsList) {
      expect(read(args)).toEqual({ overrides: { indices: { extras: [], trustedHosts: [] } }, problems: [] });
    }
  });

  it("reads pip's names: one primary URL, space-separated extras and trusted hosts", () => {
    expect(
      read({
        PIP_INDEX_URL: "https://mirror.example/simple",
        PIP_EXTRA_INDEX_URL: " https://a.example/simple\thttp://b.internal:8080/simple\n",
        PIP_TRUSTED_HOST: "b.internal  b.internal other.internal:9000",
      }),
    ).toEqual({
      overrides: {
        indices: {
          primary: "https://mirror.example/simple",
          extras: ["https://a.example/simple", "http://b.internal:8080/simple"],
          trustedHosts: ["b.internal", "other.internal:9000"],
        },
      },
      problems: [],
    });
  });

  it("refuses credentials in an index URL, without repeating them, and names the secret to use", () => {
    const problems = problemsOf({
      PIP_INDEX_URL: `https://deploy:${PASSWORD}@pypi.example/simple`,
      PIP_EXTRA_INDEX_URL: `https://a.example/simple https://${PASSWORD}@b.example/simple`,
    });
    expect(problems).toEqual([
      "build arg PIP_INDEX_URL: the URL https://***@pypi.example/simple holds credentials; a build arg is no place for them, as the index URL becomes part of the build definition and of the image's history\n  hint: give the URL without them, and the credentials as a build secret: a file holding user:password (or a token), passed with --secret id=pyfront-index-url,src=FILE",
      "build arg PIP_EXTRA_INDEX_URL: the URL https://***@b.example/simple holds credentials; a build arg is no place for them, as the index URL becomes part of the build definition and of the image's history\n  hint: give the URL without them, and the credentials as a build secret: a file holding user:password (or a token), passed with --secret id=pyfront-extra-index-url-1,src=FILE",
    ]);
    expect(problems.join("\n")).not.toContain(PASSWORD);
    expect(problems.join("\n")).not.toContain("deploy");
  });

  it("refuses a planning error as a SpecError that holds no credential", () => {
    let caught: unknown;
    try {
      planBuild(FIXTURES.webapp!, { buildArgs: { PIP_INDEX_URL: `https://u:${PASSWORD}@p.example/simple` } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecError);
    expect(JSON.stringify((caught as SpecError).diagnostics)).not.toContain(PASSWORD);
    expect((caught as SpecError).message).not.toContain(PASSWORD);
  });

  it("refuses what is not an http(s) index URL", () => {
    expect(problemsOf({ PIP_INDEX_URL: "ftp://pypi.example/simple" })).toEqual([
      'build arg PIP_INDEX_URL: index URL must use https or http, not "ftp"\n  hint: e.g. https://pypi.example.com/simple',
    ]);
    expect(problemsOf({ PIP_EXTRA_INDEX_URL: "pypi.example/simple" })).toEqual([
      'build arg PIP_EXTRA_INDEX_URL: "pypi.example/simple" is not a URL\n  hint: e.g. https://pypi.example.com/simple',
    ]);
    expect(problemsOf({ PIP_INDEX_URL: "https://a.example/simple https://b.example/simple" })).toEqual([
      "build arg PIP_INDEX_URL: it names 2 URLs; it is the one primary index\n  hint: put the others in PIP_EXTRA_INDEX_URL, separated by spaces",
    ]);
  });

  it("takes plain http only from a trusted host or a loopback one, as pip does", () => {
    expect(problemsOf({ PIP_INDEX_URL: "http://pypi.internal:8080/simple" })).toEqual([
      "build arg PIP_INDEX_URL: pip ignores the plain http index http://pypi.internal:8080/simple: its host is not trusted (only localhost, 127.0.0.0/8 and ::1 need no trust)\n  hint: use https, or add --build-arg PIP_TRUSTED_HOST=pypi.internal:8080",
    ]);
    expect(
      problemsOf({ PIP_INDEX_URL: "http://pypi.internal:8080/simple", PIP_TRUSTED_HOST: "pypi.internal" }),
    ).toEqual([]);
    expect(
      problemsOf({
        PIP_INDEX_URL: "http://pypi.internal:8080/simple",
        PIP_TRUSTED_HOST: "pypi.internal:9090",
      }),
    ).toHaveLength(1);
    for (const url of [
      "http://127.0.0.1:3141/simple",
      "http://localhost/simple",
      "http://[::1]:3141/simple",
    ]) {
      expect(problemsOf({ PIP_EXTRA_INDEX_URL: url })).toEqual([]);
    }
    // pip reads 127.1 as a host name, not as 127.0.0.1: the hint names it the way pip compares it.
    expect(problemsOf({ PIP_INDEX_URL: "http://127.1:3141/simple" })[0]).toContain(
      "PIP_TRUSTED_HOST=127.1:3141",
    );
  });

  it("refuses trusted hosts that are not hosts", () => {
    expect(problemsOf({ PIP_TRUSTED_HOST: "https://pypi.internal/simple" })).toEqual([
      'build arg PIP_TRUSTED_HOST: "https://pypi.internal/simple" is a URL, not a host\n  hint: write the host alone: pypi.internal',
    ]);
    expect(problemsOf({ PIP_TRUSTED_HOST: `deploy:${PASSWORD}@pypi.internal` })).toEqual([
      "build arg PIP_TRUSTED_HOST: an entry holds an @, as credentials do; it takes host names only\n  hint: write host or host:port, separated by spaces; index credentials are build secrets",
    ]);
    expect(problemsOf({ PIP_TRUSTED_HOST: "pypi.internal,other" })[0]).toContain(
      '"pypi.internal,other" is not a host',
    );
    expect(problemsOf({ PIP_TRUSTED_HOST: "10.0.0.1:3141 [fd00::1]:80 fd00::2 localhost" })).toEqual([]);
  });
});

describe("reading the registry mirror build arg", () => {
  const mirror = (value: string) => read({ PYFRONT_REGISTRY_MIRROR: value });

  for (const good of [
    "registry.example.com",
    "registry.example.com:5000",
    "localhost:5000/mirror",
    "localhost",
    "mirror:5000",
    "mirror.internal/docker-hub/proxy",
    "10.0.0.1:5000",
    "reg.example.com/a_b/c-d/e.f",
  ]) {
    it(`takes ${good}`, () =>
      expect(mirror(good)).toEqual({
        overrides: expect.objectContaining({ registryMirror: good }),
        problems: [],
      }));
  }

  const bad: Array<[string, string]> = [
    [
      "https://registry.example.com/hub/",
      'build arg PYFRONT_REGISTRY_MIRROR: "https://registry.example.com/hub/" starts with https://; image references name a registry without a scheme\n  hint: write "registry.example.com/hub"',
    ],
    [
      "registry.example.com/",
      'build arg PYFRONT_REGISTRY_MIRROR: "registry.example.com/" ends with "/"\n  hint: write "registry.example.com"',
    ],
    [
      "Registry.Example.com",
      'build arg PYFRONT_REGISTRY_MIRROR: "Registry.Example.com" has uppercase letters\n  hint: write "registry.example.com": repository paths must be lowercase',
    ],
    [
      "mirror",
      'build arg PYFRONT_REGISTRY_MIRROR: Docker would read "mirror" as a Docker Hub account, not as a registry\n  hint: name the registry by a host with a dot or a port, e.g. registry.example.com/dockerhub or mirror.internal:5000',
    ],
    [
      "mirror/library",
      'build arg PYFRONT_REGISTRY_MIRROR: Docker would read "mirror" as a Docker Hub account, not as a registry\n  hint: name the registry by a host with a dot or a port, e.g. registry.example.com/dockerhub or mirror.internal:5000',
    ],
    [
      "reg.example.com:99999",
      'build arg PYFRONT_REGISTRY_MIRROR: "reg.example.com:99999" does not start with a registry host[:port]\n  hint: e.g. registry.example.com/dockerhub or mirror.internal:5000',
    ],
    [
      "reg_istry.example.com",
      'build arg PYFRONT_REGISTRY_MIRROR: "reg_istry.example.com" does not start with a registry host[:port]\n  hint: e.g. registry.example.com/dockerhub or mirror.internal:5000',
    ],
    [
      "reg.example.com/a//b",
      'build arg PYFRONT_REGISTRY_MIRROR: "" is not a repository path component\n  hint: path components are lowercase letters and digits, separated by . _ __ or -',
    ],
    [
      "reg.example.com/-a",
      'build arg PYFRONT_REGISTRY_MIRROR: "-a" is not a repository path component\n  hint: path components are lowercase letters and digits, separated by . _ __ or -',
    ],
    [
      "reg.example.com/a b",
      "build arg PYFRONT_REGISTRY_MIRROR: it holds whitespace or control characters\n  hint: write one registry host[:port][/path], e.g. registry.example.com/dockerhub or mirror.internal:5000",
    ],
    [
      "reg.example.com/python:3.13",
      'build arg PYFRONT_REGISTRY_MIRROR: "python:3.13" is not a repository path component\n  hint: path components are lowercase letters and digits, separated by . _ __ or -',
    ],
    [
      `robot:${PASSWORD}@reg.example.com`,
      "build arg PYFRONT_REGISTRY_MIRROR: it holds an @, as credentials do; it takes a registry host[:port][/path] only\n  hint: the engine logs in to the mirror (docker login) as to any registry; never put credentials in a build arg",
    ],
  ];
  for (const [value, message] of bad) {
    it(`refuses ${JSON.stringify(value)}`, () => {
      const result = mirror(value);
      expect(result.problems).toEqual([message]);
      expect(result.overrides.registryMirror).toBeUndefined();
    });
  }
});

const SPEC_INDICES: PackageIndex[] = [
  { url: "http://private.internal/simple", primary: true, trusted: true, credentialsSecret: "pypi" },
  { url: "https://vendor.example/simple", primary: false, trusted: false },
  { url: "https://pypi.org/simple/", primary: false, trusted: false },
];

describe("how the overrides combine with the spec's indices", () => {
  it("knows PyPI's index URLs", () => {
    expect(isPypiIndex("https://pypi.org/simple")).toBe(true);
    expect(isPypiIndex("https://pypi.org/simple/")).toBe(true);
    expect(isPypiIndex("https://PyPI.org/simple")).toBe(true);
    expect(isPypiIndex("https://pypi.python.org/simple")).toBe(true);
    expect(isPypiIndex("https://pypi.org/project/x")).toBe(false);
    expect(isPypiIndex("https://mirror.example/pypi.org/simple")).toBe(false);
  });

  it("without overrides, is what the spec says", () => {
    expect(pipIndexSetup(SPEC_INDICES).credentialArgs).toEqual([
      "primary",
      "http://private.internal/simple",
      "/run/secrets/pyfront-index-0",
      "pypi",
      "extra",
      "https://vendor.example/simple",
      "",
      "",
      "extra",
      "https://pypi.org/simple/",
      "",
      "",
    ]);
  });

  it("PIP_INDEX_URL replaces the spec's primary index and PyPI; the spec's other extras stay; PIP_EXTRA_INDEX_URL comes after", () => {
    const setup = pipIndexSetup(SPEC_INDICES, {
      primary: "https://mirror.example/simple",
      extras: ["https://team.example/simple", "https://vendor.example/simple/"],
      trustedHosts: ["team.example"],
    });
    expect(setup.credentialArgs).toEqual([
      "primary",
      "https://mirror.example/simple",
      "/run/secrets/pyfront-index-url",
      "",
      "extra",
      "https://vendor.example/simple",
      "",
      "",
      "extra",
      "https://team.example/simple",
      "/run/secrets/pyfront-extra-index-url-0",
      "",
    ]);
    // The replaced index's trusted host and required secret go with it.
    expect(setup.options).toEqual(["--trusted-host", "team.example"]);
    expect(setup.secrets).toEqual([
      {
        id: "pyfront-index-url",
        required: false,
        source: "build-secret",
        purpose:
          "credentials for package index https://mirror.example/simple (build arg PIP_INDEX_URL), when it needs them",
      },
      {
        id: "pyfront-extra-index-url-0",
        required: false,
        source: "build-secret",
        purpose:
          "credentials for package index https://team.example/simple (build arg PIP_EXTRA_INDEX_URL), when it needs them",
      },
    ]);
    expect(setup.mounts).toEqual([
      { type: "secret", id: "pyfront-index-url", target: "/run/secrets/pyfront-index-url", required: false },
      {
        type: "secret",
        id: "pyfront-extra-index-url-0",
        target: "/run/secrets/pyfront-extra-index-url-0",
        required: false,
      },
    ]);
  });

  it("PIP_EXTRA_INDEX_URL alone adds to the spec's indices, primary included", () => {
    const setup = pipIndexSetup(SPEC_INDICES.slice(0, 2), {
      extras: ["https://team.example/simple"],
      trustedHosts: ["private.internal"],
    });
    expect(setup.credentialArgs?.filter((_, i) => i % 4 === 1)).toEqual([
      "http://private.internal/simple",
      "https://vendor.example/simple",
      "https://team.example/simple",
    ]);
    // The spec already trusts private.internal: one --trusted-host for it.
    expect(setup.options).toEqual(["--trusted-host", "private.internal"]);
  });

  it("an index named by the spec and a build arg is used once, in the build arg's role", () => {
    const setup = pipIndexSetup(SPEC_INDICES.slice(1, 2), {
      primary: "https://vendor.example/simple/",
      extras: [],
      trustedHosts: [],
    });
    expect(setup.credentialArgs).toEqual([
      "primary",
      "https://vendor.example/simple/",
      "/run/secrets/pyfront-index-url",
      "",
    ]);
  });

  it("PIP_TRUSTED_HOST alone adds --trusted-host to the spec's options", () => {
    expect(
      pipIndexSetup(SPEC_INDICES.slice(1, 2), {
        extras: [],
        trustedHosts: ["a.internal", "b.internal:8080"],
      }),
    ).toEqual({
      options: [
        "--extra-index-url",
        "https://vendor.example/simple",
        "--trusted-host",
        "a.internal",
        "--trusted-host",
        "b.internal:8080",
      ],
      mounts: [],
      secrets: [],
    });
  });
});

function customName(metadata: unknown): string {
  return (
    (metadata as { description?: Record<string, string> } | undefined)?.description?.["llb.customname"] ?? ""
  );
}

function pipRuns(plan: BuildPlan): RunStep[] {
  return plan.stages.flatMap((s) =>
    s.steps.filter(
      (step): step is RunStep =>
        step.kind === "run" && step.mounts.some((m) => m.type === "cache" && m.id.startsWith("pyfront-pip")),
    ),
  );
}

const ARGS = {
  PIP_INDEX_URL: "http://127.0.0.1:3141/simple",
  PIP_EXTRA_INDEX_URL: "https://extra.example/simple",
  PIP_TRUSTED_HOST: "extra.example",
};

describe("the overrides in a plan", () => {
  const spec = FIXTURES.webapp!;
  const plain = planBuild(spec, { buildArgs: {} });
  const overridden = planBuild(spec, { buildArgs: ARGS });

  it("reach every pip step", () => {
    const runs = pipRuns(overridden);
    expect(runs.map((r) => r.description)).toEqual([
      "install dependencies (before the project's code, so code changes reuse this layer)",
      "install the project",
    ]);
    for (const run of runs) {
      // The project's install runs inside the script that stages its files (src/plan/project-layer.ts).
      const argv = run.argv[2] === PROJECT_FILES_SCRIPT ? run.argv.slice(6) : run.argv;
      expect(argv.slice(3, 11)).toEqual([
        "primary",
        "http://127.0.0.1:3141/simple",
        "/run/secrets/pyfront-index-url",
        "",
        "extra",
        "https://extra.example/simple",
        "/run/secrets/pyfront-extra-index-url-0",
        "",
      ]);
      expect(run.argv.join(" ")).toContain("--trusted-host extra.example");
    }
  });

  it("change nothing but the pip steps, the secrets they may read and the decisions", () => {
    const strip = (plan: BuildPlan) =>
      plan.stages.map((s) => ({
        ...s,
        steps: s.steps.filter((step) => !pipRuns(plan).includes(step as RunStep)),
      }));
    expect(strip(overridden)).toEqual(strip(plain));
    expect(overridden.image).toEqual(plain.image);
    expect(overridden.secrets.map((s) => s.id)).toEqual(["pyfront-index-url", "pyfront-extra-index-url-0"]);
    expect(overridden.decisions.indices).toEqual({
      choice: "http://127.0.0.1:3141/simple",
      rule: "index-build-args",
      reason:
        "PIP_INDEX_URL replaces PyPI; PIP_EXTRA_INDEX_URL adds https://extra.example/simple; PIP_TRUSTED_HOST trusts extra.example",
    });
    expect(plain.decisions.indices).toBeUndefined();
  });

  it("leave every LLB op that runs before or beside the pip steps as it was (the cache holds)", () => {
    const ops = (plan: BuildPlan) =>
      definitionToJson(
        marshalDefinition(renderLlb(plan, { sessionId: "", contextExcludes: [] }).state).definition,
      ).ops;
    const names = (list: ReturnType<typeof ops>) =>
      new Map(list.map((op) => [op.digest, customName(op.metadata)]));
    const before = names(ops(plain));
    const after = names(ops(overridden));
    const kept = [...before].filter(([digest]) => after.has(digest)).map(([, name]) => name);
    const changed = [...before].filter(([digest]) => !after.has(digest)).map(([, name]) => name);
    expect(kept).toEqual(
      expect.arrayContaining([
        "[internal] load build context",
        "[builder] create the virtual environment /opt/venv",
        "[builder] WORKDIR /pyfront/context",
        "[runtime] FROM python:3.11-slim",
        "[runtime] create the user nonroot (65532:65532)",
        "[downloads] ADD https://downloads.example.org/geo/GeoLite2-City.mmdb?v=2 /pyfront/downloads/0/GeoLite2-City.mmdb",
      ]),
    );
    // Only the pip steps, and what is built on their layers: the bytecode step, the runtime's copy
    // of the venv and after.
    const pipSteps = [
      "[builder] install dependencies (before the project's code, so code changes reuse this layer)",
      "[builder] compile the dependencies' bytecode, not their test suites'",
      "[project] install the project",
    ];
    expect(changed).toEqual(expect.arrayContaining([...pipSteps, "[runtime] COPY /opt/venv /opt/venv"]));
    for (const name of changed.filter((n) => !pipSteps.includes(n)))
      expect(name).toMatch(/^(\[runtime\] (COPY|ADD) |WORKDIR |$)/);
  });

  it("are the same for every key order of the build args", () => {
    const reversed = Object.fromEntries(Object.entries(ARGS).reverse());
    expect(planBuild(spec, { buildArgs: reversed })).toEqual(overridden);
  });

  it("are written into the Dockerfile's pip steps, with the optional secrets in its header", () => {
    const dockerfile = renderDockerfile(overridden);
    expect(dockerfile).toContain(
      "# Build secret pyfront-index-url (credentials for package index http://127.0.0.1:3141/simple (build arg PIP_INDEX_URL), when it needs them): optional; pass --secret id=pyfront-index-url,src=FILE holding user:password (or a token) to use them.",
    );
    expect(dockerfile).toContain(
      "--mount=type=secret,id=pyfront-index-url,target=/run/secrets/pyfront-index-url,required=false",
    );
  });

  it("report every problem at once", () => {
    expect(() =>
      planBuild(spec, { buildArgs: { PIP_INDEX_URL: "ftp://x/simple", PYFRONT_REGISTRY_MIRROR: "mirror" } }),
    ).toThrow(/PIP_INDEX_URL[\s\S]*PYFRONT_REGISTRY_MIRROR/);
  });
});

describe("the registry mirror in a plan", () => {
  const spec = FIXTURES.webapp!; // builder python:3.11, runtime python:3.11-slim, copy_files from debian:bookworm
  const plain = planBuild(spec, { buildArgs: {} });
  const mirrored = planBuild(spec, { buildArgs: { PYFRONT_REGISTRY_MIRROR: "registry.example.com/hub" } });

  it("pulls every stage base and copy_files image through the mirror", () => {
    expect(mirrored.stages.map((s) => s.base)).toEqual([
      { kind: "image", ref: "registry.example.com/hub/library/python:3.11" },
      { kind: "stage", name: "builder" },
      { kind: "image", ref: "registry.example.com/hub/library/python:3.11" },
      { kind: "image", ref: "registry.example.com/hub/library/python:3.11-slim" },
    ]);
    const fromImages = mirrored.stages.flatMap((s) =>
      s.steps.flatMap((step) => (step.kind === "copy" && step.from.kind === "image" ? [step.from.ref] : [])),
    );
    expect(fromImages).toEqual(["registry.example.com/hub/library/debian:bookworm"]);
  });

  it("keeps the labels and everything else as the spec wrote it", () => {
    expect(mirrored.image).toEqual(plain.image);
    expect(mirrored.image.labels).toContainEqual({
      name: "org.opencontainers.image.base.name",
      value: "python:3.11-slim",
    });
    const withoutImages = (plan: BuildPlan) =>
      JSON.stringify(plan.stages.map((s) => s.steps)).replaceAll("registry.example.com/hub/library/", "");
    expect(withoutImages(mirrored)).toEqual(withoutImages(plain));
  });

  it("says so in the plan's decisions", () => {
    expect(mirrored.decisions.images).toEqual({
      choice: "registry.example.com/hub",
      rule: "registry-mirror-build-arg",
      reason:
        "PYFRONT_REGISTRY_MIRROR pulls the Docker Hub images through the mirror: python:3.11 as registry.example.com/hub/library/python:3.11, python:3.11-slim as registry.example.com/hub/library/python:3.11-slim, debian:bookworm as registry.example.com/hub/library/debian:bookworm",
    });
  });

  it("leaves images that name their registry", () => {
    const spec2 = {
      ...spec,
      builderImage: "ghcr.io/org/python:3.11",
      runtimeImage: "localhost:5000/python:3.11-slim",
    };
    const plan = planBuild(spec2, { buildArgs: { PYFRONT_REGISTRY_MIRROR: "registry.example.com" } });
    expect(plan.stages.map((s) => s.base.kind === "image" && s.base.ref)).toEqual([
      "ghcr.io/org/python:3.11",
      false,
      "ghcr.io/org/python:3.11",
      "localhost:5000/python:3.11-slim",
    ]);
    expect(plan.decisions.images?.reason).toContain(
      "ghcr.io/org/python:3.11, localhost:5000/python:3.11-slim name another registry and stay",
    );
  });

  it("renders the mirrored FROM lines", () => {
    expect(renderDockerfile(mirrored)).toContain(
      "FROM registry.example.com/hub/library/python:3.11-slim AS runtime",
    );
  });
});

// Needs python3 with pip on the test machine (test-all's has them); skipped, and said so, without.
const hasPip = spawnSync("python3", ["-m", "pip", "--version"]).status === 0;

describe("the credentials script with a build arg's optional secret", () => {
  /** The PIP_INDEX_URL pip is handed, read back with `pip config debug`. */
  function indexUrlPipSees(setup: ReturnType<typeof pipIndexSetup>, secretDir: string): string {
    const args = setup.credentialArgs!.map((arg) => arg.replace("/run/secrets", secretDir));
    const python = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], {
      encoding: "utf8",
    }).stdout.trim();
    const run = spawnSync(
      "python3",
      ["-c", PIP_WITH_CREDENTIALS_SCRIPT, ...args, "--", python, "config", "debug"],
      {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", HOME: secretDir },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    return /PIP_INDEX_URL='([^']*)'/.exec(run.stdout)?.[1] ?? "";
  }
  const setup = pipIndexSetup([], { primary: "https://mirror.example/simple", extras: [], trustedHosts: [] });

  it.runIf(hasPip)("uses the index without credentials when the secret was not passed", () => {
    const dir = mkdtempSync(join(tmpdir(), "pyfront-optional-secret-"));
    expect(indexUrlPipSees(setup, dir)).toBe("https://mirror.example/simple");
  });

  it.runIf(hasPip)("puts the secret's user:password into the URL when it was passed", () => {
    const dir = mkdtempSync(join(tmpdir(), "pyfront-optional-secret-"));
    writeFileSync(join(dir, "pyfront-index-url"), "deploy:p@ss/word\n");
    expect(indexUrlPipSees(setup, dir)).toBe("https://deploy:p%40ss%2Fword@mirror.example/simple");
  });
});
