/*
 * Classifies what the pipeline made of one hostile input: crash (an error that is not a user
 * error), hang (over the time budget), injection (the Dockerfile, read back the way BuildKit reads
 * it, says something else than the plan), escape (a context path outside the context), leak (the
 * planted credential, in any encoding, in any output).
 */

import { memoryContext } from "../../../src/context/memory-context.js";
import type { BuildPlan, Mount, Step } from "../../../src/plan/build-plan.js";
import { LOCKED_REQUIREMENTS_SCRIPT } from "../../../src/plan/locked-install.js";
import { expandTemplate, parseTemplate, referencedNames } from "../../../src/plan/substitute-build-args.js";
import { redactSpecText } from "../../../src/spec/value-rules.js";
import { EXPANDED, expandWord, processWord } from "../render/docker-parser-model.js";
import { mountFields, type ReadInstruction, readDockerfile } from "./dockerfile-reader.js";
import type { FuzzCase } from "./fuzz-inputs.js";
import { findLeaks } from "./leak-search.js";
import { outputsOf, type Rendered, renderAll } from "./render-all.js";

export type Finding =
  | "crash"
  | "hang"
  | "injection"
  | "escape"
  | "leak"
  | "nondeterministic"
  | "unpositioned"
  | "unrefused";

/** Every diagnostic names its place: `file:line:column: `. */
const POSITIONED = /^[^\n]*:\d+:\d+: /;

export interface Classified {
  findings: Array<{ kind: Finding; detail: string }>;
  refused: boolean;
  dockerfileRefused: boolean;
  ms: number;
}

export const CASE_BUDGET_MS = 5000;

export function classify(c: FuzzCase, checkDeterminism: boolean): Classified {
  const findings: Classified["findings"] = [];
  const run = () =>
    renderAll(
      c.text,
      {
        specFile: c.specFile,
        ...(c.target !== undefined ? { target: c.target } : {}),
        buildArgs: c.buildArgs,
      },
      memoryContext(c.files),
    );
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).length;
  const started = performance.now();
  let r: Rendered | undefined;
  try {
    r = run();
  } catch (error) {
    findings.push({
      kind: "crash",
      detail: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error),
    });
  }
  const ms = performance.now() - started;
  if (ms > CASE_BUDGET_MS) findings.push({ kind: "hang", detail: `${Math.round(ms)} ms` });
  if (Object.getOwnPropertyNames(Object.prototype).length !== prototypeKeys)
    findings.push({ kind: "injection", detail: "Object.prototype gained a property" });
  if (!r) return { findings, refused: false, dockerfileRefused: false, ms };
  if (c.mustRefuse !== undefined && !r.refused)
    findings.push({ kind: "unrefused", detail: `accepted ${c.mustRefuse}` });
  // The frontend shows spec lines with its messages, redacted: they count as log too.
  const outputs = { ...outputsOf(r), shownSpec: redactSpecText(c.text) };
  for (const leak of findLeaks(c.planted, outputs)) findings.push({ kind: "leak", detail: leak });
  for (const message of r.messages)
    if (!POSITIONED.test(message)) findings.push({ kind: "unpositioned", detail: message.slice(0, 200) });
  if (r.plan) {
    for (const problem of escapes(r.plan)) findings.push({ kind: "escape", detail: problem });
    for (const problem of detectedCommandProblems(r.plan, c.neverBuilt))
      findings.push({ kind: "injection", detail: problem });
    for (const problem of lockedLineProblems(r.plan)) findings.push({ kind: "injection", detail: problem });
    if (r.dockerfile !== undefined) {
      for (const problem of injections(r.plan, r.dockerfile))
        findings.push({ kind: "injection", detail: problem });
    }
  }
  if (checkDeterminism) {
    const again = run();
    const same =
      again.planJson === r.planJson &&
      again.dockerfile === r.dockerfile &&
      again.llbJson === r.llbJson &&
      again.messages.join("\n") === r.messages.join("\n");
    if (!same) findings.push({ kind: "nondeterministic", detail: "a second run gave other bytes" });
  }
  return {
    findings,
    refused: r.refused,
    dockerfileRefused: r.plan !== undefined && r.dockerfile === undefined,
    ms,
  };
}

