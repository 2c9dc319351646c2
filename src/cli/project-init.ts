import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { DEFAULT_CONTEXT_EXCLUDES } from "../context/default-excludes.js";
import { directoryContext } from "../context/directory-context.js";
import { parseDockerignore } from "../context/dockerignore.js";
import { describeUnreadable, readRegularFile } from "../context/regular-file.js";
import { planBuild } from "../plan/plan-build.js";
import type { BuildSpec } from "../spec/build-spec.js";
import { type Diagnostic, SpecError } from "../spec/diagnostics.js";
import { loadBuildSpec } from "../spec/load-build-spec.js";
import { FORMAT_DOCS_URL } from "./package-info.js";
import { DEFAULT_SPEC_FILES, usageError } from "./project-input.js";

/** The frontend image the `#syntax=` line names; the one `npm run frontend:image` builds. */
export const FRONTEND_REFERENCE = "pyfront/frontend:dev";
export const SYNTAX_LINE = `#syntax=${FRONTEND_REFERENCE}`;
/** pyfront has no web site yet: the docs ship in the package. */

/** Lines around what init adds to pyproject.toml, so a later `init --force` finds and replaces it. */
export const INIT_BLOCK_START = "# >>> pyfront init >>>";
export const INIT_BLOCK_END = "# <<< pyfront init <<<";

/**
 * What .dockerignore gets when the project has none: pyfront's default excludes (what a build
 * without a .dockerignore leaves out anyway), then build output and files that hold secrets.
 */
export const DEFAULT_DOCKERIGNORE = [
  "# Kept out of the build context: faster uploads, better caching, no secrets in layers.",
  ...DEFAULT_CONTEXT_EXCLUDES,
  "**/.ruff_cache",
  "build",
  "dist",
  "*.egg-info",
  ".env",
  "*.pem",
  "",
].join("\n");

export interface InitOptions {
  dir: string;
  force: boolean;
  cwd: string;
}

export interface InitResult {
  /** What init did, then the command to build, for standard output. */
  lines: string[];
  warnings: Diagnostic[];
}

/**
 * Sets a project up for `docker build -f pyproject.toml`. It only adds to pyproject.toml (the
 * syntax line on top, a commented [tool.pyfront] block at the end) and leaves every other byte as
 * it was; what it writes comes from loading the project exactly as a build would.
 */
