import type { ProjectMetadata } from "../spec/build-spec.js";
import type { Label } from "./build-plan.js";

/** Metadata text is free-form; a label value must stay on one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** OCI annotations derived from `[project]` metadata and the runtime base image. */
export function derivedLabels(metadata: ProjectMetadata, runtimeImage: string): Array<[string, string]> {
  const labels: Array<[string, string]> = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && oneLine(value) !== "")
      labels.push([`org.opencontainers.image.${name}`, oneLine(value)]);
  };
  add("title", metadata.name);
  add("version", metadata.version);
  add("description", metadata.description);
  add("authors", metadata.authors.length > 0 ? metadata.authors.join(", ") : undefined);
  add("licenses", metadata.license);
  add("url", metadata.url);
  add("source", metadata.source);
  add("base.name", runtimeImage);
  return labels;
}

/**
 * Later entries win; the result is sorted by name so the output does not depend on map order. An
 * entry's third item, "expand", marks its value as a template (see Label).
 */
export function mergeLabels(...layers: Array<Array<[string, string, ("expand" | undefined)?]>>): Label[] {
  const merged = new Map<string, Label>();
  for (const layer of layers) {
    for (const [name, value, mode] of layer) merged.set(name, { name, value, ...(mode ? { mode } : {}) });
  }
  return [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
