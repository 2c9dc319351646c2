import { create } from "@bufbuild/protobuf";
import { type APICap, APICapSchema } from "../../../src/buildkit/gen/moby/buildkit/v1/apicaps/caps_pb.js";
import { CAP_FIRST_RELEASE, Capabilities } from "../../../src/buildkit/llb/index.js";
import type { BuildPlan } from "../../../src/plan/build-plan.js";
import type { ImageConfigJson } from "../../../src/render/llb-image-config.js";

export const BUILD_SECRET_VALUE = "never-in-llb-build-secret";
export const SHA = "a".repeat(64);

/** Every step kind and mount type, in a builder / downloads / runtime recipe like the planner's. */
export function samplePlan(): BuildPlan {
  return {
    planVersion: 1,
    decisions: {},
    stages: [
      {
        name: "builder",
        base: { kind: "image", ref: "python:3.12" },
        steps: [
          {
            kind: "env",
            vars: [
              { name: "VIRTUAL_ENV", value: "/opt/venv", mode: "set" },
              { name: "PATH", value: "/opt/venv/bin", mode: "prepend-path" },
            ],
          },
          { kind: "workdir", path: "/pyfront/context" },
          {
            kind: "run",
            argv: ["/opt/venv/bin/python", "-m", "pip", "install", "--", "/pyfront/context"],
            mounts: [
              { type: "cache", id: "pyfront-pip-3.12", target: "/root/.cache/pip", sharing: "shared" },
              { type: "secret", id: "index-creds", target: "/run/secrets/pyfront-index-0", required: true },
              {
                type: "secret",
                id: "pyfront-index-1",
                target: "/run/secrets/pyfront-index-1",
                required: true,
              },
              { type: "ssh", id: "default", required: false },
              {
                type: "bind",
                from: { kind: "context" },
                source: ".",
                target: "/pyfront/context",
                readWrite: true,
              },
              {
                type: "bind",
                from: { kind: "context" },
                source: "ssh/known_hosts",
                target: "/pyfront/ssh/known_hosts",
                readWrite: false,
              },
            ],
            env: [{ name: "GIT_SSH_COMMAND", value: "ssh -o StrictHostKeyChecking=yes", mode: "set" }],
            description: "install the project",
          },
        ],
      },
      {
        name: "downloads",
        base: { kind: "image", ref: "python:3.12" },
        steps: [
          {
            kind: "fetch-url",
            url: "https://example.org/files/tool.tar.gz",
            checksum: `sha256:${SHA}`,
            dest: "/pyfront/downloads/0/tool.tar.gz",
            mode: 0o644,
          },
        ],
      },
      {
        name: "runtime",
        base: { kind: "image", ref: "python:3.12-slim" },
        steps: [
          {
            kind: "copy",
            from: { kind: "stage", name: "builder" },
            sources: ["/opt/venv"],
            dest: "/opt/venv",
            unpackArchives: false,
          },
          {
            kind: "copy",
            from: { kind: "context" },
            sources: ["conf/*.ini"],
            dest: "/etc/app/",
            unpackArchives: false,
          },
          {
            kind: "copy",
            from: { kind: "context" },
            sources: ["vendor.tar"],
            dest: "/srv/vendor",
            unpackArchives: true,
          },
          {
            kind: "copy",
            from: { kind: "image", ref: "busybox:1.36" },
            sources: ["/bin/busybox"],
            dest: "/usr/local/bin/busybox",
            unpackArchives: false,
          },
          {
            kind: "copy",
            from: { kind: "stage", name: "downloads" },
            sources: ["/pyfront/downloads/0/tool.tar.gz"],
            dest: "/opt/tool.tar.gz",
            unpackArchives: false,
          },
        ],
      },
    ],
    image: {
      env: [
        { name: "PATH", value: "/opt/venv/bin", mode: "prepend-path" },
        { name: "PYTHONUNBUFFERED", value: "1", mode: "set" },
      ],
      user: "65532:65532",
      workdir: "/app",
      entrypoint: ["hello"],
      cmd: ["--serve"],
      labels: [
        { name: "org.opencontainers.image.title", value: "hello" },
        { name: "zeta", value: "last" },
      ],
      exposedPorts: ["8000/tcp", "9000/udp"],
      healthcheck: { test: ["curl", "-f", "http://localhost:8000/"], intervalSeconds: 30, retries: 3 },
    },
    secrets: [
      { id: "index-creds", required: true, source: "build-secret", purpose: "index 0" },
      { id: "pyfront-index-1", required: true, source: "spec-inline", purpose: "index 1" },
    ],
    ssh: true,
  };
}

/** A python image's config as a registry serves it (trimmed). */
export function pythonConfig(): ImageConfigJson {
  return {
    architecture: "amd64",
    os: "linux",
    created: "2024-06-01T00:00:00Z",
    config: {
      Env: [
        "PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG=C.UTF-8",
        "PYTHON_VERSION=3.12.4",
      ],
      Cmd: ["python3"],
      Labels: { maintainer: "python", "org.opencontainers.image.title": "python" },
      WorkingDir: "",
    },
    rootfs: { type: "layers", diff_ids: [`sha256:${"1".repeat(64)}`] },
    history: [{ created: "2024-06-01T00:00:00Z", created_by: "/bin/sh -c #(nop) ADD file:x in /" }],
  };
}

function versionOf(release: string): number {
  const [, minor] = /^v0\.(\d+)$/.exec(release) ?? [];
  return Number(minor);
}

function capsUpTo(minor: number): Capabilities {
  const ids = Object.entries(CAP_FIRST_RELEASE)
    .filter(([, release]) => versionOf(release) <= minor)
    .map(([id]) => id);
  const llb: APICap[] = ids.map((ID) => create(APICapSchema, { ID, Enabled: true }));
  return new Capabilities(llb, []);
}

/** What Docker 20.10's BuildKit (v0.8) announces. */
export const V08_CAPS = capsUpTo(8);
