// The SBOM step's script, run by this machine's python3 on a venv laid out as pip leaves one,
// and the frontend's SBOM path against the fake BuildKit (BuildKit 0.13's caps and 0.8's).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { ReturnInput } from "../../../src/buildkit/gateway/index.js";
import { OpSchema } from "../../../src/buildkit/gen/pb/ops_pb.js";
import { runFrontend } from "../../../src/frontend/frontend.js";
import { SBOM_SCRIPT, SPDX_PREDICATE_TYPE, sbomFacts } from "../../../src/frontend/sbom.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { baseSpec } from "../plan/spec-fixtures.js";
import { frontendEnv as env, startFakeBuildKit } from "./fake-buildkit.js";

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A venv's site-packages with one dist-info folder per entry. */
function venv(dists: Record<string, { metadata: string; directUrl?: object }>): string {
  const root = mkdtempSync(join(tmpdir(), "pyfront-sbom-"));
  roots.push(root);
  const site = join(root, "venv", "lib", "python3.13", "site-packages");
  for (const [folder, dist] of Object.entries(dists)) {
    mkdirSync(join(site, folder), { recursive: true });
    writeFileSync(join(site, folder, "METADATA"), dist.metadata);
    if (dist.directUrl) writeFileSync(join(site, folder, "direct_url.json"), JSON.stringify(dist.directUrl));
  }
  return root;
}

/** The parts of an SPDX document the tests read. */
interface SpdxPackage {
  name: string;
  versionInfo: string;
  downloadLocation: string;
  sourceInfo: string;
  licenseDeclared: string;
  licenseComments?: string;
  externalRefs: { referenceLocator: string }[];
}
interface SpdxDocument {
  spdxVersion: string;
  dataLicense: string;
  SPDXID: string;
  creationInfo: { created: string };
  packages: SpdxPackage[];
  relationships: object[];
}

function runScript(root: string, facts: object, epoch = "1700000000"): { text: string; doc: SpdxDocument } {
  const out = join(root, "out", "sbom.spdx.json");
  const run = spawnSync("python3", ["-c", SBOM_SCRIPT, join(root, "venv"), out, JSON.stringify(facts)], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", SOURCE_DATE_EPOCH: epoch },
  });
  expect(run.status, run.stderr).toBe(0);
  const text = readFileSync(out, "utf8");
  return { text, doc: JSON.parse(text) };
}

const DISTS = {
  "Flask-3.0.3.dist-info": {
    metadata:
      "Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.3\nClassifier: License :: OSI Approved :: BSD License\nClassifier: Programming Language :: Python\n\nbody\n",
  },
  "requests-2.32.3.dist-info": {
    metadata: "Metadata-Version: 2.1\nName: requests\nVersion: 2.32.3\nLicense: Apache-2.0\n",
  },
  "attrs-24.2.0.dist-info": {
    metadata: "Metadata-Version: 2.4\nName: attrs\nVersion: 24.2.0\nLicense-Expression: MIT\n",
  },
  "six-1.16.0.dist-info": {
    metadata:
      "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\nClassifier: License :: OSI Approved :: MIT License\n",
  },
  "private_lib-0.1.dist-info": {
    metadata: "Metadata-Version: 2.1\nName: private_lib\nVersion: 0.1\nLicense: Proprietary, see LICENSE\n",
    directUrl: {
      url: "https://deploy:gh-T0ken@git.example.org/team/private-lib.git",
      vcs_info: { vcs: "git", commit_id: "0123abcd" },
    },
  },
  "webapp-1.0.0.dist-info": {
    metadata: "Metadata-Version: 2.1\nName: webapp\nVersion: 1.0.0\n",
    directUrl: { url: "file:///pyfront/context", dir_info: {} },
  },
  "tarball-2.0.dist-info": {
    metadata: "Metadata-Version: 2.1\nName: tarball\nVersion: 2.0\n",
    directUrl: {
      url: "https://alice:pw0rd@files.example.org/tarball-2.0.tar.gz?token=abc&v=2",
      archive_info: {},
    },
  },
};

