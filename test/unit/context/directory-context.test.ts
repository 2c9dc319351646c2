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

describe("directoryContext with excludes", () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "pyfront-ctx-excl-"));
    for (const dir of [".venv/bin", "pkg/__pycache__", "docs/keep", "docs/old", "secrets"]) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    writeFileSync(join(root, ".venv", "bin", "python"), "");
    writeFileSync(join(root, "pkg", "__init__.py"), "");
    writeFileSync(join(root, "pkg", "__pycache__", "m.pyc"), "");
    writeFileSync(join(root, "docs", "keep", "a.md"), "kept\n");
    writeFileSync(join(root, "docs", "old", "b.md"), "");
    writeFileSync(join(root, "secrets", "token"), "s3cret");
    // A symlink is judged by its own path and by its target's.
    symlinkSync(join(root, "secrets", "token"), join(root, "token-link"));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("hides what the patterns leave out, as BuildKit's context lacks it", () => {
    const context = directoryContext(root, { excludes: ["**/.venv", "**/__pycache__", "secrets"] });
    expect(context.exists(".venv")).toBe(false);
    expect(context.exists(".venv/bin/python")).toBe(false);
    expect(context.isDirectory("pkg/__pycache__")).toBe(false);
    expect(context.readFile("secrets/token")).toBeUndefined();
    expect(context.readFile("token-link")).toBeUndefined();
    expect(context.isFile?.("pkg/__init__.py")).toBe(true);
    expect(context.listDirectory(".")?.map((e) => e.name)).toEqual(["docs", "pkg", "token-link"]);
    expect(context.listDirectory("pkg")?.map((e) => e.name)).toEqual(["__init__.py"]);
    expect(context.listDirectory("secrets")).toBeUndefined();
  });

  it("keeps an excluded folder for the paths a ! pattern takes back, and only those", () => {
    const context = directoryContext(root, { excludes: ["docs", "!docs/keep/a.md"] });
    expect(context.isDirectory("docs")).toBe(true);
    expect(context.isDirectory("docs/keep")).toBe(true);
    expect(context.readFile("docs/keep/a.md")).toBe("kept\n");
    expect(context.exists("docs/old")).toBe(false);
    expect(context.listDirectory("docs")?.map((e) => e.name)).toEqual(["keep"]);
  });

  it("without excludes, sees everything", () => {
    expect(directoryContext(root).readFile("secrets/token")).toBe("s3cret");
  });
});
