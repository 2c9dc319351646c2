// `${NAME}` in env and labels means what it means in a Dockerfile with `ARG NAME` before the ENV
// lines: an earlier env entry, else a passed build arg, else the stage's own variable (the base
// image's PATH), else "". Checked in the plan, in the Dockerfile (read back with a model of
// Docker 20.10's lexer) and in the LLB renderer's image config.
import { describe, expect, it } from "vitest";
import type { BuildPlan, EnvVar } from "../../../src/plan/build-plan.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { DockerfileRefusal } from "../../../src/render/dockerfile-quoting.js";
import { envValue, type ImageConfigJson, imageConfigFor } from "../../../src/render/llb-image-config.js";
import type { BuildSpec } from "../../../src/spec/build-spec.js";
import { SpecError } from "../../../src/spec/diagnostics.js";
import { expandWord } from "../render/docker-parser-model.js";
import { baseSpec } from "./spec-fixtures.js";

const BASE_PATH = "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin";
const RUNTIME_CONFIG: ImageConfigJson = {
  config: { Env: [`PATH=${BASE_PATH}`, "LANG=C.UTF-8", "PYTHON_VERSION=3.11.9"], Cmd: ["python3"] },
};

function plan(
  env: Array<[string, string]>,
  buildArgs: Record<string, string> = {},
  labels: Array<[string, string]> = [],
) {
  return planBuild(baseSpec({ env, labels }), { buildArgs });
}

function imageEnv(p: BuildPlan, base: ImageConfigJson = RUNTIME_CONFIG): string[] {
  return imageConfigFor(p, base).config?.Env ?? [];
}

function userVar(p: BuildPlan, name: string): EnvVar | undefined {
  return p.image.env.filter((v) => v.name === name).at(-1);
}

/** What Docker's Dockerfile frontend makes of the runtime stage's ENV lines, given the base image's variables. */
function dockerfileEnv(p: BuildPlan, base: Record<string, string>): Record<string, string> {
  const vars = { ...base };
  const runtime = renderDockerfile(p).split("\nFROM python:3.11-slim AS runtime\n")[1]!;
  for (const line of runtime.split("\n")) {
    const match = /^ENV ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) vars[match[1]!] = expandWord(match[2]!, vars);
  }
  return vars;
}

