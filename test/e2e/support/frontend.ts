// Builds pyfront's frontend image into the selected engine, once per test run.
import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { type CommandResult, engineEnv, repoRoot } from "./engine.js";

/** The tag the examples' `#syntax=` lines name. */
export const EXAMPLES_FRONTEND_IMAGE = "pyfront/frontend:dev";

/**
 * The frontend image this run builds and tests. PYFRONT_TEST_FRONTEND gives each checkout its own
 * tag, so two checkouts testing against one engine never run each other's frontend.
 */
export const FRONTEND_IMAGE = process.env.PYFRONT_TEST_FRONTEND || EXAMPLES_FRONTEND_IMAGE;

/** A spec text whose `#syntax=` line names the frontend under test instead of the examples' tag. */
export function withTestedFrontend(text: string): string {
  return text.replace(/^#syntax=pyfront\/frontend:dev$/m, `#syntax=${FRONTEND_IMAGE}`);
}

let built = false;

/** Bundles the frontend and builds its image with the engine's own client, as `npm run frontend:image` does. */
export function ensureFrontendImage(): void {
  if (built) return;
  const env = engineEnv();
  execFileSync(
    process.execPath,
    [
      join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"),
      "scripts/frontend-image.ts",
      "--tag",
      FRONTEND_IMAGE,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env.vars, PYFRONT_DOCKER: env.client },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  built = true;
}

/** `npm run frontend:image -- ARGS` with the engine's client, as a user runs it from the checkout. */
export function frontendImageScript(args: readonly string[]): Promise<CommandResult> {
  const env = engineEnv();
  return new Promise((resolve) => {
    execFile(
      "npm",
      ["run", "--silent", "frontend:image", "--", ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env.vars, PYFRONT_DOCKER: env.client },
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