export function initProject(options: InitOptions): InitResult {
  const projectDir = resolve(options.cwd, options.dir);
  if (!existsSync(projectDir))
    throw usageError(`project directory ${JSON.stringify(options.dir)} does not exist`);
  if (!statSync(projectDir).isDirectory()) {
    throw usageError(
      `${JSON.stringify(options.dir)} is not a directory`,
      "pyfront init takes the project directory, the one that holds (or will hold) pyproject.toml",
    );
  }
  const shown = (name: string) => relative(options.cwd, join(projectDir, name)).split(sep).join("/") || name;
  // A mopy project keeps its Mopyfile: a new pyproject.toml next to it would build something else.
  const specName = DEFAULT_SPEC_FILES.find((name) => existsSync(join(projectDir, name))) ?? "pyproject.toml";
  const isMopy = specName !== "pyproject.toml";
  const specPath = join(projectDir, specName);
  const existed = existsSync(specPath);
  // latin1 maps every byte to one character and back: the user's bytes survive whatever encoding they are in.
  const original = existed ? readFileSync(specPath).toString("latin1") : "";
  const newline = original.includes("\r\n") ? "\r\n" : "\n";

  const lines: string[] = [];
  let updated = withoutInitBlock(original, options.force);
  const hadBlock = updated !== original;
  updated = withSyntaxLine(updated, options.force, newline, (note) => lines.push(note(shown(specName))));

  // Detected from the file as the user has it, so positions in messages are theirs, and from the
  // context as a build will see it: through the .dockerignore kept, or the one written below.
  const ignorePath = join(projectDir, ".dockerignore");
  const keptIgnore = existsSync(ignorePath) && !options.force;
  const specIgnore = `${specPath}.dockerignore`;
  const buildIgnore = existsSync(specIgnore) ? specIgnore : keptIgnore ? ignorePath : undefined;
  const excludes = parseDockerignore(
    buildIgnore === undefined ? DEFAULT_DOCKERIGNORE : readIgnoreFile(buildIgnore, shown),
  );
  const { spec, warnings } = detect(original, specName, projectDir, options.cwd, excludes);
  const configured = spec.format === "pyfront" || spec.format === "microb";
  if (isMopy) {
    // Its keys are mopy's own (docs/formats/mopy.md); a [tool.pyfront] sketch would not apply.
  } else if (configured) {
    lines.push(
      `${shown("pyproject.toml")}: has a [tool.pyfront] or [tool.microb] table already; left as it is`,
    );
  } else if (!hadBlock && original.includes(INIT_BLOCK_START)) {
    lines.push(`${shown("pyproject.toml")}: has pyfront init's block already; --force writes it afresh`);
  } else {
    updated = `${withTrailingNewline(updated, newline)}${initBlock(spec, newline)}`;
    lines.push(
      `${shown("pyproject.toml")}: ${hadBlock ? "rewrote" : "added"} a commented [tool.pyfront] table with what pyfront detected`,
    );
  }
  if (updated !== original) {
    writeFileSync(specPath, Buffer.from(updated, "latin1"));
    if (!existed) lines.unshift(`${shown(specName)}: created`);
  } else {
    lines.push(`${shown(specName)}: nothing to change`);
  }

  if (!keptIgnore) {
    const replaced = existsSync(ignorePath);
    writeFileSync(ignorePath, DEFAULT_DOCKERIGNORE);
    lines.push(`${shown(".dockerignore")}: ${replaced ? "replaced" : "written"}`);
  } else {
    lines.push(`${shown(".dockerignore")}: exists; left as it is (--force replaces it)`);
  }

  const context = relative(options.cwd, projectDir) || ".";
  const tag = imageName(spec, projectDir);
  lines.push("", "Build the image with:", `  docker build -f ${shown(specName)} -t ${tag} ${context}`);
  if (spec.indices.some((i) => i.credentialsSecret !== undefined)) {
    const ids = spec.indices.flatMap((i) => (i.credentialsSecret ? [i.credentialsSecret] : []));
    lines.push(
      `  (with ${ids.map((id) => `--secret id=${id},src=FILE`).join(" ")} for the index credentials)`,
    );
  }
  return { lines, warnings };
}

function readIgnoreFile(path: string, shown: (name: string) => string): string {
  const read = readRegularFile(path);
  if (!read.ok)
    throw usageError(`${JSON.stringify(shown(basename(path)))} ${describeUnreadable(read.reason)}`);
  return read.text;
}

/** Loads the spec as the build would; errors stop init, since the build would stop on them too. */
function detect(
  text: string,
  specName: string,
  projectDir: string,
  cwd: string,
  excludes: readonly string[],
): { spec: BuildSpec; warnings: Diagnostic[] } {
  const display = (d: Diagnostic): Diagnostic =>
    d.position
      ? {
          ...d,
          position: {
            ...d.position,
            file: relative(cwd, join(projectDir, d.position.file)).split(sep).join("/"),
          },
        }
      : d;
  try {
    // The loader reads text; the bytes outside ASCII matter only for values, which UTF-8 decoding gives right.
    const loaded = loadBuildSpec(
      Buffer.from(text, "latin1").toString("utf8"),
      { specFile: specName },
      directoryContext(projectDir, { excludes }),
    );
    return { spec: loaded.spec, warnings: loaded.warnings.map(display) };
  } catch (error) {
    if (error instanceof SpecError) throw new SpecError(error.diagnostics.map(display));
    throw error;
  }
}

