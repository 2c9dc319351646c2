import { literalTexts, parseTemplate, type ValuePart } from "../plan/substitute-build-args.js";
import type { SourcePosition } from "../spec/build-spec.js";
import { SpecError } from "../spec/diagnostics.js";

/*
 * Escaping for the Dockerfile frontend built into Docker 20.10 (BuildKit v0.8). Rules checked
 * against its parser: COPY/ADD/WORKDIR words, ENV and LABEL keys and values go through the shell-word
 * lexer (quotes, backslash, `$` expansion); RUN/CMD/ENTRYPOINT/HEALTHCHECK JSON arrays do not; flag
 * words (`--mount=...`) lose quotes and backslashes, then `--mount` values are read as one CSV record.
 *
 * Flag words are read byte by byte (parser/split_command.go, extractBuilderFlags: `rune(line[pos])`
 * and unicode.IsSpace on it), in every BuildKit release so far: the bytes 0x85 and 0xA0, which occur
 * inside ordinary UTF-8 letters, end the word, and every other byte above 0x7F is re-encoded as if
 * it were Latin-1. Since dockerfile 1.3 (Docker 23+), mount values are also expanded like shell
 * words ($, quotes, backslash), which Docker 20.10 does not do. A mount value is therefore only
 * written when it reads the same everywhere: printable ASCII without $ ' " \ and `.
 */

