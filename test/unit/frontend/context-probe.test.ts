import { describe, expect, it } from "vitest";
import {
  type AsyncContext,
  type EntryKind,
  splitProbePath,
  withProbedContext,
} from "../../../src/frontend/context-probe.js";

function fakeContext(files: Record<string, string>, dirs: string[]): AsyncContext & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async stat(path) {
      calls.push(`stat ${path}`);
      if (path in files) return "file";
      return dirs.includes(path) ? "directory" : "missing";
    },
    async readFile(path) {
      calls.push(`read ${path}`);
      const text = files[path];
      if (text === undefined) throw new Error(`no such file ${path}`);
      return text;
    },
    async listDirectory(path) {
      calls.push(`list ${path}`);
      if (!dirs.includes(path)) return undefined;
      const prefix = path === "." ? "" : `${path}/`;
      return Object.keys(files)
        .filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes("/"))
        .sort()
        .map((f) => ({ name: f.slice(prefix.length), kind: "file" as const }));
    },
  };
}

describe("withProbedContext", () => {
  it("re-runs the computation until every path it asked about is known", async () => {
    const context = fakeContext({ ".python-version": "3.11\n", "app/main.py": "print(1)" }, ["app"]);
    const result = await withProbedContext(context, (reader) => ({
      version: reader.readFile(".python-version"),
      hasApp: reader.isDirectory("app"),
      // Asked only once the first answer is known, as a loader does for dependent checks.
      main: reader.isDirectory("app") ? reader.exists("app/main.py") : "not asked",
      missing: reader.exists("requirements.txt"),
    }));
    expect(result).toEqual({ version: "3.11\n", hasApp: true, main: true, missing: false });
    // Directories and existence checks never read file contents.
    expect(context.calls.filter((c) => c.startsWith("read"))).toEqual(["read .python-version"]);
  });

  it("passes errors through once nothing more is wanted", async () => {
    const context = fakeContext({}, []);
    await expect(
      withProbedContext(context, (reader) => {
        if (!reader.exists("main.py")) throw new Error("main.py is missing");
      }),
    ).rejects.toThrow("main.py is missing");
  });

  it("lists a directory once, and answers a missing one as undefined", async () => {
    const context = fakeContext({ "requirements/base.txt": "", "requirements/prod.txt": "" }, [
      "requirements",
    ]);
    const result = await withProbedContext(context, (reader) => ({
      listed: reader.listDirectory("requirements")?.map((e) => e.name),
      missing: reader.listDirectory("nope"),
    }));
    expect(result).toEqual({ listed: ["base.txt", "prod.txt"], missing: undefined });
    expect(context.calls.filter((c) => c.startsWith("list")).sort()).toEqual([
      "list nope",
      "list requirements",
    ]);
  });

  it("reads a file that was first only checked for existence", async () => {
    const context = fakeContext({ "req.txt": "flask\n" }, []);
    const text = await withProbedContext(context, (reader) =>
      reader.exists("req.txt") ? reader.readFile("req.txt") : undefined,
    );
    expect(text).toBe("flask\n");
  });

  it("answers the paths of a round with one listing per folder when the context lists", async () => {
    const base = fakeContext({ "pyproject.toml": "[project]\n", "requirements/prod.txt": "flask\n" }, [
      ".",
      "requirements",
    ]);
    const context: AsyncContext & { calls: string[] } = {
      ...base,
      async entryKinds(path) {
        base.calls.push(`kinds ${path}`);
        const listed = await base.listDirectory(path);
        if (listed === undefined) return undefined;
        const kinds = new Map<string, EntryKind>(listed.map((e) => [e.name, e.kind]));
        if (path === ".") kinds.set("requirements", "directory");
        return kinds;
      },
    };
    const result = await withProbedContext(context, (reader) => ({
      lock: reader.exists("uv.lock"),
      spec: reader.isFile?.("pyproject.toml"),
      requirements: reader.isDirectory("requirements"),
      prod: reader.readFile("requirements/prod.txt"),
      base: reader.exists("requirements/base.txt"),
      nested: reader.exists("missing/deeper/file.txt"),
      // Asked in a later round: its folder is not listed again.
      later: reader.exists("uv.lock") ? "lock" : reader.exists("poetry.lock"),
    }));
    expect(result).toEqual({
      lock: false,
      spec: true,
      requirements: true,
      prod: "flask\n",
      base: false,
      nested: false,
      later: false,
    });
    // `missing/deeper` is never listed: the root's listing shows no `missing`.
    expect(context.calls.filter((c) => !c.startsWith("list")).sort()).toEqual([
      "kinds .",
      "kinds requirements",
      "read requirements/prod.txt",
    ]);
  });

  it("lists a folder only when its parent's listing shows it is one", async () => {
    const base = fakeContext({ "pyproject.toml": "[project]\n", "notes.txt": "x" }, ["."]);
    const context: AsyncContext & { calls: string[] } = {
      ...base,
      async entryKinds(path) {
        base.calls.push(`kinds ${path}`);
        const listed = await base.listDirectory(path);
        return listed && new Map<string, EntryKind>(listed.map((e) => [e.name, e.kind]));
      },
    };
    const result = await withProbedContext(context, (reader) => ({
      mise: reader.listDirectory(".config/mise"),
      file: reader.listDirectory("notes.txt"),
      config: reader.exists(".config/mise/config.toml"),
    }));
    expect(result).toEqual({ mise: undefined, file: undefined, config: false });
    expect(context.calls).toEqual(["kinds .", "list ."]);
  });

  it("stats a path no listing can answer for", async () => {
    const base = fakeContext({ "a.txt": "x" }, []);
    const context: AsyncContext & { calls: string[] } = {
      ...base,
      async entryKinds(path) {
        base.calls.push(`kinds ${path}`);
        return new Map();
      },
    };
    await withProbedContext(context, (reader) => [reader.exists("./a.txt"), reader.exists("b//c")]);
    expect(context.calls.sort()).toEqual(["stat ./a.txt", "stat b//c"]);
  });
});

describe("splitProbePath", () => {
  it("splits a plain relative path into its folder and name", () => {
    expect(splitProbePath("uv.lock")).toEqual({ folder: ".", name: "uv.lock" });
    expect(splitProbePath("services/api/pyproject.toml")).toEqual({
      folder: "services/api",
      name: "pyproject.toml",
    });
  });

  it("leaves paths with empty, . or .. segments to a stat", () => {
    for (const path of ["", "/etc/passwd", "a/", "./a", "a/../b", "a//b", "."]) {
      expect(splitProbePath(path)).toBeUndefined();
    }
  });
});
