// -r/-c includes are followed as pip follows them, and each is checked like any context path.
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { DiagnosticList } from "../../../src/spec/diagnostic-list.js";
import { readRequirementsTree } from "../../../src/spec/requirements-file.js";
import { readRequirementsFileFacts } from "../../../src/spec/requirements-file-facts.js";

describe("requirements includes", () => {
  it.each([
    ["-r base.txt", "base.txt"],
    ["--requirement=base.txt", "base.txt"],
    ["-rbase.txt", "base.txt"],
    ["-cconstraints.txt", "constraints.txt"],
  ])("%j includes %j", (line, target) => {
    expect(readRequirementsFileFacts(`${line}\n`).includes.map((i) => i.target)).toEqual([target]);
  });

  it("a glued include that leaves the context is refused at its line", () => {
    const out = new DiagnosticList();
    const tree = readRequirementsTree(
      memoryContext({ "requirements.txt": "flask\n-r../secret.txt\n", "../secret.txt": "x\n" }),
      "requirements.txt",
      out,
    );
    expect(tree.files).toEqual(["requirements.txt"]);
    expect(out.items.map((d) => [d.position?.line, d.severity])).toEqual([[2, "error"]]);
  });

  it("a glued include in the context is mounted", () => {
    const tree = readRequirementsTree(
      memoryContext({ "requirements.txt": "-rbase.txt\n", "base.txt": "flask\n" }),
      "requirements.txt",
      new DiagnosticList(),
    );
    expect(tree.files).toEqual(["requirements.txt", "base.txt"]);
    expect(tree.names).toEqual(["flask"]);
  });
});
