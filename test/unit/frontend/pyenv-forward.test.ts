import { describe, expect, it } from "vitest";
import { sourceErrorStatus } from "../../../src/buildkit/index.js";
import { readFrontendOptions } from "../../../src/frontend/options.js";
import { checkPipArgs, mappedStatus } from "../../../src/frontend/pyenv-forward.js";
import { SpecError } from "../../../src/spec/diagnostics.js";

describe("the Dockerfile frontend's errors, pointed at the user's lines", () => {
  // Lines 3 to 5 of the expanded file are added stages for the PYENV at line 3 of the user's.
  const lineMap = [1, 2, 3, 3, 3, 3, 4, 5];
  const user = { filename: "Dockerfile", text: "FROM a\nRUN x\nPYENV 3.13 v\nRUN --bad y\nRUN z\n" };

  it("maps `line N` in the message and the source snippet, which shows the user's file", () => {
    const expanded = "FROM a\nRUN x\n...\n...\n...\n...\nRUN --bad y\nRUN z\n";
    const status = sourceErrorStatus({
      message: "dockerfile parse error on line 7: unknown flag: bad",
      filename: "Dockerfile",
      data: expanded,
      ranges: [{ start: 7 }],
    });
    const mapped = mappedStatus(status, { lineMap }, user);
    expect(mapped.message).toBe("dockerfile parse error on line 4: unknown flag: bad");
    const detail = JSON.parse(new TextDecoder().decode(mapped.details[0]!.value)) as {
      info: { filename: string; data: string };
      ranges: { start: { line: number } }[];
    };
    expect(detail.info.filename).toBe("Dockerfile");
    expect(Buffer.from(detail.info.data, "base64").toString()).toBe(user.text);
    expect(detail.ranges.map((r) => r.start.line)).toEqual([4]);
  });

  it("leaves other details and messages without lines alone", () => {
    const status = sourceErrorStatus({
      message: "exit code: 1",
      filename: "Dockerfile",
      data: "",
      ranges: [{ start: 1 }],
    });
    const other = { ...status.details[0]!, typeUrl: "github.com/moby/buildkit/stack.Stack+json" };
    const mapped = mappedStatus({ ...status, details: [other] }, { lineMap }, user);
    expect(mapped.message).toBe("exit code: 1");
    expect(mapped.details[0]).toBe(other);
  });
});

describe("pip's index build args for PYENV", () => {
  it("are taken without credentials and refused with them", () => {
    expect(() => checkPipArgs({ PIP_INDEX_URL: "http://127.0.0.1:3141/simple" })).not.toThrow();
    expect(() =>
      checkPipArgs({ PIP_EXTRA_INDEX_URL: "https://a.example/simple https://u:pw@b.example/simple" }),
    ).toThrow(SpecError);
    expect(() => checkPipArgs({ PIP_INDEX_URL: "https://token@a.example/simple" })).toThrow(
      /holds credentials/,
    );
  });
});

describe("the file a `# syntax=` handover names", () => {
  it("is Dockerfile when the client named none, as docker build reads it", () => {
    expect(readFrontendOptions({ cmdline: "pyfront/frontend:dev" }).filename).toBe("Dockerfile");
    expect(readFrontendOptions({ cmdline: "pyfront/frontend:dev" }).detectFilename).toBe(false);
  });
  it("is still detected when BUILDKIT_SYNTAX handed over before any file was read", () => {
    const options = readFrontendOptions({
      cmdline: "pyfront/frontend:dev",
      "build-arg:BUILDKIT_SYNTAX": "pyfront/frontend:dev",
    });
    expect(options.detectFilename).toBe(true);
  });
});
