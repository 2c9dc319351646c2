import { fromBinary } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { OpSchema } from "../../../src/buildkit/gen/pb/ops_pb.js";
import { sourceErrorStatus } from "../../../src/buildkit/index.js";
import { runFrontend } from "../../../src/frontend/frontend.js";
import { readFrontendOptions } from "../../../src/frontend/options.js";
import { checkPipArgs, mappedStatus } from "../../../src/frontend/pyenv-forward.js";
import { SpecError } from "../../../src/spec/diagnostics.js";
import { type FakeBuildKit, frontendEnv, startFakeBuildKit } from "./fake-buildkit.js";

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

describe("a PYENV Dockerfile through the frontend", () => {
  const DOCKERFILE =
    "# syntax=pyfront/frontend:dev\nFROM debian:trixie-slim\nUSER app\nPYENV 3.13 first reqs/a.txt\n";
  const files = { Dockerfile: DOCKERFILE, "reqs/a.txt": "click\n" };
  let fake: FakeBuildKit | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const forwarded = async (opts: Record<string, string>, missingImages: string[] = []) => {
    fake = await startFakeBuildKit({ dockerfile: files, context: files, release: 13, missingImages });
    const result = await runFrontend(fake.gateway, frontendEnv({ filename: "Dockerfile", ...opts }));
    return { result, solve: fake.solves.find((s) => s.Frontend !== "") };
  };

  it("hands the expanded file to dockerfile.v0 with the client's options, less dockerfilekey", async () => {
    const { result, solve } = await forwarded({
      cmdline: "pyfront/frontend:dev",
      dockerfilekey: "dockerfile",
      "build-arg:PIP_INDEX_URL": "http://127.0.0.1:3141/simple",
      "label:team": "data",
      target: "",
      "context:base": "docker-image://debian:trixie-slim",
    });
    expect("error" in result, JSON.stringify(result)).toBe(false);
    expect(solve?.Frontend).toBe("dockerfile.v0");
    expect(solve?.Evaluate).toBe(true);
    expect(solve?.FrontendOpt).toEqual({
      "build-arg:PIP_INDEX_URL": "http://127.0.0.1:3141/simple",
      cmdline: "pyfront/frontend:dev",
      "context:base": "docker-image://debian:trixie-slim",
      filename: "Dockerfile",
      "label:team": "data",
      target: "",
    });
    // The input holds one file: the expansion, under the name `filename` gives.
    const ops = (solve?.FrontendInputs.dockerfile?.def ?? []).map((bytes) => fromBinary(OpSchema, bytes).op);
    const mkfile = ops.flatMap((op) => (op.case === "file" ? op.value.actions : []))[0]?.action;
    expect(mkfile?.case).toBe("mkfile");
    if (mkfile?.case !== "mkfile") return;
    expect(mkfile.value.path).toBe("/Dockerfile");
    const text = new TextDecoder().decode(mkfile.value.data);
    expect(text).toContain("FROM python:3.13-slim-trixie AS pyfront-pyenv-python-1");
    expect(text).toContain(
      "COPY --from=pyfront-pyenv-venv-1 --chown=app /home/astro/.venv/first /home/astro/.venv/first",
    );
  });

  it("forwards to the image PYFRONT_PYENV_SYNTAX names through gateway.v0", async () => {
    const { solve } = await forwarded({ "build-arg:PYFRONT_PYENV_SYNTAX": "docker/dockerfile:1.7" });
    expect(solve?.Frontend).toBe("gateway.v0");
    expect(solve?.FrontendOpt.source).toBe("docker/dockerfile:1.7");
    // Without a cmdline from the daemon, one is set: the file's syntax line must not loop back.
    expect(solve?.FrontendOpt.cmdline).toBe("pyfront");
  });

  it("names a missing interpreter image at its PYENV line, before forwarding", async () => {
    const { result, solve } = await forwarded({}, ["python:3.13-slim-trixie"]);
    if (!("error" in result)) throw new Error("expected an error");
    expect(result.error.message).toMatch(
      /^Dockerfile:4:1: PYENV 3\.13 needs the image "python:3\.13-slim-trixie"/,
    );
    expect(solve).toBeUndefined();
  });
});
