// lockedDependencySource: the lock a project installs from, checked against what the project declares.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { DiagnosticList } from "../../../src/spec/diagnostic-list.js";
import { formatDiagnostic } from "../../../src/spec/diagnostics.js";
import { lockedDependencySource } from "../../../src/spec/locks/locked-dependencies.js";
import { parseTomlDocument } from "../../../src/spec/toml-document.js";

const UV_LOCK = readFileSync(join(import.meta.dirname, "../../locks/uv/flask-app/uv.lock"), "utf8");

/** The flask-app fixture's lock, read for a pyproject that declares `dependencies`. */
function declaring(dependencies: string[]) {
  const text = `[project]\nname = "flask-app"\ndependencies = [\n${dependencies.map((d) => `  ${JSON.stringify(d)},\n`).join("")}]\n`;
  const parsed = parseTomlDocument("pyproject.toml", text);
  if (!parsed.ok) throw new Error("test pyproject does not parse");
  const out = new DiagnosticList();
  const source = lockedDependencySource({
    context: memoryContext({ "pyproject.toml": text, "uv.lock": UV_LOCK }),
    out,
    projectDir: ".",
    source: "pyproject",
    pyproject: parsed.doc,
    lock: "uv.lock",
    extras: [],
    declared: dependencies.map((requirement, i) => ({
      dependency: { kind: "index" as const, requirement },
      site: { doc: parsed.doc, path: ["project", "dependencies", i] },
    })),
    declaredFrom: "[project].dependencies",
  });
  return { source, messages: out.items.map(formatDiagnostic) };
}

describe("lockedDependencySource: the lock against the declared dependencies", () => {
  it("takes a lock that holds every declared dependency inside its range", () => {
    const { source, messages } = declaring(["Flask>=3.1", "gunicorn (>=23, <27)", "click"]);
    expect(messages).toEqual([]);
    expect(source?.lock.graph.format).toBe("uv");
  });

  it("refuses a declared dependency the lock lacks, or holds outside the declared range", () => {
    expect(declaring(["flask>=3.1", "Requests>=2"]).messages).toEqual([
      expect.stringMatching(
        /^pyproject\.toml:5:3: project\.dependencies\[1\]: requests is in \[project\]\.dependencies but not in uv\.lock: the lock is out of date\n {2}hint: lock again \(uv lock\)/,
      ),
    ]);
    expect(declaring(["flask[async] >= 4, < 5"]).messages).toEqual([
      expect.stringMatching(
        /project\.dependencies\[0\]: uv\.lock locks flask 3\.1\.3, outside >=4,<5 from \[project\]\.dependencies: the lock is out of date/,
      ),
    ]);
  });

  it("leaves dependencies with markers or URLs to the lock", () => {
    expect(
      declaring(['pywin32>=300; sys_platform == "win32"', "mylib @ https://example.com/mylib-1.0.tar.gz"])
        .messages,
    ).toEqual([]);
  });
});
