// Issue #11, finding 3: no credential reaches the plan, the Dockerfile, the LLB or the log, in any encoding.
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { findLeaks } from "./leak-search.js";
import { outputsOf, renderAll } from "./render-all.js";

const PW = "Pa55:w0rd/+=é%s3cr3t";
const USER = "alice-deploy";
const enc = encodeURIComponent;
const files = { "main.py": "print(1)\n", "app/main.py": "print(1)\n", "requirements.txt": "flask\n" };

function rendered(text: string, specFile = "pyproject.toml") {
  return renderAll(text, { specFile }, memoryContext(files));
}

function expectNoLeak(r: ReturnType<typeof rendered>, secrets = [PW, `${USER}:${PW}`]) {
  for (const secret of secrets) expect(findLeaks(secret, outputsOf(r))).toEqual([]);
}

describe("credentials in index URLs are taken apart into a build secret", () => {
  const url = `https://${USER}:${enc(PW)}@pypi.example.org/simple`;

  it.each([
    [
      "pyfront",
      `[tool.pyfront]\npython_version = "3.12"\nindices = [{ url = "${url}", primary = true }]\ndependencies = ["flask"]\n`,
    ],
    [
      "microb",
      `[tool.microb.target.default]\npython_version = "3.12"\nindices = [{ url = "${url}" }]\nrequirements = ["requirements.txt"]\n`,
    ],
  ])("%s: the plan names pyfront-index-0, nothing carries the password", (_format, text) => {
    const r = rendered(text);
    expect(r.refused).toBe(false);
    expectNoLeak(r, [PW, enc(PW), USER]);
    expect(r.plan!.secrets).toEqual([
      expect.objectContaining({
        id: "pyfront-index-0",
        source: "spec-inline",
        purpose: "credentials for package index https://pypi.example.org/simple",
      }),
    ]);
    expect(r.messages.join("\n")).toContain('the build reads them from the build secret "pyfront-index-0"');
    expect(r.dockerfile).toContain("--mount=type=secret,id=pyfront-index-0");
  });

  it("mopy: warned about too, and taken apart the same way", () => {
    const r = rendered(
      `python: "3.12"\nproject: ./app/\npip: [flask]\nindices:\n  - url: "${url}"\n`,
      "Mopyfile.yaml",
    );
    expect(r.refused).toBe(false);
    expectNoLeak(r, [PW, enc(PW), USER]);
    expect(r.messages.join("\n")).toMatch(
      /Mopyfile\.yaml:5:\d+: warning: indices\[0\]\.url: credentials written in the spec file are not used/,
    );
  });

  it("URL credentials next to a secret are an error whose message holds no password", () => {
    const r = rendered(`[tool.pyfront]\nindices = [{ url = "${url}", secret = "pypi" }]\n`);
    expect(r.refused).toBe(true);
    expect(r.messages.join("\n")).toContain("the URL holds credentials and the index has a secret");
    expectNoLeak(r, [PW, enc(PW), USER]);
  });

  it("a malformed URL with credentials is reported without them", () => {
    const r = rendered(`[tool.pyfront]\nindices = [{ url = "https://${USER}:${enc(PW)}@exa mple/x" }]\n`);
    expect(r.refused).toBe(true);
    expectNoLeak(r, [PW, enc(PW), USER]);
  });

  it.each(["\\n", "\\r", "\\t", "\\u0085", " "])("an index URL holding %j is refused", (ch) => {
    const r = rendered(
      `[tool.pyfront]\nindices = [{ url = "https://pypi.example.org/simple${ch}--trusted-host=evil" }]\n`,
    );
    expect(r.refused).toBe(true);
    expect(r.messages[0]).toMatch(
      /^pyproject\.toml:2:\d+: tool\.pyfront\.indices\[0\]\.url: .* (holds whitespace or control characters|is not a URL)/,
    );
  });
});

describe("inline username/password travel only as a BuildKit secret", () => {
  it.each([
    [
      "microb",
      "pyproject.toml",
      `[tool.microb.target.default]\nindices = [{ url = "https://p.example/simple", username = "${USER}", password = "${PW}" }]\nrequirements = ["requirements.txt"]\n`,
    ],
    [
      "pyfront",
      "pyproject.toml",
      `[tool.pyfront]\nindices = [{ url = "https://p.example/simple", username = "${USER}", password = "${PW}" }]\ndependencies = ["flask"]\n`,
    ],
    [
      "mopy",
      "Mopyfile.yaml",
      `python: "3.12"\nproject: ./app/\nindices:\n  - url: https://p.example/simple\n    username: ${USER}\n    password: "${PW}"\npip: [flask]\n`,
    ],
  ])("%s: no mkfile, no base64, the secret is mounted by id", (_format, specFile, text) => {
    const r = rendered(text, specFile);
    expect(r.refused).toBe(false);
    expectNoLeak(r, [PW, `${USER}:${PW}`, USER]);
    expect(r.llbJson).not.toContain("mkfile");
    expect(r.llbJson).toContain('"ID":"pyfront-index-0"');
  });
});

describe("credentials in requirement URLs are refused", () => {
  it.each([
    `git+https://oauth2:${enc(PW)}@gitlab.example.com/o/r.git`,
    `pkg @ git+https://${enc(PW)}@github.com/o/r.git@v1`,
    `pkg @ https://${USER}:${enc(PW)}@files.example.com/pkg-1.0-py3-none-any.whl`,
  ])("%s", (requirement) => {
    const r = rendered(`[tool.pyfront]\ndependencies = [${JSON.stringify(requirement)}]\n`);
    expect(r.refused).toBe(true);
    expect(r.messages[0]).toMatch(
      /the URL holds credentials, which would end up in the build definition and the log/,
    );
    expectNoLeak(r, [PW, enc(PW)]);
  });

  it("git+ssh://git@host stays allowed (a user name, no credential)", () => {
    const r = rendered('[tool.pyfront]\ndependencies = ["git+ssh://git@github.com/o/r.git"]\n');
    expect(r.refused).toBe(false);
  });
});

describe("spec text shown in a build log", () => {
  it("has URL user info and username/password values redacted, line for line", async () => {
    const { redactSpecText } = await import("../../../src/spec/value-rules.js");
    const toml = `[x]\nindices = [{ url = "https://u:${PW}@h/s", username = "${USER}", password = '${PW}' }]\n`;
    const yaml = `indices:\n  - url: https://u:pw@h/s\n    username: ${USER}\n    password: "${PW}"\n`;
    for (const text of [toml, yaml]) {
      const shown = redactSpecText(text);
      expect(shown.split("\n")).toHaveLength(text.split("\n").length);
      expect(shown).not.toContain(PW);
      expect(shown).not.toContain(USER);
    }
  });
});

describe("credentials written with raw / or @ in them", () => {
  it.each([
    "pkg @ https://u:p/w@files.example.com/pkg-1.0-py3-none-any.whl",
    "git+https://u:p/w@host.example/o/r.git",
  ])("%s is refused and not echoed", (requirement) => {
    const r = rendered(`[tool.pyfront]\ndependencies = [${JSON.stringify(requirement)}]\n`);
    expect(r.refused).toBe(true);
    expect(r.messages.join("\n")).not.toContain("p/w");
  });

  it("an index URL with a raw / in the password is refused without echoing it", () => {
    const r = rendered(`[tool.pyfront]\nindices = [{ url = "https://u:${PW}@h.example/simple" }]\n`);
    expectNoLeak(r, [PW, "Pa55:w0rd"]);
  });
});
