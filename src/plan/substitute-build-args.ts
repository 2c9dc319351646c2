/**
 * `$NAME`, `${NAME}`, `${NAME:-default}` (default when unset or empty), `${NAME-default}` (default
 * when unset), `${NAME:+alt}` / `${NAME+alt}` in env and label values, as Dockerfile ENV and LABEL
 * read them. Everything else is copied as is: the result is data, never shell text.
 *
 * Two dialects share one parser. The spec's (what users write): `\$` is a literal dollar, any other
 * backslash is itself. The plan's templates (what the planner leaves for the renderers): a backslash
 * takes the next character literally, so every string, `}` inside a default included, can be said.
 */

export type Modifier = "-" | ":-" | "+" | ":+";

/** A parsed value: literal text and references, in order. */
export type ValuePart =
  | { kind: "text"; text: string }
  | { kind: "ref"; name: string; modifier?: Modifier; word?: ValuePart[] };

/** Thrown for a malformed reference; the planner turns it into a diagnostic with a position. */
export class SubstitutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SubstitutionError";
  }
}

type Dialect = "spec" | "template";

interface Reader {
  text: string;
  pos: number;
  dialect: Dialect;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Parses a value as the spec writes it. Throws SubstitutionError for a malformed reference. */
export function parseSpecValue(text: string): ValuePart[] {
  return parseUntil({ text, pos: 0, dialect: "spec" }, undefined);
}

/** Parses a plan template (EnvVar mode "expand", Label mode "expand"). */
export function parseTemplate(text: string): ValuePart[] {
  return parseUntil({ text, pos: 0, dialect: "template" }, undefined);
}

function pushText(parts: ValuePart[], text: string): void {
  const last = parts.at(-1);
  if (last?.kind === "text") last.text += text;
  else parts.push({ kind: "text", text });
}

/** Parses until `stop` (unconsumed) or the end of text. */
function parseUntil(r: Reader, stop: string | undefined): ValuePart[] {
  const parts: ValuePart[] = [];
  while (r.pos < r.text.length) {
    const ch = r.text[r.pos]!;
    if (ch === stop) return parts;
    const next = r.text[r.pos + 1];
    if (ch === "\\" && next !== undefined && (r.dialect === "template" || next === "$")) {
      pushText(parts, next);
      r.pos += 2;
      continue;
    }
    if (ch !== "$") {
      pushText(parts, ch);
      r.pos += 1;
      continue;
    }
    if (next === "{") {
      r.pos += 2;
      parts.push(parseBraced(r));
    } else if (next !== undefined && NAME_START.test(next)) {
      r.pos += 1;
      parts.push({ kind: "ref", name: readName(r) });
    } else {
      pushText(parts, "$");
      r.pos += 1;
    }
  }
  if (stop !== undefined) throw new SubstitutionError(`missing "}" in ${JSON.stringify(r.text)}`);
  return parts;
}

function readName(r: Reader): string {
  const start = r.pos;
  while (r.pos < r.text.length && NAME_CHAR.test(r.text[r.pos]!)) r.pos += 1;
  return r.text.slice(start, r.pos);
}

function parseBraced(r: Reader): ValuePart {
  const name = readName(r);
  if (name === "" || !NAME_START.test(name[0]!)) {
    throw new SubstitutionError(`bad variable name in ${JSON.stringify(r.text)}`);
  }
  const rest = r.text.slice(r.pos);
  if (rest.startsWith("}")) {
    r.pos += 1;
    return { kind: "ref", name };
  }
  const modifier = ["-", "+"].includes(rest[0] ?? "") ? rest[0]! : rest.slice(0, 2);
  if (!["-", "+", ":-", ":+"].includes(modifier)) {
    throw new SubstitutionError(
      `unsupported modifier after \${${name} in ${JSON.stringify(r.text)}; use \${${name}:-default}`,
    );
  }
  r.pos += modifier.length;
  const word = parseUntil(r, "}");
  r.pos += 1;
  return { kind: "ref", name, modifier: modifier as Modifier, word };
}

/** A variable's value, or undefined when it is unset. */
export type Lookup = (name: string) => string | undefined;

function chooses(modifier: Modifier | undefined, value: string | undefined): "value" | "word" | "empty" {
  const isSet = value !== undefined;
  const isNonEmpty = isSet && value !== "";
  switch (modifier) {
    case undefined:
      return "value";
    case "-":
      return isSet ? "value" : "word";
    case ":-":
      return isNonEmpty ? "value" : "word";
    case "+":
      return isSet ? "word" : "empty";
    case ":+":
      return isNonEmpty ? "word" : "empty";
  }
}

/** The value with every reference looked up; an unset name is "". */
export function expandParts(parts: readonly ValuePart[], lookup: Lookup): string {
  let out = "";
  for (const part of parts) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const value = lookup(part.name);
    const choice = chooses(part.modifier, value);
    if (choice === "value") out += value ?? "";
    else if (choice === "word") out += expandParts(part.word ?? [], lookup);
  }
  return out;
}

