import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planFrontendImage, UsageError } from "../../../scripts/frontend-image.js";

const options = {
  version: "1.2.3",
  dockerfile: "/r/docker/frontend.Dockerfile",
  contextDir: "/r/dist/frontend",
};
const plan = (...argv: string[]) => planFrontendImage(argv, options);

describe("npm run frontend:image", () => {
  it("builds pyfront/frontend:dev and the package version, labelled with it", () => {
    expect(plan().build).toEqual([
      "build",
      "-f",
      "/r/docker/frontend.Dockerfile",
      "-t",
      "pyfront/frontend:dev",
      "-t",
      "pyfront/frontend:1.2.3",
      "--label",
      "org.opencontainers.image.version=1.2.3",
      "/r/dist/frontend",
    ]);
    expect(plan().publish).toEqual([]);
  });

  it("pushes to any registry as VERSION and latest with --push REGISTRY/NAME", () => {
    expect(plan("--push", "registry.example.com:5000/team/pyfront").publish).toEqual([
      ["tag", "pyfront/frontend:dev", "registry.example.com:5000/team/pyfront:1.2.3"],
      ["push", "registry.example.com:5000/team/pyfront:1.2.3"],
      ["tag", "pyfront/frontend:dev", "registry.example.com:5000/team/pyfront:latest"],
      ["push", "registry.example.com:5000/team/pyfront:latest"],
    ]);
    expect(plan("--push=localhost:5000/pyfront/frontend").publish[1]).toEqual([
      "push",
      "localhost:5000/pyfront/frontend:1.2.3",
    ]);
  });

  it("passes --node-image and --tag on", () => {
    const p = plan("--node-image", "mirror.example/node:20-slim", "--tag", "me/frontend:try");
    expect(p.build).toContain("NODE_IMAGE=mirror.example/node:20-slim");
    expect(p.tags).toEqual(["me/frontend:try", "pyfront/frontend:1.2.3"]);
  });

  it.each([
    [["--push"], "--push takes the repository to push to"],
    [["--push", "--tag", "x"], "--push takes the repository to push to"],
    [
      ["--push", "registry.example.com/pyfront:v1"],
      "without a tag: the image is pushed as registry.example.com/pyfront:1.2.3",
    ],
    [["--push", "Registry.example.com/PyFront"], "is not a repository name"],
    [["--pushh", "x"], "Unknown option '--pushh'"],
    [["extra"], "Unexpected argument 'extra'"],
  ])("refuses %j clearly", (argv, message) => {
    expect(() => planFrontendImage(argv, options)).toThrow(UsageError);
    expect(() => planFrontendImage(argv, options)).toThrow(message);
  });

  it("builds an image that asks BuildKit for no network", () => {
    const dockerfile = readFileSync(join(import.meta.dirname, "../../../docker/frontend.Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^LABEL moby\.buildkit\.frontend\.network\.none="true"$/m);
  });
});
