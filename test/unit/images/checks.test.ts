import { describe, expect, it } from "vitest";
import { firstTarEntry } from "../../../src/images/docker-probe.js";
import {
  CheckFailure,
  type ExecResult,
  formatCheckReport,
  type ImageChecks,
  type ImageProbe,
  type PathInfo,
  permissionString,
  runChecks,
} from "../../../src/images/index.js";
import type { ContainerConfigJson } from "../../../src/render/llb-image-config.js";

/** An image held in memory: programs answer from a table, files from a map. */
class MemoryImage implements ImageProbe {
  readonly reference = "memory:test";
  constructor(
    readonly programs: Record<
      string,
      (args: readonly string[], env: Readonly<Record<string, string>>) => ExecResult
    >,
    readonly files: Record<string, PathInfo & { contents?: string }>,
    readonly imageConfig: ContainerConfigJson,
  ) {}
  async exec(command: string, args: readonly string[] = [], env: Readonly<Record<string, string>> = {}) {
    const program = this.programs[command];
    return program
      ? program(args, env)
      : { exitCode: 127, stdout: "", stderr: `exec: "${command}": executable file not found in $PATH` };
  }
  async stat(path: string) {
    const f = this.files[path];
    return f ? { type: f.type, mode: f.mode, uid: f.uid, gid: f.gid } : undefined;
  }
  async readFile(path: string) {
    return this.files[path]?.contents;
  }
  async config() {
    return this.imageConfig;
  }
}

const healthy = () =>
  new MemoryImage(
    {
      python: () => ({ exitCode: 0, stdout: "Python 3.13.5\n", stderr: "" }),
      date: (_args, env) => ({
        exitCode: 0,
        stdout: `${env.TZ === "Asia/Tokyo" ? "JST" : "UTC"}\n`,
        stderr: "",
      }),
      id: () => ({ exitCode: 0, stdout: "app\n", stderr: "" }),
    },
    {
      "/etc/localtime": { type: "symlink", mode: 0o777, uid: 0, gid: 0 },
      "/etc/timezone": { type: "file", mode: 0o644, uid: 0, gid: 0, contents: "Etc/UTC\n" },
      "/usr/bin/tini": { type: "file", mode: 0o755, uid: 0, gid: 0 },
    },
    {
      User: "app",
      WorkingDir: "/home/app",
      Env: ["PATH=/usr/bin", "TZ=Etc/UTC"],
      Cmd: ["python3"],
      Labels: { a: "b" },
      ExposedPorts: { "8000/tcp": {} },
    },
  );

const checks: ImageChecks = {
  commandTests: [
    { name: "python", command: "python", args: ["--version"], expectedOutput: ["^Python 3\\.13\\."] },
    { name: "utc", command: "date", args: ["+%Z"], expectedOutput: ["^UTC$"], excludedOutput: ["JST"] },
    {
      name: "tokyo when asked",
      command: "date",
      envVars: [{ key: "TZ", value: "Asia/Tokyo" }],
      expectedOutput: ["JST"],
    },
    { name: "user", command: "id", args: ["-un"], expectedOutput: ["^app$"] },
  ],
  fileExistenceTests: [
    { name: "localtime", path: "/etc/localtime", permissions: "lrwxrwxrwx", uid: 0 },
    { name: "tini", path: "/usr/bin/tini", isExecutableBy: "other" },
    { name: "no shadow copy", path: "/etc/shadow-", shouldExist: false },
  ],
  fileContentTests: [
    { name: "tz file", path: "/etc/timezone", expectedContents: ["^Etc/UTC$"], excludedContents: ["Tokyo"] },
  ],
  metadataTest: {
    user: "app",
    workdir: "/home/app",
    cmd: ["python3"],
    envVars: [
      { key: "TZ", value: "Etc/UTC" },
      { key: "PATH", value: "/usr/bin$", isRegex: true },
    ],
    labels: [{ key: "a", value: "b" }],
    exposedPorts: ["8000"],
    unexposedPorts: ["22"],
  },
  functions: [
    {
      name: "python runs",
      async run(image) {
        const r = await image.exec("python", ["--version"]);
        if (r.exitCode !== 0) throw new CheckFailure("exit 0", `exit ${r.exitCode}`);
      },
    },
  ],
};

