import { posix } from "node:path";
import { Argument, Command, CommanderError, Option } from "commander";
import { MAX_INPUT_FILE_BYTES } from "../context/regular-file.js";
import { SpecError } from "../spec/diagnostics.js";
import type { BuildFlags } from "./build-command.js";
import { COMPLETION_SHELLS, type CompletionShell, completionScript } from "./completion.js";
import { DiagnosticReport, REPORT_FORMATS, type ReportFormat } from "./diagnostic-report.js";
import { registerImagesCommands } from "./images-command.js";
import { registerJobCommands } from "./job-command.js";
import { FORMAT_DOCS_URL, packageVersion } from "./package-info.js";
import type { LoadedProject } from "./project-input.js";
import { styleFor } from "./terminal-style.js";
import { usageError } from "./usage-error.js";

// What a command runs is imported when it runs: `pyfront --help` loads the command table only,
// `pyfront plan` no build client (docs/packaging.md; bench/cli-start.ts measures it).
const projectInput = () => import("./project-input.js");
const renderings = () => import("./renderings.js");
const llbRendering = () => import("./llb-rendering.js");

/** Exit codes: 2 for anything the user can fix, 1 for pyfront's own failures. */
export const EXIT_USER_ERROR = 2;
export const EXIT_INTERNAL_ERROR = 1;

/** The process around the CLI; tests hand in their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** For `-f -`; absent means no standard input to read. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where relative paths start; default the process's current directory. */
  cwd?: string;
}

interface ProjectFlags {
  file?: string;
  target?: string;
  buildArg: string[];
  format: ReportFormat;
  tag?: string;
}

