import { hasPyenvInstruction } from "./pyenv-format.js";

/**
 * Which reader a spec file goes to; the tool table decides between pyproject formats later. The
 * other kinds are files people already have, read with zero config: a requirements file, a
 * Pipfile, setup.py/setup.cfg or a Python script.
 */
export type FileKind = "pyproject" | "mopy" | "pyenv" | "requirements" | "pipfile" | "setup" | "script";

/** File names, first match wins; content decides only when no name rule applies. */
const NAME_RULES: ReadonlyArray<{ kind: FileKind; name: RegExp }> = [
  { kind: "mopy", name: /(\.ya?ml$|^mopyfile)/i },
  { kind: "pyproject", name: /\.toml$/i },
  { kind: "pipfile", name: /^Pipfile$/ },
  { kind: "setup", name: /^setup\.(py|cfg)$/ },
  { kind: "script", name: /\.pyw?$/ },
  { kind: "requirements", name: /(\.(txt|in|pip)$|requirements)/i },
];

/**
 * Detects the file kind from its name, then its content. A `#syntax=` first line is a comment
 * in every one of these formats, so it never gets in the way.
 */
export function detectFileKind(specFile: string, text: string): FileKind | undefined {
  const base = specFile.slice(specFile.lastIndexOf("/") + 1);
  const byName = NAME_RULES.find((rule) => rule.name.test(base));
  if (byName) return byName.kind;
  if (hasPyenvInstruction(text)) return "pyenv";
  const first = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== "" && !l.startsWith("#"));
  if (first === undefined) return undefined;
  if (/^\[/.test(first) || /^[A-Za-z0-9_."'-]+\s*=/.test(first)) return "pyproject";
  if (/^[A-Za-z0-9_-]+\s*:/.test(first)) return "mopy";
  return undefined;
}
