import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, project } from "./cli-harness.js";

const zshPath = spawnSync("sh", ["-c", "command -v zsh"], { encoding: "utf8" }).stdout.trim();

async function script(shell: string): Promise<string> {
  const { code, stdout } = await cli(["completion", shell]);
  expect(code).toBe(0);
  return stdout;
}

/** What bash completes for the words typed so far (the last one being completed). */
function bashComplete(source: string, words: string[]): string[] {
  const program = `${source}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}
_pyfront_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync("bash", ["-c", program], { encoding: "utf8", cwd: import.meta.dirname });
  expect(result.stderr).toBe("");
  return result.stdout.split("\n").filter((l) => l !== "");
}

describe("pyfront completion", () => {
  it("completes commands, flags, choices and files in bash", async () => {
    const bash = await script("bash");
    expect(bashComplete(bash, ["pyfront", ""])).toEqual(
      expect.arrayContaining(["dockerfile", "plan", "llb", "init", "completion", "--version"]),
    );
    expect(bashComplete(bash, ["pyfront", "pl"])).toEqual(["plan"]);
    expect(bashComplete(bash, ["pyfront", "plan", "--ta"])).toEqual(["--target"]);
    expect(bashComplete(bash, ["pyfront", "plan", "--format", ""])).toEqual(["text", "json"]);
    expect(bashComplete(bash, ["pyfront", "llb", "--j"])).toEqual(["--json"]);
    expect(bashComplete(bash, ["pyfront", "completion", ""])).toEqual(["bash", "zsh"]);
    expect(bashComplete(bash, ["pyfront", "plan", "-f", "colour.te"])).toEqual(["colour.test.ts"]);
    // The hidden -t is only there to be answered; it is not offered.
    expect(bashComplete(bash, ["pyfront", "plan", "-"])).not.toContain("-t");
  });

  it("writes a zsh script that names every command and option", async () => {
    const zsh = await script("zsh");
    expect(zsh.startsWith("#compdef pyfront\n")).toBe(true);
    for (const word of [
      "dockerfile",
      "plan",
      "llb",
      "init",
      "completion",
      "--build-arg",
      "--force",
      "--json",
    ]) {
      expect(zsh).toContain(word);
    }
    expect(zsh).toContain(":value:(text json)");
  });

  // zsh is not on every developer's machine; scripts/test-all installs it, and in CI (CI=true)
  // a missing zsh fails this test rather than skipping it.
  it.runIf(zshPath !== "" || process.env.CI === "true")(
    "completes in a real interactive zsh",
    async () => {
      const dir = project({ _pyfront: await script("zsh") });
      expect(spawnSync(zshPath, ["-n", join(dir, "_pyfront")], { encoding: "utf8" }).status).toBe(0);
      expect(zshComplete(dir, "pyfront plan --format ")).toMatch(/json\s+text/);
      expect(zshComplete(dir, "pyfront ")).toMatch(/completion.*dockerfile.*init.*llb.*plan/s);
    },
    30_000,
  );

  it("refuses a shell it has no script for", async () => {
    const { code, stderr } = await cli(["completion", "fish"]);
    expect(code).toBe(2);
    expect(stderr).toContain("bash, zsh");
  });
});

/** Types `line` and two TABs into an interactive zsh (through zpty) that loads the script from `dir`; returns the screen text. */
function zshComplete(dir: string, line: string): string {
  const driver = join(dir, "drive.zsh");
  writeFileSync(
    driver,
    `zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z 'PS1="> "; fpath=(${dir} $fpath); autoload -Uz compinit; compinit -u -D; LISTMAX=1000'
zpty -w -n z '${line}'$'\\t\\t'
sleep 2
zpty -w z ''
sleep 1
while zpty -r -t z chunk; do out+=$chunk; done
print -r -- "$out"
`,
  );
  const result = spawnSync(zshPath, ["-f", driver], { encoding: "utf8", timeout: 20_000 });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escapes.
  return result.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "\n");
}
