import { describe, expect, it } from "vitest";
import { parseDockerignore } from "../../../src/context/dockerignore.js";

describe("parseDockerignore", () => {
  it("drops comments and blank lines and trims", () => {
    expect(parseDockerignore("# comment\n\n  .git  \nnode_modules\n")).toEqual([".git", "node_modules"]);
  });

  it("keeps exceptions and cleans paths like Docker", () => {
    expect(parseDockerignore("/build/\n!build/keep.txt\n./a/../b//c\n")).toEqual([
      "build",
      "!build/keep.txt",
      "b/c",
    ]);
  });

  it("handles CRLF files", () => {
    expect(parseDockerignore("*.pyc\r\n__pycache__\r\n")).toEqual(["*.pyc", "__pycache__"]);
  });
});