/** JSON exec form. Control characters become JSON escapes, so the line never breaks. */
export function execForm(argv: string[]): string {
  return JSON.stringify(argv)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Characters the shell-word lexer leaves alone, and that keep a whitespace-split word whole. */
const PLAIN_WORD = /^[A-Za-z0-9_./@+=:,%~*?][A-Za-z0-9_./@+=:,%~*?[\]-]*$/;

/** A word the lexer turns back into exactly `text`: single quotes, and `\'` for a quote. */
export function lexerLiteral(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * Source/destination words of COPY and ADD: plain when nothing in them is special, else the JSON
 * form with each word protected from expansion.
 */
export function copyArguments(words: string[]): string {
  if (words.every((w) => PLAIN_WORD.test(w))) return words.join(" ");
  return execForm(words.map(lexerLiteral));
}

/** WORKDIR takes the rest of the line as one word. */
export function workdirArgument(path: string): string {
  return PLAIN_WORD.test(path) ? path : lexerLiteral(path);
}

/**
 * A value that cannot be written into a Dockerfile safely. It is the user's value (a path, a
 * variable), so it is reported as a user error; the LLB path and the frontend build it as is.
 */
export class DockerfileRefusal extends SpecError {
  /** The value refused, so an edge can point at where the spec wrote it. */
  readonly value: string | undefined;
  constructor(message: string, hint: string, value?: string) {
    super([{ code: "dockerfile-unsafe-value", message, hint, severity: "error" }]);
    this.name = "DockerfileRefusal";
    this.value = value;
  }

  /** The same refusal placed where the spec wrote the value (a context path it names). */
  locatedIn(
    sites: Readonly<Record<string, { position: SourcePosition; key?: string }>> | undefined,
  ): SpecError {
    const prefix = "/pyfront/context/";
    const path = this.value?.startsWith(prefix) ? this.value.slice(prefix.length) : this.value;
    const site = path !== undefined && sites && Object.hasOwn(sites, path) ? sites[path] : undefined;
    if (!site) return this;
    const [d] = this.diagnostics;
    return new SpecError([
      {
        ...d!,
        position: site.position,
        ...(site.key ? { key: site.key, message: `${site.key}: ${d!.message}` } : {}),
      },
    ]);
  }
}

const LLB_HINT = "the pyfront frontend and `pyfront llb` build it as is; only the Dockerfile cannot say it";

/** A double-quoted ENV/LABEL value or key: only `\`, `"` and `$` are special inside. */
export function doubleQuoted(text: string): string {
  if (/[\r\n]/.test(text))
    throw new DockerfileRefusal(
      `a Dockerfile value cannot hold a line break: ${JSON.stringify(text)}`,
      LLB_HINT,
    );
  return `"${text.replace(/[\\"$]/g, "\\$&")}"`;
}

/**
 * A plan template (EnvVar/Label mode "expand") as a double-quoted ENV/LABEL value whose references
 * the Dockerfile frontend expands against the stage's variables. Literal text is escaped as in
 * doubleQuoted; inside a `${NAME:-word}` the lexer reads quotes and any `\x`, so there every
 * character it could act on is escaped. Docker 20.10's lexer knows only `${NAME}`, `${NAME:-word}`
 * and `${NAME:+word}`: the forms without a colon are refused.
 */
export function doubleQuotedTemplate(template: string): string {
  const parts = parseTemplate(template);
  for (const text of literalTexts(parts)) doubleQuoted(text); // refuses line breaks
  return `"${templateText(parts, (text) => text.replace(/[\\"$]/g, "\\$&"))}"`;
}

function templateText(parts: readonly ValuePart[], escapeText: (text: string) => string): string {
  return parts
    .map((part) => {
      if (part.kind === "text") return escapeText(part.text);
      if (part.modifier === undefined) return `\${${part.name}}`;
      if (part.modifier !== ":-" && part.modifier !== ":+") {
        throw new DockerfileRefusal(
          `Docker 20.10's Dockerfile frontend cannot expand \${${part.name}${part.modifier}...} (only \${${part.name}:${part.modifier}...})`,
          `write \${${part.name}:${part.modifier}...} if an empty value may count as unset; ${LLB_HINT}`,
        );
      }
      const word = templateText(part.word ?? [], (text) => text.replace(/[\\$'"}]/g, "\\$&"));
      return `\${${part.name}${part.modifier}${word}}`;
    })
    .join("");
}

function csvField(field: string): string {
  return /[",\r\n]/.test(field) || /^\s|\s$/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Bytes that mean the same to every BuildKit's flag-word reader, CSV reader and mount expansion. */
const SAFE_FLAG_VALUE = /^[\x20-\x7e]*$/;
const EXPANDED_IN_MOUNTS = /[$'"\\`]/;

/** Why a value cannot go into a flag word, or undefined when it can. */
export function flagValueProblem(value: string): string | undefined {
  if (!SAFE_FLAG_VALUE.test(value)) {
    const bad = [...value].find((c) => !SAFE_FLAG_VALUE.test(c)) ?? "";
    const code = bad.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0");
    return `it holds ${JSON.stringify(bad)} (U+${code}); BuildKit's Dockerfile parser reads flag words byte by byte and splits or re-encodes every byte outside ASCII`;
  }
  if (EXPANDED_IN_MOUNTS.test(value)) {
    const bad = EXPANDED_IN_MOUNTS.exec(value)![0];
    return `it holds ${JSON.stringify(bad)}, which newer Dockerfile frontends expand in --mount values and Docker 20.10 does not`;
  }
  return undefined;
}

/** `--mount=` flag: CSV record of `key=value` fields, then protected as a flag word. */
export function mountFlag(fields: Array<[string, string | undefined]>): string {
  for (const [key, value] of fields) {
    const problem = value === undefined ? undefined : flagValueProblem(value);
    if (problem) {
      throw new DockerfileRefusal(
        `cannot write ${JSON.stringify(value)} into a Dockerfile --mount ${key}: ${problem}`,
        `rename it with ASCII letters, digits, spaces and - _ . / + = , : @ %; ${LLB_HINT}`,
        value,
      );
    }
  }
  const record = fields
    .map(([key, value]) => csvField(value === undefined ? key : `${key}=${value}`))
    .join(",");
  return `--mount=${record.replace(/[\s\\'"]/g, "\\$&")}`;
}

/** Comments are ours; still, one line each. */
export function commentLine(text: string): string {
  const oneLine = [...text]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? " " : c))
    .join("");
  return `# ${oneLine}`;
}
