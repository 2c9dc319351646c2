/**
 * Expands build-argument references the way Dockerfile ENV/LABEL do: `$NAME`, `${NAME}`,
 * `${NAME:-default}` (default when unset or empty), `${NAME-default}` (default when unset),
 * `${NAME:+alt}` / `${NAME+alt}`; `\$` is a literal dollar. An unset name expands to "".
 * Everything else is copied as is: the result is data, never shell text.
 */
export function substituteBuildArgs(text: string, args: Readonly<Record<string, string>>): string {
  const reader = { text, pos: 0 };
  const out = expandUntil(reader, args, undefined);
  return out;
}

/** Thrown for a malformed reference; the planner turns it into a diagnostic with a position. */
export class SubstitutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SubstitutionError";
  }
}

interface Reader {
  text: string;
  pos: number;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

function lookup(args: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(args, name) ? args[name] : undefined;
}

/** Expands until `stop` (unconsumed) or the end of text. */
function expandUntil(r: Reader, args: Readonly<Record<string, string>>, stop: string | undefined): string {
  let out = "";
  while (r.pos < r.text.length) {
    const ch = r.text[r.pos]!;
    if (ch === stop) return out;
    if (ch === "\\" && r.text[r.pos + 1] === "$") {
      out += "$";
      r.pos += 2;
      continue;
    }
    if (ch !== "$") {
      out += ch;
      r.pos += 1;
      continue;
    }
    const next = r.text[r.pos + 1];
    if (next === "{") {
      r.pos += 2;
      out += expandBraced(r, args);
    } else if (next !== undefined && NAME_START.test(next)) {
      r.pos += 1;
      out += lookup(args, readName(r)) ?? "";
    } else {
      out += "$";
      r.pos += 1;
    }
  }
  if (stop !== undefined) throw new SubstitutionError(`missing "}" in ${JSON.stringify(r.text)}`);
  return out;
}

function readName(r: Reader): string {
  const start = r.pos;
  while (r.pos < r.text.length && NAME_CHAR.test(r.text[r.pos]!)) r.pos += 1;
  return r.text.slice(start, r.pos);
}

function expandBraced(r: Reader, args: Readonly<Record<string, string>>): string {
  const name = readName(r);
  if (name === "" || !NAME_START.test(name[0]!)) {
    throw new SubstitutionError(`bad variable name in ${JSON.stringify(r.text)}`);
  }
  const value = lookup(args, name);
  const rest = r.text.slice(r.pos);
  if (rest.startsWith("}")) {
    r.pos += 1;
    return value ?? "";
  }
  const operator = ["-", "+"].includes(rest[0] ?? "") ? rest[0]! : rest.slice(0, 2);
  if (!["-", "+", ":-", ":+"].includes(operator)) {
    throw new SubstitutionError(
      `unsupported modifier after \${${name} in ${JSON.stringify(r.text)}; use \${${name}:-default}`,
    );
  }
  r.pos += operator.length;
  const word = expandUntil(r, args, "}");
  r.pos += 1;
  const isSet = value !== undefined;
  const isNonEmpty = isSet && value !== "";
  switch (operator) {
    case "-":
      return isSet ? value : word;
    case ":-":
      return isNonEmpty ? value : word;
    case "+":
      return isSet ? word : "";
    default:
      return isNonEmpty ? word : "";
  }
}
