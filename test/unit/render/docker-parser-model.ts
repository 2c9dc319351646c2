/*
 * A test-only model of how Docker 20.10's Dockerfile frontend (BuildKit v0.8) reads the parts we
 * escape, written from its sources: frontend/dockerfile/shell/lex.go (ProcessWord, with no
 * variables set), parser/split_command.go (extractBuilderFlags) and encoding/csv for --mount.
 * Expansion of `$` is modelled as a marker so a test sees any expansion that would happen.
 */

export const EXPANDED = "\u0000EXPANDED\u0000";

/** ProcessWord: quotes removed, backslash escapes applied, `$name` / `${...}` expanded. */
export function processWord(word: string): string {
  let out = "";
  let i = 0;
  const dollar = () => {
    const next = word[i + 1];
    if (next === "{") {
      const end = word.indexOf("}", i);
      if (end < 0) throw new Error("missing }");
      i = end + 1;
      out += EXPANDED;
    } else if (next !== undefined && /[A-Za-z0-9_]/.test(next)) {
      i += 1;
      while (i < word.length && /[A-Za-z0-9_]/.test(word[i]!)) i += 1;
      out += EXPANDED;
    } else {
      out += "$";
      i += 1;
    }
  };
  while (i < word.length) {
    const ch = word[i]!;
    if (ch === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated single quote");
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i += 1;
      for (;;) {
        if (i >= word.length) throw new Error("unterminated double quote");
        const c = word[i]!;
        if (c === '"') {
          i += 1;
          break;
        }
        if (c === "$") {
          dollar();
          continue;
        }
        if (c === "\\" && ['"', "$", "\\"].includes(word[i + 1] ?? "")) {
          out += word[i + 1];
          i += 2;
          continue;
        }
        out += c;
        i += 1;
      }
    } else if (ch === "$") {
      dollar();
    } else if (ch === "\\") {
      if (i + 1 < word.length) out += word[i + 1];
      i += 2;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/**
 * ProcessWord with variables set, as v0.8's lex.go evaluates it: `$name`, `${name}`,
 * `${name:-word}` and `${name:+word}` (no other modifier; an unset name reads ""), where the word
 * is read like the top level (quotes, any `\x`) up to its `}`. Throws where lex.go fails.
 */
export function expandWord(word: string, vars: Readonly<Record<string, string>>): string {
  let i = 0;
  const getEnv = (name: string) => (Object.hasOwn(vars, name) ? vars[name]! : "");
  const name = () => {
    const start = i;
    while (i < word.length && /[A-Za-z0-9_]/.test(word[i]!)) i += 1;
    return word.slice(start, i);
  };
  const singleQuote = () => {
    const end = word.indexOf("'", i + 1);
    if (end < 0) throw new Error("unexpected end of statement while looking for matching single-quote");
    const text = word.slice(i + 1, end);
    i = end + 1;
    return text;
  };
  const doubleQuote = () => {
    let out = "";
    i += 1;
    for (;;) {
      if (i >= word.length)
        throw new Error("unexpected end of statement while looking for matching double-quote");
      const c = word[i]!;
      if (c === '"') {
        i += 1;
        return out;
      }
      if (c === "$") {
        out += dollar();
        continue;
      }
      i += 1;
      if (c === "\\" && ['"', "$", "\\"].includes(word[i] ?? "")) {
        out += word[i];
        i += 1;
        continue;
      }
      out += c;
    }
  };
  const dollar = (): string => {
    i += 1;
    if (word[i] !== "{") {
      const n = name();
      return n === "" ? "$" : getEnv(n);
    }
    i += 1;
    const n = name();
    if (word[i] === "}") {
      i += 1;
      return getEnv(n);
    }
    if (word[i] !== ":") throw new Error("missing ':' in substitution");
    const modifier = word[i + 1];
    i += 2;
    const alternative = stopOn("}");
    const value = getEnv(n);
    if (modifier === "+") return value !== "" ? alternative : value;
    if (modifier === "-") return value === "" ? alternative : value;
    throw new Error(`unsupported modifier (${modifier}) in substitution`);
  };
  const stopOn = (stop: string | undefined): string => {
    let out = "";
    while (i < word.length) {
      const c = word[i]!;
      if (stop !== undefined && c === stop) {
        i += 1;
        return out;
      }
      if (c === "'") out += singleQuote();
      else if (c === '"') out += doubleQuote();
      else if (c === "$") out += dollar();
      else {
        i += 1;
        if (c === "\\") {
          if (i >= word.length) break;
          out += word[i];
          i += 1;
        } else out += c;
      }
    }
    if (stop !== undefined) throw new Error(`unexpected end of statement while looking for matching ${stop}`);
    return out;
  };
  return stopOn(undefined);
}

/** extractBuilderFlags for one flag word: quotes dropped, backslash takes the next char literally. */
export function flagWord(line: string): { word: string; rest: string } {
  let word = "";
  let quote = "";
  let i = 0;
  for (; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "" && /\s/.test(ch)) break;
    if (quote === "" && (ch === "'" || ch === '"')) {
      quote = ch;
      continue;
    }
    if (quote !== "" && ch === quote) {
      quote = "";
      continue;
    }
    if (ch === "\\" && i + 1 < line.length) {
      i += 1;
      word += line[i];
      continue;
    }
    word += ch;
  }
  return { word, rest: line.slice(i).trimStart() };
}

/** encoding/csv reading one record. */
export function csvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== ",") {
        if (text[i] === '"') throw new Error('bare " in non-quoted field');
        field += text[i];
        i += 1;
      }
    }
    fields.push(field);
    if (i >= text.length) return fields;
    if (text[i] !== ",") throw new Error("extraneous text after quoted field");
    i += 1;
  }
}

/** A RUN line: its --mount records and its JSON argv. */
export function parseRunLine(line: string): { mounts: string[][]; argv: string[] } {
  if (!line.startsWith("RUN ")) throw new Error(`not a RUN line: ${line}`);
  let rest = line.slice(4);
  const mounts: string[][] = [];
  while (rest.startsWith("--")) {
    const { word, rest: after } = flagWord(rest);
    if (!word.startsWith("--mount=")) throw new Error(`unexpected flag ${word}`);
    mounts.push(csvRecord(word.slice("--mount=".length)));
    rest = after;
  }
  const argv: unknown = JSON.parse(rest);
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string")) throw new Error("not exec form");
  return { mounts, argv };
}