/** Runs the CLI and resolves to the process exit code; all output goes through the given streams. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const report = new DiagnosticReport(io.stderr, styleFor(io.stderr, io.env), formatAskedFor(argv));
  const program = buildProgram(io, report);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    return reportError(error, report, io);
  } finally {
    report.finish();
  }
}

/** The command tree; exported for the completion scripts' tests. */
export function buildProgram(io: CliIo, report: DiagnosticReport): Command {
  const program = new Command("pyfront")
    .description("Build best-practice container images from Python projects through BuildKit.")
    .version(packageVersion(), "-V, --version", "print pyfront's version")
    .helpOption("-h, --help", "print help")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // With --format json, commander's own errors reach stderr as diagnostics (see reportError).
      writeErr: (text) => {
        if (report.format === "text") io.stderr.write(text);
      },
    })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  pyfront init .                            set up the project in this directory",
        "  pyfront build . -t app                    build it on the local Docker engine",
        "  pyfront plan .                            what a build of it would do, as JSON",
        "  docker build -f pyproject.toml -t app .   or build it with docker: BuildKit runs pyfront's frontend",
        "",
        `Docs: ${FORMAT_DOCS_URL}`,
      ].join("\n"),
    );

  const formatOption = () =>
    new Option("--format <format>", "how problems are reported: text, or json for editors and CI")
      .choices(REPORT_FORMATS)
      .default("text");

  const projectCommand = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .argument("[dir]", "build context directory, or the spec file in it", ".")
      .option(
        "-f, --file <file>",
        "spec file (pyproject.toml, Mopyfile.yaml; - for stdin); default: found in DIR",
      )
      .option("--target <name>", "target to build, for specs that define several")
      .addOption(
        new Option("--build-arg <key=value>", "build argument, as for docker build (repeatable)")
          .argParser((value: string, previous: string[] = []) => [...previous, value])
          .default([], "none"),
      )
      .addOption(formatOption())
      // Accepted only to answer it: docker users type -t for a tag, and these commands build nothing.
      .addOption(new Option("-t, --tag <name>").hideHelp());

  const load = async (dir: string, flags: ProjectFlags, command: string): Promise<LoadedProject> => {
    report.format = flags.format;
    if (flags.tag !== undefined) {
      throw usageError(
        `pyfront ${command} prints and builds no image, so -t/--tag has nothing to name`,
        `build and tag with: docker build -f ${flags.file ?? posix.join(dir, "pyproject.toml")} -t ${flags.tag} ${dir}` +
          " (a target of the spec is --target NAME)",
      );
    }
    const { loadProject } = await projectInput();
    const project = loadProject({
      dir,
      buildArgs: parseBuildArgs(flags.buildArg, io.env),
      cwd: io.cwd ?? process.cwd(),
      ...(flags.file === "-" ? { stdinText: await readStdin(io.stdin) } : {}),
      ...(flags.file !== undefined ? { file: flags.file } : {}),
      ...(flags.target ? { target: flags.target } : {}),
    });
    report.add(project.warnings);
    return project;
  };

  projectCommand("dockerfile", "print the Dockerfile equivalent to the project's spec").action(
    async (dir: string, flags: ProjectFlags) => {
      const project = await load(dir, flags, "dockerfile");
      io.stdout.write((await renderings()).renderProjectDockerfile(project));
    },
  );

  projectCommand("plan", "print the build plan as JSON").action(async (dir: string, flags: ProjectFlags) => {
    const project = await load(dir, flags, "plan");
    io.stdout.write((await renderings()).renderProjectPlan(project));
  });

  projectCommand("llb", "print the LLB definition (binary, for buildctl build; --json for people)")
    .option("--json", "print the definition as JSON")
    .action(async (dir: string, flags: ProjectFlags & { json?: boolean }) => {
      const json = flags.json === true;
      if (!json && io.stdout.isTTY) {
        report.format = flags.format;
        throw usageError(
          "pyfront llb writes a binary LLB definition, and standard output is a terminal",
          `add --json to read it, or redirect it: pyfront llb ${dir} > build.llb, or pipe it to buildctl build`,
        );
      }
      const project = await load(dir, flags, "llb");
      io.stdout.write((await llbRendering()).renderProjectLlb(project, { json }));
    });

  const repeatable = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command("build")
    .description(
      "build the project's image on BuildKit (the Docker engine's, or --builder), loaded into Docker",
    )
    .argument("[dir]", "build context directory, or the spec file in it", ".")
    .option("-f, --file <file>", "spec file (pyproject.toml, Mopyfile.yaml, ...); default: found in DIR")
    .addOption(
      new Option("-t, --tag <name>", "name of the image (repeatable)")
        .argParser(repeatable)
        .default([], "none"),
    )
    .option("--target <name>", "target to build, for specs that define several")
    .addOption(
      new Option("--build-arg <key=value>", "build argument, as for docker build (repeatable)")
        .argParser(repeatable)
        .default([], "none"),
    )
    .option("--no-cache", "build every step again")
    .addOption(
      new Option("--label <key=value>", "a label on the image, as for docker build (repeatable)")
        .argParser(repeatable)
        .default([], "none"),
    )
    .option("--platform <os/arch>", "the platform to build for (one), as for docker build")
    .option("--push", "push the image to its registry under every -t name (--output type=registry)")
    .addOption(
      new Option(
        "--cache-from <IMAGE|type=registry,ref=IMAGE>",
        "import build cache from an image (repeatable)",
      )
        .argParser(repeatable)
        .default([], "none"),
    )
    .addOption(
      new Option(
        "--cache-to <type=inline|type=registry,ref=IMAGE>",
        "export the build cache (inline: into the image)",
      )
        .argParser(repeatable)
        .default([], "none"),
    )
    .addOption(
      new Option(
        "-o, --output <type=oci|docker,dest=FILE>",
        "also write the image to a file: an OCI layout tar, or docker save's archive (repeatable)",
      )
        .argParser(repeatable)
        .default([], "none"),
    )
    .addOption(
      new Option("--network <mode>", "network of the build's RUN steps")
        .choices(["default", "host", "none"])
        .default("default"),
    )
    .addOption(
      new Option(
        "--secret <id=NAME,src=FILE|env=VAR>",
        "a secret for the build, as for docker build (repeatable)",
      )
        .argParser(repeatable)
        .default([], "none"),
    )
    .addOption(
      new Option(
        "--ssh <default|ID=SOCKET>",
        "forward an SSH agent to the build's git+ssh steps (repeatable)",
      )
        .argParser(repeatable)
        .default([], "none"),
    )
    .option("--tlscacert <file>", "CA certificate of a --builder tcp:// BuildKit (TLS)")
    .option("--tlscert <file>", "client certificate for a --builder tcp:// BuildKit (mutual TLS)")
    .option("--tlskey <file>", "the client certificate's key")
    .option("--tlsservername <name>", "the name the BuildKit's certificate must carry")
    .option(
      "--builder <address>",
      "the engine at unix:///path or tcp://host:port, a BuildKit or a Docker daemon (also BUILDKIT_HOST)",
    )
    .addOption(
      new Option("--progress <mode>", "how progress is shown: auto is tty on a terminal, else plain")
        .choices(["auto", "tty", "plain", "quiet"])
        .default("auto", "auto; quiet with --format json"),
    )
    .addOption(formatOption())
    .action(
      async (
        dir: string,
        flags: Omit<BuildFlags, "buildArg" | "label"> & {
          buildArg: string[];
          label: string[];
          cache?: boolean;
          format: ReportFormat;
        },
        command: Command,
      ) => {
        report.format = flags.format;
        // With --format json, stderr carries one JSON document: progress text would break it.
        let progress = flags.progress;
        if (flags.format === "json") {
          if (command.getOptionValueSource("progress") === "cli" && progress !== "quiet") {
            throw usageError(
              `--format json and --progress ${progress} would both write to standard error`,
              "leave out --progress (--format json keeps it quiet), or report as --format text",
            );
          }
          progress = "quiet";
        }
        const { runBuild } = await import("./build-command.js");
        const code = await runBuild(
          dir,
          {
            ...flags,
            progress,
            noCache: flags.cache === false,
            buildArg: parseBuildArgs(flags.buildArg, io.env),
            label: parseLabels(flags.label),
          },
          { stdout: io.stdout, stderr: io.stderr, env: io.env, cwd: io.cwd ?? process.cwd() },
          report,
        );
        if (code !== 0) throw new BuildFailed(code);
      },
    );

  registerImagesCommands(program, {
    io,
    report,
    exit: (code) => {
      throw new BuildFailed(code);
    },
  });

  registerJobCommands(program, {
    io,
    report,
    exit: (code) => {
      throw new BuildFailed(code);
    },
  });

  program
    .command("init")
    .description("set up a project for pyfront: #syntax line, a commented [tool.pyfront], .dockerignore")
    .argument("[dir]", "the project directory", ".")
    .option("--force", "replace what an earlier init wrote, and an existing .dockerignore")
    .addOption(formatOption())
    .action(async (dir: string, flags: { force?: boolean; format: ReportFormat }) => {
      report.format = flags.format;
      const { initProject } = await import("./project-init.js");
      const result = initProject({ dir, force: flags.force === true, cwd: io.cwd ?? process.cwd() });
      report.add(result.warnings);
      for (const line of result.lines) io.stdout.write(`${line}\n`);
    });

  program
    .command("completion")
    .description("print a shell completion script (bash or zsh)")
    .addArgument(new Argument("<shell>", "the shell").choices(COMPLETION_SHELLS))
    .action((shell: CompletionShell) => {
      io.stdout.write(completionScript(program, shell));
    });

  return program;
}

