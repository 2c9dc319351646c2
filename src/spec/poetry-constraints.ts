import type { Problem } from "./diagnostic-list.js";

/**
 * Converts a Poetry version constraint to a PEP 440 specifier set:
 * `^1.2.3` → `>=1.2.3,<2.0.0`, `~1.2` → `>=1.2,<1.3`, `1.2.*` → `==1.2.*`, `*` → "".
 */
export function poetryConstraintToPep440(constraint: string): string | Problem {
  const text = constraint.trim();
  if (text === "*" || text === "") return "";
  if (text.includes("||")) {
    return {
      code: "unsupported-constraint",
      message: `constraint ${JSON.stringify(constraint)} uses "||", which pip cannot express`,
      hint: "rewrite it as a single range",
    };
  }
  const parts = text.split(/\s*,\s*|\s+(?=[<>=!~^])/).filter((p) => p !== "");
  const out: string[] = [];
  for (const part of parts) {
    const converted = convertOne(part);
    if (converted === undefined) {
      return {
        code: "invalid-constraint",
        message: `${JSON.stringify(constraint)} is not a Poetry version constraint`,
        hint: 'write e.g. "^1.2", "~1.2.3", ">=1,<2" or "*"',
      };
    }
    out.push(converted);
  }
  return out.join(",");
}

const RELEASE = /^[0-9]+(\.[0-9]+)*$/;
/** A version after an operator: a release, optionally `.*` or a pre/post/dev/local suffix. */
const VERSION = /^[0-9]+(\.[0-9]+)*(\.\*|[A-Za-z0-9.+!-]*)$/;

function convertOne(part: string): string | undefined {
  if (part.startsWith("^")) return caret(part.slice(1).trim());
  if (part.startsWith("~") && !part.startsWith("~=")) return tilde(part.slice(1).trim());
  const operator = /^(~=|==|!=|<=|>=|<|>)\s*(.*)$/.exec(part);
  // `">=1,<"`: an operator needs a version after it.
  if (operator) return VERSION.test(operator[2]!) ? `${operator[1]}${operator[2]}` : undefined;
  if (VERSION.test(part)) return `==${part}`;
  return undefined;
}

function numbers(version: string): number[] | undefined {
  if (!RELEASE.test(version)) return undefined;
  return version.split(".").map((n) => Number.parseInt(n, 10));
}

/** ^: allow changes that keep the leftmost non-zero component. */
function caret(version: string): string | undefined {
  const parts = numbers(version);
  if (!parts) return undefined;
  const firstNonZero = parts.findIndex((p) => p !== 0);
  // ^0.0 → <0.1; ^0 → <1; otherwise bump the leftmost non-zero within the given precision.
  const bumpAt = firstNonZero === -1 ? Math.max(0, parts.length - 1) : firstNonZero;
  const upper = parts.slice(0, bumpAt + 1);
  upper[bumpAt] = (upper[bumpAt] ?? 0) + 1;
  while (upper.length < parts.length) upper.push(0);
  return `>=${version},<${upper.join(".")}`;
}

/** ~: patch-level changes when minor is given, minor-level when only major is given. */
function tilde(version: string): string | undefined {
  const parts = numbers(version);
  if (!parts) return undefined;
  const bumpAt = parts.length === 1 ? 0 : 1;
  const upper = parts.slice(0, bumpAt + 1);
  upper[bumpAt] = (upper[bumpAt] ?? 0) + 1;
  while (upper.length < parts.length) upper.push(0);
  return `>=${version},<${upper.join(".")}`;
}
