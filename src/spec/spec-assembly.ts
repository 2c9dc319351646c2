import {
  detectProjectKind,
  findRequirementsFile,
  type ProjectKind,
  projectDirOf,
  SETUPTOOLS_FALLBACK_REQUIRES,
} from "../detect/project-layout.js";
import {
  DEFAULT_WEB_PORT,
  detectStartCommand,
  SERVERS_IN_EXTRAS,
  setuptoolsConsoleScripts,
} from "../detect/start-command.js";
import type {
  AddFile,
  BuildSpec,
  ConsoleScript,
  CopyFile,
  Decision,
  Dependency,
  ExposedPort,
  Healthcheck,
  LockedDependencies,
  PackageIndex,
  ProjectSource,
  SourcePosition,
  SpecFormat,
} from "./build-spec.js";
import { contextJoin, isPattern, requireInContext } from "./context-checks.js";
import type { ContextReader } from "./context-reader.js";
import { DiagnosticList } from "./diagnostic-list.js";
import { formatDiagnostic } from "./diagnostics.js";
import { type InlineScriptMetadata, readInlineScriptMetadata } from "./inline-script-metadata.js";
import { formatKeyPath } from "./key-path.js";
import { type LockRequestInput, lockedDependencySource } from "./locks/locked-dependencies.js";
import { packageIndex } from "./package-indices.js";
import { readPipfile } from "./pipfile.js";
import type { PyfrontImageConfig } from "./pyfront-schema.js";
import type { PyprojectFacts } from "./pyproject-project.js";
import { selectPython } from "./python-selection.js";
import { defaultImages } from "./python-versions.js";
import { isProblemResult, parseRequirement } from "./requirement.js";
import { readRequirementsTree } from "./requirements-file.js";
import type { SourceDocument, SourcePath } from "./source-document.js";
import { parseTomlDocument } from "./toml-document.js";
import { isUrl, normalizeContextPath, parseDurationSeconds } from "./value-rules.js";

/** The keys shared by `[tool.pyfront]` and `[tool.microb.target.X]`, already schema-checked. */
export type ImageConfig = PyfrontImageConfig & { flavor?: "slim" | "full" };
export type ImageConfigKey = keyof ImageConfig & string;

export const DEFAULT_WORKDIR = "/app";

/** The warning that nothing to run was found; dropped when the spec has errors anyway. */
export const NO_START_COMMAND = "no-start-command";

export interface PyprojectAssemblyInput {
  format: SpecFormat;
  specFile: string;
  doc: SourceDocument;
  config: ImageConfig;
  /** Where each key of `config` was written (a target's key or the inherited top-level one). */
  origin: (key: ImageConfigKey) => SourcePath;
  target?: string;
  facts: PyprojectFacts;
  context: ContextReader;
  out: DiagnosticList;
  /**
   * The file the build was given when it is not the pyproject.toml itself: a requirements file, a
   * Pipfile, setup.py/setup.cfg or a script. `doc` is then the folder's pyproject.toml, or an
   * empty document when there is none.
   */
  named?: NamedSpecFile;
}

export interface NamedSpecFile {
  kind: "requirements" | "pipfile" | "setup" | "script";
  path: string;
  text: string;
  /** The parsed Pipfile, for kind "pipfile". */
  pipfile?: SourceDocument;
}

