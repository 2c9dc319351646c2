import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { renderChangelog } from "./changelog.js";
import { renderVersionDockerfile } from "./dockerfile.js";
import type { ImageRegistry } from "./family.js";

/** Where generated files go, under the images module's folder. */
export const GENERATED_DIR = "generated";

export interface GeneratedFile {
  contents: string;
  mode: number;
}

/**
 * Every generated file, by path relative to the module's folder: one Dockerfile (and the files
 * its COPY lines name) per version, and one changelog per family. A version's Dockerfile is the
 * same for each of its platforms: no step depends on the platform.
 */
export function generatedFiles(registry: ImageRegistry): Map<string, GeneratedFile> {
  const out = new Map<string, GeneratedFile>();
  for (const family of registry.families) {
    out.set(`${GENERATED_DIR}/changelogs/${family.name}.md`, {
      contents: renderChangelog(family),
      mode: 0o644,
    });
    for (const version of family.versions) {
      const dir = `${GENERATED_DIR}/dockerfiles/${family.name}/${version.version.text}`;
      const rendered = renderVersionDockerfile(version);
      out.set(`${dir}/Dockerfile`, { contents: rendered.dockerfile, mode: 0o644 });
      for (const [name, file] of rendered.files) out.set(`${dir}/${name}`, file);
    }
  }
  return out;
}

function listFiles(root: string, dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(root, path) : [relative(root, path).split("\\").join("/")];
  });
}

/** Generated files that are missing, differ (contents or executable bit) or no longer generated. */
export function staleGeneratedFiles(registry: ImageRegistry, root: string): string[] {
  const wanted = generatedFiles(registry);
  const stale: string[] = [];
  for (const [path, file] of wanted) {
    const full = join(root, path);
    if (!existsSync(full)) {
      stale.push(`${path} (missing)`);
      continue;
    }
    const executable = (statSync(full).mode & 0o111) !== 0;
    if (readFileSync(full, "utf8") !== file.contents || executable !== ((file.mode & 0o111) !== 0))
      stale.push(`${path} (out of date)`);
  }
  for (const path of listFiles(root, join(root, GENERATED_DIR)))
    if (!wanted.has(path)) stale.push(`${path} (no longer generated)`);
  return stale.sort();
}

/** Rewrites the generated folder from the definitions; returns the paths written. */
export function writeGeneratedFiles(registry: ImageRegistry, root: string): string[] {
  const wanted = generatedFiles(registry);
  rmSync(join(root, GENERATED_DIR), { recursive: true, force: true });
  for (const [path, file] of wanted) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, file.contents);
    chmodSync(full, file.mode);
  }
  return [...wanted.keys()].sort();
}
