import { type Command, Option } from "commander";
import { LOCK_FILE_NAME } from "../images/lock-file-name.js";
import type { BuildFlagsOf, ImagesCommandContext } from "./images-actions.js";

/** Looked for in the working directory, in this order, when --module is not given. */
export const IMAGES_MODULE_CANDIDATES = ["images.config.ts", "images.config.mjs", "images.config.js"];

// The actions load the images API and the build client: only when a command runs.
const actions = () => import("./images-actions.js");

const repeatable = (value: string, previous: string[] = []) => [...previous, value];

/** `pyfront images list | build | check | generate`. */
export function registerImagesCommands(program: Command, ctx: ImagesCommandContext): void {
  const images = program
    .command("images")
    .description("base images as code: versioned image families, built, checked and documented");
  const moduleOption = () =>
    new Option("--module <path>", `the images module; default: ${IMAGES_MODULE_CANDIDATES.join(", ")} here`);
  const engineOptions = (command: Command) =>
    command
      .option(
        "--builder <address>",
        "the engine at unix:///path or tcp://host:port, a BuildKit or a Docker daemon (also BUILDKIT_HOST)",
      )
      .addOption(
        new Option("--progress <mode>", "build progress").choices(["plain", "quiet"]).default("plain"),
      )
      .addOption(
        new Option(
          "--platform <os/arch>",
          "platform to build (repeatable); default: the version's",
        ).argParser(repeatable),
      )
      .option(
        "--base-source <image>",
        "pull this image instead of the pinned base (a mirror, or a test engine's stand-in)",
      )
      .addOption(
        new Option("--network <mode>", "network of the build's runs")
          .choices(["default", "host", "none"])
          .default("default"),
      )
      .addOption(
        new Option(
          "--build-env <key=value>",
          "environment of every run of the build, not of the image nor its definition (e.g. PIP_INDEX_URL of a mirror; not for secrets); repeatable",
        ).argParser(repeatable),
      );

  images
    .command("list")
    .description("every family and version, whether it is released (in the lock), and its digest")
    .addOption(moduleOption())
    .action(async (flags: { module?: string }) => (await actions()).listImages(flags, ctx));

  engineOptions(
    images
      .command("build")
      .description("build a version (NAME for the latest) through the engine, tagged NAME:VERSION unless -t")
      .argument("<name>", "NAME or NAME:VERSION")
      .option("-t, --tag <name>", "name of the image")
      .addOption(moduleOption()),
  ).action(async (reference: string, flags: BuildFlagsOf & { module?: string; tag?: string }) =>
    (await actions()).buildImage(reference, flags, ctx),
  );

  images
    .command("check")
    .description("run a version's checks (and its predecessors', when it asks) on its built image")
    .argument("<name>", "NAME or NAME:VERSION")
    .option("--image <ref>", "the image to check; default NAME:VERSION")
    .addOption(moduleOption())
    .action(async (reference: string, flags: { module?: string; image?: string }) =>
      (await actions()).checkImage(reference, flags, ctx),
    );

  engineOptions(
    images
      .command("publish")
      .description(
        "build a released version, run its checks, and push it as REGISTRY/NAME:VERSION (refused when the registry holds that tag built from another definition)",
      )
      .argument("<name>", "NAME or NAME:VERSION")
      .requiredOption(
        "--registry <host/path>",
        "where to push, e.g. registry.example.com/team or localhost:5000/team",
      )
      .addOption(moduleOption()),
  ).action(async (reference: string, flags: BuildFlagsOf & { module?: string; registry: string }) =>
    (await actions()).publishImage(reference, flags, ctx),
  );

  images
    .command("generate")
    .description(
      `record new versions in ${LOCK_FILE_NAME}, write the Dockerfiles and changelogs (--check: only say what is stale)`,
    )
    .option("--check", "change nothing; exit 1 when the lock or a generated file is not up to date")
    .addOption(moduleOption())
    .action(async (flags: { module?: string; check?: boolean }) =>
      (await actions()).generateImages(flags, ctx),
    );
}
