import { statSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";

/** An `--ssh` value the user must fix (exit code 2). */
export class SshFlagError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "SshFlagError";
  }
}

/**
 * `--ssh` as docker build reads it: `default` (the agent of SSH_AUTH_SOCK), `ID` (the same
 * agent under another id) or `ID=SOCKET`. Resolves to agent id → socket path; each path must
 * be an agent's socket now. Key files are refused: this client forwards agents, it is not one.
 */
export function parseSshFlags(
  flags: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Map<string, string> {
  const agents = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    const id = (eq < 0 ? flag : flag.slice(0, eq)).trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id))
      throw new SshFlagError(
        `--ssh ${JSON.stringify(flag)}: ${JSON.stringify(id)} is not an id`,
        "write --ssh default or --ssh ID=SOCKET",
      );
    if (agents.has(id)) throw new SshFlagError(`--ssh ${id} is given twice`);
    const written = eq < 0 ? undefined : flag.slice(eq + 1).trim();
    if (written?.includes(","))
      throw new SshFlagError(
        `--ssh ${JSON.stringify(flag)}: one agent socket per id`,
        "load the keys into one agent (ssh-add), and name its socket",
      );
    const fromEnv = env.SSH_AUTH_SOCK;
    if (!written && !fromEnv)
      throw new SshFlagError(
        `--ssh ${id}: SSH_AUTH_SOCK is not set, so there is no agent to forward`,
        "start one (eval $(ssh-agent); ssh-add), or write --ssh ID=SOCKET",
      );
    const path = resolve(cwd, (written || fromEnv || "").replace(/^~(?=\/)/, homedir()));
    let isSocket = false;
    try {
      isSocket = statSync(path).isSocket();
    } catch {
      throw new SshFlagError(
        `--ssh ${id}: ${path} does not exist`,
        "name a running agent's socket (SSH_AUTH_SOCK)",
      );
    }
    if (!isSocket)
      throw new SshFlagError(
        `--ssh ${id}: ${path} is not an agent's socket${written ? " (a key file? pyfront build forwards agents only)" : ""}`,
        `add the key to an agent (ssh-add ${written ?? "KEY"}) and forward that: --ssh ${id}`,
      );
    agents.set(id, path);
  }
  return agents;
}
