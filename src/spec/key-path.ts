import type { SourcePath } from "./source-document.js";

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** Formats a path the way users write it: `tool.pyfront.indices[0].url`, `labels."org.x"`. */
export function formatKeyPath(path: SourcePath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else {
      const key = BARE_KEY.test(part) ? part : JSON.stringify(part);
      out += out === "" ? key : `.${key}`;
    }
  }
  return out;
}
