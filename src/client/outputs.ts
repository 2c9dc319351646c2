import { createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { pipeline } from "node:stream/promises";
import { pushImage, saveImages } from "./docker-api.js";
import type { EngineAddress } from "./engine-address.js";
import { dockerArchiveToOci } from "./oci-archive.js";
import type { BuildOutput } from "./output-flag.js";
import { type AuthEnvironment, credentialFor, registryAuthHeader, registryOf } from "./registry-auth.js";

/** Outputs that cannot be given for this build, told before anything is built (exit code 2). */
export function outputProblems(
  outputs: readonly BuildOutput[],
  tags: readonly string[],
  address: EngineAddress,
  stdoutIsTerminal: boolean,
): { message: string; hint: string }[] {
  const problems: { message: string; hint: string }[] = [];
  if (outputs.some((o) => o.kind === "push") && tags.length === 0)
    problems.push({
      message: "--push has no name to push to",
      hint: "name the image with -t REGISTRY/NAME:TAG",
    });
  const files = outputs.filter((o) => o.kind !== "push");
  if (files.length > 0 && address.kind === "buildkit")
    problems.push({
      message: `--output type=${files[0]?.kind} is written from a Docker daemon's image store; a standalone BuildKit is not supported for it yet`,
      hint: "build on a Docker daemon (leave out --builder and BUILDKIT_HOST), or push with --push",
    });
  const toStdout = files.filter((o) => "dest" in o && o.dest === "-");
  if (toStdout.length > 1)
    problems.push({
      message: "two outputs are written to standard output (dest=-)",
      hint: "give one of them a file",
    });
  if (toStdout.length > 0 && stdoutIsTerminal)
    problems.push({
      message: "--output dest=- would write a tar archive to the terminal",
      hint: "redirect it (> image.tar), or write it to a file with dest=FILE",
    });
  return problems;
}

export interface DeliveryEnvironment extends AuthEnvironment {
  stdout: NodeJS.WritableStream;
  cwdResolve(path: string): string;
}

/**
 * After a build on a Docker daemon: pushes every tag with the docker config's login for its
 * registry (the daemon's exporter only loads, so this is buildx's way for the docker driver), and
 * writes file outputs from the daemon's saved image. `image` is a tag, or the image id when
 * there is none. Resolves to one line per thing done.
 */
export async function deliverOutputs(
  address: EngineAddress,
  outputs: readonly BuildOutput[],
  tags: readonly string[],
  image: string,
  environment: DeliveryEnvironment,
): Promise<string[]> {
  const done: string[] = [];
  for (const output of outputs) {
    if (output.kind === "push") {
      if (address.kind !== "docker") continue; // the image exporter pushed already
      for (const tag of tags) {
        const registry = registryOf(tag);
        const header = registryAuthHeader(registry, credentialFor(registry, environment));
        const pushed = await pushImage(address, tag, header);
        done.push(`pushed ${tag}${pushed.digest ? ` (${pushed.digest})` : ""}`);
      }
      continue;
    }
    const saved = await saveImages(address, tags.length > 0 ? tags : [image]);
    const toStdout = output.dest === "-";
    const sink = toStdout ? environment.stdout : createWriteStream(environment.cwdResolve(output.dest));
    if (output.kind === "docker") await pipeline(saved, sink, { end: !toStdout });
    else await dockerArchiveToOci(saved, sink, tmpdir());
    done.push(
      `wrote ${output.kind === "oci" ? "an OCI layout tar" : "docker save's archive"} to ${toStdout ? "standard output" : output.dest}`,
    );
  }
  return done;
}
