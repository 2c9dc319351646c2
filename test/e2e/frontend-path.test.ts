// Issue 4's promise on a real engine: `docker build -f pyproject.toml` runs pyfront's frontend
// image inside BuildKit and gives the same image as the generated Dockerfile, with the same
// guarantees; a bad spec is reported with its file, line and problem.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLeaks } from "../unit/hostile/leak-search.js";
import { pyfront } from "./support/cli.js";
import { docker, engineEnv, imageInspect, removeImage, runShell } from "./support/engine.js";
import {
  combined,
  copyExample,
  EXAMPLES,
  type ExampleCopy,
  expectBestPractice,
  expectSalesReport,
  useAuthIndex,
  vertexLines,
  wasCached,
} from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";
import {
  expectSecretNotInBuildRecord,
  occurrences,
  recordMarker,
  saveImage,
} from "./support/image-search.js";
import { fileTree, runtimeConfig } from "./support/image-tree.js";
import { expectOnlyTheCodeLayersChanged, folderBytes, layerDigests } from "./support/layers.js";

const env = engineEnv();
const images: string[] = [];
const copies: ExampleCopy[] = [];

beforeAll(() => ensureFrontendImage());

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const copy of copies) copy.dispose();
});

function scratchCopy(name: Parameters<typeof copyExample>[0]): ExampleCopy {
  const copy = copyExample(name);
  copies.push(copy);
  return copy;
}

/** `docker build -f pyproject.toml`: the syntax line in the file picks pyfront's frontend. */
async function buildWithFrontend(
  copy: ExampleCopy,
  tag: string,
  extra: string[] = [],
  specFile = "pyproject.toml",
) {
  images.push(tag);
  return docker([
    "build",
    "--progress=plain",
    "--network",
    "host",
    ...extra,
    "-f",
    join(copy.dir, specFile),
    "-t",
    tag,
    copy.dir,
  ]);
}

const DEPENDENCY_STEP = /^\[builder\] install dependencies/;
const PROJECT_STEP = /^\[(builder|project)\] (install the project|COPY )/;
const BACKEND_STEP = /^\[builder\] install the build backend/;

