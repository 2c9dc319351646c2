import * as z from "zod";
import type { BuildSpec, Dependency, PackageIndex, ProjectSource } from "./build-spec.js";
import {
  aptPackagesSchema,
  contextPathSchema,
  envSchema,
  inlineCredentialsIndexSchema,
  labelsSchema,
} from "./common-schemas.js";
import { contextDirname, requireInContext } from "./context-checks.js";
import type { ContextReader, LoadOptions } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { formatKeyPath } from "./key-path.js";
import { packageIndex } from "./package-indices.js";
import { selectPython } from "./python-selection.js";
import { defaultImages } from "./python-versions.js";
import { isProblemResult, parseArchiveUrl, parseRequirement } from "./requirement.js";
import { readRequirementsFileFacts } from "./requirements-file-facts.js";
import type { SourceDocument, SourcePath } from "./source-document.js";
import { DEFAULT_WORKDIR } from "./spec-assembly.js";
import { checkContextPath, normalizeContextPath } from "./value-rules.js";
import { reportZodIssues, SPEC_PARSE } from "./zod-diagnostics.js";

/** Mopyfile.yaml as mopy documents it, plus pyfront's `known-hosts`. */
export const mopySchema = z.strictObject({
  apiVersion: z.literal("v1").optional(),
  // YAML reads `3.10` as the number 3.1; the source text is used instead of the value.
  python: z.union([z.string(), z.number()]),
  "build-deps": aptPackagesSchema.optional(),
  envs: envSchema.optional(),
  indices: z.array(inlineCredentialsIndexSchema).optional(),
  labels: labelsSchema.optional(),
  pip: z.array(z.string()).optional(),
  project: z.string().optional(),
  /** mopy's SBOM label switch (default true there); recorded, not produced yet. */
  sbom: z.boolean().optional(),
  /** pyfront addition, spelt like build-deps: a known_hosts file for git+ssh dependencies. */
  "known-hosts": contextPathSchema.optional(),
});

/** Reads a Mopyfile into a BuildSpec. */
export function readMopySpec(
  doc: SourceDocument,
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
): BuildSpec | undefined {
  const raw = doc.value ?? {};
  const parsed = mopySchema.safeParse(raw, SPEC_PARSE);
  if (!parsed.success) {
    reportZodIssues(parsed.error.issues, mopySchema, doc, [], out);
    return undefined;
  }
  const mopy = parsed.data;
  const requested =
    typeof mopy.python === "number" ? (doc.rawText(["python"]) ?? String(mopy.python)) : mopy.python;
  const { python, decision: pythonDecision } = selectPython({
    doc,
    explicit: { requested, path: ["python"] },
    projectDir: contextDirname(options.specFile),
    context,
    out,
  });
  const images = defaultImages(python);

  const dependencies: Dependency[] = [];
  mopy.pip?.forEach((entry, i) => {
    const dependency = pipEntry(entry, { doc, path: ["pip", i] }, context, out);
    if (dependency) dependencies.push(dependency);
  });

  const indices: PackageIndex[] = (mopy.indices ?? []).map((index, i) =>
    packageIndex(index, i, (field) => ({ doc, path: ["indices", i, field] }), out),
  );

  const positions: BuildSpec["positions"] = {};
  for (const key of Object.keys(raw as object).sort()) positions[key] = doc.keyPosition([key]);

  const spec: BuildSpec = {
    format: "mopy",
    specFile: options.specFile,
    decisions: { python: pythonDecision },
    python,
    builderImage: images.builderImage,
    runtimeImage: images.runtimeImage,
    buildDeps: [...(mopy["build-deps"] ?? [])],
    systemDeps: [],
    env: Object.entries(mopy.envs ?? {}).map(([k, v]) => [k, String(v)]),
    indices,
    labels: Object.entries(mopy.labels ?? {}),
    dependencies,
    project: mopyProject(mopy.project, doc, context, out),
    workdir: DEFAULT_WORKDIR,
    expose: [],
    copyFiles: [],
    addFiles: [],
    metadata: { authors: [] },
    positions,
    entrySites: entrySites(doc, { env: ["envs"], labels: ["labels"] }, mopy),
  };
  const knownHosts = mopy["known-hosts"];
  if (knownHosts !== undefined) {
    const path = normalizeContextPath(knownHosts);
    if (requireInContext(context, out, { doc, path: ["known-hosts"] }, path, "file")) spec.knownHosts = path;
  }
  if (mopy.sbom !== undefined) {
    spec.sbom = mopy.sbom;
    if (mopy.sbom) {
      out.warning(
        { doc, path: ["sbom"] },
        {
          code: "sbom-not-produced",
          message:
            "recorded, but pyfront does not produce an SBOM yet (mopy's mopy.sbom label): a later version will",
          hint: "set sbom: false to build without asking for one",
        },
      );
    }
  }
  return spec;
}

