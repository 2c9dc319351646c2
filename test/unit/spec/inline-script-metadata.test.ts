// PEP 723 inline script metadata: the `# /// script` block of a .py file.
import { describe, expect, it } from "vitest";
import { DiagnosticList } from "../../../src/spec/diagnostic-list.js";
import { formatDiagnostic } from "../../../src/spec/diagnostics.js";
import { readInlineScriptMetadata } from "../../../src/spec/inline-script-metadata.js";

function read(text: string, file = "tools/report.py") {
  const out = new DiagnosticList();
  const metadata = readInlineScriptMetadata(file, text, out);
  return { metadata, diagnostics: out.items.map(formatDiagnostic) };
}

describe("readInlineScriptMetadata", () => {
  it("reads dependencies and requires-python, positioned in the script", () => {
    const { metadata, diagnostics } = read(
      [
        "#!/usr/bin/env python3",
        "# /// script",
        '# requires-python = ">=3.11"',
        "# dependencies = [",
        '#   "requests<3",',
        '#   "rich",',
        "# ]",
        "#",
        "# [tool.uv]",
        '# exclude-newer = "2024-01-01T00:00:00Z"',
        "# ///",
        "import requests",
        "",
      ].join("\n"),
    );
    expect(diagnostics).toEqual([]);
    expect(metadata?.dependencies).toEqual([
      { text: "requests<3", index: 0 },
      { text: "rich", index: 1 },
    ]);
    expect(metadata?.requiresPython).toEqual({
      text: ">=3.11",
      position: { file: "tools/report.py", line: 3, column: 21 },
    });
    expect(metadata?.doc.valuePosition(["dependencies", 1])).toEqual({
      file: "tools/report.py",
      line: 6,
      column: 5,
    });
  });

  it("reads a block with Windows line endings", () => {
    const { metadata, diagnostics } = read(
      '# /// script\r\n# dependencies = ["httpx"]\r\n# ///\r\nprint(1)\r\n',
    );
    expect(diagnostics).toEqual([]);
    expect(metadata?.dependencies).toEqual([{ text: "httpx", index: 0 }]);
  });

  it("is undefined for a script without a block, or with another type of block", () => {
    expect(read("import sys\nprint(sys.argv)\n")).toEqual({ metadata: undefined, diagnostics: [] });
    expect(read('# /// pyproject\n# name = "x"\n# ///\n')).toEqual({ metadata: undefined, diagnostics: [] });
  });

  it("reads a block without dependencies as an empty list", () => {
    const { metadata, diagnostics } = read('# /// script\n# requires-python = ">=3.12"\n# ///\n');
    expect(diagnostics).toEqual([]);
    expect(metadata?.dependencies).toEqual([]);
  });

  it("reports an unclosed block at its first line", () => {
    expect(read('print(1)\n# /// script\n# dependencies = ["rich"]\nprint(2)\n')).toEqual({
      metadata: undefined,
      diagnostics: [
        "tools/report.py:2:1: the `# /// script` block has no closing `# ///` line\n  hint: end the block with a line that is exactly `# ///`",
      ],
    });
  });

  it("positions TOML errors at the script's own line and column", () => {
    const error = (text: string) => read(text).diagnostics;
    expect(error("# /// script\n# x = = 1\n# ///\n")).toEqual([
      "tools/report.py:2:7: TOML syntax error: Unexpected token\n  hint: see https://toml.io for the syntax",
    ]);
    expect(error('# /// script\n# dependencies = ["rich"]\n# dependencies = []\n# ///\n')).toEqual([
      'tools/report.py:3:3: "dependencies" is defined twice\n  hint: keep one definition of the key or table',
    ]);
    // An unfinished value ends at the closing line, not somewhere in the code after it.
    const unfinished =
      '"""Report."""\n# /// script\n# dependencies = ["rich",\n# ///\nprint(1)\n\nprint(2)\n';
    expect(read(unfinished)).toEqual({
      metadata: undefined,
      diagnostics: [
        "tools/report.py:4:1: TOML syntax error: Unspecified values are invalid\n  hint: see https://toml.io for the syntax",
      ],
    });
  });

  it("reports dependencies and requires-python of the wrong type at their values", () => {
    const { diagnostics } = read(
      ["# /// script", '# dependencies = "rich"', "# requires-python = 3.11", "# ///", ""].join("\n"),
    );
    expect(diagnostics).toEqual([
      "tools/report.py:2:18: dependencies: expected a list of requirements",
      "tools/report.py:3:21: requires-python: expected a version specifier string",
    ]);
  });
});
