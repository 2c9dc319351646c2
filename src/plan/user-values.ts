import type { BuildSpec, SourcePosition } from "../spec/build-spec.js";
import type { Diagnostic } from "../spec/diagnostics.js";
import { CONTROL_CHARACTERS } from "../spec/value-rules.js";
import type { EnvVar } from "./build-plan.js";
import {
  DEFERRED,
  formatTemplate,
  hasReferences,
  literalTexts,
  parseSpecValue,
  SubstitutionError,
  substituteKnown,
  textOf,
  type ValuePart,
} from "./substitute-build-args.js";

/** A user label for mergeLabels: name, value, and "expand" when the value is a template. */
export type UserLabel = [name: string, value: string, mode?: "expand"];

export interface UserValues {
  /** The spec's env, in order, for the builder stage and the image. */
  env: EnvVar[];
  labels: UserLabel[];
}

/*
 * What `${NAME}` means in the spec's env and labels is what it means in a Dockerfile that declares
 * `ARG NAME` right before the env's ENV lines (BuildKit's dispatchArg puts an ARG with a value into
 * the stage's variables, and a later ENV of the same name overrides it):
 *
 *   1. a name an earlier env entry set: that entry's value (ENV after ARG wins);
 *   2. else a build arg that was passed: its value;
 *   3. else the stage's own variable at that point, base image config and pyfront's own ENV
 *      included (`${PATH}` is the image's PATH): left in the plan as a template for the renderers,
 *      which know the stage (`ENV X="${PATH}"` in a Dockerfile, the resolved config in LLB);
 *   4. unset everywhere: "".
 *
 * Labels are read after all env entries, as LABEL lines follow the ENV lines.
 */

type Known = string | undefined | typeof DEFERRED;

/** How an earlier env entry answers a reference: its value when plain, else left to the stage. */
function fromEarlierEntry(entry: EnvVar): Known {
  return entry.mode === "set" ? entry.value : DEFERRED;
}

function fromBuildArgs(buildArgs: Readonly<Record<string, string>>, name: string): Known {
  return Object.hasOwn(buildArgs, name) ? buildArgs[name] : DEFERRED;
}

/** Substitutes env and label values; problems go to `diagnostics`, with the key and position. */
export function substituteUserValues(
  spec: BuildSpec,
  buildArgs: Readonly<Record<string, string>>,
  diagnostics: Diagnostic[],
): UserValues {
  const setSoFar = new Map<string, EnvVar>();
  const env: EnvVar[] = [];
  for (const [name, raw] of spec.env) {
    const known = (ref: string): Known => {
      const earlier = setSoFar.get(ref);
      return earlier ? fromEarlierEntry(earlier) : fromBuildArgs(buildArgs, ref);
    };
    const parts = substituted(raw, "env", name, spec, known, diagnostics);
    const entry: EnvVar = hasReferences(parts)
      ? { name, value: formatTemplate(parts), mode: "expand" }
      : { name, value: textOf(parts), mode: "set" };
    env.push(entry);
    setSoFar.set(name, entry);
  }
  const labels = spec.labels.map(([name, raw]): UserLabel => {
    const known = (ref: string): Known => {
      const fromEnv = setSoFar.get(ref);
      return fromEnv ? fromEarlierEntry(fromEnv) : fromBuildArgs(buildArgs, ref);
    };
    const parts = substituted(raw, "labels", name, spec, known, diagnostics);
    return hasReferences(parts) ? [name, formatTemplate(parts), "expand"] : [name, textOf(parts)];
  });
  return { env, labels };
}

function substituted(
  raw: string,
  key: "env" | "labels",
  name: string,
  spec: BuildSpec,
  known: (name: string) => Known,
  diagnostics: Diagnostic[],
): ValuePart[] {
  const entry = `${key}.${name}`;
  const site = spec.entrySites && Object.hasOwn(spec.entrySites, entry) ? spec.entrySites[entry] : undefined;
  const position: SourcePosition | undefined = site?.position ?? spec.positions[key];
  const shown = site?.key ?? entry;
  const problem = (message: string, hint: string) =>
    diagnostics.push({
      code: "invalid-value",
      message: `${shown}: ${message}`,
      key: shown,
      hint,
      severity: "error",
      ...(position ? { position } : {}),
    });
  let parts: ValuePart[];
  try {
    parts = substituteKnown(parseSpecValue(raw), known);
  } catch (error) {
    if (!(error instanceof SubstitutionError)) throw error;
    problem(error.message, "write ${NAME} or ${NAME:-default}; a literal $ is \\$");
    return [];
  }
  if (literalTexts(parts).some((text) => CONTROL_CHARACTERS.test(text))) {
    problem(
      "the value has a line break or control character (after build-arg substitution)",
      "image env and label values must be a single line of text",
    );
  }
  return parts;
}