describe("the SBOM script", () => {
  it("lists every distribution with its version, license and source, as SPDX 2.3", () => {
    const root = venv(DISTS);
    const { doc } = runScript(root, {
      name: "webapp",
      indices: ["http://127.0.0.1:3142/simple"],
      locked: {},
    });
    expect(doc.spdxVersion).toBe("SPDX-2.3");
    expect(doc.dataLicense).toBe("CC0-1.0");
    expect(doc.SPDXID).toBe("SPDXRef-DOCUMENT");
    expect(doc.creationInfo.created).toBe("2023-11-14T22:13:20Z");
    const byName = Object.fromEntries(doc.packages.map((p) => [p.name, p])) as Record<
      "attrs" | "Flask" | "private_lib" | "requests" | "six" | "tarball" | "webapp",
      SpdxPackage
    >;
    expect(Object.keys(byName)).toEqual([
      "attrs",
      "Flask",
      "private_lib",
      "requests",
      "six",
      "tarball",
      "webapp",
    ]);
    expect(byName.attrs.licenseDeclared).toBe("MIT");
    expect(byName.requests.licenseDeclared).toBe("Apache-2.0");
    expect(byName.six.licenseDeclared).toBe("MIT");
    // "BSD License" names no one SPDX license: the classifier is kept as a comment.
    expect(byName.Flask.licenseDeclared).toBe("NOASSERTION");
    expect(byName.Flask.licenseComments).toBe("BSD License");
    expect(byName.private_lib.licenseComments).toBe("Proprietary, see LICENSE");
    expect(byName.requests.versionInfo).toBe("2.32.3");
    expect(byName.requests.sourceInfo).toBe("from the package index http://127.0.0.1:3142/simple");
    expect(byName.requests.externalRefs[0]?.referenceLocator).toBe(
      "pkg:pypi/requests@2.32.3?repository_url=http%3A%2F%2F127.0.0.1%3A3142%2Fsimple",
    );
    expect(byName.private_lib.downloadLocation).toBe(
      "git+https://git.example.org/team/private-lib.git@0123abcd",
    );
    expect(byName.tarball.downloadLocation).toBe("https://files.example.org/tarball-2.0.tar.gz?v=2");
    expect(byName.webapp.sourceInfo).toBe("from the folder /pyfront/context of the build");
    expect(doc.relationships).toHaveLength(7);
    expect(doc.relationships[0]).toEqual({
      spdxElementId: "SPDXRef-DOCUMENT",
      relationshipType: "DESCRIBES",
      relatedSpdxElement: "SPDXRef-Package-python-attrs",
    });
  });

  it("strips every credential, and gives the same bytes for the same venv", () => {
    const root = venv(DISTS);
    const facts = { name: "webapp", indices: ["https://u:p4ss@idx.example.org/simple"], locked: {} };
    const first = runScript(root, facts);
    for (const secret of ["gh-T0ken", "deploy", "pw0rd", "alice", "p4ss", "token=abc"]) {
      expect(first.text).not.toContain(secret);
    }
    expect(runScript(root, facts).text).toBe(first.text);
  });

  it("takes a locked package's source from the lock", () => {
    const root = venv({ "six-1.16.0.dist-info": DISTS["six-1.16.0.dist-info"] });
    const { doc } = runScript(root, {
      name: "app",
      indices: [],
      locked: { six: "index https://pypi.org/simple" },
    });
    expect(doc.packages[0]?.sourceInfo).toBe("from index https://pypi.org/simple (the lock)");
    expect(doc.packages[0]?.externalRefs[0]?.referenceLocator).toBe(
      "pkg:pypi/six@1.16.0?repository_url=https%3A%2F%2Fpypi.org%2Fsimple",
    );
  });
});

