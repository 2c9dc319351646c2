import * as z from "zod";
import type { Dependency, ProjectMetadata } from "./build-spec.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { poetryConstraintToPep440 } from "./poetry-constraints.js";
import { isProblemResult, parseRequirement } from "./requirement.js";
import type { SourceDocument, SourcePath } from "./source-document.js";
import { checkContextPath, normalizeContextPath } from "./value-rules.js";
import { describeValue, reportZodIssues, SPEC_PARSE } from "./zod-diagnostics.js";

function isTable(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** What pyfront takes from the standard parts of a pyproject.toml. */
export interface PyprojectFacts {
  /** An installable package: `[build-system]` exists or `[project]` has a name. */
  isPackage: boolean;
  requiresPython?: { text: string; path: SourcePath };
  dependencies: Array<{ dependency: Dependency; path: SourcePath }>;
  /** Extras the project declares (`[project.optional-dependencies]` or `[tool.poetry.extras]`). */
  extras: string[];
  /**
   * The requirements of each extra, when `[project.optional-dependencies]` lists them statically
   * (parseable, and not naming the project itself).
   */
  extraRequirements: Record<string, Dependency[]>;
  /** `[project].dynamic` names `optional-dependencies`: the backend decides which extras exist. */
  dynamicExtras: boolean;
  /**
   * `[project]` declares its dependencies statically (PEP 621: present or absent, but not
   * `dynamic`), so pyfront knows every requirement of the package without building it.
   */
  staticDependencies: boolean;
  /** Console scripts (`[project.scripts]` or `[tool.poetry.scripts]`), sorted. */
  scripts: string[];
  scriptsPath?: SourcePath;
  /** What each console script calls, as written (`module:function`), where it is a string. */
  scriptTargets: Record<string, string>;
  metadata: ProjectMetadata;
}

const projectSchema = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  description: z.string().optional(),
  "requires-python": z.string().optional(),
  dependencies: z.array(z.string()).optional(),
  "optional-dependencies": z.record(z.string(), z.array(z.string())).optional(),
  dynamic: z.array(z.string()).optional(),
  scripts: z.record(z.string(), z.string()).optional(),
  authors: z.array(z.looseObject({ name: z.string().optional(), email: z.string().optional() })).optional(),
  license: z
    .union([z.string(), z.looseObject({ text: z.string().optional(), file: z.string().optional() })])
    .optional(),
  urls: z.record(z.string(), z.string()).optional(),
});

const poetryDependency = z.union([
  z.string(),
  z.looseObject({
    version: z.string().optional(),
    extras: z.array(z.string()).optional(),
    optional: z.boolean().optional(),
    markers: z.string().optional(),
    git: z.string().optional(),
    branch: z.string().optional(),
    rev: z.string().optional(),
    tag: z.string().optional(),
    path: z.string().optional(),
    url: z.string().optional(),
  }),
  z.array(z.unknown()),
]);

const poetrySchema = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  description: z.string().optional(),
  authors: z.array(z.string()).optional(),
  license: z.string().optional(),
  homepage: z.string().optional(),
  repository: z.string().optional(),
  dependencies: z.record(z.string(), poetryDependency).optional(),
  extras: z.record(z.string(), z.array(z.string())).optional(),
  scripts: z.record(z.string(), z.unknown()).optional(),
});

type PoetryDependency = z.output<typeof poetryDependency>;

