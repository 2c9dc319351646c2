/**
 * A PYENV Dockerfile's build: the PYENV lines are expanded (src/render/pyenv-dockerfile.ts) and the
 * result goes to the stock Dockerfile frontend through the gateway, with every option the client
 * gave, so the rest of the file builds exactly as without pyfront. Its errors come back here and
 * are pointed at the user's lines before they reach the client.
 */
import type { Status } from "../buildkit/gen/google/rpc/status_pb.js";
import type { Definition } from "../buildkit/gen/pb/ops_pb.js";
import {
  type Capabilities,
  GatewayCap,
  type GatewayClient,
  GatewayError,
  marshalDefinition,
  type ReturnInput,
  SOURCE_DETAIL_TYPE_URL,
  scratch,
} from "../buildkit/index.js";
import type { FoundIgnoreFile } from "../context/default-excludes.js";
import {
  expandPyenvDockerfile,
  PYENV_PIP_ARGS,
  PYENV_RELEASE_ARG,
  PYENV_SYNTAX_ARG,
  type PyenvExpansion,
} from "../render/pyenv-dockerfile.js";
import type { BuildSpec } from "../spec/build-spec.js";
import { SpecError } from "../spec/diagnostics.js";
import { CONTROL_CHARACTERS, splitUrlCredentials } from "../spec/value-rules.js";
import type { FrontendOptions } from "./options.js";

export interface PyenvBuildInput {
  gateway: GatewayClient;
  caps: Capabilities;
  /** The client's frontend options, as BuildKit gave them. */
  opts: Record<string, string>;
  options: FrontendOptions;
  spec: BuildSpec;
  /** The client's frontend inputs (named contexts, a forwarded context). */
  inputs: Record<string, Definition>;
  /** The ignore file next to the Dockerfile, which the Dockerfile frontend reads from its own input. */
  ignore: FoundIgnoreFile | undefined;
  sessionId: string;
  /** The user's Dockerfile (redacted) and its name, for errors shown with its lines. */
  source: { text: string; filename: string };
}

/**
 * Options of ours that must not reach the Dockerfile frontend. `requestid` passes: the Dockerfile
 * frontend answers outline, targets and lint for the expanded file.
 */
const DROPPED_OPTS = ["dockerfilekey"];

export async function buildPyenvDockerfile(input: PyenvBuildInput): Promise<ReturnInput> {
  const { gateway, caps, options, spec } = input;
  checkPipArgs(options.buildArgs);
  const first = expandPyenvDockerfile(spec, { buildArgs: options.buildArgs });
  const imageUsers = await resolveImageUsers(gateway, first.imagesToResolve, options, input.sessionId);
  const expansion = expandPyenvDockerfile(spec, { buildArgs: options.buildArgs, imageUsers });
  await checkInterpreters(gateway, expansion, options, input.sessionId);

  const filename = options.filename;
  let files = scratch();
  const folder = filename.includes("/") ? filename.slice(0, filename.lastIndexOf("/")) : "";
  if (folder) files = files.mkdir(folder, { makeParents: true });
  files = files.mkfile(filename, expansion.text, {
    customName: `[internal] ${filename} with PYENV expanded`,
  });
  if (input.ignore?.kind === "spec-dockerignore")
    files = files.mkfile(`${filename}.dockerignore`, input.ignore.text);
  const dockerfile = marshalDefinition(files, { caps }).definition;

  const frontendOpt: Record<string, string> = { ...input.opts, filename };
  for (const key of DROPPED_OPTS) delete frontendOpt[key];
  // cmdline keeps the Dockerfile frontend from following the file's `# syntax=` back to pyfront.
  if (!frontendOpt.cmdline) frontendOpt.cmdline = input.opts.source || "pyfront";
  const syntax = options.buildArgs[PYENV_SYNTAX_ARG];
  if (syntax) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(syntax)) {
      throw new SpecError([
        {
          code: "invalid-pyenv-syntax",
          message: `${PYENV_SYNTAX_ARG}=${JSON.stringify(syntax)} is not an image reference`,
          hint: "name a Dockerfile frontend image, e.g. docker/dockerfile:1.7",
          severity: "error",
        },
      ]);
    }
    frontendOpt.source = syntax;
  } else {
    delete frontendOpt.source;
  }

  try {
    const evaluate = caps.frontend.has(GatewayCap.solveEvaluate);
    const solved = await gateway.solve(
      {
        frontend: syntax ? "gateway.v0" : "dockerfile.v0",
        frontendOpt,
        frontendInputs: { ...input.inputs, dockerfile },
      },
      { evaluate },
    );
    // Without evaluate (BuildKit before 0.11) the build would run after we return, and its
    // errors would point into the expanded file: reading the result makes it run here.
    if (!evaluate && solved.ref) await gateway.statFile(solved.ref, "/");
    if (!solved.result) return { ref: solved.ref ?? "" };
    return { result: solved.result };
  } catch (error) {
    if (error instanceof GatewayError) return { error: mappedStatus(error.status, expansion, input.source) };
    throw error;
  }
}

