/*
 * A test-only model of how BuildKit's Dockerfile frontend reads a Dockerfile, byte by byte, written
 * from moby/buildkit frontend/dockerfile/parser (parser.go: scanLines, isComment,
 * trimContinuationCharacter; split_command.go: splitCommand, extractBuilderFlags; line_parsers.go:
 * parseMaybeJSON) and instructions/commands_runmount.go (CSV fields of --mount). It is the
 * classifier of the fuzz suite: whatever the renderer writes is read back the way BuildKit reads
 * it, and compared with what the plan meant.
 */
import { csvRecord } from "../render/docker-parser-model.js";

export interface ReadInstruction {
  /** Upper-cased instruction word. */
  command: string;
  /** Flag words as BuildKit builds them: each byte becomes the rune of the same value. */
  flags: string[];
  /** What follows the flags, TrimSpace'd. */
  rest: string;
  /** The rest read as an exec-form JSON array of strings, when it is one. */
  json?: string[];
  line: number;
}

/** unicode.IsSpace of a rune made from one byte (split_command.go does `rune(line[pos])`). */
export function isSpaceByte(b: number): boolean {
  return (b >= 0x09 && b <= 0x0d) || b === 0x20 || b === 0x85 || b === 0xa0;
}

/** Go's unicode.IsSpace on a code point. */
export function isUnicodeSpace(cp: number): boolean {
  return (
    (cp >= 0x09 && cp <= 0x0d) ||
    cp === 0x20 ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

function goTrimSpace(text: string): string {
  const cps = [...text];
  let a = 0;
  let b = cps.length;
  while (a < b && isUnicodeSpace(cps[a]!.codePointAt(0)!)) a++;
  while (b > a && isUnicodeSpace(cps[b - 1]!.codePointAt(0)!)) b--;
  return cps.slice(a, b).join("");
}

const CONTINUATION = /([^\\])\\[ \t]*$|^\\[ \t]*$/;

/** Logical lines: comments dropped, continuations joined (parser.go Parse, default escape `\`). */
export function logicalLines(dockerfile: string): Array<{ text: string; line: number }> {
  const physical = dockerfile.split("\n").map((l) => l.replace(/\r$/, ""));
  const out: Array<{ text: string; line: number }> = [];
  const isComment = (l: string) => goTrimSpace(l).startsWith("#");
  for (let i = 0; i < physical.length; i++) {
    const start = i + 1;
    let line = physical[i]!;
    if (isComment(line)) continue;
    let continued = CONTINUATION.test(line);
    if (continued) line = line.replace(CONTINUATION, "$1");
    let buffer = line;
    while (continued && i + 1 < physical.length) {
      i++;
      const next = physical[i]!;
      if (isComment(next) || goTrimSpace(next) === "") continue;
      continued = CONTINUATION.test(next);
      buffer += continued ? next.replace(CONTINUATION, "$1") : next;
    }
    if (goTrimSpace(buffer) === "") continue;
    out.push({ text: buffer, line: start });
  }
  return out;
}

/** extractBuilderFlags on the UTF-8 bytes of the line: returns the flag words and the rest. */
export function builderFlags(args: string): { flags: string[]; rest: string } {
  const bytes = Buffer.from(args, "utf8");
  const words: string[] = [];
  let word = "";
  let phase: "spaces" | "word" | "quote" = "spaces";
  let quote = 0;
  let blankOK = false;
  for (let pos = 0; pos <= bytes.length; pos++) {
    const atEnd = pos === bytes.length;
    let ch = atEnd ? 0 : bytes[pos]!;
    if (phase === "spaces") {
      if (atEnd) break;
      if (isSpaceByte(ch)) continue;
      if (ch !== 0x2d || pos + 1 === bytes.length || bytes[pos + 1] !== 0x2d) {
        return { flags: words, rest: bytes.subarray(pos).toString("utf8") };
      }
      phase = "word";
    }
    if (atEnd) {
      if (word !== "--" && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === "word") {
      if (isSpaceByte(ch)) {
        phase = "spaces";
        if (word === "--") return { flags: words, rest: bytes.subarray(pos).toString("utf8") };
        if (blankOK || word.length > 0) words.push(word);
        word = "";
        blankOK = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOK = true;
        phase = "quote";
        continue;
      }
      if (ch === 0x5c) {
        if (pos + 1 === bytes.length) continue;
        pos++;
        ch = bytes[pos]!;
      }
      word += String.fromCharCode(ch);
      continue;
    }
    if (ch === quote) {
      phase = "word";
      continue;
    }
    if (ch === 0x5c) {
      if (pos + 1 === bytes.length) {
        phase = "word";
        continue;
      }
      pos++;
      ch = bytes[pos]!;
    }
    word += String.fromCharCode(ch);
  }
  return { flags: words, rest: "" };
}

/** parseMaybeJSON: an exec-form array of strings, or undefined (BuildKit would use shell form). */
function execForm(rest: string): string[] | undefined {
  if (!rest.startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(rest);
    return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Every instruction of a Dockerfile as BuildKit's parser sees it. */
export function readDockerfile(dockerfile: string): ReadInstruction[] {
  return logicalLines(dockerfile).map(({ text, line }) => {
    const trimmed = goTrimSpace(text);
    const split = /[\t\v\f\r ]+/.exec(trimmed);
    const command = (split ? trimmed.slice(0, split.index) : trimmed).toUpperCase();
    const args = split ? trimmed.slice(split.index + split[0].length) : "";
    const { flags, rest: after } = builderFlags(args);
    const rest = goTrimSpace(after);
    const json = execForm(rest);
    return { command, flags, rest, line, ...(json ? { json } : {}) };
  });
}

/** The CSV fields of a `--mount=` flag word, as key/value pairs (commands_runmount.go). */
export function mountFields(flag: string): Array<[string, string]> {
  if (!flag.startsWith("--mount=")) throw new Error(`not a mount flag: ${flag}`);
  return csvRecord(flag.slice("--mount=".length)).map((field) => {
    const eq = field.indexOf("=");
    return eq === -1 ? [field.toLowerCase(), ""] : [field.slice(0, eq).toLowerCase(), field.slice(eq + 1)];
  });
}
