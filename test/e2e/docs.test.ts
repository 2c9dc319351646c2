// Issue 12: every command README.md and docs/ show is run, on a real engine, as the doc shows it:
// `docker build` of a scratch copy of the project the doc means, `npm run frontend:image`, and
// the `pyfront` command itself. Only what this machine supplies differently is changed, each by
// a rule below: the engine's own client, `--network host` and plain progress; the frontend tag
// under test for `pyfront/frontend:dev`; a test-only image tag for `-t`; the local index,
// registry and mirror for the docs' `*.example.com` stand-ins. A secret file the doc names is
// written where the doc says, holding what the doc says. What no test may run here is listed in
// NOT_RUN with its reason, and a command that is neither run nor listed fails this file.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DocCommand, docCommands } from "../support/doc-commands.js";
import { findLeaks } from "../unit/hostile/leak-search.js";
import {
  type CommandResult,
  docker,
  engineEnv,
  imageInspect,
  removeImage,
  repoRoot,
  run,
} from "./support/engine.js";
import { combined, copyExample, EXAMPLES, type ExampleCopy, useAuthIndex } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE, frontendImageScript } from "./support/frontend.js";
import { saveImage } from "./support/image-search.js";
import {
  deleteRegistryManifest,
  registryImage,
  registryLogOffset,
  registryRequestsSince,
  registryTags,
} from "./support/registry.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string })
  .version;
const password = readFileSync(env.indexPasswordFile, "utf8").trim();
const commands = docCommands();

/**
 * Commands no test runs, each with the reason. Each must still be shown by a doc (a stale entry
 * fails), and only exact command texts are listed, so a new command is never covered by accident.
 */
const NOT_RUN = new Map<string, string>([
  // Installs Debian packages as root and runs `scripts/engine up`; tests never start, stop or
  // reconfigure the shared engines. What it then builds is `docker build -f pyproject.toml` of
  // examples/webapp, run below.
  ["./scripts/try", "runs scripts/engine up as root"],
  // The whole suite, this file included, on both engines: CI's job, hours on a shared machine.
  ["./scripts/test-all", "runs every suite, this one included"],
  // Replaces node_modules, which a worktree shares with the main checkout, from the registry.
  // test/package/install.test.ts packs and installs from npm's cache instead.
  ["npm ci", "rewrites the shared node_modules"],
  // The handover to a Dockerfile frontend image needs that image (docker/dockerfile on Docker
  // Hub, which this machine cannot reach); the handover itself is unit-tested
  // (test/unit/frontend/pyenv-forward.test.ts).
  [
    "docker build --build-arg PYFRONT_PYENV_SYNTAX=docker/dockerfile:1.7 -t app .",
    "needs the docker/dockerfile image from Docker Hub",
  ],
]);

/** Commands another test runs as the doc shows them, and which test. */
const RUN_ELSEWHERE: { matches: (c: DocCommand) => boolean; by: string }[] = [
  {
    matches: (c) =>
      (c.words[0] === "pyfront" && c.words[1] === "build") ||
      (c.words[0] === "npx" && c.words[1] === "pyfront" && c.words[2] === "build"),
    by: "test/e2e/build-client.test.ts runs the README's pyfront build commands and checks their images",
  },
  {
    matches: (c) => c.where.startsWith("docs/jobs.md: "),
    by: "test/e2e/job-images.test.ts runs docs/jobs.md's commands in order, with the job and data the page describes",
  },
  {
    matches: (c) => c.words[0] === "pyfront" && c.words[1] === "images",
    by: "test/e2e/images.test.ts runs docs/images.md's example module and its commands, in order",
  },
  {
    matches: (c) =>
      c.text ===
      "docker buildx build --build-arg BUILDKIT_ATTEST_SBOM=true --output type=tar,dest=image.tar -f pyproject.toml .",
    by: "test/e2e/sbom.test.ts builds this way (on the protected index) and reads the SBOM from the tar",
  },
  { matches: (c) => c.text === "npm pack", by: "test/package/install.test.ts packs the checkout" },
  {
    matches: (c) => c.text === `npm install -g ./pyfront-${version}.tgz`,
    by: "test/package/install.test.ts installs the tarball globally, into a temporary prefix",
  },
];

