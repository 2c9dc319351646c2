import { describe, expect, it } from "vitest";
import { renderLlb } from "../../../src/render/llb.js";
import { DEFAULT_PATH_ENV, imageConfigFor, stageStartConfig } from "../../../src/render/llb-image-config.js";
import { pythonConfig, samplePlan } from "./llb-fixtures.js";

describe("imageConfigFor", () => {
  it("merges env by name, prepends PATH, sets user, workdir, entrypoint/cmd, labels, ports and healthcheck", () => {
    const config = imageConfigFor(samplePlan(), pythonConfig());
    expect(config.created).toBeUndefined();
    expect(config.config).toEqual({
      Env: [
        "PATH=/opt/venv/bin:/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG=C.UTF-8",
        "PYTHON_VERSION=3.12.4",
        "PYTHONUNBUFFERED=1",
      ],
      Entrypoint: ["hello"],
      Cmd: ["--serve"],
      ArgsEscaped: true,
      Labels: { maintainer: "python", "org.opencontainers.image.title": "hello", zeta: "last" },
      ExposedPorts: { "8000/tcp": {}, "9000/udp": {} },
      Healthcheck: {
        Test: ["CMD", "curl", "-f", "http://localhost:8000/"],
        Interval: 30_000_000_000,
        Retries: 3,
      },
      WorkingDir: "/app",
      User: "65532:65532",
    });
  });

  it("ENTRYPOINT drops the inherited CMD; an empty CMD leaves no Cmd key", () => {
    const plan = samplePlan();
    plan.image.cmd = [];
    const config = imageConfigFor(plan, pythonConfig());
    expect(config.config?.Entrypoint).toEqual(["hello"]);
    expect(config.config && "Cmd" in config.config).toBe(false);
  });

  it("keeps the base CMD when the plan sets neither entrypoint nor cmd", () => {
    const plan = samplePlan();
    delete plan.image.entrypoint;
    delete plan.image.cmd;
    expect(imageConfigFor(plan, pythonConfig()).config?.Cmd).toEqual(["python3"]);
  });

  it("keeps the base history and adds deterministic entries, a layer for each op", () => {
    const config = imageConfigFor(samplePlan(), pythonConfig());
    const history = config.history ?? [];
    expect(history[0]?.created_by).toContain("ADD file:x");
    const added = history.slice(1);
    expect(added.every((h) => h.created === undefined && h.comment === "pyfront")).toBe(true);
    // runtime: five copies and the image WORKDIR make layers.
    expect(added.filter((h) => h.empty_layer !== true).map((h) => h.created_by)).toEqual([
      "COPY /opt/venv /opt/venv",
      "COPY conf/*.ini /etc/app/",
      "ADD vendor.tar /srv/vendor",
      "COPY /bin/busybox /usr/local/bin/busybox",
      "COPY /pyfront/downloads/0/tool.tar.gz /opt/tool.tar.gz",
      "WORKDIR /app",
    ]);
    expect(JSON.stringify(imageConfigFor(samplePlan(), pythonConfig()))).toBe(JSON.stringify(config));
  });

  it("sets PATH to BuildKit's default when the base names none, and writes an explicit platform", () => {
    const config = imageConfigFor(samplePlan(), undefined, { os: "linux", architecture: "arm64" });
    expect(config.config?.Env?.[0]).toBe(`PATH=/opt/venv/bin:${DEFAULT_PATH_ENV}`);
    expect(config).toMatchObject({ os: "linux", architecture: "arm64" });
  });

  it("refuses base images with ONBUILD triggers", () => {
    const base = pythonConfig();
    base.config = { ...base.config, OnBuild: ["RUN make"] };
    expect(() => stageStartConfig(base, "python:3.12")).toThrow(/ONBUILD/);
  });

  it("is what renderLlb returns for the same inputs", () => {
    const rendered = renderLlb(samplePlan(), {
      sessionId: "s",
      contextExcludes: [],
      baseImages: { "python:3.12-slim": { config: pythonConfig() } },
    });
    expect(rendered.imageConfig).toEqual(imageConfigFor(samplePlan(), pythonConfig()));
  });
});
