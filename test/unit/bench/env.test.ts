import { describe, expect, it } from "vitest";
import { parseEnvExports } from "../../../bench/suite/env.js";

describe("parseEnvExports", () => {
  it("reads the export lines scripts/engine env prints", () => {
    const text = [
      "export PYFRONT_ENGINE=B",
      "export DOCKER_HOST=unix:///var/lib/pyfront-engine/b/mnt/run/eng26/docker.sock",
      "export PYFRONT_INDEX_URL=http://127.0.0.1:3141/simple",
      "",
    ].join("\n");
    expect(parseEnvExports(text)).toEqual({
      PYFRONT_ENGINE: "B",
      DOCKER_HOST: "unix:///var/lib/pyfront-engine/b/mnt/run/eng26/docker.sock",
      PYFRONT_INDEX_URL: "http://127.0.0.1:3141/simple",
    });
  });

  it("strips one level of quotes and keeps = inside values", () => {
    expect(parseEnvExports("export A='x y'\nexport B=\"a=b\"\n# comment\n")).toEqual({ A: "x y", B: "a=b" });
  });

  it("refuses lines it does not understand", () => {
    expect(() => parseEnvExports("echo hi")).toThrow(/unexpected line/);
  });
});
