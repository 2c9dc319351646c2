/** A worker as BuildKit lists it in BUILDKIT_WORKERS (Go's JSON field names). */
export interface WorkerInfo {
  ID?: string;
  Labels?: Record<string, string>;
  Platforms?: { architecture?: string; os?: string; variant?: string }[];
}

/** What BuildKit tells a gateway frontend through its environment. */
export interface GatewayEnv {
  /** Frontend options (`--build-arg`, `--target`, `filename`, ...), keys sorted. */
  opts: Record<string, string>;
  sessionId: string | undefined;
  workers: WorkerInfo[];
  /** BUILDKIT_EXPORTEDPRODUCT, e.g. "docker". */
  product: string | undefined;
}

const OPT_PREFIX = "BUILDKIT_FRONTEND_OPT_";

/**
 * Reads BUILDKIT_FRONTEND_OPT_<n> ("key=value", split on the first "="), BUILDKIT_SESSION_ID and
 * BUILDKIT_WORKERS. The numbering follows Go's map order and means nothing, so options are keyed
 * and sorted; a malformed entry or workers list is an error, never silently dropped.
 */
export function readGatewayEnv(env: Readonly<Record<string, string | undefined>>): GatewayEnv {
  const entries: [string, string][] = [];
  for (const name of Object.keys(env)) {
    if (!name.startsWith(OPT_PREFIX)) continue;
    const raw = env[name] ?? "";
    const eq = raw.indexOf("=");
    if (eq < 0) throw new Error(`${name}="${raw}" is not key=value`);
    entries.push([raw.slice(0, eq), raw.slice(eq + 1)]);
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const opts: Record<string, string> = {};
  for (const [k, v] of entries) opts[k] = v;

  let workers: WorkerInfo[] = [];
  const rawWorkers = env.BUILDKIT_WORKERS;
  if (rawWorkers) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawWorkers);
    } catch (e) {
      throw new Error(`BUILDKIT_WORKERS is not JSON: ${(e as Error).message}`);
    }
    if (parsed !== null && !Array.isArray(parsed)) throw new Error("BUILDKIT_WORKERS is not a JSON list");
    workers = (parsed ?? []) as WorkerInfo[];
  }
  return {
    opts,
    sessionId: env.BUILDKIT_SESSION_ID || undefined,
    workers,
    product: env.BUILDKIT_EXPORTEDPRODUCT || undefined,
  };
}