/**
 * What pyfront found in the project's files becomes a command only as plain argv items: module and
 * variable names that are Python identifiers, script names without spaces or shell bytes. A
 * Procfile's web line is the user's own shell command: it stays one `sh -c` item of the image's
 * command and never reaches a build step.
 */
const DETECTED_RULES = new Set([
  "console-script",
  "django-gunicorn",
  "asgi-uvicorn",
  "flask-gunicorn",
  "package-main",
]);
const IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";
const SAFE_ITEM = new RegExp(
  `^(${IDENTIFIER}(\\.${IDENTIFIER})*(:${IDENTIFIER}(\\(\\))?)?|[A-Za-z0-9][A-Za-z0-9_.-]*|/[A-Za-z0-9_./-]+|-[cm])$`,
);
const UVICORN_SCRIPT = 'exec uvicorn "$0" --host 0.0.0.0 --port "${PORT:-8000}"';

export function detectedCommandProblems(plan: BuildPlan, neverBuilt: string | undefined): string[] {
  const out: string[] = [];
  const command = [...(plan.image.entrypoint ?? []), ...(plan.image.cmd ?? [])];
  const rule = plan.decisions.command?.rule;
  if (rule !== undefined && DETECTED_RULES.has(rule)) {
    for (const item of command)
      if (item !== UVICORN_SCRIPT && !SAFE_ITEM.test(item))
        out.push(`${rule} put ${JSON.stringify(item.slice(0, 80))} on the command line`);
  }
  if (rule === "procfile-web" && (command.length !== 3 || command[0] !== "sh" || command[1] !== "-c"))
    out.push(`procfile-web command has ${command.length} items: ${JSON.stringify(command).slice(0, 120)}`);
  if (neverBuilt !== undefined) {
    const built = JSON.stringify(plan.stages);
    if (built.includes(neverBuilt)) out.push("the Procfile's web line reached a build step");
    const inImage = JSON.stringify(plan.image).split(neverBuilt).length - 1;
    if (inImage > 1) out.push(`the Procfile's web line is in the image config ${inImage} times`);
  }
  return out;
}

/** A context path that is absolute or climbs out, in a bind mount or a copy from the context. */
/** A line of the locked requirements file: one pinned requirement and its hashes, nothing else. */
const LOCKED_LINE =
  /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(==[A-Za-z0-9!+._-]+| @ https?:\/\/[^\s@]+)( --hash=sha(256|384|512):[0-9a-f]+)+$/;

/**
 * What a lock says reaches pip as lines of a requirements file (the locked step's argv before
 * "--"): each must be a single pinned requirement with hashes, so no value of the lock can add a
 * line, an option (`--index-url`) or a credential to what pip reads.
 */
export function lockedLineProblems(plan: BuildPlan): string[] {
  const out: string[] = [];
  for (const stage of plan.stages) {
    for (const step of stage.steps) {
      if (step.kind !== "run" || step.argv[2] !== LOCKED_REQUIREMENTS_SCRIPT) continue;
      const lines = step.argv.slice(3, step.argv.indexOf("--", 3));
      for (const line of lines)
        if (!LOCKED_LINE.test(line)) out.push(`locked line ${JSON.stringify(line).slice(0, 160)}`);
    }
  }
  return out;
}

export function escapes(plan: BuildPlan): string[] {
  const out: string[] = [];
  const check = (path: string, where: string) => {
    if (path.startsWith("/") || path.split("/").includes("..") || /^[A-Za-z]:/.test(path)) {
      out.push(`${where}: ${JSON.stringify(path)}`);
    }
  };
  for (const stage of plan.stages) {
    for (const step of stage.steps) {
      if (step.kind === "run") {
        for (const m of step.mounts)
          if (m.type === "bind" && m.from.kind === "context") check(m.source, "bind source");
      }
      if (step.kind === "copy" && step.from.kind === "context")
        for (const s of step.sources) check(s, "copy source");
    }
  }
  return out;
}