/**
 * `--format json` as written on the command line, read before commander parses it, so that a
 * mistake commander itself reports (an unknown option) also comes out as JSON.
 */
function formatAskedFor(argv: readonly string[]): ReportFormat {
  const at = argv.indexOf("--format");
  const value =
    at === -1 ? argv.find((a) => a.startsWith("--format="))?.slice("--format=".length) : argv[at + 1];
  return value === "json" ? "json" : "text";
}

/** `--label KEY=VALUE`, as docker build takes it; a bare KEY is an empty label. */
function parseLabels(raw: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = Object.create(null);
  for (const item of raw) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    if (key === "") throw usageError(`--label ${JSON.stringify(item)} has no key`, "write --label KEY=VALUE");
    labels[key] = eq < 0 ? "" : item.slice(eq + 1);
  }
  return labels;
}

function parseBuildArgs(raw: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const buildArgs: Record<string, string> = Object.create(null); // --build-arg __proto__=x is a plain key
  for (const item of raw) {
    const eq = item.indexOf("=");
    // Like docker build: a bare KEY takes its value from the environment, if set there.
    if (eq === -1) {
      const fromEnv = env[item];
      if (fromEnv !== undefined) buildArgs[item] = fromEnv;
    } else {
      buildArgs[item.slice(0, eq)] = item.slice(eq + 1);
    }
  }
  return buildArgs;
}

async function readStdin(stdin: CliIo["stdin"]): Promise<string> {
  if (!stdin) throw usageError("-f - reads the spec from standard input, and there is none");
  if (stdin.isTTY) {
    throw usageError(
      "-f - reads the spec from standard input, which is a terminal",
      "pipe or redirect the spec: pyfront plan -f - . < pyproject.toml",
    );
  }
  // Stops past the limit: `-f - < /dev/zero` ends with a message, not with all memory.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    chunks.push(buffer);
    size += buffer.length;
    if (size > MAX_INPUT_FILE_BYTES) {
      throw usageError(`the spec on standard input is larger than ${MAX_INPUT_FILE_BYTES} bytes`);
    }
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A build that failed and said why already; only its exit code is left. */
class BuildFailed extends Error {
  constructor(readonly exitCode: number) {
    super("the build failed");
  }
}

function reportError(error: unknown, report: DiagnosticReport, io: CliIo): number {
  if (error instanceof BuildFailed) return error.exitCode;
  if (error instanceof CommanderError) {
    // Help and version end through here too, with exit code 0.
    if (error.exitCode === 0) return 0;
    if (report.format === "json") {
      report.add([{ code: "usage", severity: "error", message: error.message.replace(/^error: /, "") }]);
    }
    return EXIT_USER_ERROR;
  }
  if (error instanceof SpecError) {
    report.add(error.diagnostics);
    report.summarise(error.diagnostics.filter((d) => d.severity === "error").length);
    return EXIT_USER_ERROR;
  }
  const message = error instanceof Error ? error.message : String(error);
  report.add([{ code: "internal-error", severity: "error", message: `pyfront: internal error: ${message}` }]);
  if (io.env.PYFRONT_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  else if (report.format === "text")
    io.stderr.write("(set PYFRONT_DEBUG=1 for details, and please report this)\n");
  return EXIT_INTERNAL_ERROR;
}
