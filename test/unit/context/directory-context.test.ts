import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directoryContext } from "../../../src/context/directory-context.js";
import type { ContextReader } from "../../../src/spec/context-reader.js";

describe("directoryContext", () => {
  let context: ContextReader;
  const made: string[] = [];

  beforeAll(() => {
    const outside = mkdtempSync(join(tmpdir(), "pyfront-outside-"));
    writeFileSync(join(outside, "secret.txt"), "do not read");
    const root = mkdtempSync(join(tmpdir(), "pyfront-ctx-"));
    made.push(outside, root);
    mkdirSync(join(root, "app"));
    writeFileSync(join(root, "app", "main.py"), "print('hi')\n");
    writeFileSync(join(root, ".python-version"), "3.11\n");
    symlinkSync(join(outside, "secret.txt"), join(root, "leak.txt"));
    symlinkSync(join(root, "app", "main.py"), join(root, "alias.py"));
    context = directoryContext(root);
  });

  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it("reads files and tells files from folders", () => {
    expect(context.readFile(".python-version")).toBe("3.11\n");
    expect(context.readFile("app/main.py")).toBe("print('hi')\n");
    expect(context.isDirectory("app")).toBe(true);
    expect(context.isDirectory("app/main.py")).toBe(false);
    expect(context.readFile("app")).toBeUndefined();
    expect(context.exists("missing.txt")).toBe(false);
  });

  it("never leaves the context, by path or by symlink", () => {
    expect(context.exists("../")).toBe(false);
    expect(context.readFile("app/../../etc/passwd")).toBeUndefined();
    expect(context.readFile("/etc/passwd")).toBeUndefined();
    expect(context.readFile("leak.txt")).toBeUndefined();
    expect(context.readFile("alias.py")).toBe("print('hi')\n");
  });

  it("lists a directory sorted, symlinks as what they point to inside the context, others as other", () => {
    expect(context.listDirectory(".")).toEqual([
      { name: ".python-version", kind: "file" },
      { name: "alias.py", kind: "file" },
      { name: "app", kind: "directory" },
      { name: "leak.txt", kind: "other" },
    ]);
    expect(context.listDirectory("app")).toEqual([{ name: "main.py", kind: "file" }]);
    expect(context.listDirectory("missing")).toBeUndefined();
    expect(context.listDirectory("..")).toBeUndefined();
  });
});