function entrySites(
  doc: SourceDocument,
  tables: { env: SourcePath; labels: SourcePath },
  mopy: { envs?: Record<string, unknown>; labels?: Record<string, unknown> },
): NonNullable<BuildSpec["entrySites"]> {
  const sites: NonNullable<BuildSpec["entrySites"]> = {};
  for (const [kind, path, table] of [
    ["env", tables.env, mopy.envs],
    ["labels", tables.labels, mopy.labels],
  ] as const) {
    for (const name of Object.keys(table ?? {})) {
      sites[`${kind}.${name}`] = {
        position: doc.valuePosition([...path, name]),
        key: formatKeyPath([...path, name]),
      };
    }
  }
  return sites;
}

/**
 * `./dir/` is a local project, `./file.txt` a requirements file, an http(s) URL a wheel or source
 * archive, anything else a requirement.
 */
function pipEntry(
  entry: string,
  site: { doc: SourceDocument; path: Array<string | number> },
  context: ContextReader,
  out: DiagnosticList,
): Dependency | undefined {
  if (entry.startsWith("./") || entry.startsWith("../") || entry.startsWith("/")) {
    const problem = checkContextPath(entry);
    if (problem) {
      out.error(site, problem);
      return undefined;
    }
    const path = normalizeContextPath(entry);
    if (entry.endsWith(".txt")) {
      if (!requireInContext(context, out, site, path, "file")) return undefined;
      const text = context.readFile(path);
      const gitSsh = text !== undefined && readRequirementsFileFacts(text).gitSsh;
      return { kind: "requirements-file", path, ...(gitSsh ? { gitSsh: true as const } : {}) };
    }
    return requireInContext(context, out, site, path, "directory") ? { kind: "local", path } : undefined;
  }
  if (/\.txt$/i.test(entry) && !/[<>=!~@;]/.test(entry)) {
    out.error(site, {
      code: "invalid-requirement",
      message: `${JSON.stringify(entry)} looks like a requirements file`,
      hint: `local paths start with ./, e.g. ./${entry}`,
    });
    return undefined;
  }
  const parsed = /^https?:\/\//i.test(entry) ? parseArchiveUrl(entry) : parseRequirement(entry);
  if (isProblemResult(parsed)) {
    out.error(site, parsed);
    return undefined;
  }
  if (parsed.warning) out.warning(site, parsed.warning);
  return parsed.dependency;
}

function mopyProject(
  project: string | undefined,
  doc: SourceDocument,
  context: ContextReader,
  out: DiagnosticList,
): ProjectSource {
  if (project === undefined) return { kind: "none" };
  const site = { doc, path: ["project"] };
  const problem = checkContextPath(project);
  if (problem) {
    out.error(site, problem);
    return { kind: "none" };
  }
  const path = normalizeContextPath(project);
  if (path.endsWith(".py") && !project.endsWith("/")) {
    if (!requireInContext(context, out, site, path, "file")) return { kind: "none" };
    return { kind: "scripts", path, main: path.slice(path.lastIndexOf("/") + 1) };
  }
  if (!requireInContext(context, out, site, path, "directory")) return { kind: "none" };
  const main = path === "." ? "main.py" : `${path}/main.py`;
  if (!context.exists(main) || context.isDirectory(main)) {
    out.error(site, {
      code: "missing-main",
      message: `${JSON.stringify(path)} has no main.py`,
      hint: "add main.py to the folder, or point project at a single .py file",
    });
    return { kind: "none" };
  }
  return { kind: "scripts", path, main: "main.py" };
}
