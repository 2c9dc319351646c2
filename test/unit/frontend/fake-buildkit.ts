// An in-process LLBBridge that serves each local (`dockerfile`, `context`) from its own files, as
// BuildKit does after the client's file sync: enough to run the whole frontend in a unit test.
import * as http2 from "node:http2";
import * as net from "node:net";
import { create, fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createGatewayClientOverDuplex, type GatewayClient } from "../../../src/buildkit/gateway/index.js";
import { APICapSchema } from "../../../src/buildkit/gen/moby/buildkit/v1/apicaps/caps_pb.js";
import {
  LLBBridge,
  type SolveRequest,
  type WarnRequest,
} from "../../../src/buildkit/gen/moby/buildkit/v1/frontend/gateway_pb.js";
import { OpSchema, type SourceOp } from "../../../src/buildkit/gen/pb/ops_pb.js";
import { CAP_FIRST_RELEASE } from "../../../src/buildkit/llb/index.js";

/** Path → content; folders are implied by the paths. */
export type Files = Record<string, string>;

/** Go's os.ModeDir; added, not or-ed: JavaScript's `|` would make it a negative int32. */
const GO_MODE_DIR = 0x80000000;
export const BASE_IMAGE_DIGEST = `sha256:${"a".repeat(64)}`;
/** What ResolveImageConfig answers for every base image. */
export const BASE_CONFIG = {
  config: { Env: ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"], Cmd: ["python3"] },
};

/** The caps of a BuildKit release, e.g. 8 for Docker 20.10's v0.8, 13 for Docker 26.1's. */
function capsUpTo(minor: number) {
  return Object.entries(CAP_FIRST_RELEASE)
    .filter(([, release]) => Number(/^v0\.(\d+)$/.exec(release)?.[1]) <= minor)
    .map(([ID]) => create(APICapSchema, { ID, Enabled: true }));
}

export interface FakeBuildKit {
  gateway: GatewayClient;
  solves: SolveRequest[];
  /** The local sources solved, in order, with their attributes (excludepatterns, followpaths, ...). */
  locals: SourceOp[];
  warnings: string[];
  /** The image references resolved (ResolveImageConfig), in order. */
  resolved: string[];
  /** The platform of each resolution, `os/arch` ("" for none), in the same order. */
  resolvedPlatforms: string[];
  /** Every context read, in the order asked: `ReadFile path`, `ReadDir path`, `StatFile path`. */
  reads: string[];
  close(): Promise<void>;
}

export interface FakeBuildKitOptions {
  /** What `local://dockerfile` holds: the folder of the file `-f` named. */
  dockerfile: Files;
  /** What `local://context` holds, after .dockerignore: write only what BuildKit would send. */
  context: Files;
  /** BuildKit minor release whose caps are announced; 13 announces warnings. */
  release?: number;
  /** Base images the engine has for linux/amd64 only, and answers with for any platform (Docker's containerd store). */
  amd64OnlyImages?: string[];
  /** Base images that fail to resolve, the way engine B says so without a registry. */
  missingImages?: string[];
  /** An engine older than the Inputs call (BuildKit before v0.7): it answers Unimplemented. */
  noInputs?: boolean;
  /** Folders whose ReadDir fails this many times (a gateway error that is not "not found") before it answers. */
  failingListings?: Record<string, number>;
}

export async function startFakeBuildKit(options: FakeBuildKitOptions): Promise<FakeBuildKit> {
  const solves: SolveRequest[] = [];
  const locals: SourceOp[] = [];
  const warnings: string[] = [];
  const resolved: string[] = [];
  const resolvedPlatforms: string[] = [];
  const reads: string[] = [];
  const refs = new Map<string, Files>();
  const caps = capsUpTo(options.release ?? 8);

  const filesOf = (ref: string): Files => {
    const files = refs.get(ref);
    if (!files) throw new ConnectError(`unknown ref ${ref}`, Code.NotFound);
    return files;
  };
  const isFolder = (files: Files, path: string) =>
    path === "" || path === "." || Object.keys(files).some((f) => f.startsWith(`${path}/`));

  const routes = (router: ConnectRouter) =>
    router.service(LLBBridge, {
      ping: () => ({ FrontendAPICaps: caps, LLBCaps: caps, Workers: [] }),
      inputs: () => {
        if (options.noInputs) throw new ConnectError("unknown method Inputs", Code.Unimplemented);
        return { Definitions: {} };
      },
      solve: (req) => {
        solves.push(req);
        const id = `ref-${solves.length}`;
        const sources = (req.Definition?.def ?? [])
          .map((bytes) => fromBinary(OpSchema, bytes).op)
          .flatMap((op) => (op.case === "source" ? [op.value] : []));
        const local = sources.length === 1 ? sources[0] : undefined;
        if (local?.identifier === "local://dockerfile") refs.set(id, options.dockerfile);
        else if (local?.identifier === "local://context") refs.set(id, options.context);
        else refs.set(id, {});
        if (local?.identifier.startsWith("local://")) locals.push(local);
        return { result: { result: { case: "ref", value: { id } } } };
      },
      readFile: (req) => {
        reads.push(`ReadFile ${req.FilePath}`);
        const text = filesOf(req.Ref)[req.FilePath];
        if (text === undefined) throw new ConnectError(`no such file ${req.FilePath}`, Code.NotFound);
        const bytes = new TextEncoder().encode(text);
        const offset = Number(req.Range?.Offset ?? 0n);
        const length = req.Range ? Number(req.Range.Length) : bytes.length;
        return { Data: bytes.subarray(offset, offset + length) };
      },
      statFile: (req) => {
        reads.push(`StatFile ${req.Path}`);
        const files = filesOf(req.Ref);
        const text = files[req.Path];
        if (text !== undefined) {
          return {
            stat: { path: req.Path, mode: 0o644, size: BigInt(new TextEncoder().encode(text).length) },
          };
        }
        if (isFolder(files, req.Path)) return { stat: { path: req.Path, mode: GO_MODE_DIR + 0o755 } };
        throw new ConnectError(`no such file ${req.Path}`, Code.NotFound);
      },
      readDir: (req) => {
        reads.push(`ReadDir ${req.DirPath}`);
        const failures = options.failingListings?.[req.DirPath] ?? 0;
        if (failures > 0) {
          options.failingListings![req.DirPath] = failures - 1;
          throw new ConnectError("rpc error: transport is closing", Code.Unavailable);
        }
        const files = filesOf(req.Ref);
        const dir = req.DirPath === "." || req.DirPath === "" ? "" : req.DirPath;
        if (!isFolder(files, dir)) throw new ConnectError(`no such folder ${req.DirPath}`, Code.NotFound);
        const prefix = dir === "" ? "" : `${dir}/`;
        const entries = new Map<string, { path: string; mode: number; size: bigint }>();
        for (const [file, text] of Object.entries(files)) {
          if (!file.startsWith(prefix)) continue;
          const [name, ...rest] = file.slice(prefix.length).split("/");
          if (!name) continue;
          entries.set(
            name,
            rest.length > 0
              ? { path: name, mode: GO_MODE_DIR + 0o755, size: 0n }
              : { path: name, mode: 0o644, size: BigInt(new TextEncoder().encode(text).length) },
          );
        }
        return { entries: [...entries.values()] };
      },
      warn: (req: WarnRequest) => {
        warnings.push(new TextDecoder().decode(req.short));
        return {};
      },
      resolveImageConfig: (req) => {
        resolved.push(req.Ref);
        resolvedPlatforms.push(req.Platform ? `${req.Platform.OS}/${req.Platform.Architecture}` : "");
        if (options.missingImages?.includes(req.Ref)) {
          throw new ConnectError(
            `failed to resolve source metadata for docker.io/library/${req.Ref}: no such host`,
            Code.Unknown,
          );
        }
        return {
          Digest: BASE_IMAGE_DIGEST,
          // A registry's index: the config of the platform asked for, unless the image has only amd64.
          Config: new TextEncoder().encode(
            JSON.stringify({
              ...BASE_CONFIG,
              os: "linux",
              architecture: options.amd64OnlyImages?.includes(req.Ref)
                ? "amd64"
                : (req.Platform?.Architecture ?? "amd64"),
            }),
          ),
          Ref: req.Ref,
        };
      },
    });
  const server = http2.createServer(connectNodeAdapter({ routes }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const sockets: net.Socket[] = [];
  const gateway = createGatewayClientOverDuplex(() => {
    const socket = net.connect(port, "127.0.0.1");
    sockets.push(socket);
    return socket;
  });
  return {
    gateway,
    solves,
    locals,
    warnings,
    resolved,
    resolvedPlatforms,
    reads,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export const frontendEnv = (opts: Record<string, string> = {}) => ({
  opts: { filename: "pyproject.toml", ...opts },
  sessionId: "session-1",
  workers: [],
  product: "moby",
});
