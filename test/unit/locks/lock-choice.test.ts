// Which lock a project installs from, and the spec keys that steer it (`lock`, `groups`), loaded
// and planned as a build would.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";

const FIXTURE = join(import.meta.dirname, "../../locks/uv/flask-app");
const UV_LOCK = readFileSync(join(FIXTURE, "uv.lock"), "utf8");
const PYPROJECT = readFileSync(join(FIXTURE, "pyproject.toml"), "utf8");

function load(files: Record<string, string>, specFile = "pyproject.toml") {
  const context = memoryContext({ ".python-version": "3.13\n", ...files });
  return loadBuildSpec(files[specFile]!, { specFile, buildArgs: {} }, context);
}

function errorsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof SpecError)
      return error.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
    throw error;
  }
  return [];
}

describe("choosing the lock", () => {
  it("installs from the lock next to the pyproject, and the plan says which and why", () => {
    const { spec } = load({ "pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK });
    expect(spec.lock?.graph.file).toBe("uv.lock");
    expect(spec.dependencies).toEqual([]);
    expect(spec.decisions.dependencies?.rule).toMatch(/lock-file$/);
    const plan = planBuild(spec, { buildArgs: {} });
    expect(plan.locked?.target).toBe("CPython 3.13 on linux/x86_64");
    expect(plan.locked?.packages.map((p) => p.name)).toContain("flask");
  });

  it("selects for the build's machine, and names it", () => {
    const { spec } = load({ "pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK });
    // The test index has MarkupSafe for x86_64 only: the lock has no file for arm64.
    expect(errorsOf(() => planBuild(spec, { buildArgs: {}, architecture: "arm64" }))).toEqual([
      expect.stringMatching(
        /^uv\.lock:\d+:1: markupsafe 2\.1\.5 has no file in uv\.lock for CPython 3\.13 on linux\/aarch64/,
      ),
    ]);
    expect(errorsOf(() => planBuild(spec, { buildArgs: {}, architecture: "s390x" }))).toEqual([
      "uv.lock:1:1: uv.lock: pyfront selects locks for linux/amd64 and linux/arm64, not linux/s390x\n  hint: build for one of those platforms",
    ]);
  });

  it("resolves the declared dependencies instead with lock = false", () => {
    const text = `${PYPROJECT}\n[tool.pyfront]\nlock = false\n`;
    const { spec } = load({ "pyproject.toml": text, "uv.lock": UV_LOCK });
    expect(spec.lock).toBeUndefined();
    expect(spec.dependencies.length).toBeGreaterThan(0);
  });

  it("reads a named PEP 751 lock only when the lock key names it, and refuses a file that is no lock", () => {
    const pylock = readFileSync(join(import.meta.dirname, "../../locks/pylock/pip-lock/pylock.toml"), "utf8");
    const pyproject = readFileSync(
      join(import.meta.dirname, "../../locks/pylock/pip-lock/pyproject.toml"),
      "utf8",
    );
    const unnamed = load({ "pyproject.toml": pyproject, "pylock.prod.toml": pylock });
    expect(unnamed.spec.lock).toBeUndefined();
    const named = load({
      "pyproject.toml": `${pyproject}\n[tool.pyfront]\nlock = "pylock.prod.toml"\n`,
      "pylock.prod.toml": pylock,
    });
    expect(named.spec.lock?.graph.format).toBe("pylock");
    expect(named.spec.decisions.dependencies?.rule).toBe("lock-key");
    const messages = errorsOf(() =>
      load({
        "pyproject.toml": `${pyproject}\n[tool.pyfront]\nlock = "requirements.txt"\n`,
        "requirements.txt": "x\n",
      }),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/tool\.pyfront\.lock: "requirements\.txt" is not a lockfile pyfront reads/);
  });

  it("warns which lock is passed over when there are several", () => {
    const loaded = load({ "pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK, "poetry.lock": "x" });
    expect(loaded.spec.lock?.graph.file).toBe("uv.lock");
    expect(loaded.warnings.map(formatDiagnostic).join("\n")).toContain(
      "poetry.lock is not used: the project is installed from uv.lock",
    );
  });

  it("leaves the lock alone when the build names a requirements file", () => {
    const { spec } = load(
      { "pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK, "requirements.txt": "flask==3.1.3\n" },
      "requirements.txt",
    );
    expect(spec.lock).toBeUndefined();
  });

  it("refuses a group the lock does not have, at the groups key", () => {
    const text = `${PYPROJECT}\n[tool.pyfront]\ngroups = ["docs"]\n`;
    const { spec } = load({ "pyproject.toml": text, "uv.lock": UV_LOCK });
    const messages = errorsOf(() => planBuild(spec, { buildArgs: {} }));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^pyproject\.toml:\d+:\d+: the group "docs" is not in uv\.lock/);
  });
});

describe("a uv workspace member, built from its own folder", () => {
  const WORKSPACE = join(import.meta.dirname, "../../locks/uv/workspace");
  const files = Object.fromEntries(
    [
      "pyproject.toml",
      "uv.lock",
      "packages/core/pyproject.toml",
      "packages/worker/pyproject.toml",
      "packages/core/src/acme_core/__init__.py",
      "packages/worker/src/acme_worker/__init__.py",
    ].map((path) => [path, readFileSync(join(WORKSPACE, path), "utf8")]),
  );

  it("installs from the workspace's uv.lock at the root, rooted at the member, as uv sync in its folder does", () => {
    const { spec } = load(files, "packages/worker/pyproject.toml");
    expect(spec.lock?.graph.file).toBe("uv.lock");
    expect(spec.decisions.dependencies?.rule).toBe("workspace-lock-file");
    expect(spec.decisions.dependencies?.reason).toMatch(/packages\/worker is a member of the uv workspace/);
    const plan = planBuild(spec, { buildArgs: {} });
    const names = plan.locked?.packages.map((p) => p.name).sort();
    // The worker's own dependencies and acme-core from the context; neither the root project
    // (uvicorn is the root's) nor the worker itself, which the project step installs.
    expect(names).toEqual(["acme-core", "python-dateutil", "redis", "tzdata"]);
    expect(plan.locked?.packages.find((p) => p.name === "acme-core")?.source).toBe("path packages/core");
  });

  it("finds no lock for a folder the workspace's members leave out, or excludes", () => {
    const excluded = files["pyproject.toml"]!.replace(
      'members = ["packages/*"]',
      'members = ["packages/*"]\nexclude = ["packages/w[o]rker"]',
    );
    expect(load({ ...files, "pyproject.toml": excluded }, "packages/worker/pyproject.toml").spec.lock).toBe(
      undefined,
    );
    const other = files["pyproject.toml"]!.replace('members = ["packages/*"]', 'members = ["libs/**"]');
    expect(load({ ...files, "pyproject.toml": other }, "packages/worker/pyproject.toml").spec.lock).toBe(
      undefined,
    );
  });

  it("refuses a workspace lock that has no package for the member: it was not locked again", () => {
    const lockWithoutWorker = files["uv.lock"]!.replace(
      'source = { editable = "packages/worker" }',
      'source = { editable = "packages/old-worker" }',
    );
    const messages = errorsOf(() =>
      load({ ...files, "uv.lock": lockWithoutWorker }, "packages/worker/pyproject.toml"),
    );
    expect(messages).toEqual([
      expect.stringMatching(
        /^uv\.lock:\d+:\d+: manifest\.members: no package of the lock is the workspace member at packages\/worker: the lock is out of date\n {2}hint: run uv lock at the workspace's root/,
      ),
    ]);
  });
});

describe("[tool.uv] default-groups", () => {
  const DIR = join(import.meta.dirname, "../../locks/uv/extras-dev");
  const lock = readFileSync(join(DIR, "uv.lock"), "utf8");
  const pyproject = readFileSync(join(DIR, "pyproject.toml"), "utf8");
  const withDefaults = (value: string, pyfront = "") =>
    pyproject.replace("[tool.uv]\n", `[tool.uv]\ndefault-groups = ${value}\n`) + pyfront;
  const warningsOf = (text: string) =>
    load({ "pyproject.toml": text, "uv.lock": lock })
      .warnings.map(formatDiagnostic)
      .filter((m) => m.includes("default group"));

  it("names the default groups besides dev that the image leaves out, at the key", () => {
    expect(warningsOf(withDefaults('["dev", "docs"]'))).toEqual([
      expect.stringMatching(
        /^pyproject\.toml:21:18: warning: tool\.uv\.default-groups: uv sync installs the default group docs; the image has the main dependencies only\n {2}hint: to install it, add groups = \["docs"\] to \[tool\.pyfront\]/,
      ),
    ]);
    expect(warningsOf(withDefaults('"all"'))).toEqual([expect.stringContaining("default group docs;")]);
  });

  it("says nothing for dev alone, or for groups the spec installs", () => {
    expect(warningsOf(withDefaults('["dev"]'))).toEqual([]);
    expect(warningsOf(withDefaults('["dev", "docs"]', '\n[tool.pyfront]\ngroups = ["docs"]\n'))).toEqual([]);
    const { spec } = load({
      "pyproject.toml": withDefaults('["dev", "docs"]', '\n[tool.pyfront]\ngroups = ["docs"]\n'),
      "uv.lock": lock,
    });
    expect(planBuild(spec, { buildArgs: {} }).locked?.packages.map((p) => p.name)).toContain(
      "markdown-it-py",
    );
  });
});
