/**
 * A PYENV Dockerfile (astro's `PYENV <python-version> <venv-name> [<reqs-file>]`) expanded into
 * standard instructions, for the stock Dockerfile frontend to build. Pure: same spec and
 * options, same text.
 *
 * Each environment is built in stages of its own (the interpreter of `python:X-slim[-<release>]`,
 * then the venv and its pip install), so a change to one requirements file rebuilds only that
 * venv. Those stages go right before the user's first FROM: the Dockerfile frontend only lets a
 * stage copy from stages above it, and global ARGs stay before every FROM. Each PYENV line becomes
 * the instructions that bring its interpreter and venv into the user's stage. Lines move, so
 * `lineMap` says, for each line of the result, the user's line it comes from: the frontend maps
 * the Dockerfile frontend's errors back with it. Numeric stage references (`COPY --from=0`) are
 * shifted past the added stages.
 */
import { debianReleaseOf } from "../detect/debian-release.js";
import type { BuildSpec, PyenvEnvironment, SourcePosition } from "../spec/build-spec.js";
import { type Diagnostic, SpecError } from "../spec/diagnostics.js";
import { escapeCharacter, instructionEnd } from "../spec/pyenv-format.js";

/** astro's place for the venvs. */
export const PYENV_VENV_ROOT = "/home/astro/.venv";
/** Sets the Debian release of every PYENV interpreter image, in place of the one told from FROM. */
export const PYENV_RELEASE_ARG = "PYFRONT_PYENV_RELEASE";
/** Names a Dockerfile syntax image (e.g. docker/dockerfile:1.7) to forward to, in place of the engine's own. */
export const PYENV_SYNTAX_ARG = "PYFRONT_PYENV_SYNTAX";
/** Stage names pyfront adds; a user's stage may not start with it. */
export const PYENV_STAGE_PREFIX = "pyfront-pyenv-";
/** pip's variables passed to the venv stages as build args (values checked by the frontend). */
export const PYENV_PIP_ARGS = ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST"] as const;

/** Entry points that name no version: left out, so two interpreters or the base's own never clash. */
const UNVERSIONED_FILES = [
  "/usr/local/bin/python",
  "/usr/local/bin/python3",
  "/usr/local/bin/python3-config",
  "/usr/local/bin/pip",
  "/usr/local/bin/pip3",
  "/usr/local/bin/idle",
  "/usr/local/bin/idle3",
  "/usr/local/bin/pydoc",
  "/usr/local/bin/pydoc3",
  "/usr/local/bin/2to3",
  "/usr/local/lib/libpython3.so",
  "/usr/local/lib/pkgconfig/python3.pc",
  "/usr/local/lib/pkgconfig/python3-embed.pc",
];
const REQUIREMENTS_TARGET = "/tmp/pyfront-pyenv-requirements.txt";
const ROOT_USERS = new Set(["root", "0", "root:root", "0:0", "root:0", "0:root"]);
/** A USER value safe to repeat in `COPY --chown=` and `USER` (one word; `$VAR` expands the same). */
const SAFE_USER = /^[A-Za-z0-9_.${}:-]+$/;

export interface PyenvExpansionOptions {
  buildArgs: Readonly<Record<string, string>>;
  /**
   * The user an image's config sets (`docker inspect` .Config.User), for stages on that image
   * with no USER line: the frontend resolves them. Absent: the image runs as root.
   */
  imageUsers?: Readonly<Record<string, string>>;
}

export interface PyenvInterpreter {
  image: string;
  /** The first PYENV line that uses it. */
  position: SourcePosition;
}

export interface PyenvExpansion {
  text: string;
  /** `lineMap[n - 1]` is the user's line for line n of `text`. */
  lineMap: number[];
  interpreters: PyenvInterpreter[];
  /** Base images of stages with PYENV and no USER line, whose config may set a user. */
  imagesToResolve: string[];
}

interface Instruction {
  keyword: string;
  /** 0-based index of its first line. */
  start: number;
  lines: string[];
}

interface StageInfo {
  name: string | undefined;
  base: string;
  /** The stage this one is FROM, when it names one. */
  parent: StageInfo | undefined;
  /** Set by a USER line of this stage or a parent stage. */
  user: string | undefined;
  release: string | undefined;
}

interface Placed {
  environment: PyenvEnvironment;
  stageIndex: number;
  user: string | undefined;
  image: string;
  /** Why this interpreter image, for the comment above its stage. */
  why: string;
}