describe("checks", () => {
  it("pass on an image that meets them", async () => {
    const report = await runChecks("memory:test", "demo:1.0.0", [{ from: "demo:1.0.0", checks }], healthy());
    expect(report.results.filter((r) => !r.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.results).toHaveLength(4 + 3 + 1 + 7 + 1);
  });

  it("catch a removed binary, a changed timezone and the wrong user, saying what was expected and seen", async () => {
    const broken = healthy();
    delete broken.programs.python;
    broken.programs.date = () => ({ exitCode: 0, stdout: "JST\n", stderr: "" });
    broken.programs.id = () => ({ exitCode: 0, stdout: "root\n", stderr: "" });
    broken.files["/etc/timezone"]!.contents = "Asia/Tokyo\n";
    broken.files["/usr/bin/tini"]!.mode = 0o700;
    broken.files["/etc/shadow-"] = { type: "file", mode: 0o600, uid: 0, gid: 42 };
    broken.imageConfig.User = "root";
    const report = await runChecks("memory:test", "demo:1.1.0", [{ from: "demo:1.0.0", checks }], broken);
    expect(report.ok).toBe(false);
    const failed = Object.fromEntries(
      report.results.filter((r) => !r.ok).map((r) => [`${r.kind} ${r.name}`, r.failures]),
    );
    expect(Object.keys(failed).sort()).toEqual([
      "commandTests python",
      "commandTests user",
      "commandTests utc",
      "fileContentTests tz file",
      "fileExistenceTests no shadow copy",
      "fileExistenceTests tini",
      "functions python runs",
      "metadataTest user",
    ]);
    expect(failed["commandTests python"]).toContainEqual({
      expected: "exit code 0",
      seen: 'exit code 127, stderr "exec: \\"python\\": executable file not found in $PATH"',
    });
    expect(failed["commandTests utc"]).toEqual([
      { expected: "stdout matching /^UTC$/", seen: '"JST\\n"' },
      { expected: "stdout not matching /JST/", seen: '"JST\\n"' },
    ]);
    expect(failed["metadataTest user"]).toEqual([{ expected: '"app"', seen: '"root"' }]);
    expect(failed["fileExistenceTests tini"]).toEqual([
      { expected: "executable by other", seen: "-rwx------" },
    ]);
    expect(failed["functions python runs"]).toEqual([{ expected: "exit 0", seen: "exit 127" }]);

    const text = formatCheckReport(report);
    expect(text).toContain("demo:1.1.0 (memory:test): 16 checks, 8 failed");
    expect(text).toContain(
      '  FAIL commandTests "utc" (from demo:1.0.0)\n         expected: stdout matching /^UTC$/\n         seen:     "JST\\n"',
    );
    expect(text).toContain('  ok   metadataTest "workdir" (from demo:1.0.0)');
  });

  it("reports a function that throws any error as a failed check, not a crash", async () => {
    const report = await runChecks(
      "m",
      "demo:1.0.0",
      [
        {
          from: "demo:1.0.0",
          checks: {
            functions: [
              {
                name: "boom",
                run: async () => {
                  throw new Error("kaput");
                },
              },
            ],
          },
        },
      ],
      healthy(),
    );
    expect(report.results[0]).toMatchObject({
      ok: false,
      failures: [{ expected: "the check to run", seen: "it threw: kaput" }],
    });
  });

  it("print permissions as ls -l does", () => {
    expect(permissionString({ type: "file", mode: 0o4755, uid: 0, gid: 0 })).toBe("-rwsr-xr-x");
    expect(permissionString({ type: "directory", mode: 0o1777, uid: 0, gid: 0 })).toBe("drwxrwxrwt");
    expect(permissionString({ type: "file", mode: 0o2644, uid: 0, gid: 0 })).toBe("-rw-r-Sr--");
  });
});

/** A ustar header as `docker cp` writes one. */
function tarHeader(name: string, mode: number, uid: number, gid: number, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string, at: number) => h.write(text, at, "latin1");
  put(name, 0);
  put(`${mode.toString(8).padStart(7, "0")}\0`, 100);
  put(`${uid.toString(8).padStart(7, "0")}\0`, 108);
  put(`${gid.toString(8).padStart(7, "0")}\0`, 116);
  put(`${size.toString(8).padStart(11, "0")}\0`, 124);
  put(type, 156);
  return h;
}

describe("reading docker cp's tar stream", () => {
  it("skips a pax header and returns the first entry's mode, owner and data", () => {
    const pax = Buffer.from("30 path=a-very-long-file-name\n");
    const data = Buffer.from("Etc/UTC\n");
    const tar = Buffer.concat([
      tarHeader("PaxHeaders/x", 0o644, 0, 0, pax.length, "x"),
      Buffer.concat([pax, Buffer.alloc(512 - pax.length)]),
      tarHeader("timezone", 0o640, 1000, 50, data.length, "0"),
      Buffer.concat([data, Buffer.alloc(512 - data.length)]),
      Buffer.alloc(1024),
    ]);
    const entry = firstTarEntry(tar);
    expect(entry?.info).toEqual({ type: "file", mode: 0o640, uid: 1000, gid: 50 });
    expect(entry?.data.toString()).toBe("Etc/UTC\n");
    expect(firstTarEntry(tarHeader("localtime", 0o777, 0, 0, 0, "2"))?.info.type).toBe("symlink");
    expect(firstTarEntry(Buffer.alloc(1024))).toBeUndefined();
  });
});
