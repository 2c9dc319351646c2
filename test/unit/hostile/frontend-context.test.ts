// The frontend's view of the context refuses what the CLI's does (issue #11, findings 5 and 7).
import { describe, expect, it } from "vitest";
import { type AsyncContext, withProbedContext } from "../../../src/frontend/context-probe.js";
import { readFrontendOptions } from "../../../src/frontend/options.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";

const context: AsyncContext = {
  async stat(path) {
    if (path === "req.txt") return "other"; // a FIFO in the client's context
    return path === "main.py" ? "file" : "missing";
  },
  async readFile() {
    throw new Error("a FIFO must never be read");
  },
  async listDirectory(path) {
    return path === "."
      ? [
          { name: "main.py", kind: "file" },
          { name: "req.txt", kind: "other" },
        ]
      : undefined;
  },
};

describe("frontend context", () => {
  it("a FIFO as a requirements file is a positioned error and is never read", async () => {
    const text = '[tool.pyfront]\nrequirements = ["req.txt"]\n';
    const run = withProbedContext(context, (reader) =>
      loadBuildSpec(text, { specFile: "pyproject.toml" }, reader),
    );
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).diagnostics.map(formatDiagnostic)[0]).toMatch(
      /^pyproject\.toml:2:17: tool\.pyfront\.requirements\[0\]: "req\.txt" is not a regular file/,
    );
  });

  it("build args named like Object members are plain keys", () => {
    const options = readFrontendOptions({ "build-arg:__proto__": "x", "build-arg:toString": "y" });
    expect(Object.getPrototypeOf(options.buildArgs)).toBeNull();
    expect(Object.keys(options.buildArgs).sort()).toEqual(["__proto__", "toString"]);
  });
});