export function expandPyenvDockerfile(spec: BuildSpec, options: PyenvExpansionOptions): PyenvExpansion {
  const pyenv = spec.pyenv;
  if (!pyenv) throw new Error("expandPyenvDockerfile needs a PYENV spec");
  const lines = pyenv.dockerfile.split(/\r?\n/);
  const byLine = new Map(pyenv.environments.map((e) => [e.position.line, e]));
  const problems: Diagnostic[] = [];
  const site = (line: number): SourcePosition => ({ file: spec.specFile, line, column: 1 });
  const releaseArg = options.buildArgs[PYENV_RELEASE_ARG];
  if (releaseArg !== undefined && releaseArg !== "" && !/^[a-z][a-z0-9]*$/.test(releaseArg)) {
    problems.push({
      code: "invalid-pyenv-release",
      message: `${PYENV_RELEASE_ARG}=${JSON.stringify(releaseArg)} is not a Debian codename`,
      hint: "write a codename such as bookworm or trixie",
      severity: "error",
    });
  }

  const instructions = scanInstructions(lines, byLine);
  const stages: StageInfo[] = [];
  const placed: Placed[] = [];
  const imagesToResolve = new Set<string>();
  for (const instruction of instructions) {
    const words = instruction.lines.join(" ").trim().split(/\s+/).slice(1);
    if (instruction.keyword === "FROM") {
      const [base = "", as, name] = words.filter((w) => !w.startsWith("--"));
      const stageName = as?.toLowerCase() === "as" && name ? name.toLowerCase() : undefined;
      if (stageName?.startsWith(PYENV_STAGE_PREFIX)) {
        problems.push({
          code: "reserved-stage-name",
          message: `the stage name ${JSON.stringify(stageName)} is pyfront's: PYENV adds stages named ${PYENV_STAGE_PREFIX}*`,
          hint: "rename the stage",
          position: site(instruction.start + 1),
          severity: "error",
        });
      }
      const parent = stages.find((s) => s.name !== undefined && s.name === base.toLowerCase());
      stages.push({
        name: stageName,
        base,
        parent,
        user: parent?.user,
        release: parent ? parent.release : debianReleaseOf(base),
      });
    } else if (instruction.keyword === "USER") {
      const stage = stages[stages.length - 1];
      if (stage && words[0]) stage.user = words[0];
    } else if (instruction.keyword === "PYENV") {
      const environment = byLine.get(instruction.start + 1)!;
      const stage = stages[stages.length - 1];
      if (!stage) {
        problems.push({
          code: "pyenv-before-from",
          message: "PYENV comes before the first FROM: it installs into a stage",
          hint: "move it after the FROM of the stage it is for",
          position: environment.position,
          key: "PYENV",
          severity: "error",
        });
        continue;
      }
      let user = stage.user;
      if (user === undefined) {
        const root = rootImage(stage);
        if (!root.includes("$")) imagesToResolve.add(root);
        user = options.imageUsers?.[root] || undefined;
      }
      if (user !== undefined && !SAFE_USER.test(user)) {
        problems.push({
          code: "pyenv-unsafe-user",
          message: `the user ${JSON.stringify(user)} in effect here cannot own the venv: pyfront repeats it in COPY --chown`,
          hint: "use a user name or uid of letters, digits and _ . -",
          position: environment.position,
          key: "PYENV",
          severity: "error",
        });
        continue;
      }
      const release = releaseArg || stage.release;
      const image = `python:${environment.python.requested}-slim${release ? `-${release}` : ""}`;
      const base = rootImage(stage);
      const shownBase = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/.test(base) ? base : "the stage's base image";
      // Why this image: said in the expanded file, where `pyfront dockerfile` shows it.
      const why = releaseArg
        ? `${PYENV_RELEASE_ARG}=${releaseArg}`
        : release
          ? `the Debian release of ${shownBase}`
          : `${shownBase} names no Debian release`;
      placed.push({ environment, stageIndex: stages.length - 1, user, image, why });
    }
  }
  if (problems.length > 0) throw new SpecError(problems);

  // The added stages: one per interpreter image, then one per venv.
  const interpreters: PyenvInterpreter[] = [];
  const interpreterStage = new Map<string, string>();
  const aux: { text: string; line: number }[] = [];
  for (const p of placed) {
    if (interpreterStage.has(p.image)) continue;
    const stage = `${PYENV_STAGE_PREFIX}python-${interpreterStage.size + 1}`;
    interpreterStage.set(p.image, stage);
    interpreters.push({ image: p.image, position: p.environment.position });
    const line = p.environment.position.line;
    aux.push(
      { text: `# PYENV ${p.environment.python.requested}: the interpreter of ${p.image} (${p.why})`, line },
      { text: `FROM ${p.image} AS ${stage}`, line },
      { text: `RUN ${JSON.stringify(["rm", "-f", ...UNVERSIONED_FILES])}`, line },
    );
  }
  placed.forEach((p, index) => {
    const env = p.environment;
    const line = env.position.line;
    const venv = `${PYENV_VENV_ROOT}/${env.name}`;
    const series = env.python.series;
    aux.push(
      { text: `# PYENV ${env.name}: the venv`, line },
      { text: `FROM ${interpreterStage.get(p.image)} AS ${venvStage(index)}`, line },
      ...PYENV_PIP_ARGS.map((arg) => ({ text: `ARG ${arg}`, line })),
      { text: `RUN ${JSON.stringify([`/usr/local/bin/python${series}`, "-m", "venv", venv])}`, line },
    );
    if (env.requirementsFile) {
      const mounts = [
        `--mount=type=cache,target=/root/.cache/pip,id=pyfront-pyenv-pip-${series}`,
        `--mount=type=bind,source=${env.requirementsFile},target=${REQUIREMENTS_TARGET}`,
      ].join(" ");
      const pip = [`${venv}/bin/python`, "-m", "pip", "install", "--disable-pip-version-check"];
      aux.push({ text: `RUN ${mounts} ${JSON.stringify([...pip, "-r", REQUIREMENTS_TARGET])}`, line });
    }
  });
  aux.push({ text: "", line: placed[0]?.environment.position.line ?? 1 });
  const addedStages = interpreterStage.size + placed.length;

  const out: { text: string; line: number }[] = [];
  let auxAt = -1;
  let cursor = 0;
  const copyThrough = (until: number) => {
    for (; cursor < until; cursor++) out.push({ text: lines[cursor]!, line: cursor + 1 });
  };
  for (const instruction of instructions) {
    copyThrough(instruction.start);
    if (instruction.keyword === "FROM") {
      if (auxAt < 0) auxAt = out.length;
    }
    if (instruction.keyword === "PYENV") {
      const p = placed.find((x) => x.environment === byLine.get(instruction.start + 1))!;
      for (const text of inStageLines(p, placed.indexOf(p), interpreterStage.get(p.image)!)) {
        out.push({ text, line: instruction.start + 1 });
      }
    } else {
      const shifted =
        instruction.keyword === "COPY" || instruction.keyword === "RUN" || instruction.keyword === "ADD"
          ? shiftStageIndices(instruction, addedStages)
          : instruction.lines;
      for (const [i, text] of shifted.entries()) out.push({ text, line: instruction.start + i + 1 });
    }
    cursor = instruction.start + instruction.lines.length;
  }
  copyThrough(lines.length);
  if (auxAt >= 0 && placed.length > 0) out.splice(auxAt, 0, ...aux);
  return {
    text: out.map((o) => o.text).join("\n"),
    lineMap: out.map((o) => o.line),
    interpreters,
    imagesToResolve: [...imagesToResolve].sort(),
  };
}

