import type { SourcePosition } from "./build-spec.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { reportReservedKeys } from "./reserved-keys.js";
import type { SourceDocument } from "./source-document.js";
import { parseTomlDocument } from "./toml-document.js";

/**
 * PEP 723 inline script metadata: a `# /// script` ... `# ///` comment block holding TOML. The
 * TOML is parsed with the lines before it blanked and its `#` prefixes counted back, so positions
 * in it are the script's own lines and columns.
 */
export interface InlineScriptMetadata {
  doc: SourceDocument;
  dependencies: Array<{ text: string; index: number }>;
  requiresPython?: { text: string; position: SourcePosition };
}

const BLOCK_START = /^# \/\/\/ ([a-zA-Z0-9-]+)$/;

/** The script's metadata block, undefined when it has none; TOML errors go to `out`. */
export function readInlineScriptMetadata(
  file: string,
  text: string,
  out: DiagnosticList,
): InlineScriptMetadata | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => BLOCK_START.exec(line)?.[1] === "script");
  if (start === -1) return undefined;
  const end = lines.findIndex((line, i) => i > start && line === "# ///");
  if (end === -1) {
    out.error(
      { position: { file, line: start + 1, column: 1 } },
      {
        code: "unclosed-script-metadata",
        message: "the `# /// script` block has no closing `# ///` line",
        hint: "end the block with a line that is exactly `# ///`",
      },
    );
    return undefined;
  }
  // Up to the closing line, so an unfinished value is reported there, not at the script's end.
  const prefixes = lines
    .slice(0, end)
    .map((line, i) => (i <= start ? 0 : line.startsWith("# ") ? 2 : line.startsWith("#") ? 1 : 0));
  const toml = lines
    .slice(0, end + 1)
    .map((line, i) => (i <= start || i >= end ? "" : line.slice(prefixes[i])));
  const parsed = parseTomlDocument(file, toml.join("\n"), (line) => prefixes[line - 1] ?? 0);
  if (!parsed.ok) {
    out.items.push(...parsed.diagnostics);
    return undefined;
  }
  const doc = parsed.doc;
  if (reportReservedKeys(doc, out)) return undefined;
  const metadata: InlineScriptMetadata = { doc, dependencies: [] };
  const dependencies = doc.get(["dependencies"]);
  if (dependencies !== undefined) {
    if (Array.isArray(dependencies) && dependencies.every((d) => typeof d === "string")) {
      metadata.dependencies = dependencies.map((d, index) => ({ text: d, index }));
    } else {
      out.error(
        { doc, path: ["dependencies"] },
        { code: "invalid-type", message: "expected a list of requirements" },
      );
    }
  }
  const requires = doc.get(["requires-python"]);
  if (typeof requires === "string") {
    metadata.requiresPython = { text: requires, position: doc.valuePosition(["requires-python"]) };
  } else if (requires !== undefined) {
    out.error(
      { doc, path: ["requires-python"] },
      { code: "invalid-type", message: "expected a version specifier string" },
    );
  }
  return metadata;
}
