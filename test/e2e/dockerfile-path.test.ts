// Issue 3's promise on a real engine: the Dockerfile `pyfront dockerfile` prints builds with the
// stock Dockerfile frontend into an image that runs, is non-root and lean, caches its
// dependencies across code changes, and never keeps an index password anywhere.
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { pyfront } from "./support/cli.js";
import { docker, engineEnv, removeImage } from "./support/engine.js";
import {
  combined,
  copyExample,
  EXAMPLES,
  type ExampleCopy,
  expectBestPractice,
  useAuthIndex,
  wasCached,
} from "./support/examples.js";
import { occurrences, saveImage } from "./support/image-search.js";

const env = engineEnv();
const images: string[] = [];
const copies: ExampleCopy[] = [];

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const copy of copies) copy.dispose();
});

/** Writes the generated Dockerfile into the copy and builds it. */
async function buildGenerated(copy: ExampleCopy, tag: string, secrets: string[] = []) {
  // Without -f the CLI finds pyproject.toml or Mopyfile.yaml in the context.
  writeFileSync(copy.outside("Dockerfile.pyfront"), pyfront(["dockerfile", copy.dir]));
  images.push(tag);
  const args = ["build", "--progress=plain", "--network", "host", "-f", copy.outside("Dockerfile.pyfront")];
  for (const secret of secrets) args.push("--secret", secret);
  args.push("-t", tag, copy.dir);
  return docker(args);
}

// RUN lines as the plain progress names them: the dependency step installs requirements by name,
// the project step installs the bound context (packages) or copies it (scripts).
const DEPENDENCY_STEP = /"install",.*"--","[^/"][^"]*"(,"[^"]*")*\]$/;
const PROJECT_STEP = /"--","\/pyfront\/context"\]$|COPY \S+ \/app$/;

describe(`generated Dockerfiles on engine ${env.engine}`, () => {
  for (const example of EXAMPLES) {
    it(`${example.name}: builds, runs as 65532 without compiler or pip cache, and caches unchanged rebuilds and its dependencies`, async () => {
      const copy = copyExample(example.name);
      copies.push(copy);
      const tag = `pyfront-e2e-df-${example.name}:${env.engine.toLowerCase()}`;

      const first = await buildGenerated(copy, tag);
      expect(first.code, combined(first)).toBe(0);
      await example.check(tag);
      await expectBestPractice(tag);

      // Nothing changed: every step comes from the cache, the project's included.
      const unchanged = await buildGenerated(copy, tag);
      expect(unchanged.code, combined(unchanged)).toBe(0);
      expect(wasCached(combined(unchanged), PROJECT_STEP), combined(unchanged)).toBe(true);

      copy.touchSource(example);
      const second = await buildGenerated(copy, tag);
      expect(second.code, combined(second)).toBe(0);
      const log = combined(second);
      if (example.name !== "script") expect(wasCached(log, DEPENDENCY_STEP), log).toBe(true);
      expect(wasCached(log, PROJECT_STEP), log).toBe(false);
      await example.check(tag);
    });
  }

  it("installs from an index that needs basic auth, and the password is nowhere", async () => {
    const copy = copyExample("webapp");
    copies.push(copy);
    const { password, secretFile } = useAuthIndex(copy);

    const tag = `pyfront-e2e-df-auth:${env.engine.toLowerCase()}`;
    const built = await buildGenerated(copy, tag, [`id=pypi,src=${secretFile}`]);
    const log = combined(built);
    expect(built.code, log).toBe(0);

    const dockerfile = readFileSync(copy.outside("Dockerfile.pyfront"), "utf8");
    const history = await docker(["history", "--no-trunc", tag]);
    const saved = await saveImage(tag);
    expect(occurrences(dockerfile, password)).toBe(0);
    expect(occurrences(log, password)).toBe(0);
    expect(occurrences(history.stdout, password)).toBe(0);
    expect(occurrences(saved, password)).toBe(0);
    // Proof that the search can find it: the secret file itself holds it once.
    expect(occurrences(readFileSync(secretFile), password)).toBe(1);
  });
});
