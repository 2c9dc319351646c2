import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSecrets, parseSecretFlag } from "../../../src/client/secrets.js";

describe("--secret, parsed as docker build parses it", () => {
  it("reads id with src, source or env, and type", () => {
    expect(parseSecretFlag("id=pypi,src=/run/pw")).toEqual({ id: "pypi", kind: "file", path: "/run/pw" });
    expect(parseSecretFlag("id=pypi,source=pw.txt")).toEqual({ id: "pypi", kind: "file", path: "pw.txt" });
    expect(parseSecretFlag("id=token,env=GH_TOKEN")).toEqual({ id: "token", kind: "env", name: "GH_TOKEN" });
    expect(parseSecretFlag("type=env,id=token,src=GH_TOKEN")).toEqual({
      id: "token",
      kind: "env",
      name: "GH_TOKEN",
    });
    expect(parseSecretFlag("id=k,src=a=b")).toEqual({ id: "k", kind: "file", path: "a=b" });
  });

  it("refuses what it cannot honour, naming the flag", () => {
    expect(() => parseSecretFlag("src=/run/pw")).toThrow(/has no id/);
    expect(() => parseSecretFlag("id=x")).toThrow(/names no file \(src=\) or variable \(env=\)/);
    expect(() => parseSecretFlag("id=x,src=a,env=B")).toThrow(/both a file and a variable/);
    expect(() => parseSecretFlag("id=x,required=true")).toThrow(/unknown field "required"/);
    expect(() => parseSecretFlag("id=x,type=ssh,src=a")).toThrow(/type must be file or env/);
    expect(() => parseSecretFlag("id=x,src")).toThrow(/"src" is not key=value/);
    expect(() => parseSecretFlag("id=x,id=y,src=a")).toThrow(/id is given twice/);
  });

  it("loads every secret before the build, failing on a missing file or variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "pyfront-secret-"));
    writeFileSync(join(dir, "pw"), "user:hunter2\n");
    const loaded = loadSecrets(
      [parseSecretFlag("id=pypi,src=pw"), parseSecretFlag("id=tok,env=TOKEN")],
      { TOKEN: "t0k" },
      dir,
    );
    expect(new TextDecoder().decode(loaded.get("pypi"))).toBe("user:hunter2\n");
    expect(new TextDecoder().decode(loaded.get("tok"))).toBe("t0k");
    expect(() => loadSecrets([parseSecretFlag("id=a,src=missing")], {}, dir)).toThrow(
      /id=a: cannot read missing: ENOENT/,
    );
    expect(() => loadSecrets([parseSecretFlag("id=a,env=NOPE")], {}, dir)).toThrow(/NOPE is not set/);
    expect(() =>
      loadSecrets([parseSecretFlag("id=a,src=pw"), parseSecretFlag("id=a,env=TOKEN")], { TOKEN: "" }, dir),
    ).toThrow(/two --secret flags have the id "a"/);
  });
});