/** Reads `[project]`, `[build-system]` and `[tool.poetry]`; type errors go to `out`. */
export function readPyproject(doc: SourceDocument, out: DiagnosticList): PyprojectFacts {
  const facts: PyprojectFacts = {
    isPackage: false,
    dependencies: [],
    extras: [],
    extraRequirements: {},
    dynamicExtras: false,
    staticDependencies: false,
    scripts: [],
    scriptTargets: Object.create(null) as Record<string, string>,
    metadata: { authors: [] },
  };
  // The standard tables must be tables: `tool = 1` or `build-system = "x"` is refused as pip would.
  for (const key of ["project", "build-system", "tool"]) {
    const value = doc.get([key]);
    if (value !== undefined && !isTable(value)) {
      out.error(
        { doc, path: [key] },
        { code: "invalid-type", message: `expected a table, got ${describeValue(value)}` },
      );
    }
  }
  const poetryValue = doc.get(["tool", "poetry"]);
  if (poetryValue !== undefined && !isTable(poetryValue)) {
    out.error(
      { doc, path: ["tool", "poetry"] },
      { code: "invalid-type", message: `expected a table, got ${describeValue(poetryValue)}` },
    );
  }
  const rawProject = doc.get(["project"]);
  const rawPoetry = doc.get(["tool", "poetry"]);
  const project =
    rawProject === undefined || !isTable(rawProject)
      ? undefined
      : projectSchema.safeParse(rawProject, SPEC_PARSE);
  const poetry =
    rawPoetry === undefined || !isTable(rawPoetry)
      ? undefined
      : poetrySchema.safeParse(rawPoetry, SPEC_PARSE);
  if (project && !project.success)
    reportZodIssues(project.error.issues, projectSchema, doc, ["project"], out);
  if (poetry && !poetry.success)
    reportZodIssues(poetry.error.issues, poetrySchema, doc, ["tool", "poetry"], out);
  const p = project?.success ? project.data : undefined;
  const po = poetry?.success ? poetry.data : undefined;

  facts.isPackage = isTable(doc.get(["build-system"])) || p?.name !== undefined;

  if (p?.["requires-python"] !== undefined) {
    facts.requiresPython = { text: p["requires-python"], path: ["project", "requires-python"] };
  }
  p?.dependencies?.forEach((text, i) => {
    addRequirement(facts, out, doc, text, ["project", "dependencies", i]);
  });
  facts.extras = Object.keys(p?.["optional-dependencies"] ?? po?.extras ?? {}).sort();
  if (p) readStaticMetadata(facts, p);
  if (p?.scripts) {
    facts.scripts = Object.keys(p.scripts).sort();
    facts.scriptsPath = ["project", "scripts"];
    for (const [name, target] of Object.entries(p.scripts)) facts.scriptTargets[name] = target;
  } else if (po?.scripts) {
    facts.scripts = Object.keys(po.scripts).sort();
    facts.scriptsPath = ["tool", "poetry", "scripts"];
    for (const [name, target] of Object.entries(po.scripts)) {
      if (typeof target === "string") facts.scriptTargets[name] = target;
    }
  }

  if (po?.dependencies) {
    if (!p) facts.isPackage = facts.isPackage || po.name !== undefined;
    for (const [name, spec] of Object.entries(po.dependencies)) {
      const path: SourcePath = ["tool", "poetry", "dependencies", name];
      if (name.toLowerCase() === "python") {
        if (typeof spec === "string" && facts.requiresPython === undefined) {
          const converted = poetryConstraintToPep440(spec);
          if (typeof converted === "string") facts.requiresPython = { text: converted, path };
          else out.error({ doc, path }, converted);
        }
        continue;
      }
      // With [project.dependencies] present, PEP 621 is the source of truth.
      if (p?.dependencies) continue;
      addPoetryDependency(facts, out, doc, name, spec, path);
    }
  }

  facts.metadata = projectMetadata(p, po);
  return facts;
}

/** What `--no-deps` needs to be safe: requirements pyfront can list without building the package. */
function readStaticMetadata(facts: PyprojectFacts, p: ProjectTable): void {
  const dynamic = new Set(p.dynamic ?? []);
  facts.staticDependencies = !dynamic.has("dependencies");
  if (dynamic.has("optional-dependencies")) {
    facts.dynamicExtras = true;
    return;
  }
  const self = p.name === undefined ? undefined : normalizedName(p.name);
  for (const [extra, texts] of Object.entries(p["optional-dependencies"] ?? {})) {
    const dependencies: Dependency[] = [];
    for (const text of texts) {
      const parsed = parseRequirement(text);
      // `name[other]` inside an extra means "and that extra too": left to pip's resolver.
      if (isProblemResult(parsed) || (self !== undefined && requirementName(parsed.dependency) === self)) {
        break;
      }
      dependencies.push(parsed.dependency);
    }
    if (dependencies.length === texts.length) facts.extraRequirements[extra] = dependencies;
  }
}

/** PEP 503 normalized form, for comparing project names. */
function normalizedName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