function expectedInstructions(plan: BuildPlan): string[] {
  const out: string[] = [];
  const step = (s: Step) => {
    if (s.kind === "run") out.push("RUN");
    else if (s.kind === "copy") out.push(s.unpackArchives ? "ADD" : "COPY");
    else if (s.kind === "fetch-url") out.push("ADD", "RUN");
    else if (s.kind === "env") for (const _ of s.vars) out.push("ENV");
    else out.push("WORKDIR");
  };
  for (const stage of plan.stages) {
    out.push("FROM");
    // The renderer's USER root after an image FROM (the recipe's steps run as root).
    if (stage.base.kind === "image") out.push("USER");
    stage.steps.forEach(step);
  }
  const image = plan.image;
  for (const _ of image.env) out.push("ENV");
  for (const _ of image.labels) out.push("LABEL");
  for (const _ of image.exposedPorts) out.push("EXPOSE");
  if (image.healthcheck) out.push("HEALTHCHECK");
  out.push("WORKDIR", "USER");
  if (image.entrypoint) out.push("ENTRYPOINT");
  if (image.cmd) out.push("CMD");
  return out;
}

/** parseWords (line_parsers.go): words split on unicode spaces outside quotes, quotes kept. */
function parseWords(rest: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote = "";
  const cps = [...rest];
  const isSpace = (c: string) =>
    /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(c);
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    if (quote === "") {
      if (isSpace(ch)) {
        if (inWord) words.push(word);
        word = "";
        inWord = false;
        continue;
      }
      inWord = true;
      if (ch === "'" || ch === '"') quote = ch;
      if (ch === "\\" && i + 1 < cps.length) {
        word += ch;
        i++;
        word += cps[i]!;
        continue;
      }
      word += ch;
    } else {
      if (ch === quote) quote = "";
      else if (ch === "\\" && quote !== "'" && i + 1 < cps.length) {
        word += ch;
        i++;
      }
      word += cps[i]!;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function literal(word: string): string | undefined {
  try {
    const value = processWord(word);
    return value.includes(EXPANDED) ? undefined : value;
  } catch {
    return undefined;
  }
}

/**
 * Whether a Dockerfile word reads like the plan's template (mode "expand") whatever the stage's
 * variables: unset, empty, or set to a value of their own.
 */
function expandsLike(word: string, template: string): boolean {
  const names = [...new Set(referencedNames(parseTemplate(template)))];
  const settings: Array<Record<string, string>> = [
    {},
    Object.fromEntries(names.map((n) => [n, ""])),
    Object.fromEntries(names.map((n) => [n, `v-${n}`])),
  ];
  try {
    // Docker 20.10 reads an unset name as "": the renderer writes only the colon forms.
    return settings.every(
      (vars) => expandWord(word, vars) === expandTemplate(template, (n) => vars[n] ?? ""),
    );
  } catch {
    return false;
  }
}

function mountMatches(fields: Array<[string, string]>, mount: Mount): boolean {
  const get = (key: string) => fields.find(([k]) => k === key)?.[1];
  if (get("type") !== mount.type) return false;
  if (mount.type === "bind") return get("source") === mount.source && get("target") === mount.target;
  if (mount.type === "ssh") return get("id") === mount.id;
  return get("id") === mount.id && get("target") === mount.target;
}

/** Reads the Dockerfile back like BuildKit and compares every instruction with the plan. */
export function injections(plan: BuildPlan, dockerfile: string): string[] {
  const out: string[] = [];
  const read: ReadInstruction[] = readDockerfile(dockerfile);
  const commands = read.map((i) => i.command);
  const expected = expectedInstructions(plan);
  if (commands.join(" ") !== expected.join(" ")) {
    out.push(`instructions ${commands.join(" ")} != plan ${expected.join(" ")}`);
    return out;
  }
  const runs = plan.stages.flatMap((s) =>
    s.steps.flatMap((step) => (step.kind === "run" ? [step] : step.kind === "fetch-url" ? [undefined] : [])),
  );
  const envs = [
    ...plan.stages.flatMap((s) => s.steps.flatMap((step) => (step.kind === "env" ? step.vars : []))),
    ...plan.image.env,
  ];
  let runIndex = 0;
  let envIndex = 0;
  let labelIndex = 0;
  for (const ins of read) {
    const at = `line ${ins.line} ${ins.command}`;
    switch (ins.command) {
      case "RUN": {
        if (!ins.json) {
          out.push(`${at}: shell form: ${ins.rest.slice(0, 120)}`);
          break;
        }
        const step = runs[runIndex++];
        if (!step) break;
        const argv =
          step.env.length > 0
            ? ["env", ...step.env.map((v) => `${v.name}=${v.value}`), ...step.argv]
            : step.argv;
        if (JSON.stringify(ins.json) !== JSON.stringify(argv)) out.push(`${at}: argv differs from the plan`);
        if (ins.flags.length !== step.mounts.length)
          out.push(`${at}: ${ins.flags.length} flags for ${step.mounts.length} mounts`);
        ins.flags.forEach((flag, i) => {
          let fields: Array<[string, string]>;
          try {
            fields = mountFields(flag);
          } catch (error) {
            out.push(`${at}: flag ${JSON.stringify(flag)}: ${(error as Error).message}`);
            return;
          }
          const mount = step.mounts[i];
          if (mount && !mountMatches(fields, mount))
            out.push(`${at}: mount ${JSON.stringify(fields)} != plan ${JSON.stringify(mount)}`);
          // Newer Dockerfile frontends expand mount values: they must read the same expanded.
          for (const [, value] of fields)
            if (literal(value) !== value)
              out.push(`${at}: mount value ${JSON.stringify(value)} changes when expanded`);
        });
        break;
      }
      case "CMD":
      case "ENTRYPOINT": {
        const want = ins.command === "CMD" ? plan.image.cmd : plan.image.entrypoint;
        if (!ins.json || JSON.stringify(ins.json) !== JSON.stringify(want))
          out.push(`${at}: not the plan's exec form`);
        break;
      }
      case "HEALTHCHECK": {
        const cmd = /^CMD\s+(.*)$/s.exec(ins.rest);
        let test: unknown;
        try {
          test = cmd ? JSON.parse(cmd[1]!) : undefined;
        } catch {
          test = undefined;
        }
        if (JSON.stringify(test) !== JSON.stringify(plan.image.healthcheck?.test))
          out.push(`${at}: not the plan's test`);
        break;
      }
      case "ENV": {
        const v = envs[envIndex++]!;
        const words = parseWords(ins.rest);
        const word = words[0] ?? "";
        const eq = word.indexOf("=");
        if (words.length !== 1 || word.slice(0, eq) !== v.name) {
          out.push(`${at}: ${words.length} words for ${v.name}`);
          break;
        }
        const value = word.slice(eq + 1);
        if (v.mode === "set" && literal(value) !== v.value) out.push(`${at}: value of ${v.name} differs`);
        if (v.mode === "expand" && !expandsLike(value, v.value))
          out.push(`${at}: value of ${v.name} differs`);
        break;
      }
      case "LABEL": {
        const label = plan.image.labels[labelIndex++]!;
        const words = parseWords(ins.rest);
        const word = words[0] ?? "";
        const eq = word.indexOf('"=') + 1;
        const valueReads =
          label.mode === "expand"
            ? expandsLike(word.slice(eq + 1), label.value)
            : literal(word.slice(eq + 1)) === label.value;
        if (words.length !== 1 || literal(word.slice(0, eq)) !== label.name || !valueReads) {
          out.push(`${at}: label ${JSON.stringify(label.name)} differs`);
        }
        break;
      }
      case "COPY":
      case "ADD": {
        const words = ins.json ?? ins.rest.split(/[\t\v\f\r ]+/);
        for (const w of words)
          if (literal(w) === undefined) out.push(`${at}: word ${JSON.stringify(w)} is expanded`);
        break;
      }
      case "WORKDIR":
        if (literal(ins.rest) === undefined) out.push(`${at}: path is expanded`);
        break;
    }
  }
  return out;
}
