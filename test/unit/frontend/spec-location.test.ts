import { describe, expect, it } from "vitest";
import { locateSpec, type SearchEntry, type SpecSearchContext } from "../../../src/frontend/spec-location.js";

const encode = (text: string) => new TextEncoder().encode(text);

/** A context from file paths; folders are implied. Records what the search asked for. */
function fakeContext(files: Record<string, string>, options: { sizes?: boolean } = {}) {
  const listed: string[] = [];
  const read: string[] = [];
  const context: SpecSearchContext = {
    async listDirectory(path) {
      listed.push(path);
      const prefix = path === "." ? "" : `${path}/`;
      const entries = new Map<string, SearchEntry>();
      for (const [file, text] of Object.entries(files)) {
        if (!file.startsWith(prefix)) continue;
        const [name, ...rest] = file.slice(prefix.length).split("/");
        if (name === undefined) continue;
        if (rest.length > 0) entries.set(name, { name, kind: "directory" });
        else if (text === "<fifo>") entries.set(name, { name, kind: "other" });
        else
          entries.set(name, { name, kind: "file", ...(options.sizes ? { size: encode(text).length } : {}) });
      }
      if (entries.size === 0 && path !== ".") return undefined;
      // Deliberately unsorted: the search orders names itself.
      return [...entries.values()].reverse();
    },
    async readBytes(path, limit) {
      read.push(path);
      const text = files[path];
      if (text === undefined || text === "<fifo>") return undefined;
      return encode(text).subarray(0, limit + 1);
    },
  };
  return { context, listed, read };
}

const API = '[project]\nname = "api"\n';
const ROOT = '[project]\nname = "rootpkg"\n';

describe("locateSpec", () => {
  it("takes the file as named when the context has it with the spec's bytes (the spec in the root)", async () => {
    const { context, listed } = fakeContext({ "pyproject.toml": ROOT, "services/api/pyproject.toml": API });
    expect(await locateSpec(context, "pyproject.toml", encode(ROOT))).toEqual({
      kind: "in-context",
      path: "pyproject.toml",
      rule: "as-named",
    });
    expect(listed).toEqual([]);
  });

  it("finds a spec in a subfolder by name and content, with a different root project present", async () => {
    const { context } = fakeContext({
      "pyproject.toml": ROOT,
      "services/web/pyproject.toml": '[project]\nname = "web"\n',
      "services/api/pyproject.toml": API,
      "services/api/api.py": "",
    });
    expect(await locateSpec(context, "pyproject.toml", encode(API))).toEqual({
      kind: "in-context",
      path: "services/api/pyproject.toml",
      rule: "same-content",
    });
  });

  it("takes a filename with folders as a context path first (buildctl --opt filename=services/api/pyproject.toml)", async () => {
    const { context, listed } = fakeContext({
      "services/api/pyproject.toml": API,
      "copy/pyproject.toml": API,
    });
    expect(await locateSpec(context, "services/api/pyproject.toml", encode(API))).toMatchObject({
      path: "services/api/pyproject.toml",
      rule: "as-named",
    });
    expect(listed).toEqual([]);
  });

  it("the shallowest copy wins; copies at the same depth are ambiguous", async () => {
    const shallow = fakeContext({ "a/pyproject.toml": API, "b/c/pyproject.toml": API });
    expect(await locateSpec(shallow.context, "pyproject.toml", encode(API))).toMatchObject({
      path: "a/pyproject.toml",
    });
    const tie = fakeContext({ "b/pyproject.toml": API, "a/pyproject.toml": API, "c/pyproject.toml": ROOT });
    expect(await locateSpec(tie.context, "pyproject.toml", encode(API))).toEqual({
      kind: "ambiguous",
      paths: ["a/pyproject.toml", "b/pyproject.toml"],
    });
  });

  it("says outside when no file has the spec's name and bytes", async () => {
    const { context } = fakeContext({
      "pyproject.toml": ROOT,
      "main.py": "",
      "api/pyproject.toml": `${API}# x\n`,
    });
    expect(await locateSpec(context, "pyproject.toml", encode(API))).toEqual({ kind: "outside" });
  });

  it("skips virtual environments, caches, VCS data and installed packages, never reads a FIFO", async () => {
    const { context, listed, read } = fakeContext({
      ".venv/lib/python3.13/site-packages/x/pyproject.toml": API,
      "node_modules/x/pyproject.toml": API,
      ".git/pyproject.toml": API,
      "lib/site-packages/y/pyproject.toml": API,
      "src/pyproject.toml": "<fifo>",
      "src/app.py": "",
    });
    expect(await locateSpec(context, "pyproject.toml", encode(API))).toEqual({ kind: "outside" });
    expect(listed.sort()).toEqual([".", "lib", "src"]);
    expect(read).toEqual(["pyproject.toml"]);
  });

  it("reads only same-named files of the spec's size when the listing tells sizes", async () => {
    const { context, read } = fakeContext(
      { "a/pyproject.toml": `${API}longer\n`, "b/pyproject.toml": API, "b/other.toml": API },
      { sizes: true },
    );
    expect(await locateSpec(context, "pyproject.toml", encode(API))).toMatchObject({
      path: "b/pyproject.toml",
    });
    expect(read).toEqual(["pyproject.toml", "b/pyproject.toml"]);
  });

  it("stops at its limits and says so, rather than guess", async () => {
    const deep = fakeContext({ "a/b/c/d/pyproject.toml": API });
    expect(
      await locateSpec(deep.context, "pyproject.toml", encode(API), {
        maxDepth: 2,
        maxFolders: 100,
        maxCompared: 10,
      }),
    ).toEqual({
      kind: "search-cut",
      foldersListed: 3,
    });
    expect(
      await locateSpec(deep.context, "pyproject.toml", encode(API), {
        maxDepth: 4,
        maxFolders: 100,
        maxCompared: 10,
      }),
    ).toMatchObject({ path: "a/b/c/d/pyproject.toml" });
    const wide = fakeContext(
      Object.fromEntries([...Array(10).keys()].map((i) => [`d${i}/x/pyproject.toml`, API])),
    );
    expect(
      await locateSpec(wide.context, "pyproject.toml", encode(API), {
        maxDepth: 5,
        maxFolders: 5,
        maxCompared: 10,
      }),
    ).toEqual({
      kind: "search-cut",
      foldersListed: 1,
    });
    // Many same-sized copies that differ: reading them all would cost what the spec's size times their number does.
    const copies = fakeContext(
      Object.fromEntries(
        [...Array(5).keys()].map((i) => [`d${i}/pyproject.toml`, API.replace("api", `ap${i}`)]),
      ),
    );
    expect(
      await locateSpec(copies.context, "pyproject.toml", encode(API), {
        maxDepth: 5,
        maxFolders: 50,
        maxCompared: 3,
      }),
    ).toEqual({
      kind: "search-cut",
      foldersListed: 6,
    });
    expect(copies.read).toEqual(["pyproject.toml"]);
  });

  it("never takes a filename that leaves the context as a path in it", async () => {
    const { context, read } = fakeContext({ "pyproject.toml": API });
    expect(await locateSpec(context, "../pyproject.toml", encode(API))).toMatchObject({
      path: "pyproject.toml",
    });
    expect(read).toEqual(["pyproject.toml"]);
  });
});
