import { describe, expect, it } from "vitest";
import { type AsyncContext, withProbedContext } from "../../../src/frontend/context-probe.js";

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
});