function requirementName(dependency: Dependency): string | undefined {
  if (dependency.kind === "index")
    return normalizedName(/^[A-Za-z0-9._-]+/.exec(dependency.requirement)?.[0] ?? "");
  if (dependency.kind === "git" && dependency.name) return normalizedName(dependency.name);
  return undefined;
}

function addRequirement(
  facts: PyprojectFacts,
  out: DiagnosticList,
  doc: SourceDocument,
  text: string,
  path: SourcePath,
) {
  const parsed = parseRequirement(text);
  if (isProblemResult(parsed)) {
    out.error({ doc, path }, parsed);
    return;
  }
  if (parsed.warning) out.warning({ doc, path }, parsed.warning);
  facts.dependencies.push({ dependency: parsed.dependency, path });
}

function addPoetryDependency(
  facts: PyprojectFacts,
  out: DiagnosticList,
  doc: SourceDocument,
  name: string,
  spec: PoetryDependency,
  path: SourcePath,
) {
  if (Array.isArray(spec)) {
    out.error(
      { doc, path },
      {
        code: "unsupported-constraint",
        message: "multiple-constraint dependencies are not supported",
        hint: "use one constraint, or list the dependency in [project.dependencies]",
      },
    );
    return;
  }
  if (typeof spec === "string") spec = { version: spec };
  if (spec.optional) return; // installed through extras only
  const extras = spec.extras && spec.extras.length > 0 ? `[${spec.extras.join(",")}]` : "";
  const markers = spec.markers ? `; ${spec.markers}` : "";
  if (spec.path !== undefined) {
    const problem = checkContextPath(spec.path);
    if (problem) out.error({ doc, path: [...path, "path"] }, problem);
    else
      facts.dependencies.push({ dependency: { kind: "local", path: normalizeContextPath(spec.path) }, path });
    return;
  }
  if (spec.git !== undefined) {
    const url = spec.git.startsWith("git@")
      ? `git+ssh://${spec.git.replace(":", "/")}`
      : /^[a-z]+:\/\//.test(spec.git)
        ? `git+${spec.git}`
        : spec.git;
    const ref = spec.rev ?? spec.tag ?? spec.branch;
    addRequirement(facts, out, doc, `${name}${extras} @ ${url}${ref ? `@${ref}` : ""}${markers}`, path);
    return;
  }
  if (spec.url !== undefined) {
    addRequirement(facts, out, doc, `${name}${extras} @ ${spec.url}${markers}`, path);
    return;
  }
  const converted = poetryConstraintToPep440(spec.version ?? "*");
  if (typeof converted !== "string") {
    out.error({ doc, path }, converted);
    return;
  }
  addRequirement(facts, out, doc, `${name}${extras}${converted}${markers}`, path);
}

type ProjectTable = z.output<typeof projectSchema>;
type PoetryTable = z.output<typeof poetrySchema>;

/** Label-worthy metadata; PEP 621 wins over Poetry where both exist. */
function projectMetadata(p: ProjectTable | undefined, po: PoetryTable | undefined): ProjectMetadata {
  const metadata: ProjectMetadata = { authors: [] };
  const name = p?.name ?? po?.name;
  const version = p?.version ?? po?.version;
  const description = p?.description ?? po?.description;
  if (name !== undefined) metadata.name = name;
  if (version !== undefined) metadata.version = version;
  if (description !== undefined) metadata.description = description;
  if (p?.authors) {
    metadata.authors = p.authors
      .map((a) =>
        a.name && a.email ? `${a.name} <${a.email}>` : (a.name ?? (a.email ? `<${a.email}>` : "")),
      )
      .filter((a) => a !== "");
  } else if (po?.authors) {
    metadata.authors = [...po.authors];
  }
  const license = typeof p?.license === "string" ? p.license : (p?.license?.text ?? po?.license);
  if (license !== undefined) metadata.license = license;
  const urls = Object.fromEntries(Object.entries(p?.urls ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const homepage = urls.homepage ?? po?.homepage;
  const source = urls.source ?? urls.repository ?? po?.repository;
  if (homepage !== undefined) metadata.url = homepage;
  else if (source !== undefined) metadata.url = source;
  if (source !== undefined) metadata.source = source;
  return metadata;
}
