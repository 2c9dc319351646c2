import type { BuildSpec } from "./build-spec.js";
import { contextDirname } from "./context-checks.js";
import type { ContextReader, LoadOptions } from "./context-reader.js";
import { DiagnosticList } from "./diagnostic-list.js";
import { type Diagnostic, SpecError } from "./diagnostics.js";
import { detectFileKind } from "./format-detection.js";
import { MICROB_TABLE, readMicrobSpec } from "./microb-format.js";
import { readMopySpec } from "./mopy-format.js";
import { readPyenvSpec } from "./pyenv-format.js";
import { PYFRONT_TABLE, readPyfrontSpec } from "./pyfront-format.js";
import { readPyproject } from "./pyproject-project.js";
import { reportReservedKeys } from "./reserved-keys.js";
import type { SourceDocument } from "./source-document.js";
import { NO_START_COMMAND } from "./spec-assembly.js";
import { parseTomlDocument } from "./toml-document.js";
import { CONTROL_CHARACTERS, checkContextPath, normalizeContextPath } from "./value-rules.js";
import { parseYamlDocument } from "./yaml-document.js";
import { readNamedFileSpec, readZeroConfigSpec } from "./zero-config-format.js";

export interface LoadedBuildSpec {
  spec: BuildSpec;
  warnings: Diagnostic[];
}

/**
 * Reads a spec file in any supported format into one validated BuildSpec. Pure: the file text
 * and a read-only view of the context are handed in. Throws SpecError with every problem found
 * (errors and warnings, in file order).
 */
export function loadBuildSpec(text: string, options: LoadOptions, context: ContextReader): LoadedBuildSpec {
  const out = new DiagnosticList();
  const spec = readSpec(text, options, context, out);
  // What to run is worth asking once the spec is valid: beside errors it is noise.
  const shown = out.hasErrors ? out.items.filter((d) => d.code !== NO_START_COMMAND) : out.items;
  const diagnostics = sortDiagnostics(shown);
  if (!spec || out.hasErrors) throw new SpecError(diagnostics);
  const folder = contextDirname(options.specFile);
  if (!Object.hasOwn(out.pathSites, folder)) {
    out.pathSites[folder] = { position: { file: options.specFile, line: 1, column: 1 } };
  }
  return { spec: { ...spec, pathSites: out.pathSites }, warnings: diagnostics };
}

function readSpec(
  text: string,
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
): BuildSpec | undefined {
  const file = options.specFile;
  if (CONTROL_CHARACTERS.test(file)) {
    out.error(
      { position: { file: JSON.stringify(file), line: 1, column: 1 } },
      {
        code: "invalid-path",
        message: "the spec file's path contains control characters",
        hint: "rename the file or its folders without line breaks, tabs or other control characters",
      },
    );
    return undefined;
  }
  // The edges hand in the path as the client named it: it must stay inside the context, and the
  // project's own folder is derived from it.
  const pathProblem = checkContextPath(file);
  if (pathProblem) {
    out.error({ position: { file, line: 1, column: 1 } }, pathProblem);
    return undefined;
  }
  if (normalizeContextPath(file) !== file) {
    out.error(
      { position: { file, line: 1, column: 1 } },
      {
        code: "invalid-path",
        message: `the spec file's path ${JSON.stringify(file)} is not in normal form`,
        hint: `name it ${JSON.stringify(normalizeContextPath(file))}`,
      },
    );
    return undefined;
  }
  const kind = detectFileKind(file, text);
  if (kind === undefined) {
    out.error(
      { position: { file, line: 1, column: 1 } },
      {
        code: "unknown-format",
        message: "cannot tell the format of the spec file",
        hint: "use pyproject.toml, Mopyfile.yaml, a requirements file, Pipfile, setup.py, a .py script, or a Dockerfile with PYENV instructions",
      },
    );
    return undefined;
  }
  if (kind === "pyenv") return readPyenvSpec(text, options, context, out);
  if (kind === "requirements" || kind === "pipfile" || kind === "setup" || kind === "script") {
    return readNamedFileSpec({ kind, path: file, text }, options, context, out);
  }

  const parsed = kind === "mopy" ? parseYamlDocument(file, text) : parseTomlDocument(file, text);
  if (!parsed.ok) {
    out.items.push(...parsed.diagnostics);
    return undefined;
  }
  if (reportReservedKeys(parsed.doc, out)) return undefined;
  if (kind === "mopy") return readMopySpec(parsed.doc, options, context, out);
  return readPyprojectSpec(parsed.doc, options, context, out);
}

function readPyprojectSpec(
  doc: SourceDocument,
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
): BuildSpec | undefined {
  const facts = readPyproject(doc, out);
  const hasPyfront = doc.get(PYFRONT_TABLE) !== undefined;
  const hasMicrob = doc.get(MICROB_TABLE) !== undefined;
  if (hasPyfront) {
    if (hasMicrob) {
      out.warning(
        { doc, path: MICROB_TABLE, at: "key" },
        {
          code: "ignored-table",
          message: "ignored because [tool.pyfront] is present",
          hint: "remove one of the two tables",
        },
      );
    }
    return readPyfrontSpec(doc, facts, options, context, out);
  }
  if (hasMicrob) return readMicrobSpec(doc, facts, options, context, out);
  if (options.target !== undefined) {
    out.error(
      { position: { file: doc.file, line: 1, column: 1 } },
      {
        code: "unknown-target",
        message: `unknown target ${JSON.stringify(options.target)}`,
        hint: "this pyproject.toml defines no targets; add [tool.pyfront.targets.<name>]",
      },
    );
    return undefined;
  }
  return readZeroConfigSpec(doc, facts, options, context, out);
}

function sortDiagnostics(items: readonly Diagnostic[]): Diagnostic[] {
  return items
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const pa = a.d.position;
      const pb = b.d.position;
      if (pa && pb) {
        if (pa.file !== pb.file) return pa.file < pb.file ? -1 : 1;
        if (pa.line !== pb.line) return pa.line - pb.line;
        if (pa.column !== pb.column) return pa.column - pb.column;
      }
      return a.i - b.i;
    })
    .map(({ d }) => d);
}
