import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { integrityOf, NODE_RUNTIME, planFrontendImage, UsageError } from "../../../scripts/frontend-image.js";

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

  it("passes --node-image and --tag on, and then builds no Node base of its own", () => {
    const p = plan("--node-image", "mirror.example/node:20-slim", "--tag", "me/frontend:try");
    expect(p.build).toContain("NODE_IMAGE=mirror.example/node:20-slim");
    expect(p.tags).toEqual(["me/frontend:try", "pyfront/frontend:1.2.3"]);
    expect(p.nodeRuntime).toBe(false);
  });

  it("builds on the default Node base, which it builds first, without --node-image", () => {
    expect(plan().nodeRuntime).toBe(true);
    expect(plan().build.join(" ")).not.toContain("NODE_IMAGE");
    // The Dockerfile's default base is the image the script builds.
    const dockerfile = readFileSync(join(import.meta.dirname, "../../../docker/frontend.Dockerfile"), "utf8");
    expect(dockerfile).toContain(`ARG NODE_IMAGE=${NODE_RUNTIME.image}`);
    expect(NODE_RUNTIME.image).toBe(`pyfront/node-runtime:${NODE_RUNTIME.version}`);
  });

  it("checks the Node package by its npm integrity (sha512, base64)", () => {
    expect(integrityOf(new TextEncoder().encode("abc"))).toBe(
      "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==",
    );
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
