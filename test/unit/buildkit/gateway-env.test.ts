import { describe, expect, it } from "vitest";
import { readGatewayEnv } from "../../../src/buildkit/gateway/index.js";

describe("readGatewayEnv", () => {
  it("splits options on the first = and ignores their numbering", () => {
    const env = readGatewayEnv({
      BUILDKIT_FRONTEND_OPT_1: "build-arg:URL=https://x/?a=b",
      BUILDKIT_FRONTEND_OPT_0: "filename=pyproject.toml",
      BUILDKIT_FRONTEND_OPT_7: "no-cache=",
      BUILDKIT_SESSION_ID: "sess",
      BUILDKIT_WORKERS: '[{"ID":"w1","Platforms":[{"architecture":"amd64","os":"linux"}]}]',
      BUILDKIT_EXPORTEDPRODUCT: "docker",
      PATH: "/usr/bin",
    });
    expect(env.opts).toEqual({
      "build-arg:URL": "https://x/?a=b",
      filename: "pyproject.toml",
      "no-cache": "",
    });
    expect(Object.keys(env.opts)).toEqual(["build-arg:URL", "filename", "no-cache"]);
    expect(env.sessionId).toBe("sess");
    expect(env.workers[0]?.Platforms?.[0]).toEqual({ architecture: "amd64", os: "linux" });
    expect(env.product).toBe("docker");
  });

  it("is empty outside BuildKit", () => {
    expect(readGatewayEnv({})).toEqual({ opts: {}, sessionId: undefined, workers: [], product: undefined });
  });

  it("reports malformed entries instead of dropping them", () => {
    expect(() => readGatewayEnv({ BUILDKIT_FRONTEND_OPT_0: "novalue" })).toThrow(
      /BUILDKIT_FRONTEND_OPT_0="novalue" is not key=value/,
    );
    expect(() => readGatewayEnv({ BUILDKIT_WORKERS: "{" })).toThrow(/BUILDKIT_WORKERS is not JSON/);
    expect(() => readGatewayEnv({ BUILDKIT_WORKERS: "{}" })).toThrow(/not a JSON list/);
  });
});
