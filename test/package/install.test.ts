// What a user gets from npm: pack the package (prepack builds it), install the tarball globally into
// a temporary prefix, and run the installed command. No engine; npm's cache serves the dependencies
// npm ci fetched, so no network is needed once the checkout is installed.
import { execFile, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = join(import.meta.dirname, "..", "..");
const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string })
  .version;
const work = mkdtempSync(join(tmpdir(), "pyfront-package-"));
const prefix = join(work, "prefix");
const pyfront = join(prefix, "bin", "pyfront");
let packed: string[] = [];

/**
 * npm without the checkout's own settings getting in the way; a user's machine has none of them.
 * Asynchronous: packing compiles the package, and a worker blocked for a minute or more makes
 * vitest's own RPC time out.
 */
function npm(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "npm",
      [...args, "--no-audit", "--no-fund", "--loglevel=error"],
      {
        cwd,
        encoding: "utf8",
        env: { ...process.env, npm_config_update_notifier: "false" },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`npm ${args.join(" ")}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

/** The installed command, with a PATH holding only Node's directory: no tsx, no checkout. */
function run(args: string[], cwd = work) {
  return spawnSync(pyfront, args, {
    cwd,
    encoding: "utf8",
    env: { PATH: `${join(process.execPath, "..")}:/usr/bin:/bin`, HOME: work },
  });
}

beforeAll(async () => {
  const report = JSON.parse(await npm(["pack", "--json", "--pack-destination", work], repoRoot)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packed = report[0]!.files.map((f) => f.path);
  await npm(
    ["install", "--global", "--prefix", prefix, "--prefer-offline", join(work, report[0]!.filename)],
    work,
  );
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the npm package", () => {
  it("ships the compiled CLI, the images API with its declarations and the schema, and no source maps or sources", () => {
    expect(packed).toContain("bin/pyfront.js");
    expect(packed).toContain("dist/cli/run.js");
    // The command's bundle (bin/pyfront.js runs it): its start-up code, split at its dynamic imports.
    expect(packed).toContain("dist/cli/bundle/pyfront.mjs");
    expect(packed).toContain("dist/images/index.js");
    expect(packed).toContain("dist/images/index.d.ts");
    expect(packed).toContain("schema/pyfront.schema.json");
    expect(
      packed.filter(
        (p) => /\.map$/.test(p) || (/\.ts$/.test(p) && !/\.d\.ts$/.test(p)) || p.startsWith("src/"),
      ),
    ).toEqual([]);
    // `pyfront build` runs the frontend's build in the CLI; the image's own entry point stays out.
    expect(packed).toContain("dist/frontend/frontend.js");
    expect(packed).not.toContain("dist/frontend/main.js");
    expect(packed.filter((p) => p.startsWith("dist/frontend-"))).toEqual([]);
  });

  it("installs without dev dependencies", () => {
    const installed = join(prefix, "lib", "node_modules", "pyfront", "node_modules");
    const names = readdirSync(installed);
    for (const dev of ["tsx", "typescript", "vitest", "@biomejs", "esbuild"])
      expect(names).not.toContain(dev);
  });

  it("runs pyfront --version and --help", () => {
    const versionRun = run(["--version"]);
    expect(versionRun.stderr).toBe("");
    expect(versionRun.stdout.trim()).toBe(version);
    // The bundle alone, without the package's node_modules, is the whole command.
    const bundle = join(prefix, "lib", "node_modules", "pyfront", "dist", "cli", "bundle", "pyfront.mjs");
    const alone = mkdtempSync(join(tmpdir(), "pyfront-bundle-"));
    try {
      cpSync(bundle, join(alone, "dist", "cli", "bundle", "pyfront.mjs"), { recursive: true });
      const chunks = join(bundle, "..", "chunks");
      if (existsSync(chunks))
        cpSync(chunks, join(alone, "dist", "cli", "bundle", "chunks"), { recursive: true });
      writeFileSync(join(alone, "package.json"), JSON.stringify({ name: "pyfront", version }));
      const bundled = spawnSync(
        process.execPath,
        [join(alone, "dist", "cli", "bundle", "pyfront.mjs"), "--version"],
        {
          encoding: "utf8",
        },
      );
      expect(bundled.stderr).toBe("");
      expect(bundled.stdout.trim()).toBe(version);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("init");
    // The installed build client loads (its modules are all in the package) and says what it needs.
    const build = run([
      "build",
      "--builder",
      "unix:///nonexistent/buildkitd.sock",
      join(repoRoot, "examples", "cli-package"),
    ]);
    expect(build.status).toBe(1);
    expect(build.stderr).toContain("cannot reach the BuildKit daemon at unix:///nonexistent/buildkitd.sock");
    expect(build.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find module/);
  });

  // tsc runs asynchronously: a minute of blocked worker makes vitest's own RPC time out.
  it("exports pyfront/images with its types: a consumer imports it, type-checks against it and runs it", async () => {
    const consumer = join(work, "consumer");
    mkdirSync(join(consumer, "node_modules"), { recursive: true });
    symlinkSync(join(prefix, "lib", "node_modules", "pyfront"), join(consumer, "node_modules", "pyfront"));
    writeFileSync(join(consumer, "package.json"), '{"type": "module"}\n');
    const source = [
      'import { Container, type ImageVersion, imageFamily, imageRegistry, renderVersionDockerfile } from "pyfront/images";',
      "const family = imageFamily({",
      '  name: "demo",',
      '  description: "d",',
      `  versions: [{ version: "1.0.0", changelog: "first", container: Container.from("python:3.13-slim@sha256:${"a".repeat(64)}").withExec(["true"]) }],`,
      "});",
      'const version: ImageVersion = imageRegistry([family]).get("demo:1.0.0");',
      "process.stdout.write(renderVersionDockerfile(version).dockerfile);",
      "",
    ].join("\n");
    writeFileSync(join(consumer, "images.config.ts"), source);
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          types: ["node"],
          typeRoots: [join(repoRoot, "node_modules", "@types")],
        },
        files: ["images.config.ts"],
      }),
    );
    const tsc = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", consumer],
        (error, stdout, stderr) =>
          resolve({
            code: typeof error?.code === "number" ? error.code : error ? 1 : 0,
            output: stdout + stderr,
          }),
      );
    });
    expect(tsc.output).toBe("");
    expect(tsc.code).toBe(0);
    // Types stripped by hand (the one annotation), as a user's build step would.
    writeFileSync(
      join(consumer, "run.mjs"),
      source.replace(", type ImageVersion", "").replace("const version: ImageVersion", "const version"),
    );
    const ran = spawnSync(process.execPath, [join(consumer, "run.mjs")], { encoding: "utf8", cwd: consumer });
    expect(ran.stderr).toBe("");
    expect(ran.stdout).toContain('RUN ["true"]');
  });

  it("runs pyfront init and plan on a copy of an example", () => {
    const copy = join(work, "cli-package");
    cpSync(join(repoRoot, "examples", "cli-package"), copy, { recursive: true });
    const init = run(["init", "cli-package"]);
    expect(init.stderr).toBe("");
    expect(init.status).toBe(0);
    expect(init.stdout).toContain("docker build -f cli-package/pyproject.toml -t pfcount cli-package");
    expect(readFileSync(join(copy, ".dockerignore"), "utf8")).toContain("__pycache__");
    const plan = run(["plan", "."], copy);
    expect(plan.status).toBe(0);
    expect(JSON.parse(plan.stdout).image.entrypoint).toEqual(["pfcount"]);
  });
});