/**
 * pip's index variables go to the venv stages as build args, which BuildKit keeps in the
 * build's definition and cache: a URL with credentials is refused rather than leaked.
 */
export function checkPipArgs(buildArgs: Readonly<Record<string, string>>): void {
  for (const arg of PYENV_PIP_ARGS) {
    const value = buildArgs[arg];
    if (!value) continue;
    const leaked = value.split(/\s+/).some((url) => splitUrlCredentials(url).username !== undefined);
    if (leaked || CONTROL_CHARACTERS.test(value)) {
      throw new SpecError([
        {
          code: "pyenv-index-credentials",
          message: `${arg} holds ${leaked ? "credentials" : "control characters"}: PYENV passes it to pip as a build arg, which the build's history keeps`,
          hint: "give PYENV an index without credentials (a mirror on the build's network), or build the venv with pyproject.toml's [tool.pyfront] and a build secret",
          severity: "error",
        },
      ]);
    }
  }
}

/** The user each base image's config sets, for stages whose Dockerfile says none. */
async function resolveImageUsers(
  gateway: GatewayClient,
  images: readonly string[],
  options: FrontendOptions,
  sessionId: string,
): Promise<Record<string, string>> {
  const users: Record<string, string> = {};
  for (const image of images) {
    try {
      const resolved = await gateway.resolveImageConfig(image, {
        resolveMode: options.imageResolveMode,
        logName: `[internal] load metadata for ${image}`,
        sessionId,
      });
      const config = JSON.parse(new TextDecoder().decode(resolved.config)) as { config?: { User?: string } };
      if (config.config?.User) users[image] = config.config.User;
    } catch (error) {
      // An image the engine cannot get is the Dockerfile frontend's to report, at its FROM line.
      if (!(error instanceof GatewayError)) throw error;
    }
  }
  return users;
}

/** Each interpreter image must be there: a missing one is named at its PYENV line. */
async function checkInterpreters(
  gateway: GatewayClient,
  expansion: PyenvExpansion,
  options: FrontendOptions,
  sessionId: string,
): Promise<void> {
  for (const interpreter of expansion.interpreters) {
    try {
      await gateway.resolveImageConfig(interpreter.image, {
        resolveMode: options.imageResolveMode,
        logName: `[internal] load metadata for ${interpreter.image}`,
        sessionId,
      });
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      const version = interpreter.image.slice("python:".length).split("-")[0];
      throw new SpecError([
        {
          code: "pyenv-image-unavailable",
          message: `PYENV ${version} needs the image ${JSON.stringify(interpreter.image)}, which is not available to this engine: ${error.status.message || error.message}`,
          hint: `pull or load ${interpreter.image} into the engine, or choose the Debian release of the interpreter with --build-arg ${PYENV_RELEASE_ARG}=<codename>`,
          position: interpreter.position,
          key: "PYENV",
          severity: "error",
        },
      ]);
    }
  }
}

interface SourceDetail {
  info?: { filename?: string; data?: string; language?: string; definition?: unknown };
  ranges?: { start?: { line?: number; character?: number }; end?: { line?: number; character?: number } }[];
}

/**
 * The Dockerfile frontend's error with the user's lines: `line N` in its message and the source
 * snippet it attaches (errdefs.Source, JSON on the wire) are mapped through the line map, and the
 * snippet shows the user's own file.
 */
export function mappedStatus(
  status: Status,
  expansion: Pick<PyenvExpansion, "lineMap">,
  source: { text: string; filename: string },
): Status {
  const map = (line: number) => expansion.lineMap[line - 1] ?? line;
  const message = status.message.replace(/\bline (\d+)\b/g, (_m, n: string) => `line ${map(Number(n))}`);
  const details = status.details.map((detail) => {
    if (detail.typeUrl !== SOURCE_DETAIL_TYPE_URL) return detail;
    let parsed: SourceDetail;
    try {
      parsed = JSON.parse(new TextDecoder().decode(detail.value)) as SourceDetail;
    } catch {
      return detail;
    }
    const seen = new Set<number>();
    const ranges = (parsed.ranges ?? []).flatMap((range) => {
      const start = map(range.start?.line ?? 1);
      const end = Math.max(start, map(range.end?.line ?? range.start?.line ?? 1));
      if (seen.has(start)) return [];
      seen.add(start);
      return [{ start: { line: start }, end: { line: end } }];
    });
    const value = {
      ...parsed,
      info: {
        ...parsed.info,
        filename: parsed.info?.filename ?? source.filename,
        data: Buffer.from(source.text).toString("base64"),
      },
      ranges,
    };
    return { ...detail, value: new TextEncoder().encode(JSON.stringify(value)) };
  });
  return { ...status, message, details };
}
