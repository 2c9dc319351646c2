// The parts of an image two builds must agree on to be the same image: the config's runtime keys
// and the file tree (type, mode, owner, size of every path).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { docker, type ImageInfo } from "./engine.js";

/** The config keys that decide how the image runs. */
export function runtimeConfig(info: ImageInfo | undefined) {
  return {
    Env: info?.Config.Env,
    User: info?.Config.User,
    Entrypoint: info?.Config.Entrypoint ?? null,
    Cmd: info?.Config.Cmd ?? null,
    Labels: info?.Config.Labels,
    WorkingDir: info?.Config.WorkingDir,
    ExposedPorts: info?.Config.ExposedPorts ?? null,
  };
}

/**
 * Every path with its type, mode, owner and size, from `docker export`. Build-time noise is left
 * out: timestamps, and the bytecode caches whose contents embed source mtimes.
 */
export async function fileTree(image: string): Promise<string[]> {
  const created = await docker(["create", image]);
  expect(created.code, created.stderr).toBe(0);
  const container = created.stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), "pyfront-tree-"));
  try {
    const tar = join(dir, "fs.tar");
    const exported = await docker(["export", "-o", tar, container]);
    expect(exported.code, exported.stderr).toBe(0);
    const listing = execFileSync("tar", ["--numeric-owner", "-tvf", tar], {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    return listing
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        // perms owner/group size date time path
        const [perms, owner, size, , , ...path] = line.split(/\s+/);
        return `${perms} ${owner} ${perms?.startsWith("d") ? "-" : size} ${path.join(" ")}`;
      })
      .filter((line) => !/\.pyc$|__pycache__\/?$/.test(line))
      .sort();
  } finally {
    await docker(["rm", container]);
    rmSync(dir, { recursive: true, force: true });
  }
}
