// The example projects as e2e fixtures: what each must print or answer once built, and scratch
// copies that a test may edit without touching the repository.
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { type CommandResult, docker, engineEnv, repoRoot, run, runShell } from "./engine.js";
import { EXAMPLES_FRONTEND_IMAGE, FRONTEND_IMAGE, withTestedFrontend } from "./frontend.js";

export type ExampleName = "script" | "webapp" | "cli-package" | "compiled" | "mopy-app" | "dataframe";

export interface Example {
  name: ExampleName;
  /** The spec file, whose first line names pyfront's frontend. */
  specFile: string;
  /** A source file whose one-line change must not invalidate the dependency layer. */
  sourceFile: string;
  /** Built as a wheel by a build backend (a [build-system] table), not copied into /app. */
  isPackage: boolean;
  /** Checks a running image of this example gives the right answer. */
  check(image: string): Promise<void>;
}

/** Runs the image once; its output must match every pattern. */
async function expectOutput(
  image: string,
  patterns: RegExp | readonly RegExp[],
  command: readonly string[] = [],
): Promise<void> {
  const result = await run(image, { command });
  expect(result.code, result.stderr).toBe(0);
  for (const pattern of [patterns].flat()) expect(result.stdout).toMatch(pattern);
}

/** The dataframe example's report: the sums come from the CSV shipped in the package, grouped by pandas. */
export async function expectSalesReport(image: string): Promise<void> {
  await expectOutput(image, [
    /^pandas \d+\.\d+\S*, numpy \d+\.\d+\S* on Python 3\.11\.\d+$/m,
    /^south: 4 orders, 36 units, 1089\.75 revenue\nnorth: 4 orders, 32 units, 1031\.75 revenue$/m,
    /^total revenue 3466\.25; busiest month 2$/m,
  ]);
}

/** Starts the web app and waits for its health answer on a published loopback port. */
async function expectHealthy(image: string): Promise<void> {
  const started = await docker(["run", "-d", "--rm", "-p", "127.0.0.1::8000", image]);
  expect(started.code, started.stderr).toBe(0);
  const container = started.stdout.trim();
  try {
    const port = await docker(["port", container, "8000/tcp"]);
    const address = port.stdout.trim().split("\n")[0] ?? "";
    let answer = "";
    for (let attempt = 0; attempt < 100 && answer === ""; attempt++) {
      try {
        const response = await fetch(`http://${address}/health`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) answer = await response.text();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(JSON.parse(answer)).toMatchObject({ status: "ok" });
  } finally {
    await docker(["rm", "-f", container]);
  }
}

export const EXAMPLES: readonly Example[] = [
  {
    name: "script",
    specFile: "pyproject.toml",
    sourceFile: "main.py",
    isPackage: false,
    check: (image) => expectOutput(image, /^hello from script on Python 3\.11\.\d+$/m),
  },
  {
    name: "webapp",
    specFile: "pyproject.toml",
    sourceFile: "webapp/__init__.py",
    isPackage: true,
    check: expectHealthy,
  },
  {
    name: "cli-package",
    specFile: "pyproject.toml",
    sourceFile: "src/pfcount/cli.py",
    isPackage: true,
    check: (image) => expectOutput(image, /pfcount, version 0\.2\.0/, ["--version"]),
  },
  {
    name: "compiled",
    specFile: "pyproject.toml",
    sourceFile: "src/yamlcount/__init__.py",
    isPackage: true,
    check: (image) => expectOutput(image, /^scalars=10 libyaml=0\.2\.\d+$/m),
  },
  {
    name: "mopy-app",
    specFile: "Mopyfile.yaml",
    sourceFile: "app/main.py",
    isPackage: false,
    check: (image) => expectOutput(image, /^hello from mopy \(click click\)$/m),
  },
  {
    // The heavy one (numpy and pandas): the scale benchmark's largest dependency tree.
    name: "dataframe",
    specFile: "pyproject.toml",
    sourceFile: "src/salesreport/__init__.py",
    isPackage: true,
    check: async (image) => {
      await expectSalesReport(image);
      // pandas' own modules are precompiled; its test suite keeps its sources, without bytecode
      // (expectBestPractice checks that no test suite has any).
      const files = await runShell(
        image,
        "cd /opt/venv/lib/python3.11/site-packages && ls pandas/__pycache__/__init__.cpython-311.pyc pandas/core/__pycache__/frame.cpython-311.pyc pandas/tests/__init__.py",
      );
      expect(files.code, files.stderr).toBe(0);
    },
  },
];

/** A scratch copy of an example; removed by `dispose`. */
export interface ExampleCopy {
  /** The build context. */
  dir: string;
  /** A path beside the context, not in it: generated Dockerfiles go there, so COPY . never sees them. */
  outside(name: string): string;
  write(path: string, text: string): void;
  read(path: string): string;
  /** Appends a comment line: a code-only change. */
  touchSource(example: Example): void;
  dispose(): void;
}

/** Points every spec's `#syntax=` line in a copied project at the frontend under test. */
export function retargetSyntaxLines(dir: string): void {
  if (FRONTEND_IMAGE === EXAMPLES_FRONTEND_IMAGE) return;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, "utf8");
    const retargeted = withTestedFrontend(text);
    if (retargeted !== text) writeFileSync(path, retargeted);
  }
}

