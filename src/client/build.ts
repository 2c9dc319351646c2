import { basename } from "node:path";
import type { WorkerRecord } from "../buildkit/gen/moby/buildkit/v1/types/worker_pb.js";
import {
  type GatewayClient,
  type GatewayEnv,
  type ReturnInput,
  statusFromError,
  type WorkerInfo,
} from "../buildkit/index.js";
import { type FrontendHooks, runFrontend } from "../frontend/frontend.js";
import { type CacheEntry, cacheImportsAttr } from "./cache-flag.js";
import { connectControl, probeWorkers } from "./control.js";
import { describeSocket, type EngineAddress } from "./engine-address.js";
import { BuildProgress, type ProgressRenderer } from "./progress.js";
import type { RegistryCredential } from "./registry-auth.js";
import {
  type ClientSession,
  newSessionId,
  sessionSharedKey,
  startControlSession,
  startDockerSession,
} from "./session.js";

/** What `pyfront build` asks of the engine. */
export interface ClientBuildRequest {
  address: EngineAddress;
  /** The build context, absolute. */
  contextDir: string;
  /** The folder the spec file is in and its name there; no name lets the frontend find it. */
  specDir: string;
  specName?: string;
  tags: readonly string[];
  buildArgs: Readonly<Record<string, string>>;
  labels?: Readonly<Record<string, string>>;
  target?: string;
  /** One platform, os/arch[/variant]; the frontend refuses several. */
  platform?: string;
  /** On a standalone BuildKit, its image exporter pushes; a Docker daemon's loads, and the CLI pushes after. */
  push?: boolean;
  /** Caches to import (`--cache-from`) and the one to export (`--cache-to`). */
  cacheImports?: readonly CacheEntry[];
  cacheExports?: readonly CacheEntry[];
  noCache: boolean;
  network: "default" | "host" | "none";
  secrets: ReadonlyMap<string, Uint8Array>;
  /** `--ssh`: agent id → socket, forwarded over the session to RUN steps with an ssh mount. */
  sshAgents?: ReadonlyMap<string, string>;
  /** Registry logins BuildKit asks the session for (pulls of the base images, pushes). */
  credentials?: (host: string) => RegistryCredential | undefined;
  /** How progress is shown. */
  renderer: ProgressRenderer;
  hooks?: FrontendHooks;
  /**
   * How the session is opened: Docker's `/session` endpoint on a Docker daemon, Control.Session on
   * a standalone BuildKit (the default for each); a Docker daemon takes both.
   */
  sessionVia?: "docker-endpoint" | "control";
  /** Ctrl-C: cancels the build on the engine. */
  signal?: AbortSignal;
  /**
   * The build run as the frontend, in place of pyfront's own (src/frontend): `pyfront images build`
   * solves an images-as-code definition through the same client, session and progress.
   */
  frontend?: (gateway: GatewayClient, env: GatewayEnv) => Promise<ReturnInput>;
}

export interface ClientBuildResult {
  ok: boolean;
  /** The engine's error, when the build failed. */
  error?: string;
  /** Every step the engine reported. */
  progress: BuildProgress;
  exporterResponse: Record<string, string>;
}

/** A worker as the frontend reads it (BUILDKIT_WORKERS' shape). */
function workerInfo(record: WorkerRecord): WorkerInfo {
  return {
    ID: record.ID,
    Labels: record.Labels,
    Platforms: record.platforms.map((p) => ({
      architecture: p.Architecture,
      os: p.OS,
      ...(p.Variant ? { variant: p.Variant } : {}),
    })),
  };
}

/** The frontend options, as docker build sends them for the same flags. */
export function frontendAttributes(
  request: Omit<ClientBuildRequest, "renderer" | "address" | "secrets" | "credentials" | "sshAgents">,
): Record<string, string> {
  const attrs: Record<string, string> = Object.create(null);
  if (request.specName) attrs.filename = request.specName;
  for (const [key, value] of Object.entries(request.buildArgs)) attrs[`build-arg:${key}`] = value;
  for (const [key, value] of Object.entries(request.labels ?? {})) attrs[`label:${key}`] = value;
  if (request.target) attrs.target = request.target;
  if (request.platform) attrs.platform = request.platform;
  if (request.cacheImports?.length) attrs["cache-imports"] = cacheImportsAttr(request.cacheImports);
  if (request.noCache) attrs["no-cache"] = "";
  if (request.network !== "default") attrs["force-network-mode"] = request.network;
  return Object.fromEntries(
    Object.keys(attrs)
      .sort()
      .map((k) => [k, attrs[k] as string]),
  );
}

/** Session name as BuildKit shows it; header values must be plain ASCII. */
function sessionName(contextDir: string): string {
  const name = basename(contextDir).replace(/[^\x21-\x7e]/g, "_");
  return name === "" ? "pyfront" : name;
}

function describeEngine(address: EngineAddress): string {
  return `the ${address.kind === "docker" ? "Docker daemon" : "BuildKit daemon"} at ${describeSocket(address.socket)}`;
}

