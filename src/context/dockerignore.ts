import { posix } from "node:path";

/**
 * Reads a .dockerignore file into the exclude patterns BuildKit's local source takes, with
 * Docker's rules: `#` comments and blank lines dropped, surrounding space trimmed, each pattern
 * cleaned like Go's filepath.Clean, a leading `/` dropped, `!` kept for exceptions.
 */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.startsWith("#")) continue;
    let line = raw.trim();
    if (line === "") continue;
    let negate = false;
    if (line.startsWith("!")) {
      negate = true;
      line = line.slice(1).trim();
    }
    if (line === "") continue;
    let cleaned = posix.normalize(line);
    // Docker treats patterns as relative to the context root.
    while (cleaned.startsWith("/")) cleaned = cleaned.slice(1);
    if (cleaned.endsWith("/") && cleaned.length > 1) cleaned = cleaned.slice(0, -1);
    if (cleaned === "" || cleaned === ".") cleaned = ".";
    patterns.push(negate ? `!${cleaned}` : cleaned);
  }
  return patterns;
}

/** Whether a context path is left out of the context, decided as BuildKit's file sync decides it. */
export interface IgnoreMatcher {
  /**
   * True when the patterns leave the path out: the path, or one of its parent folders, matches a
   * pattern and no later `!` pattern takes it back (Docker's "last match wins").
   */
  excludes(path: string): boolean;
  /**
   * Whether an excluded folder may still hold paths that a `!` pattern takes back: BuildKit then
   * walks into it and keeps the folder for their sake.
   */
  mayIncludeBelow(folder: string): boolean;
}

interface CompiledPattern {
  /** A `!` pattern: it takes paths back. */
  exception: boolean;
  /** The literal folder part before the first wildcard, to tell whether it can reach below a folder. */
  literalPrefix: string;
  matches(path: string): boolean;
}

/**
 * A matcher over patterns as parseDockerignore returns them. Matching follows Docker's
 * .dockerignore rules (moby/patternmatcher): `*` and `?` stop at `/`, `**` spans folders, `[...]`
 * is a character class, `\` escapes, and a pattern that matches a folder leaves out everything in it.
 */
export function ignoreMatcher(patterns: readonly string[]): IgnoreMatcher {
  const compiled = patterns.map(compilePattern);
  const hasExceptions = compiled.some((p) => p.exception);
  return {
    excludes(path) {
      const file = posix.normalize(path);
      if (file === "." || file === "") return false;
      const parents = file.split("/").slice(0, -1);
      let excluded = false;
      for (const pattern of compiled) {
        // A pattern can only change the outcome: skip excludes once excluded, exceptions until then.
        if (pattern.exception !== excluded) continue;
        let matched = pattern.matches(file);
        for (let i = 1; !matched && i <= parents.length; i++) {
          matched = pattern.matches(parents.slice(0, i).join("/"));
        }
        if (matched) excluded = !pattern.exception;
      }
      return excluded;
    },
    mayIncludeBelow(folder) {
      if (!hasExceptions) return false;
      const dir = `${posix.normalize(folder)}/`;
      // The folder part before a `!` pattern's first wildcard must lead into the folder or lie inside it.
      return compiled.some(
        (p) => p.exception && (p.literalPrefix.startsWith(dir) || dir.startsWith(p.literalPrefix)),
      );
    },
  };
}

/** Characters Docker escapes: they mean something to a RegExp but nothing to a pattern. */
const REGEXP_ONLY = new Set([".", "+", "(", ")", "|", "{", "}", "$"]);
/** What a RegExp with the `u` flag lets `\` escape (ECMAScript's SyntaxCharacter, and `/`). */
const ESCAPABLE = new Set(["^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/"]);

type PatternKind = "exact" | "prefix" | "suffix" | "regexp";

function compilePattern(raw: string): CompiledPattern {
  const exception = raw.startsWith("!");
  const pattern = exception ? raw.slice(1) : raw;
  const { kind, source } = translate(pattern);
  const wildcard = pattern.search(/[*?[\\]/);
  const literal = wildcard === -1 ? `${pattern}/` : pattern.slice(0, wildcard);
  const literalPrefix = literal.slice(0, literal.lastIndexOf("/") + 1);
  return { exception, literalPrefix, matches: matcherFor(kind, pattern, source) };
}

/**
 * The pattern as a RegExp source, and which of Docker's match kinds it is: without wildcards an
 * exact name, ending in `**` a prefix, starting with `**` and otherwise literal a suffix.
 */
function translate(pattern: string): { kind: PatternKind; source: string } {
  const chars = [...pattern];
  let source = "^";
  let kind: PatternKind = "exact";
  let inClass = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === "*" && chars[i + 1] === "*") {
      const first = i === 0;
      i++;
      if (chars[i + 1] === "/") i++;
      if (i + 1 >= chars.length) {
        // A trailing `**` matches everything below, as in .gitignore.
        if (kind === "exact") kind = "prefix";
        else {
          source += ".*";
          kind = "regexp";
        }
      } else {
        // Any number of folders, none included.
        source += "(.*/)?";
        kind = "regexp";
      }
      if (first) kind = "suffix";
    } else if (ch === "*") {
      source += "[^/]*";
      kind = "regexp";
    } else if (ch === "?") {
      source += "[^/]";
      kind = "regexp";
    } else if (ch === "\\") {
      const next = chars[i + 1];
      if (next === undefined) {
        source += "\\\\";
      } else {
        source += ESCAPABLE.has(next) || (inClass && next === "-") ? `\\${next}` : next;
        i++;
        kind = "regexp";
      }
    } else if (ch === "[" || ch === "]") {
      inClass = ch === "[";
      source += ch;
      kind = "regexp";
    } else if (REGEXP_ONLY.has(ch)) {
      source += `\\${ch}`;
    } else {
      source += ch;
    }
  }
  return { kind, source: `${source}$` };
}

function matcherFor(kind: PatternKind, pattern: string, source: string): (path: string) => boolean {
  switch (kind) {
    case "exact":
      return (path) => path === pattern;
    case "prefix": {
      const prefix = pattern.slice(0, -2);
      return (path) => path.startsWith(prefix);
    }
    case "suffix": {
      const suffix = pattern.slice(2);
      // `**/name` also matches `name` itself, at the root.
      return (path) => path.endsWith(suffix) || (suffix.startsWith("/") && path === suffix.slice(1));
    }
    case "regexp": {
      const regexp = compiledRegExp(source);
      return (path) => regexp?.test(path) ?? false;
    }
  }
}

function compiledRegExp(source: string): RegExp | undefined {
  try {
    return new RegExp(source, "u");
  } catch {
    return undefined;
  }
}

/**
 * The patterns BuildKit would refuse (an unclosed `[`, a reversed range): a build with them fails,
 * so the edges report them instead of matching nothing.
 */
export function invalidPatterns(patterns: readonly string[]): string[] {
  return patterns.filter((raw) => {
    const { kind, source } = translate(raw.startsWith("!") ? raw.slice(1) : raw);
    return kind === "regexp" && compiledRegExp(source) === undefined;
  });
}
