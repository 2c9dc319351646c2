import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, encodeBinaryHeader } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  jsonAny,
  SOURCE_DETAIL_TYPE_URL,
  sourceErrorStatus,
  statusFromError,
} from "../../../src/buildkit/gateway/index.js";
import { StatusSchema } from "../../../src/buildkit/gen/google/rpc/status_pb.js";

const FILE = '[project]\nname = "demo"\nversion = 1\n';

describe("Source error details", () => {
  it("builds a code-2 Status with a JSON errdefs.Source detail", () => {
    const status = sourceErrorStatus({
      message: "pyproject.toml:3:11: version must be a string",
      filename: "pyproject.toml",
      data: FILE,
      language: "toml",
      ranges: [{ start: 2, end: 3 }],
    });
    expect(status.code).toBe(2);
    expect(status.message).toBe("pyproject.toml:3:11: version must be a string");
    expect(status.details).toHaveLength(1);
    const detail = status.details[0]!;
    expect(detail.typeUrl).toBe("github.com/moby/buildkit/errdefs.Source+json");
    expect(detail.typeUrl).toBe(SOURCE_DETAIL_TYPE_URL);
    const json = JSON.parse(new TextDecoder().decode(detail.value));
    expect(json).toEqual({
      info: { filename: "pyproject.toml", data: Buffer.from(FILE).toString("base64"), language: "toml" },
      ranges: [
        { start: { line: 2 }, end: { line: 2 } },
        { start: { line: 3 }, end: { line: 3 } },
      ],
    });
    expect(Buffer.from(json.info.data, "base64").toString()).toBe(FILE);
  });

  it("refuses 0-based lines", () => {
    expect(() =>
      sourceErrorStatus({ message: "x", filename: "f", data: "", ranges: [{ start: 0 }] }),
    ).toThrow(/1-based/);
  });

  it("recovers a failed call's Status with type URLs untouched", () => {
    const original = create(StatusSchema, {
      code: 2,
      message: "process did not complete successfully",
      details: [jsonAny("github.com/moby/buildkit/errdefs.Vertex+json", { digest: "sha256:1" })],
    });
    const err = new ConnectError("ignored", Code.Unknown, {
      "grpc-status-details-bin": encodeBinaryHeader(original, StatusSchema),
    });
    const status = statusFromError(err);
    expect(status.message).toBe("process did not complete successfully");
    expect(status.details[0]?.typeUrl).toBe("github.com/moby/buildkit/errdefs.Vertex+json");
    expect(statusFromError(new ConnectError("plain", Code.NotFound))).toMatchObject({
      code: 5,
      message: "plain",
    });
    expect(statusFromError(new Error("boom"))).toMatchObject({ code: 2, message: "boom" });
  });
});
