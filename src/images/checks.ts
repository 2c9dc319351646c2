import type { ContainerConfigJson } from "../render/llb-image-config.js";

/*
 * Sanity checks in container-structure-test's vocabulary (commandTests, fileExistenceTests,
 * fileContentTests, metadataTest), plus functions. Evaluating them is pure given an ImageProbe;
 * src/images/docker-probe.ts is the probe over the docker CLI.
 */

export interface EnvEntry {
  key: string;
  value: string;
  /** value is a regular expression rather than the exact text. */
  isRegex?: boolean;
}

export interface CommandTest {
  name: string;
  /** The program, run as the container's entrypoint. */
  command: string;
  args?: readonly string[];
  envVars?: readonly { key: string; value: string }[];
  /** Regular expressions stdout must match. */
  expectedOutput?: readonly string[];
  excludedOutput?: readonly string[];
  expectedError?: readonly string[];
  excludedError?: readonly string[];
  /** Default 0. */
  exitCode?: number;
}

export interface FileExistenceTest {
  name: string;
  path: string;
  /** Default true. */
  shouldExist?: boolean;
  /** As `ls -l` prints them: "-rw-r--r--", "drwxr-xr-x", "lrwxrwxrwx". */
  permissions?: string;
  uid?: number;
  gid?: number;
  isExecutableBy?: "owner" | "group" | "other" | "any";
}

export interface FileContentTest {
  name: string;
  path: string;
  /** Regular expressions the contents must match. */
  expectedContents?: readonly string[];
  excludedContents?: readonly string[];
}

export interface MetadataTest {
  envVars?: readonly EnvEntry[];
  labels?: readonly EnvEntry[];
  user?: string;
  workdir?: string;
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  exposedPorts?: readonly string[];
  unexposedPorts?: readonly string[];
}

/** What a function check is given: the built image, to run programs in and read files from. */
export interface CheckedImage {
  readonly reference: string;
  /** Runs `command` as the entrypoint, with extra environment variables. */
  exec(
    command: string,
    args?: readonly string[],
    env?: Readonly<Record<string, string>>,
  ): Promise<ExecResult>;
  readFile(path: string): Promise<string | undefined>;
  config(): Promise<ContainerConfigJson>;
}

export interface FunctionCheck {
  name: string;
  /** Throws to fail: a CheckFailure says what was expected and seen, any other error is shown as seen. */
  run(image: CheckedImage): Promise<void>;
}

export interface ImageChecks {
  commandTests?: readonly CommandTest[];
  fileExistenceTests?: readonly FileExistenceTest[];
  fileContentTests?: readonly FileContentTest[];
  metadataTest?: MetadataTest;
  functions?: readonly FunctionCheck[];
}

