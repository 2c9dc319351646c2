import { CONTROL_CHARACTERS } from "../value-rules.js";
import type { LockEdge } from "./lock-graph.js";
import {
  type Checked,
  checkExtraOrGroupName,
  checkMarker,
  checkPackageName,
  checkSpecifier,
  shown,
} from "./lock-value-checks.js";

/** The parts of one PEP 508 requirement string. */
export interface RequirementParts {
  /** PEP 503-normalized. */
  name: string;
  /** Normalized, in the order written. */
  extras: string[];
  /** The version specifier without spaces, e.g. `<4,>=2`; absent for `*` or a URL requirement. */
  specifier?: string;
  /** `name @ <url>`: the URL as written. */
  url?: string;
  marker?: string;
}

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;

/**
 * Splits a PEP 508 requirement as the tools write them in locks and pyproject files:
 * `exceptiongroup>=1.0.2; python_version < "3.11"` (pdm), `PySocks (>=1.5.6,!=1.5.7)` and
 * `virtualenv (>=20.17) ; python_version >= "3.10"` (Poetry), `mylib @ file:///${PROJECT_ROOT}/x`.
 */
export function splitRequirement(text: string): Checked<RequirementParts> {
  const bad = (message: string): Checked<never> => ({
    ok: false,
    problem: {
      code: "invalid-requirement",
      message: `${shown(text)} ${message}`,
      hint: "a requirement looks like \"name[extra]>=1.0; python_version < '3.11'\"",
    },
  });
  if (CONTROL_CHARACTERS.test(text)) return bad("holds control characters");
  const value = text.trim();
  if (value.startsWith("-")) return bad("is a pip option, not a requirement");
  const nameMatch = NAME.exec(value);
  if (!nameMatch) return bad("does not start with a package name");
  const name = checkPackageName(nameMatch[1]!);
  if (!name.ok) return name;
  let rest = value.slice(nameMatch[0].length);
  const extras: string[] = [];
  const extrasMatch = /^\[([^\]]*)\]\s*/.exec(rest);
  if (extrasMatch) {
    for (const extra of extrasMatch[1]!.split(",").map((e) => e.trim())) {
      if (extra === "") continue;
      const checked = checkExtraOrGroupName(extra, "extra");
      if (!checked.ok) return checked;
      extras.push(checked.value);
    }
    rest = rest.slice(extrasMatch[0].length);
  } else if (rest.startsWith("[")) {
    return bad("has an unclosed [ in its extras");
  }
  const parts: RequirementParts = { name: name.value, extras };
  let markerText: string | undefined;
  if (rest.startsWith("@")) {
    const urlMatch = /^@\s*(\S+)\s*(?:;(.*))?$/.exec(rest);
    if (!urlMatch) return bad("has no URL after @");
    // A `;` right after the URL belongs to it (PEP 508 wants a space before the marker).
    parts.url = urlMatch[1]!;
    markerText = urlMatch[2];
  } else {
    const semicolon = rest.indexOf(";");
    let version = (semicolon === -1 ? rest : rest.slice(0, semicolon)).trim();
    markerText = semicolon === -1 ? undefined : rest.slice(semicolon + 1);
    if (version.startsWith("(")) {
      if (!version.endsWith(")")) return bad("has an unclosed ( around its version");
      version = version.slice(1, -1).trim();
    }
    if (version !== "" && version !== "*") {
      const specifier = checkSpecifier(version);
      if (!specifier.ok) return specifier;
      parts.specifier = specifier.value;
    }
  }
  if (markerText !== undefined) {
    const marker = checkMarker(markerText);
    if (!marker.ok) return marker;
    parts.marker = marker.value;
  }
  return { ok: true, value: parts };
}

/** The edge a requirement makes; `marker` is added to the requirement's own. */
export function requirementEdge(parts: RequirementParts): LockEdge {
  return {
    name: parts.name,
    ...(parts.marker !== undefined ? { marker: parts.marker } : {}),
    ...(parts.extras.length > 0 ? { extras: parts.extras } : {}),
    ...(parts.specifier !== undefined ? { specifier: parts.specifier } : {}),
  };
}