describe("${NAME} in env", () => {
  it("PATH = /x:${PATH} keeps the image's PATH, after the venv (the e2e case)", () => {
    const p = plan([["PATH", "/x:${PATH}"]]);
    expect(userVar(p, "PATH")).toEqual({ name: "PATH", value: "/x:${PATH}", mode: "expand" });
    expect(envValue(imageEnv(p), "PATH")).toBe(`/x:/opt/venv/bin:${BASE_PATH}`);
    expect(renderDockerfile(p)).toContain('ENV PATH="/x:${PATH}"');
    expect(dockerfileEnv(p, { PATH: BASE_PATH }).PATH).toBe(`/x:/opt/venv/bin:${BASE_PATH}`);
  });

  it("also in the builder stage, where PATH is the builder image's own", () => {
    const p = plan([["PATH", "/x:${PATH}"]]);
    const builderEnv = p.stages[0]!.steps.flatMap((s) => (s.kind === "env" ? s.vars : []));
    expect(builderEnv.at(-1)).toEqual({ name: "PATH", value: "/x:${PATH}", mode: "expand" });
  });

  it("a passed build arg wins over the image's variable, as an ARG in scope does", () => {
    const p = plan([["PATH", "/x:${PATH}"]], { PATH: "/from-arg" });
    expect(userVar(p, "PATH")).toEqual({ name: "PATH", value: "/x:/from-arg", mode: "set" });
    expect(envValue(imageEnv(p), "PATH")).toBe("/x:/from-arg");
  });

  it("an earlier env entry wins over a build arg of the same name, as ENV after ARG does", () => {
    const p = plan(
      [
        ["APP_HOME", "/srv"],
        ["DATA", "${APP_HOME}/data"],
      ],
      { APP_HOME: "/ignored" },
    );
    expect(userVar(p, "DATA")).toEqual({ name: "DATA", value: "/srv/data", mode: "set" });
  });

  it("an earlier entry that reads the image is read from the stage too", () => {
    const p = plan([
      ["HOME_COPY", "${HOME:-none}"],
      ["ALSO", "<${HOME_COPY}>"],
    ]);
    expect(userVar(p, "ALSO")).toEqual({ name: "ALSO", value: "<${HOME_COPY}>", mode: "expand" });
    expect(envValue(imageEnv(p), "ALSO")).toBe("<none>");
    expect(dockerfileEnv(p, { HOME: "/root" }).ALSO).toBe("</root>");
  });

  it("reads the base image's other variables, and is empty when nothing sets the name", () => {
    const p = plan([
      ["PY", "python ${PYTHON_VERSION}"],
      ["NOTHING", "[${NOPE}]"],
      ["DEFAULTED", "${NOPE:-dev}"],
      ["ALT", "${LANG:+has-lang}"],
    ]);
    const env = imageEnv(p);
    expect(envValue(env, "PY")).toBe("python 3.11.9");
    expect(envValue(env, "NOTHING")).toBe("[]");
    expect(envValue(env, "DEFAULTED")).toBe("dev");
    expect(envValue(env, "ALT")).toBe("has-lang");
    const docker = dockerfileEnv(p, { PATH: BASE_PATH, LANG: "C.UTF-8", PYTHON_VERSION: "3.11.9" });
    expect([docker.PY, docker.NOTHING, docker.DEFAULTED, docker.ALT]).toEqual([
      "python 3.11.9",
      "[]",
      "dev",
      "has-lang",
    ]);
  });

  it("keeps literal text literal in both renderings: quotes, backslashes, braces and dollars", () => {
    const tricky = `a}b"c'd\\e$f\${g}`;
    const p = plan([["V", "${UNSET:-${ARG}}|${UNSET}"]], { ARG: tricky });
    const v = userVar(p, "V")!;
    expect(v.mode).toBe("expand");
    expect(envValue(imageEnv(p), "V")).toBe(`${tricky}|`);
    expect(dockerfileEnv(p, {}).V).toBe(`${tricky}|`);
    expect(dockerfileEnv(p, { UNSET: "set" }).V).toBe("set|set");
    expect(envValue(imageEnv(p, { config: { Env: ["UNSET=set"] } }), "V")).toBe("set|set");
  });

  it("refuses in a Dockerfile the forms Docker 20.10 cannot expand, and builds them through LLB", () => {
    const p = plan([["V", "${NOPE-unset}"]]);
    expect(envValue(imageEnv(p), "V")).toBe("unset");
    expect(envValue(imageEnv(p, { config: { Env: ["NOPE="] } }), "V")).toBe("");
    expect(() => renderDockerfile(p)).toThrow(DockerfileRefusal);
    expect(() => renderDockerfile(p)).toThrow(/cannot expand \$\{NOPE-\.\.\.\} \(only \$\{NOPE:-\.\.\.\}\)/);
  });

  it("is plain text when every reference is a passed build arg (no change from before)", () => {
    const p = plan([["RELEASE", "${RELEASE:-dev}"]], { RELEASE: "2024.1" });
    expect(userVar(p, "RELEASE")).toEqual({ name: "RELEASE", value: "2024.1", mode: "set" });
  });

  it("still reports malformed references and line breaks, with the key", () => {
    const spec: BuildSpec = baseSpec({
      env: [
        ["BAD", "${"],
        ["NL", "${ARG}"],
      ],
    });
    let caught: unknown;
    try {
      planBuild(spec, { buildArgs: { ARG: "a\nb" } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecError);
    expect((caught as SpecError).diagnostics.map((d) => d.message)).toEqual([
      'env.BAD: bad variable name in "${"',
      "env.NL: the value has a line break or control character (after build-arg substitution)",
    ]);
  });
});

describe("${NAME} in labels", () => {
  it("reads the image's final variables, the env's included", () => {
    const p = plan([["APP", "web"]], {}, [
      ["org.example.app", "${APP}"],
      ["org.example.path", "${PATH}"],
      ["org.example.version", "${VERSION:-0.0.0}"],
    ]);
    const labels = Object.fromEntries(p.image.labels.map((l) => [l.name, l]));
    expect(labels["org.example.app"]).toEqual({ name: "org.example.app", value: "web" });
    expect(labels["org.example.path"]).toEqual({
      name: "org.example.path",
      value: "${PATH}",
      mode: "expand",
    });
    const config = imageConfigFor(p, RUNTIME_CONFIG).config!;
    expect(config.Labels?.["org.example.path"]).toBe(`/opt/venv/bin:${BASE_PATH}`);
    expect(config.Labels?.["org.example.version"]).toBe("0.0.0");
    expect(renderDockerfile(p)).toContain('LABEL "org.example.version"="${VERSION:-0.0.0}"');
  });

  it("a build arg fills a label unless the env sets that name", () => {
    const p = plan([["APP", "web"]], { APP: "arg", VERSION: "1.2" }, [
      ["a", "${APP}"],
      ["v", "${VERSION}"],
    ]);
    expect(p.image.labels.filter((l) => l.name === "a" || l.name === "v")).toEqual([
      { name: "a", value: "web" },
      { name: "v", value: "1.2" },
    ]);
  });
});