export class CheckFailure extends Error {
  readonly expected: string;
  readonly seen: string;
  constructor(expected: string, seen: string) {
    super(`expected ${expected}, seen ${seen}`);
    this.expected = expected;
    this.seen = seen;
  }
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface PathInfo {
  type: "file" | "directory" | "symlink" | "other";
  /** Permission bits with setuid/setgid/sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
}

/** How checks reach a built image. */
export interface ImageProbe extends CheckedImage {
  /** The path itself (a symlink is not followed), or undefined when absent. */
  stat(path: string): Promise<PathInfo | undefined>;
}

export type CheckKind =
  | "commandTests"
  | "fileExistenceTests"
  | "fileContentTests"
  | "metadataTest"
  | "functions";

export interface CheckResult {
  /** The version that declared the check ("name:version"). */
  from: string;
  kind: CheckKind;
  name: string;
  ok: boolean;
  /** One entry per unmet expectation. */
  failures: { expected: string; seen: string }[];
}

export interface CheckReport {
  image: string;
  version: string;
  results: CheckResult[];
  ok: boolean;
}

/** `ls -l` style permissions. */
export function permissionString(info: PathInfo): string {
  const type = { file: "-", directory: "d", symlink: "l", other: "?" }[info.type];
  const bits = ["r", "w", "x", "r", "w", "x", "r", "w", "x"].map((c, i) =>
    info.mode & (0o400 >> i) ? c : "-",
  );
  const special = (at: number, flag: number, set: string, unset: string) => {
    if (info.mode & flag) bits[at] = bits[at] === "x" ? set : unset;
  };
  special(2, 0o4000, "s", "S");
  special(5, 0o2000, "s", "S");
  special(8, 0o1000, "t", "T");
  return type + bits.join("");
}

function quoted(text: string, limit = 300): string {
  const shown = text.length > limit ? `${text.slice(0, limit)}…` : text;
  return JSON.stringify(shown);
}

function regex(pattern: string, where: string): RegExp {
  try {
    return new RegExp(pattern, "m");
  } catch (error) {
    throw new Error(
      `${where}: bad regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`,
    );
  }
}

type Failures = { expected: string; seen: string }[];

function matchAll(
  text: string,
  what: string,
  expected: readonly string[] = [],
  excluded: readonly string[] = [],
  failures: Failures,
  where: string,
) {
  for (const p of expected)
    if (!regex(p, where).test(text))
      failures.push({ expected: `${what} matching /${p}/`, seen: quoted(text) });
  for (const p of excluded)
    if (regex(p, where).test(text))
      failures.push({ expected: `${what} not matching /${p}/`, seen: quoted(text) });
}

async function commandTest(probe: ImageProbe, t: CommandTest): Promise<Failures> {
  const failures: Failures = [];
  const env = Object.fromEntries((t.envVars ?? []).map((e) => [e.key, e.value]));
  const result = await probe.exec(t.command, t.args ?? [], env);
  const exitCode = t.exitCode ?? 0;
  if (result.exitCode !== exitCode)
    failures.push({
      expected: `exit code ${exitCode}`,
      seen: `exit code ${result.exitCode}${result.stderr.trim() ? `, stderr ${quoted(result.stderr.trim())}` : ""}`,
    });
  matchAll(result.stdout, "stdout", t.expectedOutput, t.excludedOutput, failures, t.name);
  matchAll(result.stderr, "stderr", t.expectedError, t.excludedError, failures, t.name);
  return failures;
}

async function fileExistenceTest(probe: ImageProbe, t: FileExistenceTest): Promise<Failures> {
  const info = await probe.stat(t.path);
  const shouldExist = t.shouldExist ?? true;
  if (!shouldExist)
    return info
      ? [{ expected: `no ${t.path}`, seen: `${permissionString(info)} ${info.uid}:${info.gid}` }]
      : [];
  if (!info) return [{ expected: `${t.path} to exist`, seen: "no such file or directory" }];
  const failures: Failures = [];
  const perms = permissionString(info);
  if (t.permissions !== undefined && perms !== t.permissions)
    failures.push({ expected: `permissions ${t.permissions}`, seen: perms });
  if (t.uid !== undefined && info.uid !== t.uid)
    failures.push({ expected: `uid ${t.uid}`, seen: `uid ${info.uid}` });
  if (t.gid !== undefined && info.gid !== t.gid)
    failures.push({ expected: `gid ${t.gid}`, seen: `gid ${info.gid}` });
  if (t.isExecutableBy !== undefined) {
    const mask = { owner: 0o100, group: 0o010, other: 0o001, any: 0o111 }[t.isExecutableBy];
    if ((info.mode & mask) === 0)
      failures.push({ expected: `executable by ${t.isExecutableBy}`, seen: perms });
  }
  return failures;
}

async function fileContentTest(probe: ImageProbe, t: FileContentTest): Promise<Failures> {
  const text = await probe.readFile(t.path);
  if (text === undefined) return [{ expected: `${t.path} to exist`, seen: "no such file" }];
  const failures: Failures = [];
  matchAll(text, `${t.path}`, t.expectedContents, t.excludedContents, failures, t.name);
  return failures;
}

function envOf(config: ContainerConfigJson): Map<string, string> {
  return new Map(
    (config.Env ?? []).map((e) => {
      const eq = e.indexOf("=");
      return eq < 0 ? [e, ""] : [e.slice(0, eq), e.slice(eq + 1)];
    }),
  );
}

function entryFailures(
  kind: string,
  entries: readonly EnvEntry[],
  actual: Map<string, string>,
  failures: Failures,
) {
  for (const e of entries) {
    const seen = actual.get(e.key);
    const ok =
      seen !== undefined && (e.isRegex ? regex(e.value, `${kind} ${e.key}`).test(seen) : seen === e.value);
    if (!ok)
      failures.push({
        expected: `${kind} ${e.key}${e.isRegex ? ` matching /${e.value}/` : `=${e.value}`}`,
        seen: seen === undefined ? `${e.key} unset` : `${e.key}=${seen}`,
      });
  }
}

/** The metadata test, one result per key it names, so the report says which one is wrong. */
function metadataResults(
  config: ContainerConfigJson,
  t: MetadataTest,
): { name: string; failures: Failures }[] {
  const results: { name: string; failures: Failures }[] = [];
  const add = (name: string, failures: Failures) => results.push({ name, failures });
  if (t.envVars) {
    const failures: Failures = [];
    entryFailures("env", t.envVars, envOf(config), failures);
    add("envVars", failures);
  }
  if (t.labels) {
    const failures: Failures = [];
    entryFailures("label", t.labels, new Map(Object.entries(config.Labels ?? {})), failures);
    add("labels", failures);
  }
  const same = (name: string, expected: unknown, seen: unknown) =>
    add(
      name,
      JSON.stringify(expected) === JSON.stringify(seen)
        ? []
        : [{ expected: JSON.stringify(expected), seen: JSON.stringify(seen) }],
    );
  if (t.user !== undefined) same("user", t.user, config.User ?? "");
  if (t.workdir !== undefined) same("workdir", t.workdir, config.WorkingDir ?? "");
  if (t.entrypoint !== undefined) same("entrypoint", t.entrypoint, config.Entrypoint ?? []);
  if (t.cmd !== undefined) same("cmd", t.cmd, config.Cmd ?? []);
  const ports = Object.keys(config.ExposedPorts ?? {});
  const withProto = (p: string) => (p.includes("/") ? p : `${p}/tcp`);
  if (t.exposedPorts)
    add(
      "exposedPorts",
      t.exposedPorts
        .filter((p) => !ports.includes(withProto(p)))
        .map((p) => ({ expected: `port ${p} exposed`, seen: JSON.stringify(ports) })),
    );
  if (t.unexposedPorts)
    add(
      "unexposedPorts",
      t.unexposedPorts
        .filter((p) => ports.includes(withProto(p)))
        .map((p) => ({ expected: `port ${p} not exposed`, seen: JSON.stringify(ports) })),
    );
  return results;
}

/** A version's checks and where they come from, in the order they run. */
export interface ChecksFrom {
  from: string;
  checks: ImageChecks;
}

/** Runs every check against the probe; a check that throws is a failed check, never a crash. */
export async function runChecks(
  image: string,
  version: string,
  sets: readonly ChecksFrom[],
  probe: ImageProbe,
): Promise<CheckReport> {
  const results: CheckResult[] = [];
  const record = async (from: string, kind: CheckKind, name: string, evaluate: () => Promise<Failures>) => {
    let failures: Failures;
    try {
      failures = await evaluate();
    } catch (error) {
      failures =
        error instanceof CheckFailure
          ? [{ expected: error.expected, seen: error.seen }]
          : [
              {
                expected: "the check to run",
                seen: `it threw: ${(error as Error).message ?? String(error)}`,
              },
            ];
    }
    results.push({ from, kind, name, ok: failures.length === 0, failures });
  };
  let config: ContainerConfigJson | undefined;
  for (const { from, checks } of sets) {
    for (const t of checks.commandTests ?? [])
      await record(from, "commandTests", t.name, () => commandTest(probe, t));
    for (const t of checks.fileExistenceTests ?? [])
      await record(from, "fileExistenceTests", t.name, () => fileExistenceTest(probe, t));
    for (const t of checks.fileContentTests ?? [])
      await record(from, "fileContentTests", t.name, () => fileContentTest(probe, t));
    if (checks.metadataTest) {
      config ??= await probe.config();
      for (const r of metadataResults(config, checks.metadataTest))
        await record(from, "metadataTest", r.name, async () => r.failures);
    }
    for (const f of checks.functions ?? [])
      await record(from, "functions", f.name, async () => {
        await f.run(probe);
        return [];
      });
  }
  return { image, version, results, ok: results.every((r) => r.ok) };
}

/** The report people read: one line per check, and under a failed one what was expected and seen. */
export function formatCheckReport(report: CheckReport): string {
  const failed = report.results.filter((r) => !r.ok).length;
  const lines = [
    `${report.version} (${report.image}): ${report.results.length} checks, ${failed === 0 ? "all passed" : `${failed} failed`}`,
  ];
  for (const r of report.results) {
    const from = r.from === report.version ? "" : ` (from ${r.from})`;
    lines.push(`  ${r.ok ? "ok  " : "FAIL"} ${r.kind} ${JSON.stringify(r.name)}${from}`);
    for (const f of r.failures)
      lines.push(`         expected: ${f.expected}`, `         seen:     ${f.seen}`);
  }
  return `${lines.join("\n")}\n`;
}
