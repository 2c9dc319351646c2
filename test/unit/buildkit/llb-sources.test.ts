import { describe, expect, it } from "vitest";
import {
  git,
  http,
  image,
  local,
  marshalDefinition,
  normalizeImageRef,
  parsePlatform,
} from "../../../src/buildkit/llb/index.js";
import { headOp, opOfCase } from "./decode.js";

function source(st: Parameters<typeof marshalDefinition>[0]) {
  const def = marshalDefinition(st);
  return {
    src: opOfCase(headOp(def), "source"),
    caps: Object.keys(def.definition.metadata[def.head!]!.caps).sort(),
  };
}

describe("sources", () => {
  it("normalizes image references like Docker", () => {
    expect(normalizeImageRef("python:3.12")).toBe("docker.io/library/python:3.12");
    expect(normalizeImageRef("alpine")).toBe("docker.io/library/alpine:latest");
    expect(normalizeImageRef("astral/uv:0.5")).toBe("docker.io/astral/uv:0.5");
    expect(normalizeImageRef("ghcr.io/a/b")).toBe("ghcr.io/a/b:latest");
    expect(normalizeImageRef("localhost:5000/x:1")).toBe("localhost:5000/x:1");
    const digest = `sha256:${"a".repeat(64)}`;
    expect(normalizeImageRef(`alpine@${digest}`)).toBe(`docker.io/library/alpine@${digest}`);
    expect(() => normalizeImageRef("Python:3")).toThrow(/invalid image reference/);
  });

  it("writes image attrs and the resolve-mode cap only for pull", () => {
    const pulled = source(image("alpine", { resolveMode: "pull", recordType: "internal" }));
    expect(pulled.src.identifier).toBe("docker-image://docker.io/library/alpine:latest");
    expect(pulled.src.attrs).toEqual({ "image.recordtype": "internal", "image.resolvemode": "pull" });
    expect(pulled.caps).toEqual(["source.image", "source.image.resolvemode"]);
    const plain = source(image("alpine", { resolveMode: "default" }));
    expect(plain.src.attrs).toEqual({});
    expect(plain.caps).toEqual(["source.image"]);
  });

  it("writes local attrs as BuildKit's client does", () => {
    const { src, caps } = source(
      local("dockerfile", {
        sessionId: "s1",
        followPaths: ["pyproject.toml", "pyproject.toml.dockerignore"],
        excludePatterns: ["a&b"],
        includePatterns: ["src"],
        sharedKeyHint: "dockerfile",
        differ: { type: "none" },
        customName: "[internal] load build definition",
      }),
    );
    expect(src.identifier).toBe("local://dockerfile");
    expect(src.attrs).toEqual({
      "local.differ": "none",
      "local.excludepatterns": '["a\\u0026b"]',
      "local.followpaths": '["pyproject.toml","pyproject.toml.dockerignore"]',
      "local.includepattern": '["src"]',
      "local.session": "s1",
      "local.sharedkeyhint": "dockerfile",
    });
    expect(Object.keys(src.attrs)).toEqual(Object.keys(src.attrs).sort());
    expect(caps).not.toContain("source.local.differ");
    expect(caps).toContain("source.local.followpaths");
    expect(source(local("c", { differ: { type: "metadata", required: true } })).caps).toContain(
      "source.local.differ",
    );
  });

  it("writes git attrs for https and ssh remotes", () => {
    const https = source(
      git("github.com/org/repo.git", "v1.0", { keepGitDir: true, authTokenSecret: "TOKEN" }),
    );
    expect(https.src.identifier).toBe("git://github.com/org/repo.git#v1.0");
    expect(https.src.attrs).toEqual({
      "git.authheadersecret": "GIT_AUTH_HEADER",
      "git.authtokensecret": "TOKEN",
      "git.fullurl": "https://github.com/org/repo.git",
      "git.keepgitdir": "true",
    });
    expect(https.caps).toEqual([
      "source.git",
      "source.git.fullurl",
      "source.git.httpauth",
      "source.git.keepgitdir",
    ]);
    const ssh = source(
      git("git@github.com:org/repo.git", "main", { knownSshHosts: "github.com ssh-ed25519 AAAA" }),
    );
    expect(ssh.src.identifier).toBe("git://github.com/org/repo.git#main");
    expect(ssh.src.attrs).toMatchObject({
      "git.fullurl": "git@github.com:org/repo.git",
      "git.knownsshhosts": "github.com ssh-ed25519 AAAA\n",
      "git.mountsshsock": "default",
    });
    expect(ssh.caps).toContain("source.git.mountsshsock");
    expect(() => git("https://x/y#main", "")).toThrow(/#/);
  });

  it("writes http attrs", () => {
    const sum = `sha256:${"b".repeat(64)}`;
    const { src, caps } = source(
      http("https://example.com/tool.tgz", {
        checksum: sum,
        filename: "tool.tgz",
        perm: 0o755,
        uid: 1000,
        gid: 1000,
      }),
    );
    expect(src.identifier).toBe("https://example.com/tool.tgz");
    expect(src.attrs).toEqual({
      "http.checksum": sum,
      "http.filename": "tool.tgz",
      "http.gid": "1000",
      "http.perm": "0755",
      "http.uid": "1000",
    });
    expect(caps).toEqual(["soruce.http.uidgid", "source.http", "source.http.checksum", "source.http.perm"]);
    expect(() => http("ftp://x")).toThrow(/http/);
    expect(() => http("https://x", { checksum: "md5:1" })).toThrow(/checksum/);
  });

  it("parses and normalizes platforms", () => {
    expect(parsePlatform("linux/arm64/v8")).toEqual({ os: "linux", architecture: "arm64" });
    expect(parsePlatform("linux/x86_64")).toEqual({ os: "linux", architecture: "amd64" });
    expect(parsePlatform("linux/arm")).toEqual({ os: "linux", architecture: "arm", variant: "v7" });
    expect(() => parsePlatform("linux")).toThrow(/os\/arch/);
  });
});