describe("sbomFacts", () => {
  it("finds the indices the pip steps use, also through the credentials script", () => {
    const spec = baseSpec({
      metadata: { name: "webapp", authors: [] },
      dependencies: [{ kind: "index", requirement: "flask" }],
      indices: [
        { url: "https://idx.example.org/simple", primary: true, trusted: false, credentialsSecret: "idx" },
        { url: "https://extra.example.org/simple", primary: false, trusted: false },
      ],
    } as never);
    const facts = sbomFacts(planBuild(spec, { buildArgs: {} }));
    expect(facts.indices).toEqual(["https://idx.example.org/simple", "https://extra.example.org/simple"]);
    expect(facts.locked).toEqual({});
    expect(facts.name).toBe("webapp");
  });
});

describe("the frontend's SBOM", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });
  const files = {
    "pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["flask"]\n',
    "app.py": "print('hi')\n",
  };

  it("returns an SPDX attestation made by a step of its own when the engine has attestations", async () => {
    const bridge = await startFakeBuildKit({ dockerfile: files, context: files, release: 13 });
    close = bridge.close;
    const result = (await runFrontend(bridge.gateway, env({ "attest:sbom": "" }))) as Extract<
      ReturnInput,
      { ref?: string }
    >;
    expect("error" in result).toBe(false);
    const attestations = result.attestations?.["linux/amd64"];
    expect(attestations).toHaveLength(1);
    expect(attestations?.[0]).toMatchObject({
      path: "/sbom.spdx.json",
      predicateType: SPDX_PREDICATE_TYPE,
      metadata: { reason: "sbom", "sbom-core": "sbom" },
    });
    expect(attestations?.[0]?.ref).toMatch(/^ref-\d+$/);
    expect(attestations?.[0]?.ref).not.toBe(result.ref);
    // The last solve is the SBOM step: the builder's Python, no network, the image's venv read-only.
    const ops = (bridge.solves.at(-1)?.Definition?.def ?? []).map((bytes) => fromBinary(OpSchema, bytes));
    const exec = ops.flatMap((op) =>
      op.op.case === "exec" && op.op.value.meta?.args.includes(SBOM_SCRIPT) ? [op.op.value] : [],
    )[0];
    expect(exec?.meta?.args.slice(0, 2)).toEqual(["python3", "-c"]);
    expect(exec?.network).toBe(2);
    expect(exec?.mounts.find((m) => m.dest === "/pyfront/venv")).toMatchObject({
      selector: "/opt/venv",
      readonly: true,
    });
    expect(bridge.warnings).toEqual([]);
  });

  it("attaches an SBOM to each platform's image of a multi-platform build", async () => {
    const bridge = await startFakeBuildKit({ dockerfile: files, context: files, release: 13 });
    close = bridge.close;
    const result = (await runFrontend(
      bridge.gateway,
      env({ "attest:sbom": "", platform: "linux/amd64,linux/arm64" }),
    )) as Extract<ReturnInput, { ref?: string }>;
    expect(Object.keys(result.refs ?? {})).toEqual(["linux/amd64", "linux/arm64"]);
    expect(Object.keys(result.attestations ?? {}).sort()).toEqual(["linux/amd64", "linux/arm64"]);
    const sbomRefs = Object.values(result.attestations ?? {}).map((a) => a[0]?.ref);
    expect(new Set(sbomRefs).size).toBe(2);
    for (const ref of sbomRefs) expect(Object.values(result.refs ?? {})).not.toContain(ref);
  });

  it("warns, and builds the image, on an engine without attestations (BuildKit 0.8)", async () => {
    const bridge = await startFakeBuildKit({ dockerfile: files, context: files, release: 8 });
    close = bridge.close;
    const result = (await runFrontend(
      bridge.gateway,
      env({ "build-arg:BUILDKIT_ATTEST_SBOM": "true" }),
    )) as Extract<ReturnInput, { ref?: string }>;
    expect("error" in result).toBe(false);
    expect(result.attestations).toBeUndefined();
    // No Warn call on 0.8: the warning is a step named after it, which docker build prints.
    const described = bridge.solves.flatMap((s) =>
      Object.values(s.Definition?.metadata ?? {}).map((m) => m.description["llb.customname"] ?? ""),
    );
    expect(described.some((name) => /^WARNING: .*an SBOM was asked for \(attest:sbom\)/.test(name))).toBe(
      true,
    );
  });
});
