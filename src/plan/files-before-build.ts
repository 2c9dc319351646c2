import { posix } from "node:path";
import type { AddFile, BuildSpec, CopyFile } from "../spec/build-spec.js";
import type { CopySource, CopyStep } from "./build-plan.js";
import { DOWNLOADS_STAGE } from "./recipe-constants.js";

/**
 * microb's `copy_files_before_build` and `add_files_before_build`: files placed in the builder
 * before the dependencies are installed (a pip.conf, a CA bundle, wheels a requirements file
 * names). As in microb, whose builder has no WORKDIR, a relative destination is taken from `/`.
 * They never reach the final image: only the venv and the app directory are copied from the builder.
 */
export function builderFileSteps(spec: BuildSpec, downloaded: ReadonlyMap<AddFile, string>): CopyStep[] {
  const steps: CopyStep[] = [];
  for (const copy of spec.copyFilesBeforeBuild ?? []) {
    steps.push({
      kind: "copy",
      from: copySource(copy),
      sources: [copy.src],
      dest: builderPath(copy.dst),
      unpackArchives: false,
    });
  }
  for (const add of spec.addFilesBeforeBuild ?? []) {
    const fetched = downloaded.get(add);
    steps.push({
      kind: "copy",
      from: fetched ? { kind: "stage", name: DOWNLOADS_STAGE } : { kind: "context" },
      sources: [fetched ?? add.src],
      dest: builderPath(add.dst),
      unpackArchives: fetched === undefined,
    });
  }
  return steps;
}

/** The spec refuses `from = "builder"` here (a stage cannot copy from itself): any other name is an image. */
function copySource(copy: CopyFile): CopySource {
  return copy.from === undefined ? { kind: "context" } : { kind: "image", ref: copy.from };
}

function builderPath(dst: string): string {
  const joined = posix.resolve("/", dst);
  return dst.endsWith("/") && joined !== "/" ? `${joined}/` : joined;
}
