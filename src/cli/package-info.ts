import { readFileSync } from "node:fs";

/** pyfront's own package.json: two levels up from src/cli/ in a checkout and from dist/cli/ when installed. */
export function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}