/** The value of a plan template, its references looked up in the stage's variables. */
export function expandTemplate(template: string, lookup: Lookup): string {
  return expandParts(parseTemplate(template), lookup);
}

/** A spec value with its references read from the build args alone; an unset name is "". */
export function substituteBuildArgs(text: string, args: Readonly<Record<string, string>>): string {
  return expandParts(parseSpecValue(text), (name) => (Object.hasOwn(args, name) ? args[name] : undefined));
}

/** The answer for a name whose value is not known yet: its reference stays in the template. */
export const DEFERRED = Symbol("deferred");

/**
 * Looks up what can be known now and keeps the rest: `known` answers a name with its value (a
 * string, or undefined for unset), or with DEFERRED to leave the reference for later.
 */
export function substituteKnown(
  parts: readonly ValuePart[],
  known: (name: string) => string | undefined | typeof DEFERRED,
): ValuePart[] {
  const out: ValuePart[] = [];
  for (const part of parts) {
    if (part.kind === "text") {
      pushText(out, part.text);
      continue;
    }
    const value = known(part.name);
    if (value === DEFERRED) {
      out.push({
        ...part,
        ...(part.word ? { word: substituteKnown(part.word, known) } : {}),
      });
      continue;
    }
    const choice = chooses(part.modifier, value);
    if (choice === "value") pushText(out, value ?? "");
    else if (choice === "word") {
      for (const inner of substituteKnown(part.word ?? [], known)) {
        if (inner.kind === "text") pushText(out, inner.text);
        else out.push(inner);
      }
    }
  }
  return out.filter((part) => part.kind !== "text" || part.text !== "");
}

/** Whether the parts hold a reference still to be looked up. */
export function hasReferences(parts: readonly ValuePart[]): boolean {
  return parts.some((part) => part.kind === "ref");
}

/** The literal text of parts without references. */
export function textOf(parts: readonly ValuePart[]): string {
  return parts.map((part) => (part.kind === "text" ? part.text : "")).join("");
}

/** The literal text a value holds, for checks (references count as nothing). */
export function literalTexts(parts: readonly ValuePart[]): string[] {
  return parts.flatMap((part) =>
    part.kind === "text" ? [part.text] : part.word ? literalTexts(part.word) : [],
  );
}

/** The plan template of parsed parts: references in `${...}` form, every other `\`, `$` and `}` escaped. */
export function formatTemplate(parts: readonly ValuePart[]): string {
  return parts
    .map((part) => {
      if (part.kind === "text") return part.text.replace(/[\\$}]/g, "\\$&");
      if (part.modifier === undefined) return `\${${part.name}}`;
      return `\${${part.name}${part.modifier}${formatTemplate(part.word ?? [])}}`;
    })
    .join("");
}

/** The names a value refers to, nested defaults included. */
export function referencedNames(parts: readonly ValuePart[]): string[] {
  return parts.flatMap((part) =>
    part.kind === "text" ? [] : [part.name, ...referencedNames(part.word ?? [])],
  );
}
