/**
 * Reproducible images (`--build-arg SOURCE_DATE_EPOCH=<seconds>`, the convention of
 * reproducible-builds.org): two clean builds of the same inputs give the same layers. What
 * varies otherwise is time: file times of everything installed, and bytecode that records its
 * source's time. With the epoch set, every step runs with SOURCE_DATE_EPOCH in its environment
 * (pip and compileall then write hash-checked bytecode with no time in it; useradd dates the
 * account by it, and the create-user script clamps the times of what it wrote), and every copy
 * between stages sets the copied files' times to the epoch. Unset, the plan is as before.
 */
import type { Diagnostic } from "../spec/diagnostics.js";
import type { BuildPlan, Step } from "./build-plan.js";

export const SOURCE_DATE_EPOCH_ARG = "SOURCE_DATE_EPOCH";

/** The epoch the build asks for, in seconds; a value that is no such number is an error. */
export function sourceDateEpoch(
  buildArgs: Readonly<Record<string, string>>,
  diagnostics: Diagnostic[],
): number | undefined {
  if (!Object.hasOwn(buildArgs, SOURCE_DATE_EPOCH_ARG)) return undefined;
  const text = buildArgs[SOURCE_DATE_EPOCH_ARG]!;
  // Empty counts as not given, as for the other build args a CI passes through.
  if (text === "") return undefined;
  if (!/^\d{1,12}$/.test(text)) {
    diagnostics.push({
      code: "invalid-source-date-epoch",
      message: `the build arg ${SOURCE_DATE_EPOCH_ARG}=${JSON.stringify(text.slice(0, 40))} is not a time in seconds since 1970`,
      hint: "pass the time of the commit, e.g. --build-arg SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)",
      severity: "error",
    });
    return undefined;
  }
  return Number(text);
}

export function withSourceDateEpoch(plan: BuildPlan, epoch: number | undefined): BuildPlan {
  if (epoch === undefined) return plan;
  const timed = (step: Step): Step => {
    if (step.kind === "run") {
      return {
        ...step,
        env: [...step.env, { name: SOURCE_DATE_EPOCH_ARG, value: String(epoch), mode: "set" }],
      };
    }
    if (step.kind === "copy") return { ...step, timestamp: epoch };
    return step;
  };
  return {
    ...plan,
    sourceDateEpoch: epoch,
    stages: plan.stages.map((stage) => ({ ...stage, steps: stage.steps.map(timed) })),
  };
}
