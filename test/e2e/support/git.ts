// git on the host, as the tests that serve repositories of their own run it: a fixed author, so
// that commits need no user configuration on the machine.
import { execFileSync } from "node:child_process";

export function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "pyfront test",
      GIT_AUTHOR_EMAIL: "test@example.org",
      GIT_COMMITTER_NAME: "pyfront test",
      GIT_COMMITTER_EMAIL: "test@example.org",
    },
  }).trim();
}