/** The docs' stand-ins for a user's own services, and what this machine has in their place. */
const MIRROR_NAME = `pyfront-e2e-docs-mirror-${engine}`;
const MIRROR = `${env.registry}/${MIRROR_NAME}`;
const MIRRORED_IMAGES = ["python:3.11", "python:3.11-slim"];
const PUSH_NAME = `pyfront-e2e-docs-frontend-${engine}`;
const NODE_MIRROR_NAME = `pyfront-e2e-docs-node-${engine}`;
const NODE_MIRROR = `${env.registry}/${NODE_MIRROR_NAME}`;
function standIn(word: string, command: DocCommand): string {
  const indexSecret = command.words.some((w) => w.startsWith("id=pyfront-index-url,"));
  return word
    .replace("https://pypi.example.com/simple", indexSecret ? env.authIndexUrl : env.indexUrl)
    .replace("registry.example.com/dockerhub", MIRROR)
    .replace("registry.example.com/pyfront/frontend", `${env.registry}/${PUSH_NAME}`)
    .replace("mirror.example.com/node", `${NODE_MIRROR}/node`)
    .replace(/^BUILDKIT_SYNTAX=pyfront\/frontend:dev$/, `BUILDKIT_SYNTAX=${FRONTEND_IMAGE}`);
}

const scratchDirs: string[] = [];
const copies: ExampleCopy[] = [];
const images: string[] = [];

/** A build context of its own, inside a scratch folder: a doc's `../file` stays in the scratch. */
function scratch(): string {
  const root = mkdtempSync(join(tmpdir(), "pyfront-e2e-docs-"));
  scratchDirs.push(root);
  const dir = join(root, "context");
  mkdirSync(dir);
  return dir;
}

async function ok(args: string[], input?: string): Promise<void> {
  const result = await docker(args, input === undefined ? {} : { input });
  expect(result.code, combined(result)).toBe(0);
}

/** Pushes a copy of a local image to the test registry and drops the local tag, so builds pull it. */
async function mirror(image: string, to: string): Promise<void> {
  await ok(["tag", image, to]);
  await ok(["push", to]);
  await removeImage(to);
}

async function deletePushedFrontend(): Promise<void> {
  const digests = new Set<string>();
  for (const tag of await registryTags(PUSH_NAME)) digests.add((await registryImage(PUSH_NAME, tag)).digest);
  for (const digest of digests) await deleteRegistryManifest(PUSH_NAME, digest);
}

beforeAll(async () => {
  ensureFrontendImage();
  for (const image of MIRRORED_IMAGES) await mirror(image, `${MIRROR}/library/${image}`);
  await mirror("node:20-slim", `${NODE_MIRROR}/node:20-slim`);
  await deletePushedFrontend();
}, 900_000);

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const copy of copies) copy.dispose();
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  await deletePushedFrontend();
});

/** The value after `flag` in a command's words, or every value when it repeats. */
function flagValues(words: readonly string[], flag: string): string[] {
  return words.flatMap((w, i) => (words[i - 1] === flag ? [w] : []));
}

/** A build context set up as the doc's command expects it, and how to check what it built. */
interface DocProject {
  dir: string;
  /** Build args this machine needs that the doc's reader supplies otherwise (their own index). */
  extraArgs: string[];
  check(image: string): Promise<void>;
}

const example = (name: string) => EXAMPLES.find((e) => e.name === name)!;

function exampleCopy(name: Parameters<typeof copyExample>[0]): ExampleCopy {
  const copy = copyExample(name);
  copies.push(copy);
  return copy;
}

/**
 * The project each spec file a doc names stands for: a pyproject.toml is examples/webapp (the
 * README's own example), a Mopyfile.yaml examples/mopy-app, a requirements.txt a Flask app of the
 * project corpus, a main.py the script example's file alone. The copy is then made what the
 * command says: no `#syntax=` line when BUILDKIT_SYNTAX picks the frontend, no index of its own
 * when PIP_INDEX_URL gives it (so the build arg is what makes the build work), the
 * authenticated index behind `secret = "pypi"` when the command passes that secret.
 */
