// Issue #11, finding 1: no byte of a value written into a Dockerfile flag word can end the word.
import { afterAll, describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../../src/cli/main.js";
import { mountFlag } from "../../../src/render/dockerfile-quoting.js";
import { cli, tempProjects } from "./cli-helpers.js";
import { builderFlags, mountFields, readDockerfile } from "./dockerfile-reader.js";

const temp = tempProjects();
afterAll(() => temp.cleanUp());

const INJECTION = "à:;echo${IFS}PWNED;#/r.txt";

describe("the model reads flag words the way BuildKit does", () => {
  it("0x85 and 0xA0 bytes end a flag word; other high bytes are re-encoded", () => {
    // "à" is C3 A0: the A0 byte is a space to extractBuilderFlags.
    const { flags, rest } = builderFlags('--mount=type=bind,source=à:;echo ok ["x"]');
    expect(flags).toEqual(["--mount=type=bind,source=\u00c3"]);
    expect(rest.startsWith(":;echo")).toBe(true);
    const cyrillic = builderFlags('--mount=source=Р/x ["x"]'); // Р is D0 A0
    expect(cyrillic.flags).toEqual(["--mount=source=\u00d0"]);
    const cafe = builderFlags('--mount=source=café ["x"]'); // é is C3 A9
    expect(cafe.flags).toEqual(["--mount=source=caf\u00c3\u00a9"]);
  });

  it("the Dockerfile of the e2e model check reads as a shell-form RUN that echoes PWNED", () => {
    const [, run] = readDockerfile(
      'FROM python:3.11-slim\nRUN --mount=type=cache,target=/càche;echo${IFS}PWNED;# ["true"]\n',
    );
    expect(run!.flags).toEqual(["--mount=type=cache,target=/c\u00c3"]);
    expect(run!.json).toBeUndefined();
    expect(run!.rest).toBe('che;echo${IFS}PWNED;# ["true"]');
  });

  it("a RUN whose mount is cut becomes shell form", () => {
    const [run] = readDockerfile(`RUN --mount=type=bind,source=${INJECTION},target=/t ["pip"]\n`);
    expect(run!.command).toBe("RUN");
    expect(run!.json).toBeUndefined();
  });
});

describe("mount values are written safely or refused", () => {
  it.each(["à", "Работа", "café", "\u00a0", "\u0085", "a$HOME", "it's", 'say "x"', "back\\slash", "tick`"])(
    "%j is refused with a clear message",
    (name) => {
      expect(() =>
        mountFlag([
          ["type", "bind"],
          ["source", `${name}/requirements.txt`],
        ]),
      ).toThrow(/cannot write .* into a Dockerfile --mount source: it holds/);
    },
  );

  it.each(["my dir/a b", "a,b=c", "x;y|z&w", "100%/@:+~"])("%j reads back as the same field", (name) => {
    const flag = mountFlag([
      ["type", "bind"],
      ["source", name],
      ["target", `/pyfront/context/${name}`],
    ]);
    const [run] = readDockerfile(`RUN ${flag} ["true"]\n`);
    expect(run!.json).toEqual(["true"]);
    expect(run!.flags).toHaveLength(1);
    expect(mountFields(run!.flags[0]!)).toEqual([
      ["type", "bind"],
      ["source", name],
      ["target", `/pyfront/context/${name}`],
    ]);
  });
});

describe("the reproductions of finding 1", () => {
  const spec = (body: string) => `[tool.pyfront]\npython_version = "3.12"\n${body}\n`;

  it('requirements = ["à:;echo${IFS}PWNED;#/r.txt"]: the Dockerfile is refused, the LLB keeps the path', async () => {
    const dir = temp.project({
      "pyproject.toml": spec(`requirements = [${JSON.stringify(INJECTION)}]`),
      [INJECTION]: "flask\n",
    });
    const dockerfile = await cli(["dockerfile", dir]);
    expect(dockerfile.code).toBe(EXIT_USER_ERROR);
    expect(dockerfile.stdout).toBe("");
    expect(dockerfile.stderr).toContain(
      `pyproject.toml:3:17: tool.pyfront.requirements[0]: cannot write ${JSON.stringify(INJECTION)} into a Dockerfile --mount source`,
    );
    expect(dockerfile.stderr).not.toMatch(/internal error/);
    const llb = await cli(["llb", "--json", dir]);
    expect(llb.code).toBe(0);
    expect(llb.stdout).toContain(JSON.stringify(`/pyfront/context/${INJECTION}`).slice(1, -1));
  });

  it.each(["Работа", "café"])("a project folder %s: refused by dockerfile, built by llb", async (folder) => {
    const dir = temp.project({
      [`${folder}/pyproject.toml`]:
        '[project]\nname = "app"\nversion = "1"\n\n[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
      [`${folder}/requirements.txt`]: "flask\n",
    });
    const f = ["-f", `${dir}/${folder}/pyproject.toml`];
    const dockerfile = await cli(["dockerfile", dir, ...f]);
    expect(dockerfile.code).toBe(EXIT_USER_ERROR);
    // The project's own folder: pointed at the spec file itself.
    expect(dockerfile.stderr).toMatch(
      // Its requirements.txt, installed before the package, is the first mount that says it.
      new RegExp(
        `^${folder}/pyproject\\.toml:1:1: cannot write "${folder}/requirements\\.txt" into a Dockerfile --mount`,
        "m",
      ),
    );
    expect((await cli(["plan", dir, ...f])).code).toBe(0);
    const llb = await cli(["llb", "--json", dir, ...f]);
    expect(llb.code).toBe(0);
    expect(llb.stdout).toContain(`/pyfront/context/${folder}`);
  });
});
