/*
 * Escaping for the Dockerfile frontend built into Docker 20.10 (BuildKit v0.8). Rules checked
 * against its parser: COPY/ADD/WORKDIR words, ENV and LABEL keys and values go through the shell-word
 * lexer (quotes, backslash, `$` expansion); RUN/CMD/ENTRYPOINT/HEALTHCHECK JSON arrays do not; flag
 * words (`--mount=...`) lose quotes and backslashes, then `--mount` values are read as one CSV record.
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

/** A double-quoted ENV/LABEL value or key: only `\`, `"` and `$` are special inside. */
export function doubleQuoted(text: string): string {
  if (/[\r\n]/.test(text))
    throw new Error(`a Dockerfile value cannot hold a line break: ${JSON.stringify(text)}`);
  return `"${text.replace(/[\\"$]/g, "\\$&")}"`;
}

function csvField(field: string): string {
  return /[",\r\n]/.test(field) || /^\s|\s$/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** `--mount=` flag: CSV record of `key=value` fields, then protected as a flag word. */
export function mountFlag(fields: Array<[string, string | undefined]>): string {
  const record = fields
    .map(([key, value]) => csvField(value === undefined ? key : `${key}=${value}`))
    .join(",");
  if (/[\r\n]/.test(record))
    throw new Error(`a mount option cannot hold a line break: ${JSON.stringify(record)}`);
  return `--mount=${record.replace(/[\s\\'"]/g, "\\$&")}`;
}

/** Comments are ours; still, one line each. */
export function commentLine(text: string): string {
  const oneLine = [...text]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? " " : c))
    .join("");
  return `# ${oneLine}`;
}