/** Builds the BuildSpec of a pyproject-based format and checks everything against the context. */
export function assemblePyprojectSpec(input: PyprojectAssemblyInput): BuildSpec {
  const { config, doc, origin, facts, context, out } = input;
  const site = (key: ImageConfigKey, ...rest: Array<string | number>) => ({
    doc,
    path: [...origin(key), ...rest],
  });
  const projectDir = projectDirOf(input.specFile, input.named?.kind);

  const script =
    input.named?.kind === "script"
      ? readInlineScriptMetadata(input.named.path, input.named.text, out)
      : undefined;
  const { python, decision: pythonDecision } = selectPython({
    doc,
    ...(script?.requiresPython ? { inlineScriptRequiresPython: script.requiresPython } : {}),
    ...(config.python_version !== undefined
      ? { explicit: { requested: config.python_version, path: origin("python_version") } }
      : {}),
    facts,
    projectDir,
    context,
    out,
  });
  const images = defaultImages(python, config.flavor);

  const layout = projectLayout(input, projectDir, script);
  const sources = dependencySources(input, projectDir, layout.project, script);
  // A lock lists every dependency of the package, so it is installed without resolving again.
  const project =
    layout.project.kind === "package" && (sources.packageResolves || sources.lock)
      ? {
          ...layout.project,
          dependenciesComplete: sources.lock !== undefined,
          // The lock holds the extras' requirements too, pinned.
          ...(sources.lock ? { extraDependencies: [] } : {}),
        }
      : layout.project;

  const dependencies: Dependency[] = [...sources.dependencies];
  config.dependencies?.forEach((text, i) => {
    const parsed = parseRequirement(text);
    if (isProblemResult(parsed)) return; // reported by the schema
    if (parsed.warning) out.warning(site("dependencies", i), parsed.warning);
    dependencies.push(parsed.dependency);
  });
  for (const dependency of dependencies) {
    if (dependency.kind === "local") {
      requireInContext(
        context,
        out,
        { doc, path: ["tool", "poetry", "dependencies"] },
        dependency.path,
        "directory",
      );
    }
  }

  const spec: BuildSpec = {
    format: input.format,
    specFile: input.specFile,
    decisions: {
      python: pythonDecision,
      layout: layout.decision,
      ...(sources.decision ? { dependencies: sources.decision } : {}),
    },
    python,
    builderImage: config.builder_image ?? images.builderImage,
    runtimeImage: config.runtime_image ?? images.runtimeImage,
    buildDeps: [...(config.build_deps ?? [])],
    systemDeps: [...(config.system_deps ?? [])],
    env: Object.entries(config.env ?? {}).map(([k, v]) => [k, String(v)]),
    indices: [...packageIndices(config, site, out), ...sources.indices],
    labels: Object.entries(config.labels ?? {}),
    dependencies,
    project,
    workdir: config.workdir ?? DEFAULT_WORKDIR,
    expose: (config.expose ?? []).map(exposedPort),
    copyFiles: copyFiles(config, context, out, site),
    addFiles: addFiles(config, context, out, site),
    metadata: facts.metadata,
    positions: positionsOf(config, doc, origin),
    entrySites: entrySites(config, doc, origin),
  };
  if (sources.lock) spec.lock = sources.lock;
  if (input.target !== undefined) spec.target = input.target;
  if (config.healthcheck) spec.healthcheck = healthcheck(config.healthcheck);
  if (config.remove_test_suites) spec.removeTestSuites = true;
  if (config.known_hosts !== undefined) {
    const path = normalizeContextPath(config.known_hosts);
    if (requireInContext(context, out, site("known_hosts"), path, "file")) spec.knownHosts = path;
  }
  applyRunCommand(spec, input);
  return spec;
}

interface ProjectLayout {
  project: ProjectSource;
  decision: Decision;
}

