import { describe, expect, it } from "vitest";
import { readFrontendOptions } from "../../../src/frontend/options.js";

describe("readFrontendOptions", () => {
  it("without a file name, detects the layout (pyproject.toml until then), and takes the engine's choices", () => {
    expect(readFrontendOptions({})).toEqual({
      filename: "pyproject.toml",
      detectFilename: true,
      buildArgs: {},
      labels: {},
      platforms: [],
      multiPlatform: false,
      noCache: false,
      networkMode: "default",
      imageResolveMode: "default",
      cacheImports: [],
      namedContexts: {},
      sbom: false,
    });
  });

  it("reads what docker build sends", () => {
    const options = readFrontendOptions({
      filename: "Mopyfile.yaml",
      target: "api",
      "build-arg:VERSION": "1.2",
      "build-arg:EMPTY": "",
      "label:team": "data",
      platform: "linux/amd64, linux/arm64",
      "no-cache": "",
      "force-network-mode": "host",
      "image-resolve-mode": "pull",
      requestid: "frontend.subrequests.describe",
      cmdline: "pyfront/frontend:dev",
      "cache-from": "registry.example.org/app:cache, registry.example.org/app:main",
      "context:python:3.13-slim": "docker-image://mirror.example.org/python:3.13-slim",
    });
    expect(options).toEqual({
      filename: "Mopyfile.yaml",
      detectFilename: false,
      target: "api",
      buildArgs: { EMPTY: "", VERSION: "1.2" },
      labels: { team: "data" },
      platforms: ["linux/amd64", "linux/arm64"],
      multiPlatform: false,
      noCache: true,
      networkMode: "host",
      imageResolveMode: "pull",
      requestId: "frontend.subrequests.describe",
      cacheImports: [
        { type: "registry", attrs: { ref: "registry.example.org/app:cache" } },
        { type: "registry", attrs: { ref: "registry.example.org/app:main" } },
      ],
      namedContexts: { "python:3.13-slim": "docker-image://mirror.example.org/python:3.13-slim" },
      sbom: false,
    });
  });

  it("reads the multi-platform form as BuildKit's Go booleans: multi-platform or BUILDKIT_MULTI_PLATFORM", () => {
    expect(readFrontendOptions({ "multi-platform": "true" }).multiPlatform).toBe(true);
    expect(readFrontendOptions({ "build-arg:BUILDKIT_MULTI_PLATFORM": "1" }).multiPlatform).toBe(true);
    expect(readFrontendOptions({ "multi-platform": "0" }).multiPlatform).toBe(false);
    expect(readFrontendOptions({ "multi-platform": "yes" }).multiPlatform).toBe(false);
    expect(readFrontendOptions({}).multiPlatform).toBe(false);
  });

  it("reads an SBOM request as BuildKit does: attest:sbom or the BUILDKIT_ATTEST_SBOM build arg", () => {
    // buildx --sbom=true sends an empty value; --attest type=sbom,generator=IMAGE sends the fields.
    expect(readFrontendOptions({ "attest:sbom": "" }).sbom).toBe(true);
    expect(readFrontendOptions({ "attest:sbom": "generator=docker/buildkit-syft-scanner" }).sbom).toBe(true);
    expect(readFrontendOptions({ "build-arg:BUILDKIT_ATTEST_SBOM": "true" }).sbom).toBe(true);
    expect(readFrontendOptions({ "attest:sbom": "type=sbom,disabled=true" }).sbom).toBe(false);
    // Provenance is BuildKit's own: it asks nothing of the frontend.
    expect(readFrontendOptions({ "attest:provenance": "mode=min,inline-only=true" }).sbom).toBe(false);
  });

  it("reads buildx's cache-imports (JSON) before the older cache-from, and refuses one it cannot read", () => {
    const options = readFrontendOptions({
      "cache-imports": JSON.stringify([{ Type: "local", Attrs: { src: "/cache" } }]),
      "cache-from": "ignored.example.org/app:cache",
    });
    expect(options.cacheImports).toEqual([{ type: "local", attrs: { src: "/cache" } }]);
    expect(() => readFrontendOptions({ "cache-imports": "{not json" })).toThrow(
      /cache-imports option is not JSON/,
    );
    expect(() => readFrontendOptions({ "cache-imports": '[{"Attrs": {}}]' })).toThrow(/not \{Type, Attrs\}/);
  });

  it("takes microb's target build argument when no target is given", () => {
    expect(readFrontendOptions({ "build-arg:microb_target": "slim" }).target).toBe("slim");
    expect(readFrontendOptions({ target: "a", "build-arg:microb_target": "b" }).target).toBe("a");
  });

  it("ignores unknown network and resolve modes", () => {
    const options = readFrontendOptions({ "force-network-mode": "bogus", "image-resolve-mode": "x" });
    expect(options.networkMode).toBe("default");
    expect(options.imageResolveMode).toBe("default");
  });
});
