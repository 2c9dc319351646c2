/** What a `docker build` asked of the frontend, read from BuildKit's frontend options. */
export interface FrontendOptions {
  /** Spec file inside the `dockerfile` local, e.g. "pyproject.toml". */
  filename: string;
  /**
   * The client named no file (`buildctl --frontend gateway.v0` without `--opt filename`): the
   * layout is detected in the `dockerfile` local, as the CLI does for a folder.
   */
  detectFilename: boolean;
  target?: string;
  buildArgs: Record<string, string>;
  /** `--label` values; they win over the spec's labels. */
  labels: Record<string, string>;
  /** Requested platforms (`--platform`), empty for the worker's default. */
  platforms: string[];
  /**
   * The client wants the multi-platform result form even for one platform (`multi-platform`,
   * or the build arg BUILDKIT_MULTI_PLATFORM, as the Dockerfile frontend reads them).
   */
  multiPlatform: boolean;
  /** `--no-cache`: true for every step. Stage-scoped lists mean the same here (one image). */
  noCache: boolean;
  networkMode: "default" | "host" | "none";
  imageResolveMode: "default" | "pull" | "local";
  /** A subrequest such as `frontend.subrequests.describe`, when the client asked for one. */
  requestId?: string;
  /** `--cache-from`: caches to import, as the Dockerfile frontend reads them. */
  cacheImports: CacheImport[];
  /** `--build-context NAME=VALUE`: name → value as sent (`docker-image://REF`, `local:NAME`, ...). */
  namedContexts: Record<string, string>;
  /**
   * An SBOM attestation was asked for: `attest:sbom` (buildx `--sbom=true`, `--attest type=sbom`)
   * or the build arg `BUILDKIT_ATTEST_SBOM`, both read by BuildKit's own attestation parser.
   */
  sbom: boolean;
}

export interface CacheImport {
  type: string;
  attrs: Record<string, string>;
}

export const DEFAULT_SPEC_FILENAME = "pyproject.toml";
/** The file `docker build` reads when it is given no -f. */
const DOCKERFILE_DEFAULT_NAME = "Dockerfile";

/** Turns BuildKit's raw option map (`build-arg:X`, `label:Y`, `filename`, ...) into FrontendOptions. */
export function readFrontendOptions(opts: Record<string, string>): FrontendOptions {
  // Null-prototype: a build arg named __proto__ or toString is an ordinary key.
  const buildArgs: Record<string, string> = Object.create(null);
  const labels: Record<string, string> = Object.create(null);
  const namedContexts: Record<string, string> = Object.create(null);
  for (const key of Object.keys(opts).sort()) {
    const value = opts[key] ?? "";
    if (key.startsWith("build-arg:")) buildArgs[key.slice("build-arg:".length)] = value;
    else if (key.startsWith("label:")) labels[key.slice("label:".length)] = value;
    else if (key.startsWith("context:")) namedContexts[key.slice("context:".length)] = value;
  }
  const network = opts["force-network-mode"];
  const resolve = opts["image-resolve-mode"];
  const target = opts.target || buildArgs.microb_target || undefined;
  // The Dockerfile frontend hands over to us for a `# syntax=` line only after reading the file it
  // was given, by default "Dockerfile" (with BUILDKIT_SYNTAX it hands over before reading any).
  const fromSyntaxLine =
    !opts.filename && opts.cmdline !== undefined && buildArgs.BUILDKIT_SYNTAX === undefined;
  const filename = opts.filename || (fromSyntaxLine ? DOCKERFILE_DEFAULT_NAME : "");
  return {
    filename: filename || DEFAULT_SPEC_FILENAME,
    detectFilename: !filename,
    ...(target ? { target } : {}),
    buildArgs,
    labels,
    platforms: (opts.platform ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== ""),
    multiPlatform: goBool(opts["multi-platform"] ?? buildArgs.BUILDKIT_MULTI_PLATFORM),
    noCache: opts["no-cache"] !== undefined,
    networkMode: network === "host" || network === "none" ? network : "default",
    imageResolveMode: resolve === "pull" || resolve === "local" ? resolve : "default",
    ...(opts.requestid ? { requestId: opts.requestid } : {}),
    cacheImports: readCacheImports(opts),
    namedContexts,
    sbom: sbomRequested(opts),
  };
}

/**
 * Whether the client asked for an SBOM, as BuildKit's `attestations.Parse` reads it: the option
 * `attest:sbom` or the build arg `BUILDKIT_ATTEST_SBOM`, whose value is comma-separated
 * `key=value` fields (`generator=IMAGE` names a scanner, which pyfront does not need). buildx
 * drops a disabled attestation itself; `disabled=true` is honoured here too.
 */
function sbomRequested(opts: Record<string, string>): boolean {
  const value = opts["attest:sbom"] ?? opts["build-arg:BUILDKIT_ATTEST_SBOM"];
  if (value === undefined) return false;
  const fields = value.split(",").map((field) => field.trim().toLowerCase());
  return !fields.some((field) => field === "disabled=true" || field === "disabled=1");
}

/**
 * The caches to import, as the Dockerfile frontend reads them: `cache-imports` (JSON, buildx) or
 * else `cache-from` (comma-separated image references, Docker 20.10's `docker build`).
 */
function readCacheImports(opts: Record<string, string>): CacheImport[] {
  const json = opts["cache-imports"];
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new FrontendOptionError(`the cache-imports option is not JSON: ${json.slice(0, 200)}`);
    }
    if (!Array.isArray(parsed)) throw new FrontendOptionError("the cache-imports option is not a list");
    return parsed.map((entry) => {
      const type = entry?.Type ?? entry?.type;
      const attrs = entry?.Attrs ?? entry?.attrs ?? {};
      if (typeof type !== "string" || attrs === null || typeof attrs !== "object") {
        throw new FrontendOptionError(
          `a cache import is not {Type, Attrs}: ${JSON.stringify(entry).slice(0, 200)}`,
        );
      }
      const clean: Record<string, string> = Object.create(null);
      for (const [key, value] of Object.entries(attrs)) if (typeof value === "string") clean[key] = value;
      return { type, attrs: clean };
    });
  }
  return (opts["cache-from"] ?? "")
    .split(",")
    .map((ref) => ref.trim())
    .filter((ref) => ref !== "")
    .map((ref) => ({ type: "registry", attrs: { ref } }));
}

/** An option the client sent that cannot be read: the build stops with this message. */
export class FrontendOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FrontendOptionError";
  }
}

/** Go's strconv.ParseBool, which BuildKit's frontends use for boolean options; anything else is false. */
function goBool(value: string | undefined): boolean {
  return value !== undefined && ["1", "t", "T", "TRUE", "true", "True"].includes(value);
}
