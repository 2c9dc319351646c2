/**
 * The edits the lock benchmark makes to its copies of a locked project, as pure text transforms:
 * turning the lock off (`[tool.pyfront] lock = false`), and adding one locked distribution to a
 * uv.lock as uv itself writes it (a `[[package]]` in name order, an edge from the project, a
 * `requires-dist` entry), with the file URL and sha256 the index publishes.
 */
import { type AST, getStaticTOMLValue, parseTOML } from "toml-eslint-parser";
import { normalizePackageName } from "../../src/spec/locks/lock-graph.js";
import { compareVersions, parseVersion } from "../../src/spec/pep440.js";

/** One file the index lists for a project, with the hash the link's `#sha256=` fragment gives. */
export interface IndexFile {
  filename: string;
  url: string;
  sha256: string;
}

/** A distribution to lock: one wheel, as a uv.lock `[[package]]` records it. */
export interface LockedWheel {
  name: string;
  version: string;
  /** The index the package comes from (uv.lock `source = { registry = ... }`). */
  registry: string;
  url: string;
  sha256: string;
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/**
 * The files of a PEP 503 project page, with absolute URLs (hrefs are resolved against the page's
 * own URL); links without a sha256 fragment are left out, since a lock needs the hash.
 */
export function parseIndexPage(html: string, pageUrl: string): IndexFile[] {
  const files: IndexFile[] = [];
  for (const match of html.matchAll(/<a\s[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/gi)) {
    const url = new URL(unescapeHtml(match[1]!), pageUrl);
    const sha256 = /^#sha256=([0-9a-f]{64})$/i.exec(url.hash)?.[1];
    if (!sha256) continue;
    url.hash = "";
    files.push({ filename: unescapeHtml(match[2]!).trim(), url: url.href, sha256: sha256.toLowerCase() });
  }
  return files;
}

/**
 * The newest pure-Python wheel (`py3-none-any`) of the project among the index's files: one file
 * that installs on every target, so the lock needs no per-platform entries.
 */
export function newestUniversalWheel(
  files: readonly IndexFile[],
  project: string,
): IndexFile & { name: string; version: string } {
  const wanted = normalizePackageName(project);
  let best: { file: IndexFile; version: string } | undefined;
  for (const file of files) {
    const parts = /^([^-]+)-([^-]+)-(?:[^-]+-)?py3-none-any\.whl$/.exec(file.filename);
    if (!parts || normalizePackageName(parts[1]!) !== wanted) continue;
    const version = parseVersion(parts[2]!);
    if (!version) continue;
    const bestVersion = best && parseVersion(best.version);
    if (!bestVersion || compareVersions(version, bestVersion) > 0) best = { file, version: parts[2]! };
  }
  if (!best) throw new Error(`the index lists no py3-none-any wheel of ${project} with a sha256`);
  return { ...best.file, name: wanted, version: best.version };
}

/** Appends `lock = false` to `[tool.pyfront]`, adding the table if the pyproject has none. */
export function disableLock(pyproject: string): string {
  const program = parseTOML(pyproject, { tomlVersion: "1.0.0" });
  const table = tables(program).find(
    (t) => t.kind === "standard" && samePath(t.resolvedKey, ["tool", "pyfront"]),
  );
  if (!table) {
    const base = pyproject === "" || pyproject.endsWith("\n") ? pyproject : `${pyproject}\n`;
    return `${base}\n[tool.pyfront]\nlock = false\n`;
  }
  if (table.body.some((kv) => keyName(kv.key) === "lock")) {
    throw new Error(
      "[tool.pyfront] already sets lock; the benchmark needs the project's own lock setting unset",
    );
  }
  // Right after the header line, so the key lands in this table whatever follows it.
  const headerEnd = lineEnd(pyproject, table.key.range[1]);
  return `${pyproject.slice(0, headerEnd)}\nlock = false${pyproject.slice(headerEnd)}`;
}

/**
 * Adds one wheel to a uv.lock, as `uv lock` writes it after the dependency is added to the
 * project: a `[[package]]` table placed in name order, `{ name = ... }` in the project's
 * `dependencies` and in its `[package.metadata] requires-dist`, each in name order.
 */
export function addUvLockedWheel(lock: string, projectName: string, wheel: LockedWheel): string {
  const program = parseTOML(lock, { tomlVersion: "1.0.0" });
  const packages = tables(program).filter((t) => t.kind === "array" && t.resolvedKey[0] === "package");
  const nameOf = (t: AST.TOMLTable): string => {
    const kv = t.body.find((k) => keyName(k.key) === "name");
    const value = kv ? getStaticTOMLValue(kv.value) : undefined;
    if (typeof value !== "string") throw new Error(`a [[package]] at line ${t.loc.start.line} has no name`);
    return normalizePackageName(value);
  };
  const name = normalizePackageName(wheel.name);
  if (packages.some((t) => nameOf(t) === name)) throw new Error(`the lock already holds ${name}`);
  const project = packages.find((t) => nameOf(t) === normalizePackageName(projectName));
  if (!project) throw new Error(`the lock has no [[package]] named ${projectName}`);
  const index = project.resolvedKey[1];
  const metadata = tables(program).find(
    (t) => t.kind === "standard" && samePath(t.resolvedKey, ["package", index!, "metadata"]),
  );
  const edge = `{ name = ${JSON.stringify(name)} }`;

  const insertions: { at: number; text: string }[] = [];
  insertions.push(arrayInsertion(lock, arrayIn(project, "dependencies", projectName), edge, name));
  if (metadata) {
    insertions.push(arrayInsertion(lock, arrayIn(metadata, "requires-dist", projectName), edge, name));
  }
  const block = [
    "[[package]]",
    `name = ${JSON.stringify(name)}`,
    `version = ${JSON.stringify(wheel.version)}`,
    `source = { registry = ${JSON.stringify(wheel.registry)} }`,
    "wheels = [",
    `    { url = ${JSON.stringify(wheel.url)}, hash = ${JSON.stringify(`sha256:${wheel.sha256}`)} },`,
    "]",
    "",
  ].join("\n");
  const next = packages.find((t) => nameOf(t) > name);
  if (next) insertions.push({ at: next.range[0], text: `${block}\n` });
  else insertions.push({ at: lock.length, text: lock.endsWith("\n") ? `\n${block}` : `\n\n${block}` });

  let out = lock;
  for (const { at, text } of insertions.sort((a, b) => b.at - a.at))
    out = out.slice(0, at) + text + out.slice(at);
  return out;
}

function tables(program: AST.TOMLProgram): AST.TOMLTable[] {
  return program.body[0].body.filter((node): node is AST.TOMLTable => node.type === "TOMLTable");
}

function samePath(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

function keyName(key: AST.TOMLKey): string {
  return key.keys.map((k) => (k.type === "TOMLBare" ? k.name : k.value)).join(".");
}

function lineEnd(text: string, offset: number): number {
  const end = text.indexOf("\n", offset);
  return end < 0 ? text.length : end;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function arrayIn(table: AST.TOMLTable, key: string, projectName: string): AST.TOMLArray {
  const kv = table.body.find((k) => keyName(k.key) === key);
  if (kv?.value.type !== "TOMLArray") {
    throw new Error(`the lock's ${projectName} entry has no ${key} array to add the dependency to`);
  }
  return kv.value;
}

/** Where and what to insert so the new inline table sits in name order, in the array's own layout. */
function arrayInsertion(text: string, array: AST.TOMLArray, item: string, name: string) {
  const elementName = (el: AST.TOMLContentNode): string => {
    const value = getStaticTOMLValue(el) as { name?: unknown } | null;
    return typeof value?.name === "string" ? normalizePackageName(value.name) : "";
  };
  const before = array.elements.find((el) => elementName(el) > name);
  const multiline = array.loc.start.line !== array.loc.end.line;
  if (multiline) {
    const anchor = before ?? array.elements.at(-1);
    const indent = anchor ? text.slice(lineStart(text, anchor.range[0]), anchor.range[0]) : "    ";
    const closing = array.range[1] - 1;
    if (before) return { at: lineStart(text, before.range[0]), text: `${indent}${item},\n` };
    const last = array.elements.at(-1);
    // uv ends every item with a comma; one written without gets it before the new line.
    const needsComma = last !== undefined && !text.slice(last.range[1], closing).includes(",");
    return {
      at: needsComma ? last.range[1] : lineStart(text, closing),
      text: needsComma ? `,\n${indent}${item}` : `${indent}${item},\n`,
    };
  }
  if (before) return { at: before.range[0], text: `${item}, ` };
  const last = array.elements.at(-1);
  if (!last) return { at: array.range[0] + 1, text: item };
  return { at: last.range[1], text: `, ${item}` };
}
