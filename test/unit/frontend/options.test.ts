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
      noCache: false,
      networkMode: "default",
      imageResolveMode: "default",
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
    });
    expect(options).toEqual({
      filename: "Mopyfile.yaml",
      detectFilename: false,
      target: "api",
      buildArgs: { EMPTY: "", VERSION: "1.2" },
      labels: { team: "data" },
      platforms: ["linux/amd64", "linux/arm64"],
      noCache: true,
      networkMode: "host",
      imageResolveMode: "pull",
      requestId: "frontend.subrequests.describe",
    });
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
