// Issue 16, item 3, on a real engine: an SBOM asked for is an SPDX attestation pyfront writes
// itself, listing what `pip list` shows in the image's venv, with no credential of the
// password-protected index in it. Engine B's Docker has no containerd image store, so buildx
// refuses `--sbom=true` on its docker driver; the BUILDKIT_ATTEST_SBOM build arg, which BuildKit
// reads as the same request, gets past buildx, and the tar exporter writes the attestation next to
// the image's files (the local exporter does too, but took minutes to send the tree here). On
// engine A (BuildKit 0.8, no attestations) the build warns, with a step named after the warning.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, buildx, docker, engineEnv, removeImage } from "./support/engine.js";
import { combined, copyExample, type ExampleCopy, useCredentialsInIndexUrl } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";

const env = engineEnv();
const engineTag = env.engine.toLowerCase();
const images: string[] = [];
const copies: ExampleCopy[] = [];

beforeAll(() => ensureFrontendImage());
afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const copy of copies) copy.dispose();
});

function canonical(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

/** The webapp example on the password-protected index, its credentials written in the URL. */
function protectedWebapp(): { copy: ExampleCopy; password: string; secretArgs: string[] } {
  const copy = copyExample("webapp");
  copies.push(copy);
  const { password, secretFile } = useCredentialsInIndexUrl(copy);
  return { copy, password, secretArgs: ["--secret", `id=pyfront-index-0,src=${secretFile}`] };
}

// Each engine's run holds the tests that apply to it (attestations need BuildKit 0.11+; 0.8
// warns instead): nothing is reported as skipped.
if (env.engine === "B")
  describe("SBOM attestations through pyfront's frontend on engine B", () => {
    it("buildx's --sbom=true is refused by buildx itself on the docker driver (no containerd store)", async () => {
      const copy = copyExample("webapp");
      copies.push(copy);
      const refused = await buildx([
        "build",
        "--sbom=true",
        "--build-arg",
        `BUILDKIT_SYNTAX=${FRONTEND_IMAGE}`,
        "--output",
        `type=tar,dest=${copy.outside("refused.tar")}`,
        "-f",
        join(copy.dir, "pyproject.toml"),
        copy.dir,
      ]);
      expect(refused.code).not.toBe(0);
      expect(combined(refused)).toContain("Attestation is not supported for the docker driver");
    });

    it("lists every distribution pip list shows in the image, with the index it came from and no credential", async () => {
      const { copy, password, secretArgs } = protectedWebapp();
      const archive = copy.outside("image.tar");
      const common = [
        "--progress=plain",
        "--network",
        "host",
        ...secretArgs,
        "--build-arg",
        `BUILDKIT_SYNTAX=${FRONTEND_IMAGE}`,
        "-f",
        join(copy.dir, "pyproject.toml"),
      ];
      const exported = await buildx([
        "build",
        ...common,
        "--build-arg",
        "BUILDKIT_ATTEST_SBOM=true",
        "--output",
        `type=tar,dest=${archive}`,
        copy.dir,
      ]);
      const log = combined(exported);
      expect(exported.code, log).toBe(0);
      expect(log).toContain("[sbom] list the venv's Python distributions (SPDX)");
      expect(log).not.toContain(password);

      const statementText = execFileSync("tar", ["-xOf", archive, "sbom.spdx.json"], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(statementText).not.toContain(password);
      expect(statementText).not.toContain(encodeURIComponent(password));
      const statement = JSON.parse(statementText);
      expect(statement._type).toBe("https://in-toto.io/Statement/v0.1");
      expect(statement.predicateType).toBe("https://spdx.dev/Document");
      const document = statement.predicate;
      expect(document.spdxVersion).toBe("SPDX-2.3");
      const listed = new Map<string, { versionInfo: string; sourceInfo: string; licenseDeclared: string }>(
        document.packages.map((p: { name: string }) => [canonical(p.name), p]),
      );

      // The same build into the image store (every step from the cache), and pip list in it.
      const tag = `pyfront-e2e-sbom-webapp:${engineTag}`;
      images.push(tag);
      const loaded = await buildx(["build", ...common, "-t", tag, "--load", copy.dir]);
      expect(loaded.code, combined(loaded)).toBe(0);
      const pipList = await docker([
        "run",
        "--rm",
        "--entrypoint",
        "/usr/local/bin/python3",
        tag,
        "-m",
        "pip",
        "list",
        "--path",
        "/opt/venv/lib/python3.11/site-packages",
        "--format",
        "json",
      ]);
      expect(pipList.code, combined(pipList)).toBe(0);
      const installed = JSON.parse(pipList.stdout) as { name: string; version: string }[];
      console.log(
        `engine ${env.engine}: the SBOM lists ${listed.size} packages, pip list shows ${installed.length}: ${installed.map((p) => `${p.name} ${p.version}`).join(", ")}`,
      );
      expect(installed.length).toBeGreaterThanOrEqual(7);
      expect([...listed.keys()].sort()).toEqual(installed.map((p) => canonical(p.name)).sort());
      for (const pkg of installed) expect(listed.get(canonical(pkg.name))?.versionInfo).toBe(pkg.version);

      const flask = listed.get("flask")!;
      expect(flask.sourceInfo).toBe(`from the package index ${env.authIndexUrl}`);
      expect(flask.licenseDeclared).toBe("BSD-3-Clause");
      // The project itself, installed from the build's context folder.
      expect(listed.get("webapp")?.sourceInfo).toBe("from the folder /pyfront/context of the build");
    });
  });

if (env.engine === "A")
  describe("SBOM requests on engine A (BuildKit 0.8)", () => {
    it("builds the image and warns that it has no SBOM, in a step docker build prints", async () => {
      const copy = copyExample("webapp");
      copies.push(copy);
      const tag = `pyfront-e2e-sbom-webapp:${engineTag}`;
      images.push(tag);
      const built = await build({
        context: copy.dir,
        dockerfile: "pyproject.toml",
        tag,
        network: "host",
        buildArgs: {
          BUILDKIT_SYNTAX: FRONTEND_IMAGE,
          BUILDKIT_ATTEST_SBOM: "true",
          PIP_INDEX_URL: env.indexUrl,
        },
      });
      const log = combined(built);
      expect(built.code, log).toBe(0);
      expect(log).toMatch(
        /WARNING: .*warning: an SBOM was asked for \(attest:sbom\), but this engine's BuildKit cannot attach attestations/,
      );
    });
  });