function docProject(command: DocCommand): DocProject {
  const words = command.words;
  const specFile =
    flagValues(words, "-f")[0] ??
    (command.where.startsWith("docs/formats/pyenv.md") ? "Dockerfile" : undefined);
  const buildArgs = flagValues(words, "--build-arg").map((a) => a.split("=")[0]);
  const secretIds = flagValues(words, "--secret").map((s) => /(?:^|,)id=([^,]+)/.exec(s)?.[1]);
  switch (specFile) {
    case "pyproject.toml": {
      const copy = exampleCopy("webapp");
      let text = copy.read("pyproject.toml");
      if (buildArgs.includes("BUILDKIT_SYNTAX")) text = text.replace(/^#syntax=.*\n/, "");
      if (buildArgs.includes("PIP_INDEX_URL")) text = text.replace(/^indices = .*\n/m, "");
      copy.write("pyproject.toml", text);
      if (secretIds.includes("pypi")) useAuthIndex(copy);
      return { dir: copy.dir, extraArgs: [], check: example("webapp").check };
    }
    case "Mopyfile.yaml":
      return { dir: exampleCopy("mopy-app").dir, extraArgs: [], check: example("mopy-app").check };
    case "requirements.txt": {
      const dir = scratch();
      cpSync(join(repoRoot, "test", "projects", "flask-requirements"), dir, { recursive: true });
      return {
        dir,
        // The project names no index and this machine has no PyPI: the platform override.
        extraArgs: ["--build-arg", `PIP_INDEX_URL=${env.indexUrl}`],
        check: async (image) => {
          const imported = await run(image, {
            entrypoint: "python",
            command: ["-c", "import flask, gunicorn; print('imported')"],
          });
          expect(imported.stdout, imported.stderr).toContain("imported");
        },
      };
    }
    case "main.py": {
      const dir = scratch();
      cpSync(join(repoRoot, "examples", "script", "main.py"), join(dir, "main.py"));
      return {
        dir,
        extraArgs: [],
        check: async (image) => {
          const ran = await run(image);
          expect(ran.stdout, ran.stderr).toMatch(/^hello from script on Python 3\.\d+\.\d+$/m);
        },
      };
    }
    case "Dockerfile": {
      // docs/formats/pyenv.md's reader: a Dockerfile with a PYENV line, built from its folder.
      const dir = scratch();
      writeFileSync(join(dir, "Dockerfile"), pyenvDockerfile(FRONTEND_IMAGE));
      return {
        dir,
        extraArgs: [],
        check: async (image) => {
          const ran = await run(image);
          expect(ran.stdout, ran.stderr).toMatch(/^tools 3\.11\.\d+$/m);
        },
      };
    }
    default:
      throw new Error(`${command.where}: no project stands for -f ${specFile}; add one to docProject`);
  }
}

let buildCount = 0;

/** `docker build …` as the doc shows it, in the project it means; the build must work. */
async function runDockerBuild(command: DocCommand): Promise<void> {
  const project = docProject(command);
  const tag = `pyfront-e2e-docs-${++buildCount}:${engine}`;
  images.push(tag);
  const args = command.words
    .slice(2)
    .map((word, i, all) => (all[i - 1] === "-t" ? tag : standIn(word, command)));
  expect(
    args.filter((w) => /example\.(com|org)/.test(w)),
    "every stand-in host has a local service",
  ).toEqual([]);
  // A secret file the doc passes is where the doc says, holding what the doc says; and never in
  // the build context, where it would be part of what an application copies into its image.
  for (const secret of flagValues(args, "--secret")) {
    const src = /(?:^|,)src=([^,]+)/.exec(secret)?.[1];
    expect(src, secret).toBeDefined();
    const path = resolve(project.dir, src!);
    expect(relative(project.dir, path).startsWith(".."), `${src} is outside the build context`).toBe(true);
    writeFileSync(path, `${env.indexUser}:${password}\n`, { mode: 0o600 });
  }
  const usesMirror = args.some((w) => w.startsWith("PYFRONT_REGISTRY_MIRROR="));
  const offset = registryLogOffset();
  const built = await docker(
    ["build", "--progress=plain", "--network", "host", ...project.extraArgs, ...args],
    { cwd: project.dir },
  );
  const log = combined(built);
  expect(built.code, log).toBe(0);
  await project.check(tag);
  if (usesMirror) {
    const pulled = registryRequestsSince(offset).filter((r) =>
      r.includes(`/v2/${MIRROR_NAME}/library/python/manifests/`),
    );
    expect(pulled, "the base images came through the mirror").not.toEqual([]);
  }
  if (args.includes("--secret")) {
    expect(findLeaks(password, { log, image: await saveImage(tag) })).toEqual([]);
  }
}

/** `npm run frontend:image …`: builds the frontend under test's tag (`--tag`), as e2e runs do. */
async function runFrontendImage(command: DocCommand): Promise<void> {
  const dash = command.words.indexOf("--");
  const args = (dash === -1 ? [] : command.words.slice(dash + 1)).map((w) => standIn(w, command));
  expect(
    args.filter((w) => /example\.(com|org)/.test(w)),
    "every stand-in host has a local service",
  ).toEqual([]);
  const offset = registryLogOffset();
  const result: CommandResult = await frontendImageScript([...args, "--tag", FRONTEND_IMAGE]);
  expect(result.code, combined(result)).toBe(0);
  const image = await imageInspect(FRONTEND_IMAGE);
  expect(image?.Config.Labels?.["moby.buildkit.frontend.network.none"]).toBe("true");
  expect(image?.Config.Labels?.["org.opencontainers.image.version"]).toBe(version);
  if (args.includes("--push"))
    expect((await registryTags(PUSH_NAME)).sort()).toEqual([version, "latest"].sort());
  if (args.includes("--node-image")) {
    const pulled = registryRequestsSince(offset).filter((r) =>
      r.includes(`/v2/${NODE_MIRROR_NAME}/node/manifests/`),
    );
    expect(pulled, "the Node base came from the named image").not.toEqual([]);
  }
}

/** A Dockerfile as docs/formats/pyenv.md's reader has one: a Debian stage with a PYENV line. */
function pyenvDockerfile(frontend: string): string {
  return [
    `# syntax=${frontend}`,
    "FROM debian:bookworm-slim",
    "PYENV 3.11 tools",
    'CMD ["sh", "-c", "echo tools $($ASTRO_PYENV_tools -c \'import platform; print(platform.python_version())\')"]',
    "",
  ].join("\n");
}

/** The scratch folder the pyfront commands run in: the examples, and a project of one's own. */
let pyfrontCwd: string | undefined;
function pyfrontScratch(): string {
  if (pyfrontCwd) return pyfrontCwd;
  pyfrontCwd = scratch();
  cpSync(join(repoRoot, "examples"), join(pyfrontCwd, "examples"), { recursive: true });
  cpSync(join(repoRoot, "examples", "cli-package", "src"), join(pyfrontCwd, "src"), { recursive: true });
  writeFileSync(join(pyfrontCwd, "Dockerfile"), pyenvDockerfile("pyfront/frontend:dev"));
  writeFileSync(
    join(pyfrontCwd, "pyproject.toml"),
    readFileSync(join(repoRoot, "examples", "cli-package", "pyproject.toml"), "utf8")
      .replace(/^#syntax=.*\n/, "")
      .replace(/\n\[tool\.pyfront\][\s\S]*$/, "\n"),
  );
  return pyfrontCwd;
}

/** `pyfront …` and `npx pyfront …`: the checkout's command (what npx runs here), as a process. */
async function runPyfront(args: readonly string[]): Promise<void> {
  const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, "bin", "pyfront.js"), ...args],
      { cwd: pyfrontScratch(), encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
      (error, _stdout, stderr) =>
        resolve({ code: typeof error?.code === "number" ? error.code : error ? 1 : 0, stderr }),
    );
  });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
}

