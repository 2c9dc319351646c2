import type { SourcePath } from "./source-document.js";

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
/** Longer key parts are shortened in messages: a 1 MB key should not make a 1 MB error. */
const SHOWN_KEY_LENGTH = 80;

function shown(part: string): string {
  return part.length > SHOWN_KEY_LENGTH ? `${part.slice(0, SHOWN_KEY_LENGTH)}…` : part;
}

/** Formats a path the way users write it: `tool.pyfront.indices[0].url`, `labels."org.x"`. */
export function formatKeyPath(path: SourcePath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else {
      const key = BARE_KEY.test(part) ? shown(part) : JSON.stringify(shown(part));
      out += out === "" ? key : `.${key}`;
    }
  }
  return out;
}
