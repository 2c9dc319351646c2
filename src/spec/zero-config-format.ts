import { projectDirOf } from "../detect/project-layout.js";
import type { BuildSpec } from "./build-spec.js";
import { contextJoin } from "./context-checks.js";
import type { ContextReader, LoadOptions } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { type PyprojectFacts, readPyproject } from "./pyproject-project.js";
import { reportReservedKeys } from "./reserved-keys.js";
import { SourceDocument } from "./source-document.js";
import { assemblePyprojectSpec, type NamedSpecFile } from "./spec-assembly.js";
import { parseTomlDocument } from "./toml-document.js";

/**
 * A pyproject.toml without a pyfront or microb table: everything comes from the standard
 * tables and the context (`.python-version`, `requires-python`, dependencies, console scripts).
 */
export function readZeroConfigSpec(
  doc: SourceDocument,
  facts: PyprojectFacts,
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
  named?: NamedSpecFile,
): BuildSpec {
  return assemblePyprojectSpec({
    format: "zero-config",
    specFile: options.specFile,
    doc,
    config: {},
    origin: (key) => ["tool", "pyfront", key],
    facts,
    context,
    out,
    ...(named ? { named } : {}),
  });
}

/**
 * A file that is not a pyproject.toml, given to the build as its spec: a requirements file, a
 * Pipfile, setup.py/setup.cfg or a script. The folder around it is read as with zero config (its
 * pyproject.toml for the project's metadata, if it has one); the named file decides where the
 * dependencies come from. Its tool tables are not read: the build was pointed at another file.
 */
export function readNamedFileSpec(
  file: { kind: NamedSpecFile["kind"]; path: string; text: string },
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
): BuildSpec | undefined {
  const named: NamedSpecFile = { ...file };
  if (file.kind === "pipfile") {
    const parsed = parseTomlDocument(file.path, file.text);
    if (!parsed.ok) {
      out.items.push(...parsed.diagnostics);
      return undefined;
    }
    if (reportReservedKeys(parsed.doc, out)) return undefined;
    named.pipfile = parsed.doc;
  }
  const pyprojectPath = contextJoin(projectDirOf(file.path, file.kind), "pyproject.toml");
  const pyprojectText = context.readFile(pyprojectPath);
  let doc = new SourceDocument(file.path, Object.create(null));
  if (pyprojectText !== undefined) {
    const parsed = parseTomlDocument(pyprojectPath, pyprojectText);
    if (!parsed.ok) {
      out.items.push(...parsed.diagnostics);
      return undefined;
    }
    if (reportReservedKeys(parsed.doc, out)) return undefined;
    doc = parsed.doc;
  }
  return readZeroConfigSpec(doc, readPyproject(doc, out), options, context, out, named);
}