function withSyntaxLine(
  text: string,
  force: boolean,
  newline: string,
  note: (f: (file: string) => string) => void,
): string {
  const first = /^(\uFEFF|\xEF\xBB\xBF)?([^\r\n]*)/.exec(text);
  const bom = first?.[1] ?? "";
  const firstLine = first?.[2] ?? "";
  const syntax = /^#\s*syntax\s*=\s*(\S+)/.exec(firstLine);
  if (syntax) {
    if (syntax[1] === FRONTEND_REFERENCE || !force) {
      if (syntax[1] !== FRONTEND_REFERENCE) {
        note((f) => `${f}: keeps its ${firstLine.trim()} (--force replaces it with ${SYNTAX_LINE})`);
      }
      return text;
    }
    note((f) => `${f}: replaced ${firstLine.trim()} with ${SYNTAX_LINE}`);
    return `${bom}${SYNTAX_LINE}${text.slice(bom.length + firstLine.length)}`;
  }
  if (text !== "") note((f) => `${f}: added ${SYNTAX_LINE} as its first line`);
  return `${bom}${SYNTAX_LINE}${newline}${text.slice(bom.length)}`;
}

/** With --force, the text without an earlier init's block (and the newline before it). */
function withoutInitBlock(text: string, force: boolean): string {
  if (!force) return text;
  const start = text.indexOf(INIT_BLOCK_START);
  const end = text.indexOf(INIT_BLOCK_END, start);
  if (start === -1 || end === -1) return text;
  // Once a line in it is uncommented, the block is the user's: --force leaves it alone.
  const body = text.slice(start, end).split(/\r?\n/);
  if (body.some((line) => line.trim() !== "" && !line.trim().startsWith("#"))) return text;
  let after = end + INIT_BLOCK_END.length;
  if (text.startsWith("\r\n", after)) after += 2;
  else if (text.startsWith("\n", after)) after += 1;
  let before = start;
  if (text.slice(0, before).endsWith("\r\n\r\n")) before -= 2;
  else if (text.slice(0, before).endsWith("\n\n")) before -= 1;
  return text.slice(0, before) + text.slice(after);
}

function withTrailingNewline(text: string, newline: string): string {
  return text === "" || text.endsWith("\n") ? text : `${text}${newline}`;
}

/** The commented table; TOML strings from JSON.stringify are valid basic strings. */
function initBlock(spec: BuildSpec, newline: string): string {
  const plan = planBuild(spec, { buildArgs: {} });
  const toml = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(", ")}]`;
  const ports = spec.expose.map((p) =>
    p.protocol === "tcp" ? String(p.port) : JSON.stringify(`${p.port}/${p.protocol}`),
  );
  const lines = [
    INIT_BLOCK_START,
    "# What pyfront detected for this project, written as [tool.pyfront] would say it. To change",
    "# something, uncomment the [tool.pyfront] line together with the keys you set (a key without",
    `# its table header belongs to the table above it). All keys: ${FORMAT_DOCS_URL}`,
    "#",
    "# [tool.pyfront]",
    `# python_version = ${JSON.stringify(spec.python.series)}`,
  ];
  if (plan.image.entrypoint) {
    lines.push(`# entrypoint = ${toml(plan.image.entrypoint)}`);
    if (plan.image.cmd && plan.image.cmd.length > 0) lines.push(`# command = ${toml(plan.image.cmd)}`);
  } else if (plan.image.cmd) {
    lines.push(`# command = ${toml(plan.image.cmd)}`);
  } else {
    lines.push('# command = ["python", "-m", "yourapp"]    # none detected: the image starts python');
  }
  lines.push(
    ports.length > 0
      ? `# expose = [${ports.join(", ")}]`
      : "# expose = [8000]    # none detected: the ports the app listens on, if any",
  );
  const requirements = spec.dependencies.flatMap((d) => (d.kind === "requirements-file" ? [d.path] : []));
  if (requirements.length > 0) {
    lines.push(
      `# requirements = ${toml(requirements)}    # found by convention; listing them here fixes the choice`,
    );
  }
  lines.push(
    '# indices = [{ url = "https://pypi.example.com/simple", secret = "pypi" }]    # a private index or mirror',
    INIT_BLOCK_END,
    "",
  );
  return lines.join(newline);
}

function imageName(spec: BuildSpec, projectDir: string): string {
  const raw = spec.metadata.name ?? basename(projectDir);
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "");
  return name === "" ? "app" : name;
}
