import { describe, expect, it } from "vitest";
import { ignoreMatcher, invalidPatterns, parseDockerignore } from "../../../src/context/dockerignore.js";

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

/** The paths of `paths` the patterns leave out. */
function excluded(patterns: string[], paths: string[]): string[] {
  const matcher = ignoreMatcher(patterns);
  return paths.filter((path) => matcher.excludes(path));
}

describe("ignoreMatcher (Docker's .dockerignore matching)", () => {
  it("a plain name is a path from the context root; what is below a matched folder goes with it", () => {
    expect(excluded([".git"], [".git", ".git/config", "a/.git", "a/.git/config", ".github"])).toEqual([
      ".git",
      ".git/config",
    ]);
  });

  it("* and ? stay within one folder", () => {
    expect(excluded(["*.pyc"], ["x.pyc", "a/x.pyc", "x.pyco"])).toEqual(["x.pyc"]);
    expect(excluded(["a/?.txt"], ["a/b.txt", "a/bc.txt", "a/.txt", "a/b/c.txt"])).toEqual(["a/b.txt"]);
    expect(excluded(["*/cache"], ["a/cache", "a/b/cache", "cache"])).toEqual(["a/cache"]);
  });

  it("**/ spans any number of folders, none included", () => {
    const paths = ["__pycache__", "a/__pycache__", "a/b/__pycache__/m.pyc", "a/__pycache__x", "x__pycache__"];
    expect(excluded(["**/__pycache__"], paths)).toEqual([
      "__pycache__",
      "a/__pycache__",
      "a/b/__pycache__/m.pyc",
    ]);
    expect(excluded(["**/*.pyc"], ["m.pyc", "a/b/m.pyc", "a/m.py"])).toEqual(["m.pyc", "a/b/m.pyc"]);
    expect(excluded(["a/**/b"], ["a/b", "a/x/b", "a/x/y/b", "ab", "a/xb"])).toEqual([
      "a/b",
      "a/x/b",
      "a/x/y/b",
    ]);
  });

  it("a trailing ** matches everything that starts so; ** alone matches everything", () => {
    expect(excluded(["build**"], ["build", "build/x", "builder", "a/build"])).toEqual([
      "build",
      "build/x",
      "builder",
    ]);
    expect(excluded(["**"], ["a", "a/b"])).toEqual(["a", "a/b"]);
  });

  it("character classes and escapes", () => {
    expect(excluded(["[a-c].txt"], ["a.txt", "c.txt", "d.txt"])).toEqual(["a.txt", "c.txt"]);
    expect(excluded(["[^a].txt"], ["a.txt", "b.txt"])).toEqual(["b.txt"]);
    expect(excluded(["\\*.txt"], ["*.txt", "a.txt"])).toEqual(["*.txt"]);
    // Regular expression characters are literal.
    expect(excluded(["a+b.(x)|$"], ["a+b.(x)|$", "aab.(x)|$", "a+bx(x)|$"])).toEqual(["a+b.(x)|$"]);
  });

  it("the last matching pattern wins; ! takes paths back, even below an excluded folder", () => {
    const patterns = ["docs", "!docs/keep.md", "*.log", "!keep.log", "keep.log"];
    expect(
      excluded(patterns, ["docs/a.md", "docs/keep.md", "docs", "x.log", "keep.log", "src/a.log"]),
    ).toEqual(["docs/a.md", "docs", "x.log", "keep.log"]);
  });

  it("tells which excluded folders a ! pattern may reach into", () => {
    const matcher = ignoreMatcher(["docs", "!docs/keep/*.md", "lib", "!**/keep.txt"]);
    expect(matcher.mayIncludeBelow("docs")).toBe(true);
    expect(matcher.mayIncludeBelow("docs/keep")).toBe(true);
    // `**/keep.txt` may be anywhere.
    expect(matcher.mayIncludeBelow("lib")).toBe(true);
    expect(ignoreMatcher(["docs", "!docs/keep.md"]).mayIncludeBelow("lib")).toBe(false);
    expect(ignoreMatcher(["docs"]).mayIncludeBelow("docs")).toBe(false);
  });

  it("never excludes the context root", () => {
    expect(ignoreMatcher(["**", "."]).excludes(".")).toBe(false);
  });

  it("names the patterns BuildKit would refuse", () => {
    expect(invalidPatterns(["[abc", "ok/*", "![z-a]", "**/x"])).toEqual(["[abc", "![z-a]"]);
  });
});
