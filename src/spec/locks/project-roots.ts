import type { SourcePath } from "../source-document.js";
import type { LockDocument } from "./lock-document.js";
import { isTable } from "./lock-document.js";
import type { LockEdge } from "./lock-graph.js";
import { andMarkers, checkExtraOrGroupName } from "./lock-value-checks.js";
import { requirementEdge, splitRequirement } from "./requirement-parts.js";

/**
 * The project's own requirements in a pyproject.toml, as the roots of a lock's dependency graph:
 * the standard tables (`[project]` dependencies and optional dependencies, PEP 735
 * `[dependency-groups]`). Problems point into the pyproject.
 */

/** One PEP 508 string of the pyproject as an edge; `-e ` (pdm's editable form) is taken off. */
export function pyprojectEdge(
  d: LockDocument,
  path: SourcePath,
  text: string,
  resolveUnnamed?: (requirement: string) => string | undefined,
): LockEdge | undefined {
  const requirement = text.trim().replace(/^-e\s+/, "");
  const parts = splitRequirement(requirement);
  if (parts.ok) {
    // `./packages/mylib` would split as a name; a path or URL with no name is looked up instead.
    if (!/^[./\\]|^[a-z][a-z0-9+.-]*:\/\//i.test(requirement)) return requirementEdge(parts.value);
  }
  const named = resolveUnnamed?.(requirement);
  if (named !== undefined) return { name: named };
  const pathOrUrl = /^[./\\~]|^[a-z][a-z0-9+.-]*:\/\//i.test(requirement);
  if (!parts.ok && !pathOrUrl) d.error(path, parts.problem);
  else
    d.error(path, {
      code: "unlocked-requirement",
      message: `no locked package comes from ${JSON.stringify(requirement)}`,
      hint: "lock again, so the lock holds every requirement of the project",
    });
  return undefined;
}

/** `[project].dependencies`, or undefined when the key is absent. */
export function projectDependencies(
  d: LockDocument,
  resolveUnnamed?: (requirement: string) => string | undefined,
): LockEdge[] | undefined {
  if (d.get(["project", "dependencies"]) === undefined) return undefined;
  return edgesOf(d, ["project", "dependencies"], resolveUnnamed);
}

/** `[project.optional-dependencies]`: extra (normalized) → its edges. */
export function projectOptionalDependencies(
  d: LockDocument,
  resolveUnnamed?: (requirement: string) => string | undefined,
): Record<string, LockEdge[]> {
  const extras: Record<string, LockEdge[]> = Object.create(null);
  for (const extra of d.keys(["project", "optional-dependencies"])) {
    const path = ["project", "optional-dependencies", extra];
    const name = d.checkKey(path, checkExtraOrGroupName(extra, "extra"));
    if (name === undefined) continue;
    extras[name] = [...(extras[name] ?? []), ...edgesOf(d, path, resolveUnnamed)];
  }
  return extras;
}

/**
 * PEP 735 `[dependency-groups]`: group (normalized) → its edges, `{include-group = "x"}`
 * expanded (a cycle is reported once and cut).
 */
export function dependencyGroups(
  d: LockDocument,
  resolveUnnamed?: (requirement: string) => string | undefined,
): Record<string, LockEdge[]> {
  const base: SourcePath = ["dependency-groups"];
  const written = new Map<string, string>();
  for (const key of d.keys(base)) {
    const name = d.checkKey([...base, key], checkExtraOrGroupName(key, "group"));
    if (name !== undefined) written.set(name, key);
  }
  const groups: Record<string, LockEdge[]> = Object.create(null);
  const expanding = new Set<string>();
  const expand = (name: string): LockEdge[] => {
    if (groups[name]) return groups[name];
    const key = written.get(name)!;
    expanding.add(name);
    const edges: LockEdge[] = [];
    (d.array([...base, key]) ?? []).forEach((item, i) => {
      const path = [...base, key, i];
      if (typeof item === "string") {
        const edge = pyprojectEdge(d, path, item, resolveUnnamed);
        if (edge) edges.push(edge);
        return;
      }
      const include = isTable(item) ? item["include-group"] : undefined;
      if (typeof include !== "string") {
        d.error(path, {
          code: "invalid-type",
          message: 'expected a requirement string or {include-group = "name"}',
        });
        return;
      }
      const target = checkExtraOrGroupName(include, "group");
      if (!target.ok || !written.has(target.value)) {
        d.error([...path, "include-group"], {
          code: "unknown-group",
          message: `there is no dependency group ${JSON.stringify(include)}`,
        });
        return;
      }
      if (expanding.has(target.value)) {
        d.error([...path, "include-group"], {
          code: "group-cycle",
          message: `including ${JSON.stringify(include)} here makes the group include itself`,
        });
        return;
      }
      edges.push(...expand(target.value));
    });
    expanding.delete(name);
    groups[name] = edges;
    return edges;
  };
  for (const name of written.keys()) expand(name);
  return groups;
}

function edgesOf(
  d: LockDocument,
  path: SourcePath,
  resolveUnnamed?: (requirement: string) => string | undefined,
): LockEdge[] {
  const edges: LockEdge[] = [];
  for (const item of d.strings(path)) {
    const edge = pyprojectEdge(d, item.path, item.value, resolveUnnamed);
    if (edge) edges.push(edge);
  }
  return edges;
}

/** The edge with another condition added to its marker. */
export function withMarker(edge: LockEdge, marker: string | undefined): LockEdge {
  const combined = andMarkers(edge.marker, marker);
  return combined === undefined ? edge : { ...edge, marker: combined };
}
