import type { Dependency, PackageIndex } from "./build-spec.js";
import { contextJoin } from "./context-checks.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { ENVIRONMENT_VARIABLES } from "./locks/environment-markers.js";
import { packageIndex } from "./package-indices.js";
import { isProblemResult, parseRequirement } from "./requirement.js";
import type { SourceDocument, SourcePath } from "./source-document.js";
import { checkContextPath, normalizeContextPath } from "./value-rules.js";
import { describeValue } from "./zod-diagnostics.js";

/** What pyfront takes from a Pipfile: `[packages]` (never `[dev-packages]`) and `[[source]]`. */
export interface PipfileFacts {
  dependencies: Array<{ dependency: Dependency; path: SourcePath }>;
  indices: PackageIndex[];
  /** `[packages]` names the project itself (`path = "."`): it is installed as a package. */
  installsItself: boolean;
}

/** The index every Pipfile names by default: pip's own, so naming it changes nothing. */
const DEFAULT_INDEX = /^https:\/\/pypi\.(org|python\.org)\/simple\/?$/;

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Reads a Pipfile; its `path` dependencies are relative to `projectDir`, the Pipfile's folder. */
export function readPipfile(doc: SourceDocument, projectDir: string, out: DiagnosticList): PipfileFacts {
  const facts: PipfileFacts = { dependencies: [], indices: [], installsItself: false };
  const packages = doc.get(["packages"]);
  if (packages !== undefined && !isTable(packages)) {
    out.error(
      { doc, path: ["packages"] },
      { code: "invalid-type", message: `expected a table, got ${describeValue(packages)}` },
    );
  } else if (packages) {
    for (const [name, spec] of Object.entries(packages)) {
      const path: SourcePath = ["packages", name];
      const dependency = pipfileDependency(doc, name, spec, path, projectDir, out);
      if (dependency === "self") facts.installsItself = true;
      else if (dependency) facts.dependencies.push({ dependency, path });
    }
  }
  const sources = doc.get(["source"]);
  if (Array.isArray(sources)) {
    const named = sources.filter(isTable);
    // pipenv installs from the first source; the others are looked up too.
    named.forEach((source, i) => {
      const url = source.url;
      if (typeof url !== "string") {
        out.error(
          { doc, path: ["source", i, "url"] },
          { code: "invalid-type", message: "a source needs a url" },
        );
        return;
      }
      if (DEFAULT_INDEX.test(url)) return;
      if (url.includes("${")) {
        out.error(
          { doc, path: ["source", i, "url"] },
          {
            code: "credentials-in-url",
            message: "the source URL takes values from the environment, which a build does not have",
            hint: "write the URL without ${...}; pass credentials as a build secret (see docs/formats)",
          },
        );
        return;
      }
      facts.indices.push(
        packageIndex(
          { url, primary: i === 0, trust: source.verify_ssl === false },
          facts.indices.length,
          () => ({ doc, path: ["source", i, "url"] }),
          out,
        ),
      );
    });
  }
  return facts;
}

/**
 * `; <markers>` from the `markers` key and the marker keys (PEP 508's variable names, which
 * pipenv also takes as keys: `pywinusb = {sys_platform = "== 'win32'"}`), all of which must hold.
 */
function pipfileMarkers(spec: Record<string, unknown>): string {
  const parts = [
    ...(typeof spec.markers === "string" ? [spec.markers] : []),
    ...ENVIRONMENT_VARIABLES.flatMap((key) => (typeof spec[key] === "string" ? [`${key} ${spec[key]}`] : [])),
  ];
  if (parts.length === 0) return "";
  return `; ${parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(" and ")}`;
}

function pipfileDependency(
  doc: SourceDocument,
  name: string,
  spec: unknown,
  path: SourcePath,
  projectDir: string,
  out: DiagnosticList,
): Dependency | "self" | undefined {
  const requirement = (text: string) => {
    const parsed = parseRequirement(text);
    if (isProblemResult(parsed)) {
      out.error({ doc, path }, parsed);
      return undefined;
    }
    return parsed.dependency;
  };
  const version = (value: unknown) => (value === undefined || value === "*" ? "" : String(value));
  if (typeof spec === "string") return requirement(`${name}${version(spec)}`);
  if (!isTable(spec)) {
    out.error(
      { doc, path },
      { code: "invalid-type", message: `expected a version or a table, got ${describeValue(spec)}` },
    );
    return undefined;
  }
  if (typeof spec.index === "string") {
    // pipenv takes such a package from that source only; pip cannot: say so, never drop it quietly.
    out.warning(
      { doc, path: [...path, "index"] },
      {
        code: "per-package-index",
        message: `pip looks for ${JSON.stringify(name)} in every index, not only in ${JSON.stringify(spec.index)}`,
        hint: "if another index could serve a package of that name, make that source the only one (the first [[source]]) or pass PIP_INDEX_URL",
      },
    );
  }
  if (spec.extras !== undefined && !Array.isArray(spec.extras)) {
    out.error(
      { doc, path: [...path, "extras"] },
      { code: "invalid-type", message: `expected a list of extras, got ${describeValue(spec.extras)}` },
    );
    return undefined;
  }
  const extras = Array.isArray(spec.extras) && spec.extras.length > 0 ? `[${spec.extras.join(",")}]` : "";
  const markers = pipfileMarkers(spec);
  if (typeof spec.path === "string") {
    const joined = contextJoin(projectDir, spec.path);
    const problem = checkContextPath(joined);
    if (problem) {
      out.error({ doc, path: [...path, "path"] }, problem);
      return undefined;
    }
    const local = normalizeContextPath(joined);
    return local === projectDir ? "self" : { kind: "local", path: local };
  }
  if (typeof spec.git === "string") {
    const url = spec.git.startsWith("git+") ? spec.git : `git+${spec.git}`;
    const ref = typeof spec.ref === "string" ? `@${spec.ref}` : "";
    return requirement(`${name}${extras} @ ${url}${ref}${markers}`);
  }
  if (typeof spec.file === "string") return requirement(`${name}${extras} @ ${spec.file}${markers}`);
  return requirement(`${name}${extras}${version(spec.version)}${markers}`);
}