/**
 * Where the image goes: a Docker daemon's image store (the `moby` exporter, as buildx's docker
 * driver uses); on a standalone BuildKit, its own image store under the tags (`image`), or
 * nowhere but the cache without tags.
 */
export function exporterFor(
  request: Pick<ClientBuildRequest, "address" | "tags" | "push">,
): { type: string; attrs: Record<string, string> } | undefined {
  const named = request.tags.length > 0 ? { name: request.tags.join(",") } : undefined;
  if (request.address.kind === "docker") return { type: "moby", attrs: named ?? {} };
  if (!named) return undefined;
  return { type: "image", attrs: request.push ? { ...named, push: "true" } : named };
}

/** How long the status stream may go on after Solve has answered. */
const STATUS_DRAIN_MS = 3_000;

/**
 * One build, buildkit's client.Build way: a Control.Solve with no frontend and no definition, and
 * this process as the frontend — src/frontend's own build, run against the LLBBridge that
 * BuildKit serves on the same connection for this build's ref.
 */
export async function buildWithClient(request: ClientBuildRequest): Promise<ClientBuildResult> {
  const connection = await connectControl(request.address);
  let session: ClientSession | undefined;
  const progress = new BuildProgress(request.renderer);
  const statusAbort = new AbortController();
  try {
    const workers = await probeWorkers(connection);
    const sessionVia =
      request.sessionVia ?? (request.address.kind === "docker" ? "docker-endpoint" : "control");
    const startSession = sessionVia === "control" ? startControlSession : startDockerSession;
    session = await startSession(request.address, {
      name: sessionName(request.contextDir),
      sharedKey: sessionSharedKey(request.contextDir),
      attachables: {
        localDirs: { context: request.contextDir, dockerfile: request.specDir },
        secrets: request.secrets,
        ...(request.credentials ? { credentials: request.credentials } : {}),
        ...(request.sshAgents ? { sshAgents: request.sshAgents } : {}),
      },
    });
    const ref = newSessionId();
    const attrs = frontendAttributes(request);
    const exporter = exporterFor(request);

    const status = (async () => {
      try {
        for await (const update of connection.control.status({ Ref: ref }, { signal: statusAbort.signal })) {
          progress.update(update);
        }
      } catch {
        // The stream ends with the build; an abort after the drain time is not an error.
      }
    })();

    const solveAbort = new AbortController();
    const onCancel = () => solveAbort.abort();
    request.signal?.addEventListener("abort", onCancel);
    const solve = connection.control.solve(
      {
        Ref: ref,
        Session: session.id,
        Frontend: "",
        FrontendAttrs: attrs,
        // BuildKit v0.8 reads only the single exporter fields; v0.13 takes the list.
        ...(exporter
          ? {
              ExporterDeprecated: exporter.type,
              ExporterAttrsDeprecated: exporter.attrs,
              Exporters: [{ Type: exporter.type, Attrs: exporter.attrs }],
            }
          : {}),
        Entitlements: request.network === "host" ? ["network.host"] : [],
        // Imports go to the frontend's solves too (cache-imports); exports are the Solve's own.
        Cache: {
          Imports: (request.cacheImports ?? []).map((e) => ({ Type: e.type, Attrs: e.attrs })),
          Exports: (request.cacheExports ?? []).map((e) => ({ Type: e.type, Attrs: e.attrs })),
        },
      },
      { signal: solveAbort.signal },
    );
    // Runs alongside Solve, as buildkit's client.Build runs its build function.
    const frontend = (async () => {
      const gateway = connection.gatewayFor(ref);
      const env: GatewayEnv = {
        opts: attrs,
        sessionId: session.id,
        workers: workers.map(workerInfo),
        product: "pyfront",
      };
      const result = request.frontend
        ? await request.frontend(gateway, env)
        : await runFrontend(gateway, env, request.hooks);
      await gateway.return(result);
    })();

    let solved: Awaited<typeof solve> | undefined;
    let error: string | undefined;
    try {
      solved = await solve;
    } catch (caught) {
      const detail = statusFromError(caught).message;
      error = request.signal?.aborted
        ? "cancelled (the engine stops the build)"
        : connection.lost
          ? `the connection to ${describeEngine(request.address)} was lost during the build (${detail})`
          : detail;
    } finally {
      request.signal?.removeEventListener("abort", onCancel);
    }
    try {
      await frontend;
    } catch (caught) {
      // A gateway call that failed because the build ended already says nothing new.
      error ??= `the build's frontend failed: ${statusFromError(caught).message}`;
    }
    const drained = setTimeout(() => statusAbort.abort(), STATUS_DRAIN_MS);
    await status;
    clearTimeout(drained);
    progress.finish();
    return {
      ok: error === undefined,
      ...(error !== undefined ? { error } : {}),
      progress,
      exporterResponse: solved?.ExporterResponse ?? {},
    };
  } finally {
    statusAbort.abort();
    session?.close();
    connection.close();
  }
}
