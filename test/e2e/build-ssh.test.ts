// Issue 13's `--ssh` on a real engine: `pyfront build --ssh default` forwards the user's SSH
// agent over the build's session, and pip clones a git+ssh dependency with it, the host key
// checked against the project's known_hosts. The test runs its own sshd (a second git host on
// loopback, reached with --network host as the index is) and its own agent; the private key
// never leaves the agent, and neither it nor the agent's socket reaches the image.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pyfrontOnEngine } from "./support/cli.js";
import { engineEnv, removeImage, run } from "./support/engine.js";
import { combined } from "./support/examples.js";
import { git } from "./support/git.js";
import { occurrences, saveImage } from "./support/image-search.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const root = mkdtempSync(join(tmpdir(), "pyfront-e2e-ssh-"));
const processes: ChildProcess[] = [];
const tag = `pyfront-e2e-client-ssh:${engine}`;
let port = 0;
let agentSocket = "";
let repository = "";
let hostKeyLine = "";
let privateKey = "";

function write(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 0;
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not come up`);
}

beforeAll(async () => {
  // The git host: a bare repository with a flit library, served by sshd to one key.
  const work = join(root, "work");
  mkdirSync(work);
  git(work, ["init", "-q", "-b", "main"]);
  write(
    join(work, "pyproject.toml"),
    '[build-system]\nrequires = ["flit_core>=3.2,<4"]\nbuild-backend = "flit_core.buildapi"\n\n[project]\nname = "pfsshdep"\nversion = "1.0.0"\ndescription = "A library only an SSH git host has"\n',
  );
  write(join(work, "pfsshdep", "__init__.py"), 'VERSION = "1.0.0"\n');
  git(work, ["add", "."]);
  git(work, ["commit", "-q", "-m", "1.0.0"]);
  repository = join(root, "lib.git");
  git(root, ["clone", "-q", "--bare", work, repository]);

  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(root, "host_key")]);
  execFileSync("ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "pyfront-e2e",
    "-f",
    join(root, "user_key"),
  ]);
  privateKey = readFileSync(join(root, "user_key"), "utf8");
  writeFileSync(join(root, "authorized_keys"), readFileSync(join(root, "user_key.pub")));
  port = await freePort();
  hostKeyLine = `[127.0.0.1]:${port} ${readFileSync(join(root, "host_key.pub"), "utf8").split(" ").slice(0, 2).join(" ")}\n`;
  writeFileSync(
    join(root, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(root, "host_key")}`,
      `AuthorizedKeysFile ${join(root, "authorized_keys")}`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      // The key files sit in a temporary folder, not a home with the modes sshd insists on.
      "StrictModes no",
      `PidFile ${join(root, "sshd.pid")}`,
      "",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true });
  const sshd = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(root, "sshd_config")], { stdio: "ignore" });
  processes.push(sshd);

  agentSocket = join(root, "agent.sock");
  const agent = spawn("ssh-agent", ["-D", "-a", agentSocket], { stdio: "ignore" });
  processes.push(agent);
  await waitFor(() => {
    try {
      execFileSync("ssh-add", [join(root, "user_key")], {
        env: { ...process.env, SSH_AUTH_SOCK: agentSocket },
        stdio: "ignore",
      });
      return true;
    } catch {
      return false;
    }
  }, "ssh-agent");
  // sshd answers: a clone with the agent works from here.
  await waitFor(() => {
    try {
      execFileSync("git", ["ls-remote", `ssh://root@127.0.0.1:${port}${repository}`], {
        env: {
          ...process.env,
          SSH_AUTH_SOCK: agentSocket,
          GIT_SSH_COMMAND: `ssh -o UserKnownHostsFile=${join(root, "known_hosts_host")} -o StrictHostKeyChecking=accept-new -o IdentitiesOnly=no`,
        },
        stdio: "ignore",
      });
      return true;
    } catch {
      return false;
    }
  }, "sshd");
});

afterAll(async () => {
  for (const child of processes) child.kill("SIGTERM");
  await removeImage(tag);
  rmSync(root, { recursive: true, force: true });
});

/** A project whose one dependency is on the SSH git host, with that host's key in known_hosts. */
function project(): string {
  const dir = join(root, `project-${Math.random().toString(36).slice(2, 8)}`);
  write(
    join(dir, "pyproject.toml"),
    [
      "[build-system]",
      'requires = ["flit_core>=3.2,<4"]',
      'build-backend = "flit_core.buildapi"',
      "",
      "[project]",
      'name = "sshapp"',
      'version = "0.1.0"',
      'description = "An app with a private git dependency"',
      `dependencies = ["pfsshdep @ git+ssh://root@127.0.0.1:${port}${repository}"]`,
      "",
      "[tool.pyfront]",
      'python_version = "3.11"',
      `indices = [{ url = "${env.indexUrl}", primary = true, trust = true }]`,
      'known_hosts = "known_hosts"',
      'command = ["python", "-c", "import pfsshdep, sshapp; print(\'ssh dependency\', pfsshdep.VERSION)"]',
      "",
    ].join("\n"),
  );
  write(join(dir, "sshapp", "__init__.py"), "");
  write(join(dir, "known_hosts"), hostKeyLine);
  return dir;
}

describe(`pyfront build --ssh on engine ${env.engine}`, () => {
  it("forwards the agent, pip clones the git+ssh dependency with it, and no key reaches the image", async () => {
    const dir = project();
    const built = await pyfrontOnEngine(["build", dir, "-t", tag, "--network", "host", "--ssh", "default"], {
      SSH_AUTH_SOCK: agentSocket,
    });
    const log = combined(built);
    expect(built.code, log).toBe(0);
    const ran = await run(tag);
    expect(ran.stdout.trim(), combined(ran)).toBe("ssh dependency 1.0.0");
    // The key stays in the agent: not in the image's layers or config, nor in the output.
    const keyBody = privateKey.split("\n")[1] ?? "";
    expect(keyBody.length).toBeGreaterThan(20);
    const saved = await saveImage(tag);
    expect(occurrences(saved, keyBody)).toBe(0);
    expect(occurrences(saved, agentSocket)).toBe(0);
    expect(log).not.toContain(keyBody);
  });

  it("without --ssh the build says no agent was forwarded; a key file is refused with a hint", async () => {
    const dir = project();
    // --no-cache: the dependency step ran with the agent just before, and a cached step needs none.
    const none = await pyfrontOnEngine(["build", dir, "--network", "host", "--no-cache"], {
      SSH_AUTH_SOCK: agentSocket,
    });
    expect(none.code, combined(none)).toBe(1);
    expect(none.stderr).toContain(
      'no SSH agent forwarded for id "default": give one with pyfront build --ssh default',
    );
    const keyFile = await pyfrontOnEngine(["build", dir, "--ssh", `default=${join(root, "user_key")}`]);
    expect(keyFile.code, combined(keyFile)).toBe(2);
    expect(keyFile.stderr).toContain(
      "is not an agent's socket (a key file? pyfront build forwards agents only)",
    );
    const noAgent = await pyfrontOnEngine(["build", dir, "--ssh", "default"], { SSH_AUTH_SOCK: "" });
    expect(noAgent.code, combined(noAgent)).toBe(2);
    expect(noAgent.stderr).toContain("SSH_AUTH_SOCK is not set");
  });
});
