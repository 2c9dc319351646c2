import { Command, CommanderError, Option } from "commander";
import { formatDiagnostic, SpecError } from "../spec/index.js";
import { type LoadedProject, loadProject, type ProjectArguments } from "./project-input.js";
import { renderProjectDockerfile, renderProjectLlb, renderProjectPlan } from "./renderings.js";

/** Exit codes: 2 for anything the user can fix, 1 for pyfront's own failures. */
export const EXIT_USER_ERROR = 2;
export const EXIT_INTERNAL_ERROR = 1;

interface ProjectFlags {
  file?: string;
  target?: string;
  buildArg: string[];
}

/** Runs the CLI and resolves to the process exit code; all output goes through the given streams. */
export async function runCli(
  argv: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv },
): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    return reportError(error, io.stderr, io.env);
  }
}

function buildProgram(io: {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}) {
  const program = new Command("pyfront")
    .description("Build best-practice container images from Python projects through BuildKit.")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError("(run with --help for usage)");

  const projectCommand = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .argument("[dir]", "build context directory", ".")
      .option("-f, --file <file>", "spec file (pyproject.toml, Mopyfile.yaml); default: found in DIR")
      .option("-t, --target <name>", "target to build, for specs that define several")
      .addOption(
        new Option("--build-arg <key=value>", "build argument, as for docker build (repeatable)")
          .argParser((value: string, previous: string[] = []) => [...previous, value])
          .default([]),
      );

  const load = (dir: string, flags: ProjectFlags): LoadedProject => {
    const project = loadProject(toProjectArguments(dir, flags, io.env));
    for (const warning of project.warnings) io.stderr.write(`${formatDiagnostic(warning)}\n`);
    return project;
  };

  projectCommand("dockerfile", "print the Dockerfile equivalent to the project's spec").action(
    (dir: string, flags: ProjectFlags) => {
      io.stdout.write(renderProjectDockerfile(load(dir, flags)));
    },
  );

  projectCommand("plan", "print the build plan as JSON").action((dir: string, flags: ProjectFlags) => {
    io.stdout.write(renderProjectPlan(load(dir, flags)));
  });

  projectCommand("llb", "print the LLB definition (binary, for buildctl build; --json for people)")
    .option("--json", "print the definition as JSON")
    .action((dir: string, flags: ProjectFlags & { json?: boolean }) => {
      const project = load(dir, flags);
      const out = renderProjectLlb(project, { json: flags.json === true });
      io.stdout.write(out);
    });

  return program;
}

function toProjectArguments(dir: string, flags: ProjectFlags, env: NodeJS.ProcessEnv): ProjectArguments {
  const buildArgs: Record<string, string> = Object.create(null); // --build-arg __proto__=x is a plain key
  for (const raw of flags.buildArg) {
    const eq = raw.indexOf("=");
    // Like docker build: a bare KEY takes its value from the environment, if set there.
    if (eq === -1) {
      const fromEnv = env[raw];
      if (fromEnv !== undefined) buildArgs[raw] = fromEnv;
    } else {
      buildArgs[raw.slice(0, eq)] = raw.slice(eq + 1);
    }
  }
  return {
    dir,
    buildArgs,
    ...(flags.file ? { file: flags.file } : {}),
    ...(flags.target ? { target: flags.target } : {}),
  };
}

function reportError(error: unknown, stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv): number {
  if (error instanceof CommanderError) {
    // Help and version end through here too, with exit code 0.
    return error.exitCode === 0 ? 0 : EXIT_USER_ERROR;
  }
  if (error instanceof SpecError) {
    for (const d of error.diagnostics) stderr.write(`${formatDiagnostic(d)}\n`);
    const count = error.diagnostics.filter((d) => d.severity === "error").length;
    stderr.write(`pyfront: ${count} error${count === 1 ? "" : "s"}\n`);
    return EXIT_USER_ERROR;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`pyfront: internal error: ${message}\n`);
  if (env.PYFRONT_DEBUG && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  else stderr.write("(set PYFRONT_DEBUG=1 for details, and please report this)\n");
  return EXIT_INTERNAL_ERROR;
}
