// Builds pyfront's frontend image into the selected engine, once per test run.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { engineEnv, repoRoot } from "./engine.js";

export const FRONTEND_IMAGE = "pyfront/frontend:dev";

let built = false;

/** Bundles the frontend and builds its image with the engine's own client, as `npm run frontend:image` does. */
export function ensureFrontendImage(): void {
  if (built) return;
  const env = engineEnv();
  execFileSync(
    process.execPath,
    [join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/frontend-image.ts"],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env.vars, PYFRONT_DOCKER: env.client },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  built = true;
}
