import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { formatDiagnostic } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";
import {
  isPipLoopbackHost,
  pipAcceptsIndexUrl,
  trustedHostFor,
  urlOrigin,
} from "../../../src/spec/pip-origins.js";

describe("pip's loopback origins (SECURE_ORIGINS: localhost, 127.0.0.0/8, ::1/128)", () => {
  const loopback = [
    "localhost",
    "LOCALHOST",
    "127.0.0.1",
    "127.5.6.7",
    "127.255.255.255",
    "::1",
    "0:0:0:0:0:0:0:1",
  ];
  const notLoopback = [
    "127.1", // Python's ipaddress wants four octets; pip then compares it as a name
    "127.000.000.001", // leading zeros are refused by Python's ipaddress
    "localhost.localdomain",
    "localhost.",
    "128.0.0.1",
    "10.0.0.1",
    "::2",
    "::ffff:127.0.0.1", // an IPv6 address, not in ::1/128
    "example.com",
  ];
  for (const host of loopback) it(`${host} is loopback`, () => expect(isPipLoopbackHost(host)).toBe(true));
  for (const host of notLoopback) {
    it(`${host} is not loopback`, () => expect(isPipLoopbackHost(host)).toBe(false));
  }
});

describe("urlOrigin reads a URL as urllib.parse does", () => {
  it("keeps the host as written, lowercased, and the port", () => {
    expect(urlOrigin("http://127.1:3141/simple")).toEqual({ scheme: "http", host: "127.1", port: 3141 });
    expect(urlOrigin("HTTP://Mirror.Example/simple")).toEqual({ scheme: "http", host: "mirror.example" });
    expect(urlOrigin("http://[::1]:3141/simple")).toEqual({ scheme: "http", host: "::1", port: 3141 });
    expect(urlOrigin("http://user@host:80/x")).toEqual({ scheme: "http", host: "host", port: 80 });
    expect(urlOrigin("not a url")).toBeUndefined();
  });

  it("gives --trusted-host the authority pip compares", () => {
    expect(trustedHostFor("http://127.1:3141/simple")).toBe("127.1:3141");
    expect(trustedHostFor("http://Mirror.Example:8080/simple")).toBe("mirror.example:8080");
    expect(trustedHostFor("http://[::1]:3141/simple")).toBe("[::1]:3141");
  });
});

describe("pipAcceptsIndexUrl", () => {
  it("takes https and loopback http without trust", () => {
    expect(pipAcceptsIndexUrl("https://pypi.example/simple", [])).toBe(true);
    expect(pipAcceptsIndexUrl("http://127.0.0.1:3141/simple", [])).toBe(true);
    expect(pipAcceptsIndexUrl("http://localhost:3141/simple", [])).toBe(true);
    expect(pipAcceptsIndexUrl("http://[::1]:3141/simple", [])).toBe(true);
    expect(pipAcceptsIndexUrl("http://127.1:3141/simple", [])).toBe(false);
    expect(pipAcceptsIndexUrl("http://pypi.internal/simple", [])).toBe(false);
  });

  it("matches trusted hosts like pip: a host alone trusts every port, host:port only that port", () => {
    expect(pipAcceptsIndexUrl("http://pypi.internal:8080/simple", ["pypi.internal"])).toBe(true);
    expect(pipAcceptsIndexUrl("http://PYPI.internal/simple", ["pypi.internal"])).toBe(true);
    expect(pipAcceptsIndexUrl("http://pypi.internal:8080/simple", ["pypi.internal:8080"])).toBe(true);
    expect(pipAcceptsIndexUrl("http://pypi.internal:9090/simple", ["pypi.internal:8080"])).toBe(false);
    expect(pipAcceptsIndexUrl("http://pypi.internal/simple", ["pypi.internal:8080"])).toBe(false);
    expect(pipAcceptsIndexUrl("http://[fd00::1]:8080/simple", ["fd00::1"])).toBe(true);
    expect(pipAcceptsIndexUrl("http://[fd00::1]:8080/simple", ["[fd00::1]:8080"])).toBe(true);
  });
});

describe("the untrusted-http-index warning says what pip does", () => {
  const warnings = (url: string, trust = false) =>
    loadBuildSpec(
      `[tool.pyfront]\npython_version = "3.13"\ncommand = ["true"]\nindices = [{ url = "${url}"${trust ? ", trust = true" : ""} }]\n`,
      { specFile: "pyproject.toml" },
      memoryContext({}),
    ).warnings.map(formatDiagnostic);

  for (const url of [
    "http://127.0.0.1:3141/simple",
    "http://127.0.0.2/simple",
    "http://[::1]:3141/simple",
    "http://localhost:3141/simple",
  ]) {
    it(`none for ${url}: pip reads loopback hosts over http`, () => expect(warnings(url)).toEqual([]));
  }

  it("one for another host, which pip ignores", () => {
    expect(warnings("http://pypi.internal/simple")).toEqual([
      "pyproject.toml:4:20: warning: tool.pyfront.indices[0].url: pip ignores a plain http index whose host is not trusted (only localhost, 127.0.0.0/8 and ::1 need no trust)\n  hint: use https, or set trust = true",
    ]);
  });

  it("none once the index is trusted", () =>
    expect(warnings("http://pypi.internal/simple", true)).toEqual([]));
});
