import { posix } from "node:path";

/**
 * Reads a .dockerignore file into the exclude patterns BuildKit's local source takes, with
 * Docker's rules: `#` comments and blank lines dropped, surrounding space trimmed, each pattern
 * cleaned like Go's filepath.Clean, a leading `/` dropped, `!` kept for exceptions.
 */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.startsWith("#")) continue;
    let line = raw.trim();
    if (line === "") continue;
    let negate = false;
    if (line.startsWith("!")) {
      negate = true;
      line = line.slice(1).trim();
    }
    if (line === "") continue;
    let cleaned = posix.normalize(line);
    // Docker treats patterns as relative to the context root.
    while (cleaned.startsWith("/")) cleaned = cleaned.slice(1);
    if (cleaned.endsWith("/") && cleaned.length > 1) cleaned = cleaned.slice(0, -1);
    if (cleaned === "" || cleaned === ".") cleaned = ".";
    patterns.push(negate ? `!${cleaned}` : cleaned);
  }
  return patterns;
}
