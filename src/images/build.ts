import {
  formatPlatform,
  GatewayCap,
  type GatewayClient,
  type GatewayEnv,
  GatewayError,
  marshalDefinition,
  messageStatus,
  type Platform,
  parsePlatform,
  type ReturnInput,
  statusFromError,
} from "../buildkit/index.js";
import type { ImageConfigJson } from "../render/llb-image-config.js";
import { compileContainer, pinnedBaseRef } from "./compile.js";
import type { ImageVersion } from "./family.js";
import { versionLabels } from "./lock.js";

export interface VersionBuildOptions {
  /** Platforms to build; default the version's own. */
  platforms?: readonly string[];
  /** Pull this image in place of the pinned base (a mirror, a test engine's stand-in). */
  baseSource?: string;
  network?: "sandbox" | "host" | "none";
  /** Environment of every run, not of the image (see CompileOptions.buildEnv). */
  buildEnv?: readonly (readonly [string, string])[];
}

/** Platforms asked for that no worker of the engine runs, as a sentence; undefined when all can be built. */
export function unbuildablePlatforms(wanted: readonly Platform[], env: GatewayEnv): string | undefined {
  const offered = env.workers.flatMap((w) =>
    (w.Platforms ?? []).map((p) =>
      formatPlatform(parsePlatform(`${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`)),
    ),
  );
  if (offered.length === 0) return undefined; // an engine that names none builds its own
  const missing = wanted.map(formatPlatform).filter((p) => !offered.includes(p));
  if (missing.length === 0) return undefined;
  return `this engine cannot build ${missing.join(", ")}: its workers run ${[...new Set(offered)].join(", ")} (an engine with QEMU emulation registered, or a native worker, can)`;
}

/**
 * The frontend `pyfront images build` runs through src/client's build: the version compiled to
 * LLB, solved, and returned with its image config; several platforms become one index.
 */
export function versionFrontend(version: ImageVersion, options: VersionBuildOptions = {}) {
  return async (gateway: GatewayClient, env: GatewayEnv): Promise<ReturnInput> => {
    try {
      const platforms = (options.platforms ?? version.platforms).map(parsePlatform);
      const refused = unbuildablePlatforms(platforms, env);
      if (refused) return { error: messageStatus(`${version.name}: ${refused}`) };
      const { caps } = await gateway.ping();
      const evaluate = caps.frontend.has(GatewayCap.solveEvaluate);
      const built: { platform: Platform; ref: string; config: ImageConfigJson }[] = [];
      for (const platform of platforms) {
        const source = options.baseSource ?? pinnedBaseRef(version.container);
        const resolved = await gateway.resolveImageConfig(source, {
          platform,
          logName: `[internal] load metadata for ${source}`,
          ...(env.sessionId ? { sessionId: env.sessionId } : {}),
        });
        const baseConfig = JSON.parse(new TextDecoder().decode(resolved.config)) as ImageConfigJson;
        const compiled = compileContainer(version.container, {
          baseConfig,
          platform,
          labels: versionLabels(version),
          ...(options.baseSource ? { baseSource: options.baseSource } : {}),
          ...(options.network ? { network: options.network } : {}),
          ...(options.buildEnv?.length ? { buildEnv: options.buildEnv } : {}),
        });
        const { definition } = marshalDefinition(compiled.state, { caps, platform });
        const solved = await gateway.solve({ definition }, { evaluate });
        built.push({ platform, ref: solved.ref ?? "", config: compiled.imageConfig });
      }
      if (built.length === 1)
        return {
          ref: built[0]!.ref,
          metadata: { "containerimage.config": JSON.stringify(built[0]!.config) },
        };
      const metadata: Record<string, string> = {
        "refs.platforms": JSON.stringify({
          platforms: built.map((b) => ({ id: formatPlatform(b.platform), platform: b.platform })),
        }),
      };
      for (const b of built)
        metadata[`containerimage.config/${formatPlatform(b.platform)}`] = JSON.stringify(b.config);
      return { refs: Object.fromEntries(built.map((b) => [formatPlatform(b.platform), b.ref])), metadata };
    } catch (error) {
      // A failed solve carries BuildKit's own status (the failed step, its source): forwarded as is.
      return { error: error instanceof GatewayError ? error.status : statusFromError(error) };
    }
  };
}