export function copyExample(name: ExampleName): ExampleCopy {
  const root = mkdtempSync(join(tmpdir(), `pyfront-e2e-${name}-`));
  const dir = join(root, "context");
  cpSync(join(repoRoot, "examples", name), dir, { recursive: true });
  retargetSyntaxLines(dir);
  return {
    dir,
    outside: (file) => join(root, file),
    write: (path, text) => writeFileSync(join(dir, path), text),
    read: (path) => readFileSync(join(dir, path), "utf8"),
    touchSource: (example) => appendFileSync(join(dir, example.sourceFile), `# edited ${Date.now()}\n`),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Properties every pyfront image must have, whatever way it was built. */
export async function expectBestPractice(image: string): Promise<void> {
  const id = await run(image, { command: [], entrypoint: "id" });
  expect(id.code, id.stderr).toBe(0);
  expect(id.stdout).toMatch(/^uid=65532\(nonroot\) gid=65532\(nonroot\)/);
  const probe = await runShell(
    image,
    "for c in cc gcc g++ c++ make; do command -v $c; done; ls -d /root/.cache/pip /home/nonroot/.cache/pip 2>/dev/null; find /opt/venv -path '*/tests/*' -name '*.pyc' 2>/dev/null | head -3; true",
  );
  expect(probe.code, probe.stderr).toBe(0);
  // No compiler, no pip cache, no bytecode of the dependencies' test suites in the final image.
  expect(probe.stdout.trim()).toBe("");
}

/** The `#N ...` lines of a plain-progress build log that belong to the vertex whose name matches. */
export function vertexLines(log: string, name: RegExp): string[] {
  const lines = log.split("\n");
  const ids = new Set<string>();
  for (const line of lines) {
    const match = /^(#\d+) (.*)$/.exec(line);
    if (match?.[1] && match[2] && name.test(match[2])) ids.add(match[1]);
  }
  return lines.filter((line) => ids.has(line.split(" ")[0] ?? ""));
}

/** Whether the build log shows the step matching `name` came from the cache. */
export function wasCached(log: string, name: RegExp): boolean {
  return vertexLines(log, name).some((line) => / CACHED$/.test(line));
}

export function combined(result: CommandResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

export { engineEnv };

/** A copy switched to the basic-auth index, and the secret file (beside the context) that opens it. */
export interface AuthIndexSetup {
  password: string;
  secretFile: string;
}

/** Points the copy's `[tool.pyfront]` indices at the auth index, through the build secret `pypi`. */
/**
 * The password-protected index with its credentials written in the spec's index URL, as users do,
 * and the build secret (pyfront-index-0) the frontend reads them from.
 */
export function useCredentialsInIndexUrl(copy: ExampleCopy): { password: string; secretFile: string } {
  const env = engineEnv();
  const password = readFileSync(env.indexPasswordFile, "utf8").trim();
  const withCredentials = env.authIndexUrl.replace(
    /^(https?:\/\/)/,
    `$1${encodeURIComponent(env.indexUser)}:${encodeURIComponent(password)}@`,
  );
  copy.write(
    "pyproject.toml",
    copy
      .read("pyproject.toml")
      .replace(
        /indices = \[[^\n]*\]/,
        `indices = [{ url = "${withCredentials}", primary = true, trust = true }]`,
      ),
  );
  const secretFile = copy.outside("pyfront-index-0.secret");
  writeFileSync(secretFile, `${env.indexUser}:${password}\n`, { mode: 0o600 });
  return { password, secretFile };
}

export function useAuthIndex(copy: ExampleCopy): AuthIndexSetup {
  const env = engineEnv();
  const password = readFileSync(env.indexPasswordFile, "utf8").trim();
  expect(password.length).toBeGreaterThan(8);
  const pyproject = copy
    .read("pyproject.toml")
    .replace(
      /indices = \[[^\n]*\]/,
      `indices = [{ url = "${env.authIndexUrl}", primary = true, trust = true, secret = "pypi" }]`,
    );
  expect(pyproject).toContain('secret = "pypi"');
  copy.write("pyproject.toml", pyproject);
  const secretFile = copy.outside(`pyfront-secret-${randomBytes(4).toString("hex")}`);
  writeFileSync(secretFile, `${env.indexUser}:${password}\n`, { mode: 0o600 });
  return { password, secretFile };
}
