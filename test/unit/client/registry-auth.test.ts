import { describe, expect, it } from "vitest";
import {
  type AuthEnvironment,
  credentialFor,
  DOCKER_HUB_AUTH_KEY,
  RegistryAuthError,
  registryAuthHeader,
  registryOf,
} from "../../../src/client/registry-auth.js";

function environment(
  config: unknown,
  helpers: Record<string, string> = {},
): AuthEnvironment & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    env: { DOCKER_CONFIG: "/cfg" },
    readFile: (path) =>
      path === "/cfg/config.json"
        ? typeof config === "string"
          ? config
          : JSON.stringify(config)
        : undefined,
    runHelper: (helper, server) => {
      asked.push(`${helper} ${server}`);
      const answer = helpers[`${helper} ${server}`];
      return answer === undefined
        ? { ok: false, detail: "credentials not found in native keychain" }
        : { ok: true, stdout: answer };
    },
  };
}

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");

describe("registryOf", () => {
  it("reads the registry host as the docker CLI does", () => {
    expect(registryOf("app")).toBe("docker.io");
    expect(registryOf("team/app:1")).toBe("docker.io");
    expect(registryOf("localhost/app")).toBe("localhost");
    expect(registryOf("localhost:5000/team/app:1")).toBe("localhost:5000");
    expect(registryOf("ghcr.io/org/app@sha256:abc")).toBe("ghcr.io");
  });
});

describe("credentialFor", () => {
  it("has nothing without a docker config, or without an entry for the host", () => {
    expect(
      credentialFor("ghcr.io", { env: { DOCKER_CONFIG: "/none" }, readFile: () => undefined }),
    ).toBeUndefined();
    expect(
      credentialFor("ghcr.io", environment({ auths: { "quay.io": { auth: basic("a", "b") } } })),
    ).toBeUndefined();
  });

  it("decodes an auths entry, whatever form of the host its key is written in", () => {
    const env = environment({
      auths: {
        "https://registry.example:5000/v1/": { auth: basic("ci", "pa:ss") },
        [DOCKER_HUB_AUTH_KEY]: { auth: basic("hub", "h") },
      },
    });
    expect(credentialFor("registry.example:5000", env)).toEqual({ username: "ci", password: "pa:ss" });
    expect(credentialFor("docker.io", env)).toEqual({ username: "hub", password: "h" });
  });

  it("asks the host's credHelper first, then the credsStore, and takes <token> for an identity token", () => {
    const env = environment(
      {
        credsStore: "pass",
        credHelpers: { "ghcr.io": "gh" },
        auths: { "ghcr.io": { auth: basic("stale", "x") } },
      },
      {
        "gh ghcr.io": JSON.stringify({ ServerURL: "ghcr.io", Username: "octo", Secret: "s3cret" }),
        [`pass ${DOCKER_HUB_AUTH_KEY}`]: JSON.stringify({ Username: "<token>", Secret: "refresh" }),
      },
    );
    expect(credentialFor("ghcr.io", env)).toEqual({ username: "octo", password: "s3cret" });
    expect(credentialFor("docker.io", env)).toEqual({ identityToken: "refresh" });
    // A helper with nothing for the host is anonymous access, as docker goes on.
    expect(credentialFor("quay.io", env)).toBeUndefined();
    expect(env.asked).toEqual(["gh ghcr.io", `pass ${DOCKER_HUB_AUTH_KEY}`, "pass quay.io"]);
  });

  it("refuses a broken config, a helper that fails, and a helper name that is not one", () => {
    expect(() => credentialFor("ghcr.io", environment("{ not json"))).toThrow(RegistryAuthError);
    expect(() =>
      credentialFor("ghcr.io", environment({ auths: { "ghcr.io": { auth: basic("x", "y").slice(0, 1) } } })),
    ).toThrow(/not base64 of user:password/);
    const failing: AuthEnvironment = {
      ...environment({ credsStore: "pass" }),
      runHelper: () => ({ ok: false, detail: "gpg: decryption failed" }),
    };
    expect(() => credentialFor("ghcr.io", failing)).toThrow(
      /docker-credential-pass failed for ghcr.io: gpg: decryption failed/,
    );
    expect(() => credentialFor("ghcr.io", environment({ credsStore: "../../bin/sh" }))).toThrow(
      /not a helper's name/,
    );
  });
});

describe("registryAuthHeader", () => {
  const decode = (header: string) => JSON.parse(Buffer.from(header, "base64url").toString("utf8"));

  it("is padded URL-safe base64, as Go's base64.URLEncoding reads it", () => {
    const header = registryAuthHeader("r", { username: "u?>", password: "~~~" });
    expect(header.length % 4).toBe(0);
    expect(header).toMatch(/^[A-Za-z0-9_-]+=*$/);
    expect(registryAuthHeader("r", undefined)).toBe("e30=");
  });

  it("is {} for anonymous access, a login with the server otherwise", () => {
    expect(decode(registryAuthHeader("localhost:5000", undefined))).toEqual({});
    expect(decode(registryAuthHeader("localhost:5000", { username: "u", password: "p" }))).toEqual({
      username: "u",
      password: "p",
      serveraddress: "localhost:5000",
    });
    expect(decode(registryAuthHeader("docker.io", { identityToken: "t" }))).toEqual({
      identitytoken: "t",
      serveraddress: DOCKER_HUB_AUTH_KEY,
    });
  });
});