describe(`pyfront's frontend on engine ${env.engine}`, () => {
  for (const example of EXAMPLES) {
    it(`${example.name}: builds from pyproject.toml, runs as 65532 without compiler or pip cache, caches unchanged rebuilds and its dependencies`, async () => {
      const copy = scratchCopy(example.name);
      expect(copy.read(example.specFile).split("\n")[0]).toBe(`#syntax=${FRONTEND_IMAGE}`);
      const tag = `pyfront-e2e-fe-${example.name}:${env.engine.toLowerCase()}`;

      const first = await buildWithFrontend(copy, tag, [], example.specFile);
      expect(first.code, combined(first)).toBe(0);
      await example.check(tag);
      await expectBestPractice(tag);

      // Nothing changed: every step comes from the cache, the project's included.
      const unchanged = await buildWithFrontend(copy, tag, [], example.specFile);
      expect(unchanged.code, combined(unchanged)).toBe(0);
      expect(wasCached(combined(unchanged), PROJECT_STEP), combined(unchanged)).toBe(true);

      const layersBefore = await layerDigests(tag);
      copy.touchSource(example);
      const second = await buildWithFrontend(copy, tag, [], example.specFile);
      const log = combined(second);
      expect(second.code, log).toBe(0);
      if (example.name !== "script") expect(wasCached(log, DEPENDENCY_STEP), log).toBe(true);
      // A package's build backend is installed once: a code edit neither downloads nor reinstalls it.
      expect(vertexLines(log, BACKEND_STEP).length > 0, log).toBe(example.isPackage);
      if (example.isPackage) expect(wasCached(log, BACKEND_STEP), log).toBe(true);
      expect(wasCached(log, PROJECT_STEP), log).toBe(false);
      // The image shares every layer before the project's with the one before the edit.
      await expectOnlyTheCodeLayersChanged(layersBefore, tag, folderBytes(copy.dir));
      await example.check(tag);
    });
  }

  it("dataframe with remove_test_suites = true: no installed test suite is left, pandas still runs, and the image is smaller", async () => {
    const copy = scratchCopy("dataframe");
    copy.write(
      "pyproject.toml",
      copy.read("pyproject.toml").replace("[tool.pyfront]\n", "[tool.pyfront]\nremove_test_suites = true\n"),
    );
    const tag = `pyfront-e2e-fe-no-suites:${env.engine.toLowerCase()}`;
    const built = await buildWithFrontend(copy, tag);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    // The dependencies are the default build's (above): the deletion is a step after them.
    expect(wasCached(log, DEPENDENCY_STEP), log).toBe(true);
    expect(vertexLines(log, /delete the dependencies' installed test suites/).length, log).toBeGreaterThan(0);
    await expectSalesReport(tag);
    await expectBestPractice(tag);
    const left = await runShell(
      tag,
      "cd /opt/venv/lib/python3.11/site-packages && find . -type d -name tests; ls pandas/__pycache__/__init__.cpython-311.pyc pandas/testing.py",
    );
    expect(left.code, left.stderr).toBe(0);
    expect(left.stdout.trim().split("\n")).toEqual([
      "pandas/__pycache__/__init__.cpython-311.pyc",
      "pandas/testing.py",
    ]);
    // The suites' sources were 17.5 MB of the default image (bench/results/size-split-A.json).
    const sizes = await Promise.all(
      [tag, `pyfront-e2e-fe-dataframe:${env.engine.toLowerCase()}`].map(imageInspect),
    );
    expect(sizes[1], "the dataframe's default build, the first test of this file").toBeDefined();
    expect(sizes[1]!.Size! - sizes[0]!.Size!).toBeGreaterThan(10e6);
  });

  for (const example of EXAMPLES) {
    it(`${example.name}: is chosen by --build-arg BUILDKIT_SYNTAX alone, without the syntax line`, async () => {
      const copy = scratchCopy(example.name);
      copy.write(example.specFile, copy.read(example.specFile).replace(/^#syntax=.*\n/, ""));
      const tag = `pyfront-e2e-fe-syntax-arg-${example.name}:${env.engine.toLowerCase()}`;
      const built = await buildWithFrontend(
        copy,
        tag,
        ["--build-arg", `BUILDKIT_SYNTAX=${FRONTEND_IMAGE}`],
        example.specFile,
      );
      expect(built.code, combined(built)).toBe(0);
      await example.check(tag);
      await expectBestPractice(tag);
    });
  }

  // Docker 23 and later build through buildx, which records more of a build (attrs of its own,
  // a provenance attestation by default): engine B's client has it, engine A's Docker 20.10 none.
  const authClients = env.engine === "B" ? [["build"], ["buildx", "build", "--load"]] : [["build"]];
  it(`installs from an index that needs basic auth, and the password is nowhere, build record included (docker ${authClients.map((c) => c.join(" ")).join(", docker ")})`, async () => {
    const copy = scratchCopy("webapp");
    const { password, secretFile } = useAuthIndex(copy);
    for (const client of authClients) {
      const tag = `pyfront-e2e-fe-auth-${client[0]}:${env.engine.toLowerCase()}`;
      images.push(tag);
      const marker = recordMarker();
      const built = await docker([
        ...client,
        "--progress=plain",
        "--network",
        "host",
        "--secret",
        `id=pypi,src=${secretFile}`,
        ...marker.args,
        "-f",
        join(copy.dir, "pyproject.toml"),
        "-t",
        tag,
        copy.dir,
      ]);
      const log = combined(built);
      expect(built.code, log).toBe(0);
      const history = await docker(["history", "--no-trunc", tag]);
      const saved = await saveImage(tag);
      expect(findLeaks(password, { log, history: history.stdout, saved })).toEqual([]);
      await expectSecretNotInBuildRecord(password, marker.value, {
        logs: "install dependencies",
        provenance: true,
      });
    }
    const llb = pyfront(["llb", "--json", copy.dir]);
    expect(findLeaks(password, { llb })).toEqual([]);
    expect(occurrences(readFileSync(secretFile), password)).toBe(1);
  });

  it("shows pyfront's warnings to a plain docker build on every engine, as a step named after each", async () => {
    const copy = scratchCopy("script");
    const spec = copy.read("pyproject.toml");
    copy.write("pyproject.toml", `${spec}\n[tool.microb.target.default]\npython_version = "3.11"\n`);
    const built = await buildWithFrontend(copy, `pyfront-e2e-fe-warned:${env.engine.toLowerCase()}`);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    // A step named after the warning: BuildKit 0.8 has no Warn call, buildx 0.13 does not show it.
    expect(log).toMatch(
      /^#\d+ WARNING: pyproject\.toml:\d+:\d+: warning: tool\.microb: ignored because \[tool\.pyfront\] is present hint: remove one of the two tables$/m,
    );
  });

  it("reports a bad spec with its file, line and problem, not a crash", async () => {
    const copy = scratchCopy("script");
    copy.write(
      "pyproject.toml",
      `#syntax=${FRONTEND_IMAGE}\n[tool.pyfront]\npython_version = "3.11"\nbuild_deps = ["gcc; rm -rf /"]\n`,
    );
    const built = await buildWithFrontend(copy, `pyfront-e2e-fe-bad:${env.engine.toLowerCase()}`);
    const log = combined(built);
    expect(built.code).not.toBe(0);
    expect(log).toContain(
      'pyproject.toml:4:15: tool.pyfront.build_deps[0]: "gcc; rm -rf /" is not a Debian package name',
    );
    expect(log).toContain("hint: use lowercase letters");
    expect(log).not.toMatch(/internal error|TypeError|at .*\.mjs:\d+/);
    if (env.engine === "B") {
      // buildx prints the offending line from the source detail the frontend returned.
      const viaBuildx = await docker([
        "buildx",
        "build",
        "--progress=plain",
        "-f",
        join(copy.dir, "pyproject.toml"),
        copy.dir,
      ]);
      const buildxLog = combined(viaBuildx);
      expect(viaBuildx.code).not.toBe(0);
      expect(buildxLog).toContain('>>> build_deps = ["gcc; rm -rf /"]');
      expect(buildxLog).toContain("pyproject.toml:4:15:");
    }
  });
});

describe(`frontend and generated Dockerfile give the same image on engine ${env.engine}`, () => {
  it("webapp: through the generated Dockerfile too, a one-line edit changes only the code's layers", async () => {
    const copy = scratchCopy("webapp");
    const tag = `pyfront-e2e-df-edit-webapp:${env.engine.toLowerCase()}`;
    images.push(tag);
    const build = async () => {
      writeFileSync(copy.outside("Dockerfile.pyfront"), pyfront(["dockerfile", copy.dir]));
      const built = await docker([
        "build",
        "--network",
        "host",
        "-f",
        copy.outside("Dockerfile.pyfront"),
        "-t",
        tag,
        copy.dir,
      ]);
      expect(built.code, combined(built)).toBe(0);
    };
    await build();
    const layersBefore = await layerDigests(tag);
    copy.touchSource(EXAMPLES.find((e) => e.name === "webapp")!);
    await build();
    await expectOnlyTheCodeLayersChanged(layersBefore, tag, folderBytes(copy.dir));
  });

  for (const example of EXAMPLES) {
    it(`${example.name}: same config and file tree`, async () => {
      const copy = scratchCopy(example.name);
      const viaFrontend = `pyfront-e2e-eq-fe-${example.name}:${env.engine.toLowerCase()}`;
      const viaDockerfile = `pyfront-e2e-eq-df-${example.name}:${env.engine.toLowerCase()}`;
      const frontend = await buildWithFrontend(copy, viaFrontend, [], example.specFile);
      expect(frontend.code, combined(frontend)).toBe(0);
      writeFileSync(
        copy.outside("Dockerfile.pyfront"),
        pyfront(["dockerfile", "-f", join(copy.dir, example.specFile), copy.dir]),
      );
      images.push(viaDockerfile);
      const dockerfile = await docker([
        "build",
        "--network",
        "host",
        "-f",
        copy.outside("Dockerfile.pyfront"),
        "-t",
        viaDockerfile,
        copy.dir,
      ]);
      expect(dockerfile.code, combined(dockerfile)).toBe(0);

      const [a, b] = await Promise.all([imageInspect(viaFrontend), imageInspect(viaDockerfile)]);
      expect(runtimeConfig(a)).toEqual(runtimeConfig(b));
      expect(await fileTree(viaFrontend)).toEqual(await fileTree(viaDockerfile));
    });
  }
});