function venvStage(index: number): string {
  return `${PYENV_STAGE_PREFIX}venv-${index + 1}`;
}

/** The image a stage ultimately starts from, through the stages it is FROM. */
function rootImage(stage: StageInfo): string {
  let s = stage;
  while (s.parent) s = s.parent;
  return s.base;
}

/** What one PYENV line becomes in the user's stage. */
function inStageLines(p: Placed, index: number, interpreter: string): string[] {
  const env = p.environment;
  const venv = `${PYENV_VENV_ROOT}/${env.name}`;
  const nonRoot = p.user !== undefined && !ROOT_USERS.has(p.user) ? p.user : undefined;
  return [
    `COPY --from=${interpreter} /usr/local/ /usr/local/`,
    `COPY --from=${venvStage(index)}${nonRoot ? ` --chown=${nonRoot}` : ""} ${venv} ${venv}`,
    // The interpreter may bring shared libraries of its own into /usr/local/lib: only root may
    // refresh the loader's cache, so the stage's user steps aside for that one step.
    ...(nonRoot ? ["USER root", 'RUN ["ldconfig"]', `USER ${nonRoot}`] : ['RUN ["ldconfig"]']),
    `ENV ASTRO_PYENV_${env.name}=${venv}/bin/python`,
  ];
}

/** Instructions, with the lines each takes; PYENV lines (blanked by the reader) come from `byLine`. */
function scanInstructions(
  lines: readonly string[],
  byLine: ReadonlyMap<number, PyenvEnvironment>,
): Instruction[] {
  const escapeChar = escapeCharacter(lines);
  const out: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const pyenv = byLine.get(i + 1);
    if (pyenv) {
      out.push({ keyword: "PYENV", start: i, lines: lines.slice(i, i + pyenv.lineCount) });
      i += pyenv.lineCount - 1;
      continue;
    }
    if (/^\s*(#|$)/.test(lines[i]!)) continue;
    const start = i;
    i = instructionEnd(lines, i, escapeChar);
    const keyword = (/^\s*(\S+)/.exec(lines[start]!)?.[1] ?? "").toUpperCase();
    out.push({ keyword, start, lines: lines.slice(start, i + 1) });
  }
  return out;
}

/** `COPY --from=N` and `RUN --mount=...,from=N`: stage N is now N + added. Only in flags. */
function shiftStageIndices(instruction: Instruction, added: number): string[] {
  let inFlags = true;
  return instruction.lines.map((line, index) => {
    if (!inFlags) return line;
    let skipKeyword = index === 0;
    return line.replace(/\S+/g, (word) => {
      if (!inFlags) return word;
      if (skipKeyword) {
        skipKeyword = false;
        return word;
      }
      if (word === "\\" || word === "`") return word;
      if (!word.startsWith("--")) {
        inFlags = false;
        return word;
      }
      if (instruction.keyword !== "RUN" && /^--from=\d+$/.test(word)) {
        return `--from=${Number(word.slice("--from=".length)) + added}`;
      }
      if (word.startsWith("--mount=")) {
        return word.replace(
          /([=,])from=(\d+)(?=,|$)/g,
          (_m, sep: string, n: string) => `${sep}from=${Number(n) + added}`,
        );
      }
      return word;
    });
  });
}
