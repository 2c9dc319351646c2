// Issue 12: `npm run frontend:image -- --push REGISTRY/NAME` publishes the frontend image as
// :VERSION and :latest with its labels, and a build then runs it by its registry reference in
// `#syntax=`, pulled through the registry. The registry is the engines' own (127.0.0.1:5000);
// the repository is this test's alone, and --tag keeps the local tag the one under test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, engineEnv, imageInspect, removeImage, repoRoot } from "./support/engine.js";
import { combined, copyExample, EXAMPLES, type ExampleCopy } from "./support/examples.js";
import { FRONTEND_IMAGE, frontendImageScript } from "./support/frontend.js";
import {
  deleteRegistryManifest,
  registryImage,
  registryLogOffset,
  registryRequestsSince,
  registryTags,
} from "./support/registry.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string })
  .version;
/** A repository only this test pushes to, one per engine (both suites may run at once). */
const NAME = `pyfront-e2e-frontend-push-${engine}`;
const REPOSITORY = `${env.registry}/${NAME}`;
const copies: ExampleCopy[] = [];
const images: string[] = [];

/** Removes what an earlier run pushed: every manifest the repository's tags point to, once. */
async function deletePushed(): Promise<void> {
  const digests = new Set<string>();
  for (const tag of await registryTags(NAME)) digests.add((await registryImage(NAME, tag)).digest);
  for (const digest of digests) await deleteRegistryManifest(NAME, digest);
}

beforeAll(deletePushed);

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const copy of copies) copy.dispose();
  await deletePushed();
});

describe(`npm run frontend:image -- --push on engine ${env.engine}`, () => {
  it("pushes :VERSION and :latest with the version and network.none labels, and #syntax= runs it from the registry", async () => {
    expect(await registryTags(NAME)).toEqual([]);
    const pushed = await frontendImageScript(["--push", REPOSITORY, "--tag", FRONTEND_IMAGE]);
    expect(pushed.code, combined(pushed)).toBe(0);

    expect((await registryTags(NAME)).sort()).toEqual([version, "latest"].sort());
    const byVersion = await registryImage(NAME, version);
    const latest = await registryImage(NAME, "latest");
    expect(latest.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(latest.digest).toBe(byVersion.digest);
    const labels = byVersion.config.config?.Labels ?? {};
    expect(labels["org.opencontainers.image.version"]).toBe(version);
    expect(labels["moby.buildkit.frontend.network.none"]).toBe("true");
    // The image pushed is the one built: the local tag under test has the same config.
    const local = await imageInspect(FRONTEND_IMAGE);
    expect(local?.Config.Labels?.["org.opencontainers.image.version"]).toBe(version);

    // No local copy by that name: the build must resolve the frontend through the registry.
    for (const tag of [version, "latest"]) await removeImage(`${REPOSITORY}:${tag}`);
    expect(await imageInspect(`${REPOSITORY}:${version}`)).toBeUndefined();

    const copy = copyExample("webapp");
    copies.push(copy);
    copy.write(
      "pyproject.toml",
      copy.read("pyproject.toml").replace(/^#syntax=.*$/m, `#syntax=${REPOSITORY}:${version}`),
    );
    const tag = `pyfront-e2e-frontend-pushed:${engine}`;
    images.push(tag, `${REPOSITORY}:${version}`);
    const offset = registryLogOffset();
    const built = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      "-f",
      join(copy.dir, "pyproject.toml"),
      "-t",
      tag,
      copy.dir,
    ]);
    expect(built.code, combined(built)).toBe(0);
    const requests = registryRequestsSince(offset);
    expect(
      requests.filter((r) => r.includes(`/v2/${NAME}/manifests/`)),
      requests.join("\n"),
    ).not.toEqual([]);
    await EXAMPLES.find((e) => e.name === "webapp")!.check(tag);
  });
});
