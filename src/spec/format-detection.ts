import { hasPyenvInstruction } from "./pyenv-format.js";

/** Which parser a spec file goes to; the tool table decides between pyproject formats later. */
export type FileKind = "pyproject" | "mopy" | "pyenv";

/**
 * Detects the file kind from its name, then its content. A `#syntax=` first line is a comment
 * in TOML and YAML, so it never gets in the way.
 */
export function detectFileKind(specFile: string, text: string): FileKind | undefined {
  const base = specFile.slice(specFile.lastIndexOf("/") + 1);
  if (/\.ya?ml$/i.test(base) || /^mopyfile/i.test(base)) return "mopy";
  if (/\.toml$/i.test(base)) return "pyproject";
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
