import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../../src/cli/main.js";
import {
  emptyLock,
  formatLock,
  lockProblems,
  lockWithNewVersions,
  parseLock,
  staleGeneratedFiles,
} from "../../../src/images/index.js";
import { cli, project } from "../cli/cli-harness.js";

const API = join(import.meta.dirname, "..", "..", "..", "src", "images", "index.ts");
const EXAMPLE = join(import.meta.dirname, "..", "..", "..", "examples", "images");

function moduleText(firstExec: string[], extraVersion = "") {
  return `import { Container, imageFamily, imageRegistry } from ${JSON.stringify(API)};
const base = Container.from("python:3.13-slim@sha256:${"c".repeat(64)}");
export default imageRegistry([
  imageFamily({
    name: "demo",
    description: "a demo family",
    versions: [
      { version: "1.0.0", changelog: "first", container: base.withExec(${JSON.stringify(firstExec)}) },
      ${extraVersion}
    ],
  }),
]);
`;
}

describe("pyfront images", () => {
  it("lists versions, records new ones and writes the generated files, then finds them fresh", async () => {
    const dir = project({ "images.config.ts": moduleText(["true"]) });
    const list = await cli(["images", "list"], { cwd: dir });
    expect(list.stderr).toBe("");
    expect(list.stdout).toMatch(/^demo:1\.0\.0\tnew, latest\tsha256:[0-9a-f]{64}\tfirst\n$/);

    const stale = await cli(["images", "generate", "--check"], { cwd: dir });
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("stale: images.lock.json (new versions are not recorded)");
    expect(stale.stdout).toContain("stale: generated/dockerfiles/demo/1.0.0/Dockerfile (missing)");

    const generated = await cli(["images", "generate"], { cwd: dir });
    expect(generated.code).toBe(0);
    expect(
      readFileSync(join(dir, "generated", "dockerfiles", "demo", "1.0.0", "Dockerfile"), "utf8"),
    ).toContain('RUN ["true"]');
    expect(readFileSync(join(dir, "generated", "changelogs", "demo.md"), "utf8")).toContain("| 1.0.0 |");
    expect((await cli(["images", "list"], { cwd: dir })).stdout).toContain("\treleased, latest\t");
    const fresh = await cli(["images", "generate", "--check"], { cwd: dir });
    expect(fresh.code).toBe(0);

    // A hand edit of a generated file is stale.
    writeFileSync(join(dir, "generated", "changelogs", "demo.md"), "edited\n");
    expect((await cli(["images", "generate", "--check"], { cwd: dir })).stdout).toBe(
      "stale: generated/changelogs/demo.md (out of date)\n",
    );
  });

  it("refuses a changed released version, naming it, in list, generate and build", async () => {
    const dir = project({ "images.config.ts": moduleText(["true"]) });
    expect((await cli(["images", "generate"], { cwd: dir })).code).toBe(0);
    const lock = readFileSync(join(dir, "images.lock.json"), "utf8");
    writeFileSync(join(dir, "changed.config.ts"), moduleText(["echo", "changed"]));
    for (const args of [["list"], ["generate"], ["build", "demo:1.0.0"]]) {
      const run = await cli(["images", ...args, "--module", "changed.config.ts"], {
        cwd: dir,
        env: { DOCKER_HOST: "unix:///nonexistent.sock" },
      });
      expect(run.code, args.join(" ")).toBe(EXIT_USER_ERROR);
      expect(run.stderr).toMatch(
        /demo:1\.0\.0 changed after its release: .*images\.lock\.json records sha256:[0-9a-f]{64}, the definition is now sha256:[0-9a-f]{64}/,
      );
    }
    expect(readFileSync(join(dir, "images.lock.json"), "utf8")).toBe(lock);
  });

  it("refuses a new version that is not greater than the released ones", async () => {
    const dir = project({
      "images.config.ts": moduleText(["true"], `{ version: "2.0.0", changelog: "second", container: base }`),
    });
    expect((await cli(["images", "generate"], { cwd: dir })).code).toBe(0);
    // Another file name: a module is imported once per process.
    writeFileSync(
      join(dir, "late.config.ts"),
      moduleText(
        ["true"],
        `{ version: "1.5.0", changelog: "late", container: base }, { version: "2.0.0", changelog: "second", container: base }`,
      ),
    );
    const run = await cli(["images", "list", "--module", "late.config.ts"], { cwd: dir });
    expect(run.code).toBe(EXIT_USER_ERROR);
    expect(run.stderr).toContain("demo:1.5.0 is new but not greater than the released demo:2.0.0");
  });

  it("says what to do when there is no module, or when it exports no registry", async () => {
    const none = await cli(["images", "list"], { cwd: project({}) });
    expect(none.code).toBe(EXIT_USER_ERROR);
    expect(none.stderr).toContain(
      "no images module here: looked for images.config.ts, images.config.mjs, images.config.js",
    );
    const empty = await cli(["images", "list"], {
      cwd: project({ "images.config.mjs": "export const x = 1;\n" }),
    });
    expect(empty.stderr).toContain("has no default export of an image registry");
    const unknown = await cli(["images", "check", "demo:3.0.0"], {
      cwd: project({ "images.config.ts": moduleText(["true"]) }),
    });
    expect(unknown.stderr).toContain("demo has no version 3.0.0; versions: 1.0.0");
  });
});

describe("the example family (examples/images)", () => {
  it("has every version recorded in its lock and unchanged since", async () => {
    const registry = (await import("../../../examples/images/images.config.js")).default;
    const lock = parseLock(readFileSync(join(EXAMPLE, "images.lock.json"), "utf8"));
    expect(lockProblems(registry, lock)).toEqual([]);
    expect(formatLock(lock)).toBe(formatLock(lockWithNewVersions(registry, emptyLock())));
  });

  // The freshness check Airbyte ran as a pre-commit hook: run `pyfront images generate` in examples/images when it fails.
  it("has its generated Dockerfiles and changelog up to date", async () => {
    const registry = (await import("../../../examples/images/images.config.js")).default;
    expect(staleGeneratedFiles(registry, EXAMPLE)).toEqual([]);
  });
});
