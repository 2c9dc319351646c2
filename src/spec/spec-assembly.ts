import type {
  AddFile,
  BuildSpec,
  CopyFile,
  Dependency,
  ExposedPort,
  Healthcheck,
  PackageIndex,
  ProjectSource,
  SourcePosition,
  SpecFormat,
} from "./build-spec.js";
import { contextDirname, contextJoin, isPattern, requireInContext } from "./context-checks.js";
import type { ContextReader } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { formatKeyPath } from "./key-path.js";
import { packageIndex } from "./package-indices.js";
import type { PyfrontImageConfig } from "./pyfront-schema.js";
import type { PyprojectFacts } from "./pyproject-project.js";
import { selectPython } from "./python-selection.js";
import { defaultImages } from "./python-versions.js";
import { isProblemResult, parseRequirement } from "./requirement.js";
import type { SourceDocument, SourcePath } from "./source-document.js";
import { isUrl, normalizeContextPath, parseDurationSeconds } from "./value-rules.js";

/** The keys shared by `[tool.pyfront]` and `[tool.microb.target.X]`, already schema-checked. */
export type ImageConfig = PyfrontImageConfig & { flavor?: "slim" | "full" };
export type ImageConfigKey = keyof ImageConfig & string;

export const DEFAULT_WORKDIR = "/app";

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
}

/** Builds the BuildSpec of a pyproject-based format and checks everything against the context. */
export function assemblePyprojectSpec(input: PyprojectAssemblyInput): BuildSpec {
  const { config, doc, origin, facts, context, out } = input;
  const site = (key: ImageConfigKey, ...rest: Array<string | number>) => ({
    doc,
    path: [...origin(key), ...rest],
  });
  const projectDir = contextDirname(input.specFile);

  const { python, decision: pythonDecision } = selectPython({
    doc,
    ...(config.python_version !== undefined
      ? { explicit: { requested: config.python_version, path: origin("python_version") } }
      : {}),
    facts,
    projectDir,
    context,
    out,
  });
  const images = defaultImages(python, config.flavor);

  const project = projectSource(input, projectDir);

  const dependencies: Dependency[] = facts.dependencies.map((d) => d.dependency);
  config.dependencies?.forEach((text, i) => {
    const parsed = parseRequirement(text);
    if (isProblemResult(parsed)) return; // reported by the schema
    if (parsed.warning) out.warning(site("dependencies", i), parsed.warning);
    dependencies.push(parsed.dependency);
  });
  config.requirements?.forEach((file, i) => {
    const path = normalizeContextPath(file);
    if (requireInContext(context, out, site("requirements", i), path, "file")) {
      dependencies.push({ kind: "requirements-file", path });
    }
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
    decisions: { python: pythonDecision },
    python,
    builderImage: config.builder_image ?? images.builderImage,
    runtimeImage: config.runtime_image ?? images.runtimeImage,
    buildDeps: [...(config.build_deps ?? [])],
    systemDeps: [...(config.system_deps ?? [])],
    env: Object.entries(config.env ?? {}).map(([k, v]) => [k, String(v)]),
    indices: packageIndices(config, site, out),
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
  if (input.target !== undefined) spec.target = input.target;
  if (config.healthcheck) spec.healthcheck = healthcheck(config.healthcheck);
  if (config.known_hosts !== undefined) {
    const path = normalizeContextPath(config.known_hosts);
    if (requireInContext(context, out, site("known_hosts"), path, "file")) spec.knownHosts = path;
  }
  applyRunCommand(spec, input);
  return spec;
}

function projectSource(input: PyprojectAssemblyInput, projectDir: string): ProjectSource {
  const { config, facts, context, out, doc, origin } = input;
  const extras = config.extras ?? [];
  if (facts.isPackage) {
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
    return {
      kind: "package",
      path: projectDir,
      extras: [...extras],
      extraDependencies: known.flatMap((dependencies) => dependencies ?? []),
      dependenciesComplete: facts.staticDependencies && known.every((d) => d !== undefined),
    };
  }
  if (extras.length > 0) {
    out.error(
      { doc, path: origin("extras") },
      {
        code: "extras-without-package",
        message: "extras need an installable project",
        hint: "add [project] with a name, or a [build-system] table",
      },
    );
  }
  const main = contextJoin(projectDir, "main.py");
  if (context.exists(main) && !context.isDirectory(main))
    return { kind: "scripts", path: projectDir, main: "main.py" };
  return { kind: "none" };
}

/** Entrypoint from the config, else from the project's single console script. */
function applyRunCommand(spec: BuildSpec, input: PyprojectAssemblyInput): void {
  const { config, facts, doc, out } = input;
  if (config.entrypoint !== undefined) spec.entrypoint = [...config.entrypoint];
  if (config.command !== undefined) spec.command = [...config.command];
  if (config.entrypoint !== undefined || config.command !== undefined) return;
  if (spec.project.kind !== "package" || facts.scripts.length === 0) return;
  if (facts.scripts.length === 1) {
    spec.entrypoint = [facts.scripts[0]!];
    return;
  }
  const problem = {
    code: "several-scripts",
    message: `the project declares several scripts (${facts.scripts.join(", ")}); none is used as entrypoint`,
    hint:
      input.format === "zero-config"
        ? 'add [tool.pyfront] with entrypoint = ["<script>"] to choose one'
        : 'set entrypoint = ["<script>"] to choose one',
  };
  const site = { doc, path: facts.scriptsPath ?? ["project", "scripts"], at: "key" as const };
  if (input.format === "zero-config") out.warning(site, problem);
  else out.error(site, problem);
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
