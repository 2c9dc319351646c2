/**
 * The edits the suite makes to each way's copy of an example, as pure text transforms: a one-line
 * source change, one more dependency in pyproject.toml, and the local index for the script
 * (which declares none, having no dependencies to fetch).
 */

/** Appends one comment line: changes the file's bytes, not its behaviour. */
export function appendCommentLine(source: string, label: string): string {
  const base = source.endsWith("\n") || source === "" ? source : `${source}\n`;
  return `${base}# ${label}\n`;
}

interface SectionRange {
  /** Index of the header line. */
  header: number;
  /** Index one past the section's last line. */
  end: number;
}

function findSection(lines: readonly string[], name: string): SectionRange | undefined {
  const header = lines.findIndex((line) => line.trim() === `[${name}]`);
  if (header < 0) return undefined;
  let end = header + 1;
  while (end < lines.length && !/^\s*\[/.test(lines[end]!)) end++;
  return { header, end };
}

function keyLine(lines: readonly string[], section: SectionRange, key: string): number {
  for (let i = section.header + 1; i < section.end; i++) {
    if (new RegExp(`^\\s*${key}\\s*=`).test(lines[i]!)) return i;
  }
  return -1;
}

/** Adds a requirement to the end of the `dependencies` array of a TOML table. */
function addToArray(text: string, table: string, requirement: string, createIfMissing: boolean): string {
  const lines = text.split("\n");
  const section = findSection(lines, table);
  if (!section) throw new Error(`no [${table}] table to add ${requirement} to`);
  const at = keyLine(lines, section, "dependencies");
  const quoted = JSON.stringify(requirement);
  if (at < 0) {
    if (!createIfMissing) throw new Error(`[${table}] has no dependencies array`);
    lines.splice(section.header + 1, 0, `dependencies = [${quoted}]`);
    return lines.join("\n");
  }
  // The array closes on the last `]` of the first line from `at` that has one (a `]` inside an
  // extra such as "pkg[x]" comes before the closing one on its line).
  for (let i = at; i < section.end; i++) {
    const line = lines[i]!;
    const close = line.lastIndexOf("]");
    if (close < 0) continue;
    const before = line.slice(0, close).trimEnd();
    const rest = line.slice(close);
    if (i > at && before.trim() === "") {
      // Multi-line array with `]` on its own line: add an item line above it.
      const previous = lines[i - 1]!.trimEnd();
      if (!previous.endsWith(",") && !previous.endsWith("[")) lines[i - 1] = `${previous},`;
      lines.splice(i, 0, `    ${quoted},`);
      return lines.join("\n");
    }
    const empty = before.endsWith("[");
    const separator = empty ? "" : before.endsWith(",") ? " " : ", ";
    lines[i] = `${before}${separator}${quoted}${rest}`;
    return lines.join("\n");
  }
  throw new Error(`[${table}] dependencies array is not closed`);
}

/** One more requirement in [project].dependencies (PEP 621), where pip and pyfront both read it. */
export function addProjectDependency(pyproject: string, requirement: string): string {
  return addToArray(pyproject, "project", requirement, false);
}

/** One more requirement in [tool.pyfront].dependencies: how a plain script declares one. */
export function addPyfrontDependency(pyproject: string, requirement: string): string {
  return addToArray(pyproject, "tool.pyfront", requirement, true);
}

/** Makes the local index pyfront's primary, trusted index, unless [tool.pyfront] names one already. */
export function ensurePyfrontIndex(pyproject: string, url: string): string {
  const lines = pyproject.split("\n");
  const section = findSection(lines, "tool.pyfront");
  if (!section) throw new Error("no [tool.pyfront] table to add the index to");
  if (keyLine(lines, section, "indices") >= 0) return pyproject;
  lines.splice(
    section.header + 1,
    0,
    `indices = [{ url = ${JSON.stringify(url)}, primary = true, trust = true }]`,
  );
  return lines.join("\n");
}
