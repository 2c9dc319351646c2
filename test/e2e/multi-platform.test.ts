// Issue 16, item 2: one `docker buildx build --platform linux/amd64,linux/arm64` through pyfront's
// frontend gives an image per platform, each on base images resolved for its own platform. The
// engine that can keep an index is remote C (engine B's Docker with the containerd image store,
// QEMU registered for arm64, the stand-ins as amd64+arm64 indexes: scripts/lib/multiarch.sh). The
// engines with Docker's classic image store must refuse such a build plainly, never hand back one
// platform's image.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildx, docker, engineEnv } from "./support/engine.js";
import { combined, copyExample, type ExampleCopy } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";
import {
  deleteRegistryManifest,
  entryPlatform,
  registryImage,
  registryIndex,
  registryTags,
} from "./support/registry.js";
import { dockerAt, engineScript, remoteUp, seedRemote } from "./support/remote.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const copies: ExampleCopy[] = [];
/** A repository only this test pushes to. */
const NAME = `pyfront-e2e-multi-platform-${engine}`;

/** The arguments of a build of the copied example for linux/amd64 and linux/arm64, tagged TAG. */
function bothPlatforms(copy: ExampleCopy, tag: string): string[] {
  const platforms = ["--platform", "linux/amd64,linux/arm64"];
  return [...platforms, "--network", "host", "-f", `${copy.dir}/pyproject.toml`, "-t", tag, copy.dir];
}

function webappCopy(): ExampleCopy {
  const copy = copyExample("webapp");
  copies.push(copy);
  return copy;
}

async function deletePushed(): Promise<void> {
  for (const tag of await registryTags(NAME)) {
    const { digest } = await registryImage(NAME, tag).catch(() => ({ digest: "" }));
    if (digest) await deleteRegistryManifest(NAME, digest);
  }
}

afterAll(() => {
  for (const copy of copies) copy.dispose();
});

// Remote C runs engine B's Docker version: its test belongs to B's run.
if (env.engine === "B") {
  describe("a multi-platform build on remote C (containerd image store)", () => {
    let host = "";

    beforeAll(async () => {
      ensureFrontendImage();
      host = await remoteUp("C");
      // The frontend under test runs on C's own platform; C has no registry to pull it from.
      await seedRemote(host, FRONTEND_IMAGE, { replace: true });
      await deletePushed();
    }, 1_200_000);

    afterAll(async () => {
      await deletePushed();
      await engineScript(["remote-down", "C"]);
    });

    // What each example's image is asked on each platform, and the words it must answer with.
    const cases = [
      {
        example: "script",
        probe: "import platform, sys; print(platform.machine(), sys.version.split()[0])",
        answer: (machine: string) => new RegExp(`^${machine} 3\\.11\\.\\d+$`),
      },
      {
        // Flask needs MarkupSafe, a compiled wheel: the index has it for x86_64 and aarch64, as PyPI.
        example: "webapp",
        probe:
          "import platform, markupsafe, webapp; print(platform.machine(), markupsafe._speedups.__name__)",
        answer: (machine: string) => new RegExp(`^${machine} markupsafe\\._speedups$`),
      },
    ] as const;

    it.each(cases)(
      "builds $example for linux/amd64 and linux/arm64 as one index whose images run on both",
      async ({ example, probe, answer }) => {
        const copy = copyExample(example);
        copies.push(copy);
        const image = `${env.registry}/${NAME}:${example}`;
        const built = await dockerAt(host, [
          "buildx",
          "build",
          "--progress=plain",
          "--push",
          "--sbom=true",
          ...bothPlatforms(copy, image),
        ]);
        const log = combined(built);
        expect(built.code, log).toBe(0);
        // Each platform's bases were resolved for it: both platforms' metadata loads are in the log.
        expect(log).toMatch(/load metadata for python:3\.11-slim \(linux\/arm64\)/);
        expect(log).toMatch(/load metadata for python:3\.11-slim \(linux\/amd64\)/);
        // One image per platform, each with pyfront's SBOM attached (an attestation manifest naming it).
        const index = await registryIndex(NAME, example);
        const images = index.filter((m) => entryPlatform(m) !== "unknown/unknown");
        expect(images.map(entryPlatform).sort()).toEqual(["linux/amd64", "linux/arm64"]);
        const attested = index
          .filter((m) => m.annotations?.["vnd.docker.reference.type"] === "attestation-manifest")
          .map((m) => m.annotations?.["vnd.docker.reference.digest"]);
        expect(attested.sort()).toEqual(images.map((m) => m.digest).sort());

        for (const [platform, machine] of [
          ["linux/arm64", "aarch64"],
          ["linux/amd64", "x86_64"],
        ] as const) {
          // Pulled afresh for each platform: the run must get that platform's image from the index.
          await dockerAt(host, ["rmi", "-f", image]);
          const ran = await dockerAt(host, [
            "run",
            "--rm",
            "--pull",
            "always",
            "--platform",
            platform,
            "--entrypoint",
            "python",
            image,
            "-c",
            probe,
          ]);
          expect(ran.code, combined(ran)).toBe(0);
          expect(ran.stdout.trim()).toMatch(answer(machine));
        }
        await dockerAt(host, ["rmi", "-f", image]);
      },
    );
  });
}

describe(`a multi-platform build on engine ${env.engine} (Docker's classic image store)`, () => {
  beforeAll(() => ensureFrontendImage());

  it("is refused with a message saying why, and leaves no image of one platform behind", async () => {
    const copy = webappCopy();
    const tag = `pyfront-e2e-multi-platform-refused:${engine}`;
    const args = bothPlatforms(copy, tag);
    const refused =
      env.engine === "B" ? await buildx(["build", "--load", ...args]) : await docker(["build", ...args]);
    expect(refused.code, combined(refused)).not.toBe(0);
    expect(combined(refused)).toMatch(
      env.engine === "B"
        ? /docker exporter does not currently support exporting manifest lists/
        : /"amd64,linux" is an invalid component of "linux\/amd64,linux\/arm64"/,
    );
    expect((await docker(["image", "inspect", tag])).code).not.toBe(0);
  });
});