/** Package or application, and which files: see detectProjectKind for the rules. */
function projectLayout(
  input: PyprojectAssemblyInput,
  projectDir: string,
  script: InlineScriptMetadata | undefined,
): ProjectLayout {
  const { config, facts, context, out, doc, origin, named } = input;
  const extras = config.extras ?? [];
  if (named?.kind === "script") {
    const file = named.path.slice(projectDir === "." ? 0 : projectDir.length + 1);
    reportExtrasWithoutPackage(input, extras);
    // A PEP 723 script carries everything it needs: the file alone is the application.
    return script
      ? {
          project: { kind: "scripts", path: named.path, main: file },
          decision: {
            choice: "script",
            rule: "inline-script-metadata",
            reason: `${named.path} has a "# /// script" block: the file alone is copied and run`,
          },
        }
      : {
          project: { kind: "scripts", path: projectDir, main: file },
          decision: {
            choice: "application",
            rule: "named-script",
            reason: `the build was given ${named.path}: its folder is copied and the script run`,
          },
        };
  }
  let kind: ProjectKind =
    named?.kind === "setup"
      ? detectProjectKind(undefined, context, projectDir)
      : detectProjectKind(doc, context, projectDir);
  if (
    kind.kind === "application" &&
    kind.decision.rule === "no-build-system" &&
    extras.length > 0 &&
    facts.metadata.name
  ) {
    // Asking for the project's extras asks for the project to be installed: as pip would, with setuptools.
    kind = {
      kind: "package",
      backendRequires: SETUPTOOLS_FALLBACK_REQUIRES,
      decision: {
        choice: "package",
        rule: "extras-requested",
        reason: `the spec installs the project's extras (${extras.join(", ")}); without [build-system], pip builds it with setuptools`,
      },
    };
  }
  if (kind.kind === "package") {
    extras.forEach((extra, i) => {
      if (!facts.dynamicExtras && !facts.extras.includes(extra)) {
        out.error(
          { doc, path: [...origin("extras"), i] },
          {
            code: "unknown-extra",
            message: `the project has no extra ${JSON.stringify(extra)}`,
            hint:
              facts.extras.length > 0
                ? `available extras: ${facts.extras.join(", ")}`
                : "declare it in [project.optional-dependencies]",
          },
        );
      }
    });
    const known = extras.map((extra) =>
      Object.hasOwn(facts.extraRequirements, extra) ? facts.extraRequirements[extra] : undefined,
    );
    const buildRequirements = backendRequirements(input, kind.backendRequires);
    return {
      project: {
        kind: "package",
        path: projectDir,
        extras: [...extras],
        extraDependencies: known.flatMap((dependencies) => dependencies ?? []),
        dependenciesComplete: facts.staticDependencies && known.every((d) => d !== undefined),
        ...(buildRequirements ? { buildRequirements } : {}),
      },
      decision: kind.decision,
    };
  }
  reportExtrasWithoutPackage(input, extras);
  const consoleScripts = applicationConsoleScripts(input);
  return {
    project: { kind: "scripts", path: projectDir, ...(consoleScripts.length > 0 ? { consoleScripts } : {}) },
    decision: kind.decision,
  };
}

function reportExtrasWithoutPackage(input: PyprojectAssemblyInput, extras: readonly string[]): void {
  if (extras.length === 0) return;
  input.out.error(
    { doc: input.doc, path: input.origin("extras") },
    {
      code: "extras-without-package",
      message: "extras need an installable project",
      hint: "add a [build-system] table (the project is otherwise an application, copied as it is)",
    },
  );
}

/**
 * `[build-system].requires`, to install once in the dependency layer. Undefined keeps build
 * isolation: when the list cannot be read statically, pip must read it itself.
 */
function backendRequirements(
  input: PyprojectAssemblyInput,
  fallback: readonly string[] | undefined,
): Dependency[] | undefined {
  const { doc, out } = input;
  const declared = doc.get(["build-system", "requires"]);
  const texts = declared === undefined ? fallback : declared;
  if (!Array.isArray(texts) || !texts.every((t) => typeof t === "string")) {
    if (declared !== undefined) {
      out.error(
        { doc, path: ["build-system", "requires"] },
        { code: "invalid-type", message: "expected a list of requirements" },
      );
    }
    return undefined;
  }
  const requirements: Dependency[] = [];
  texts.forEach((text, i) => {
    const parsed = parseRequirement(text);
    if (isProblemResult(parsed)) out.error({ doc, path: ["build-system", "requires", i] }, parsed);
    else requirements.push(parsed.dependency);
  });
  return requirements;
}

const SCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Names the venv's bin/ holds already: a script there would replace the interpreter. */
const VENV_OWN_NAMES = /^(python(\d+(\.\d+)?)?|activate.*|pip\d*(\.\d+)?)$/i;
const SCRIPT_TARGET =
  /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*):([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/;

/** An application's `[project.scripts]`, which pyfront writes itself since nothing builds the project. */
function applicationConsoleScripts(input: PyprojectAssemblyInput): ConsoleScript[] {
  const { facts, doc, out } = input;
  const scripts: ConsoleScript[] = [];
  for (const name of facts.scripts) {
    const path = [...(facts.scriptsPath ?? ["project", "scripts"]), name];
    const target = Object.hasOwn(facts.scriptTargets, name) ? facts.scriptTargets[name] : undefined;
    const match = target === undefined ? null : SCRIPT_TARGET.exec(target.trim());
    if (VENV_OWN_NAMES.test(name)) {
      out.error(
        { doc, path, at: "key" },
        {
          code: "invalid-console-script",
          message: `console script ${JSON.stringify(name)} would replace the venv's own ${name}`,
          hint: "give the script another name",
        },
      );
      continue;
    }
    if (!SCRIPT_NAME.test(name) || !match) {
      out.error(
        { doc, path },
        {
          code: "invalid-console-script",
          message: `console script ${JSON.stringify(name)} must be a plain name calling "module:function"`,
          hint: 'write e.g. serve = "app.main:run"',
        },
      );
      continue;
    }
    scripts.push({ name, module: match[1]!, attribute: match[2]! });
  }
  return scripts;
}

interface DependencySources {
  dependencies: Dependency[];
  indices: PackageIndex[];
  decision?: Decision;
  /** A requirements file pins the set: the package's own dependencies then resolve on top of it. */
  packageResolves: boolean;
  /** The lockfile that gives the dependencies instead. */
  lock?: LockedDependencies;
}

/**
 * Where the dependencies come from, in order: the spec's `requirements` key; the file the build
 * was given (requirements file, Pipfile, a script's metadata); the project's declared
 * dependencies, with a conventional requirements file (REQUIREMENTS_FILE_CONVENTIONS) next to
 * them; a Pipfile when nothing else names any. A lockfile (src/detect/lock-files.ts) next to the
 * pyproject.toml or Pipfile the dependencies come from takes their place.
 */
function dependencySources(
  input: PyprojectAssemblyInput,
  projectDir: string,
  project: ProjectSource,
  script: InlineScriptMetadata | undefined,
): DependencySources {
  const { config, facts, context, out, doc, origin, named } = input;
  const declared = facts.dependencies.map((d) => d.dependency);
  const declaredFrom =
    facts.dependencies[0]?.path[0] === "tool" ? "[tool.poetry.dependencies]" : "[project].dependencies";
  const result: DependencySources = { dependencies: [...declared], indices: [], packageResolves: false };

  if (config.requirements !== undefined) {
    config.requirements.forEach((file, i) => {
      const path = normalizeContextPath(file);
      const site = { doc, path: [...origin("requirements"), i] };
      if (requireInContext(context, out, site, path, "file")) {
        result.dependencies.push(...requirementsFileDependencies(context, path, out));
      }
    });
    result.decision = {
      choice: config.requirements.join(", "),
      rule: "requirements-key",
      reason: "the spec's requirements key",
    };
    return result;
  }
  if (named?.kind === "script") {
    if (!script) {
      return {
        ...result,
        decision: { choice: "none", rule: "lone-script", reason: `${named.path} declares no dependencies` },
      };
    }
    const dependencies: Dependency[] = [];
    script.dependencies.forEach(({ text, index }) => {
      const parsed = parseRequirement(text);
      if (isProblemResult(parsed)) out.error({ doc: script.doc, path: ["dependencies", index] }, parsed);
      else dependencies.push(parsed.dependency);
    });
    return {
      ...result,
      dependencies,
      decision: {
        choice: `${named.path} metadata`,
        rule: "inline-script-metadata",
        reason: "the script's # /// script block",
      },
    };
  }
  if (named?.kind === "pipfile" && named.pipfile) {
    return withPipfileLock(input, projectDir, named.pipfile, {
      ...result,
      ...pipfileSources(named.pipfile, projectDir, named.path, out),
    });
  }
  if (named?.kind !== "requirements") {
    const locked = lockedDependencySource({
      ...lockRequest(input, projectDir),
      source: "pyproject",
      pyproject: doc,
      declared: facts.dependencies.map(({ dependency, path }) => ({ dependency, site: { doc, path } })),
      declaredFrom,
    });
    if (locked) return { ...result, dependencies: [], lock: locked.lock, decision: locked.decision };
  }

  const requirementsFile =
    named?.kind === "requirements" ? named.path : findRequirementsFile(context, projectDir);
  if (requirementsFile === undefined) {
    const pipfile = contextJoin(projectDir, "Pipfile");
    const pipfileText = declared.length === 0 ? context.readFile(pipfile) : undefined;
    if (pipfileText !== undefined) {
      const parsed = parseTomlDocument(pipfile, pipfileText);
      if (!parsed.ok) {
        // The Python pins read it too, and may have reported the same problem already.
        const reported = new Set(out.items.map((d) => formatDiagnostic(d)));
        out.items.push(...parsed.diagnostics.filter((d) => !reported.has(formatDiagnostic(d))));
        return result;
      }
      return withPipfileLock(input, projectDir, parsed.doc, {
        ...result,
        ...pipfileSources(parsed.doc, projectDir, pipfile, out),
      });
    }
    if (declared.length > 0) {
      result.decision = {
        choice: declaredFrom,
        rule: "declared-dependencies",
        reason: `the project's ${declaredFrom}`,
      };
    }
    return result;
  }

  const how = named?.kind === "requirements" ? "the spec file of the build" : "found next to the project";
  // Found, not written: problems with it point at the spec file's first line.
  out.notePath({ position: { file: input.specFile, line: 1, column: 1 } }, requirementsFile);
  const fileDependencies = requirementsFileDependencies(context, requirementsFile, out);
  const tree = readRequirementsTree(context, requirementsFile, silent());
  if (declared.length === 0) {
    return {
      ...result,
      dependencies: fileDependencies,
      decision: { choice: requirementsFile, rule: "requirements-file", reason: how },
    };
  }
  const listed = new Set(tree.names);
  const missing = declared.flatMap((d) => {
    const name = requirementName(d);
    return name !== undefined && !listed.has(name) ? [name] : [];
  });
  const first = facts.dependencies[0]!.path;
  const declaredSite = { doc, path: first.slice(0, first[0] === "tool" ? 3 : 2) };
  if (project.kind === "package") {
    // pip installs the package with its own requirements on top of the pinned set.
    if (missing.length > 0) {
      out.warning(declaredSite, {
        code: "dependency-sources-disagree",
        message: `${requirementsFile} does not list ${missing.join(", ")} from ${declaredFrom}; ${requirementsFile} is installed first, then the package resolves its own dependencies on top`,
        hint: `add them to ${requirementsFile}, or remove it if ${declaredFrom} is the one to use`,
      });
    }
    return {
      ...result,
      dependencies: fileDependencies,
      packageResolves: true,
      decision: {
        choice: `${requirementsFile}, then ${declaredFrom}`,
        rule: "requirements-file-then-package",
        reason: `${requirementsFile} (${how}) pins the set; pip resolves the package's ${declaredFrom} on top`,
      },
    };
  }
  if (tree.hashed) {
    out.warning(declaredSite, {
      code: "dependency-sources-disagree",
      message: `${declaredFrom} is not installed: ${requirementsFile} pins hashes, so it is installed alone`,
      hint: `keep ${requirementsFile} complete (regenerate it from ${declaredFrom})`,
    });
    return {
      ...result,
      dependencies: fileDependencies,
      decision: {
        choice: requirementsFile,
        rule: "hashed-requirements-file",
        reason: `${requirementsFile} pins hashes (${how})`,
      },
    };
  }
  if (missing.length > 0) {
    out.warning(declaredSite, {
      code: "dependency-sources-disagree",
      message: `${requirementsFile} does not list ${missing.join(", ")} from ${declaredFrom}; both are installed together`,
      hint: `keep one list of dependencies: ${requirementsFile} or ${declaredFrom}`,
    });
  }
  return {
    ...result,
    dependencies: [...fileDependencies, ...declared],
    decision: {
      choice: `${requirementsFile} and ${declaredFrom}`,
      rule: "requirements-file-and-declared",
      reason: `${requirementsFile} (${how}) and the project's ${declaredFrom}, resolved together`,
    },
  };
}

/** What the spec asks of a lock: its `lock`, `groups` and `extras` keys. */
function lockRequest(
  input: PyprojectAssemblyInput,
  projectDir: string,
): Omit<LockRequestInput, "source" | "pyproject" | "declared" | "declaredFrom"> {
  const { config, origin, doc, context, out } = input;
  return {
    context,
    out,
    projectDir,
    ...(config.lock !== undefined ? { lock: config.lock, lockSite: { doc, path: origin("lock") } } : {}),
    ...(config.groups !== undefined
      ? { groups: config.groups, groupsSite: { doc, path: origin("groups") } }
      : {}),
    extras: config.extras ?? [],
  };
}

/** A Pipfile's dependencies, or its Pipfile.lock's when there is one. */
function withPipfileLock(
  input: PyprojectAssemblyInput,
  projectDir: string,
  pipfile: SourceDocument,
  sources: DependencySources,
): DependencySources {
  const facts = readPipfile(pipfile, projectDir, silent());
  const locked = lockedDependencySource({
    ...lockRequest(input, projectDir),
    source: "pipfile",
    pyproject: undefined,
    declared: facts.dependencies.map(({ dependency, path }) => ({
      dependency,
      site: { doc: pipfile, path },
    })),
    declaredFrom: `${pipfile.file} [packages]`,
  });
  if (!locked) return sources;
  return { ...sources, dependencies: [], lock: locked.lock, decision: locked.decision };
}

/** A DiagnosticList for a second reading whose problems the first one reported. */
function silent(): DiagnosticList {
  return new DiagnosticList();
}

function pipfileSources(
  pipfile: SourceDocument,
  projectDir: string,
  path: string,
  out: DiagnosticList,
): Pick<DependencySources, "dependencies" | "indices" | "decision"> {
  const facts = readPipfile(pipfile, projectDir, out);
  return {
    dependencies: facts.dependencies.map((d) => d.dependency),
    indices: facts.indices,
    decision: {
      choice: `${path} [packages]`,
      rule: "pipfile",
      reason: `${path}: [packages], without [dev-packages]`,
    },
  };
}

/**
 * A requirements file as pip dependencies: the file itself with every file it includes, or, when
 * it installs the project itself (`-e .`), its other lines one by one, since the project's code is
 * not there yet when dependencies are installed.
 */
function requirementsFileDependencies(
  context: ContextReader,
  path: string,
  out: DiagnosticList,
): Dependency[] {
  const tree = readRequirementsTree(context, path, out);
  for (const file of tree.selfReferencing.keys()) {
    if (file === path) continue;
    out.error(
      { position: { file, line: 1, column: 1 } },
      {
        code: "nested-self-install",
        message: `${file} installs the project itself (-e .), from inside ${path}`,
        hint: `move the -e . line into ${path}, or drop it: pyfront installs the project after its dependencies`,
      },
    );
  }
  const self = tree.selfReferencing.get(path);
  if (!self) {
    return [
      {
        kind: "requirements-file",
        path,
        ...(tree.files.length > 1 ? { includes: tree.files.slice(1) } : {}),
      },
    ];
  }
  for (const option of self.options) {
    out.error(
      { position: option.position },
      {
        code: "option-with-self-install",
        message: `pyfront cannot pass ${JSON.stringify(optionName(option.text))} to pip together with "-e ." in one file`,
        hint: "move the pip options into a file this one includes with -r, or drop the -e . line",
      },
    );
  }
  const dependencies: Dependency[] = [];
  for (const line of self.requirements) {
    const parsed = parseRequirement(line.text);
    if (isProblemResult(parsed)) out.error({ position: line.position }, parsed);
    else dependencies.push(parsed.dependency);
  }
  for (const include of self.includes) {
    if (include.option === "constraint") {
      dependencies.push({ kind: "constraints-file", path: include.path });
      continue;
    }
    const nested = readRequirementsTree(context, include.path, silent());
    dependencies.push({
      kind: "requirements-file",
      path: include.path,
      ...(nested.files.length > 1 ? { includes: nested.files.slice(1) } : {}),
    });
  }
  return dependencies;
}

/**
 * The pip option a requirements line holds, by name only: its value (`--index-url=https://u:pw@...`)
 * or the URL before it may carry a credential, which never reaches a message.
 */
function optionName(line: string): string {
  return /(?:^|\s)(--[A-Za-z][A-Za-z0-9-]*|-[A-Za-z])/.exec(line)?.[1] ?? "an option";
}

/** PEP 503 names of the dependencies, with the servers their extras bring, for start-command rules. */
function dependencyNames(
  dependencies: readonly Dependency[],
  project: ProjectSource,
  context: ContextReader,
): Set<string> {
  const names = new Set<string>();
  const all = [...dependencies, ...(project.kind === "package" ? project.extraDependencies : [])];
  const addServersOfExtras = (name: string, requirement: string) => {
    const extras = /^[A-Za-z0-9._-]+\s*\[([^\]]*)\]/.exec(requirement)?.[1] ?? "";
    for (const extra of extras.split(",").map((e) => e.trim().toLowerCase())) {
      const server = Object.hasOwn(SERVERS_IN_EXTRAS, name) ? SERVERS_IN_EXTRAS[name]?.[extra] : undefined;
      if (server) names.add(server);
    }
  };
  for (const dependency of all) {
    if (dependency.kind === "requirements-file") {
      const tree = readRequirementsTree(context, dependency.path, silent());
      for (const name of tree.names) names.add(name);
      for (const requirement of tree.requirements) {
        const name = requirementName({ kind: "index", requirement });
        if (name !== undefined) addServersOfExtras(name, requirement);
      }
      continue;
    }
    const name = requirementName(dependency);
    if (name === undefined) continue;
    names.add(name);
    if (dependency.kind === "index") addServersOfExtras(name, dependency.requirement);
  }
  return names;
}

function requirementName(dependency: Dependency): string | undefined {
  const text =
    dependency.kind === "index"
      ? dependency.requirement
      : dependency.kind === "git"
        ? dependency.name
        : undefined;
  const match = text === undefined ? undefined : /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(text)?.[0];
  return match?.toLowerCase().replace(/[-_.]+/g, "-");
}

/**
 * The start command: the spec's own, else the first start-command rule that fires
 * (src/detect/start-command.ts). A web server gets PORT (8000) and that port exposed, unless
 * the spec set them.
 */
function applyRunCommand(spec: BuildSpec, input: PyprojectAssemblyInput): void {
  const { config, facts, doc, out, context } = input;
  if (config.entrypoint !== undefined) spec.entrypoint = [...config.entrypoint];
  if (config.command !== undefined) spec.command = [...config.command];
  if (config.entrypoint !== undefined || config.command !== undefined) {
    const key = config.entrypoint !== undefined ? "entrypoint" : "command";
    spec.decisions.command = {
      choice: [...(spec.entrypoint ?? []), ...(spec.command ?? [])].join(" "),
      rule: "spec",
      reason: `${formatKeyPath(input.origin(key))} in ${input.doc.file}`,
    };
    return;
  }
  if (facts.scripts.length > 1) {
    const problem = {
      code: "several-scripts",
      message: `the project declares several scripts (${facts.scripts.join(", ")}); none is used as entrypoint`,
      hint:
        input.format === "zero-config"
          ? 'add [tool.pyfront] with entrypoint = ["<script>"] to choose one'
          : 'set entrypoint = ["<script>"] to choose one',
    };
    const site = { doc, path: facts.scriptsPath ?? ["project", "scripts"], at: "key" as const };
    if (input.format !== "zero-config") {
      out.error(site, problem);
      return;
    }
    out.warning(site, problem);
  }
  // What to run is worth finding once the spec is valid; it also reads files.
  if (out.hasErrors) return;
  const projectDir = projectDirOf(input.specFile, input.named?.kind);
  const named = input.named?.kind === "script" ? input.named.path : undefined;
  const found = detectStartCommand({
    context,
    projectDir,
    kind: spec.project.kind === "package" ? "package" : "application",
    dependencyNames: dependencyNames(spec.dependencies, spec.project, context),
    // Console scripts a setup.py or setup.cfg declares are the package's too, once pip built it.
    scripts:
      facts.scripts.length === 0 && spec.project.kind === "package"
        ? setuptoolsConsoleScripts(context, projectDir)
        : facts.scripts,
    ...(facts.metadata.name ? { importName: facts.metadata.name.toLowerCase().replace(/[-.]+/g, "_") } : {}),
    ...(named !== undefined
      ? { namedScript: named.slice(projectDir === "." ? 0 : projectDir.length + 1) }
      : {}),
  });
  if (!found) {
    out.warning(
      { position: { file: input.specFile, line: 1, column: 1 } },
      {
        code: NO_START_COMMAND,
        message: "found nothing to run: the image starts the base image's python3",
        hint:
          input.format === "zero-config"
            ? 'add [tool.pyfront] with command = ["python", "-m", "<module>"] to pyproject.toml'
            : 'set command = ["python", "-m", "<module>"]',
      },
    );
    return;
  }
  if (found.asEntrypoint) spec.entrypoint = found.argv;
  else spec.command = found.argv;
  spec.decisions.command = found.decision;
  if (found.web) {
    if (!spec.env.some(([name]) => name === "PORT")) spec.env.push(["PORT", String(DEFAULT_WEB_PORT)]);
    if (spec.expose.length === 0) spec.expose.push({ port: DEFAULT_WEB_PORT, protocol: "tcp" });
  }
}

type Site = (
  key: ImageConfigKey,
  ...rest: Array<string | number>
) => { doc: SourceDocument; path: SourcePath };

function packageIndices(config: ImageConfig, site: Site, out: DiagnosticList): PackageIndex[] {
  let primarySeen = false;
  return (config.indices ?? []).map((index, i) => {
    if (index.primary) {
      if (primarySeen) {
        out.error(site("indices", i, "primary"), {
          code: "several-primary-indices",
          message: "only one index can be primary",
          hint: "keep primary = true on one index; the others are extra indices",
        });
      }
      primarySeen = true;
    }
    return packageIndex(index, i, (field) => site("indices", i, field), out);
  });
}

function exposedPort(value: number | string): ExposedPort {
  const [port, protocol] = String(value).split("/");
  return { port: Number(port), protocol: protocol === "udp" ? "udp" : "tcp" };
}

function healthcheck(h: NonNullable<ImageConfig["healthcheck"]>): Healthcheck {
  const result: Healthcheck = { command: [...h.command] };
  if (h.interval !== undefined) result.intervalSeconds = parseDurationSeconds(h.interval)!;
  if (h.timeout !== undefined) result.timeoutSeconds = parseDurationSeconds(h.timeout)!;
  if (h.start_period !== undefined) result.startPeriodSeconds = parseDurationSeconds(h.start_period)!;
  if (h.retries !== undefined) result.retries = h.retries;
  return result;
}

function copyFiles(config: ImageConfig, context: ContextReader, out: DiagnosticList, site: Site): CopyFile[] {
  return (config.copy_files ?? []).map((copy, i) => {
    if (copy.from !== undefined) return { src: copy.src, dst: copy.dst, from: copy.from };
    const src = normalizeContextPath(copy.src);
    if (!isPattern(src) && !context.exists(src)) {
      requireInContext(context, out, site("copy_files", i, "src"), src, "file");
    }
    return { src, dst: copy.dst };
  });
}

function addFiles(config: ImageConfig, context: ContextReader, out: DiagnosticList, site: Site): AddFile[] {
  return (config.add_files ?? []).map((add, i) => {
    const result: AddFile = { src: add.src, dst: add.dst };
    if (add.checksum !== undefined) result.checksum = add.checksum;
    if (isUrl(add.src)) {
      if (add.checksum === undefined) {
        out.warning(site("add_files", i), {
          code: "missing-checksum",
          message: "downloaded file has no checksum; its content is not verified",
          hint: 'add checksum = "sha256:<64 hex digits>"',
        });
      }
      return result;
    }
    result.src = normalizeContextPath(add.src);
    if (!isPattern(result.src))
      requireInContext(context, out, site("add_files", i, "src"), result.src, "file");
    return result;
  });
}

function entrySites(
  config: ImageConfig,
  doc: SourceDocument,
  origin: (key: ImageConfigKey) => SourcePath,
): NonNullable<BuildSpec["entrySites"]> {
  const sites: NonNullable<BuildSpec["entrySites"]> = {};
  for (const kind of ["env", "labels"] as const) {
    for (const name of Object.keys(config[kind] ?? {})) {
      const path = [...origin(kind), name];
      sites[`${kind}.${name}`] = { position: doc.valuePosition(path), key: formatKeyPath(path) };
    }
  }
  return sites;
}

function positionsOf(
  config: ImageConfig,
  doc: SourceDocument,
  origin: (key: ImageConfigKey) => SourcePath,
): Record<string, SourcePosition> {
  const positions: Record<string, SourcePosition> = {};
  for (const key of Object.keys(config).sort() as ImageConfigKey[])
    positions[key] = doc.keyPosition(origin(key));
  return positions;
}
