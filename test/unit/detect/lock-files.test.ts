// The lock-finding rules of src/detect/lock-files.ts that need no lock reader.
import { describe, expect, it } from "vitest";
import { matchesMemberGlob } from "../../../src/detect/lock-files.js";

describe("matchesMemberGlob: uv workspace member globs", () => {
  it("matches whole folder paths: * and ? inside one name, ** across, classes, a trailing slash", () => {
    expect(matchesMemberGlob("packages/*", "packages/api")).toBe(true);
    expect(matchesMemberGlob("packages/*", "packages/api/sub")).toBe(false);
    expect(matchesMemberGlob("packages/*/", "packages/api")).toBe(true);
    expect(matchesMemberGlob("./packages/a?i", "packages/api")).toBe(true);
    expect(matchesMemberGlob("libs/**", "libs/a/b/c")).toBe(true);
    expect(matchesMemberGlob("**/svc-[a-c]", "x/y/svc-b")).toBe(true);
    expect(matchesMemberGlob("**/svc-[!a-c]", "x/y/svc-b")).toBe(false);
    expect(matchesMemberGlob("services/api", "services/api")).toBe(true);
    expect(matchesMemberGlob("services/api", "services/api2")).toBe(false);
    expect(matchesMemberGlob("pkg.*", "pkgX1")).toBe(false);
  });

  it("stays fast on globs made to backtrack", () => {
    const glob = `${"**a".repeat(200)}b`;
    const member = "a".repeat(2000);
    expect(matchesMemberGlob(glob, member)).toBe(false);
  });
});