type Handling = { run: (c: DocCommand) => Promise<void> } | { notRun: string } | { elsewhere: string };

function handling(command: DocCommand): Handling | undefined {
  const [first, second, third] = command.words;
  const listed = NOT_RUN.get(command.text);
  if (listed) return { notRun: listed };
  const other = RUN_ELSEWHERE.find((e) => e.matches(command));
  if (other) return { elsewhere: other.by };
  if (first === "docker" && second === "build") return { run: runDockerBuild };
  if (first === "npm" && second === "run" && third === "frontend:image") return { run: runFrontendImage };
  if (first === "pyfront") return { run: (c) => runPyfront(c.words.slice(1)) };
  if (first === "npx" && second === "pyfront") return { run: (c) => runPyfront(c.words.slice(2)) };
  return undefined;
}

describe(`commands shown in README.md and docs/, on engine ${env.engine}`, () => {
  test("each is run here, run by another test, or listed in NOT_RUN with its reason", () => {
    expect(commands.length).toBeGreaterThanOrEqual(20);
    expect(commands.filter((c) => handling(c) === undefined).map((c) => c.where)).toEqual([]);
    expect(commands.filter((c) => "run" in (handling(c) ?? {})).length).toBeGreaterThanOrEqual(20);
  });

  test("NOT_RUN lists only commands a doc still shows", () => {
    const shown = new Set(commands.map((c) => c.text));
    expect([...NOT_RUN.keys()].filter((text) => !shown.has(text))).toEqual([]);
  });

  const runnable = commands.flatMap((c) => {
    const h = handling(c);
    return h && "run" in h ? [[c.where, c, h.run] as const] : [];
  });
  test.each(runnable)("%s", async (_where, command, runIt) => {
    await runIt(command);
  });
});
