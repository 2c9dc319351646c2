/**
 * The SBOM attestation (`docker buildx build --sbom=true`, BuildKit v0.11+): an SPDX 2.3 JSON
 * document listing every distribution in the image's venv, written by a build step of its own.
 * The step runs the builder image's Python on the final image's venv, mounted read-only, and
 * writes into an empty tree; the attestation names that tree and the file. BuildKit then needs
 * no scanner image (its default one comes from Docker Hub), and what is listed is what pip
 * installed, read from the distributions' own metadata.
 */
import { type AttestationInput, image, type Platform, type State, scratch } from "../buildkit/index.js";
import type { BuildPlan } from "../plan/build-plan.js";
import { BUILDER_PYTHON, BUILDER_STAGE, VENV_DIR } from "../plan/recipe-constants.js";
import type { ResolvedBaseImage } from "../render/llb.js";
import type { Diagnostic } from "../spec/diagnostics.js";

/** The in-toto predicate type of an SPDX document, as BuildKit's own SBOMs carry it. */
export const SPDX_PREDICATE_TYPE = "https://spdx.dev/Document";
/** Where the document is in the SBOM step's output tree. */
export const SBOM_PATH = "/sbom.spdx.json";
const VENV_MOUNT = "/pyfront/venv";
const OUTPUT_MOUNT = "/pyfront/sbom";

/**
 * Metadata BuildKit's exporters read: `reason` marks it as the SBOM, `sbom-core` as the SBOM of
 * the image itself (the file's base name, "sbom", must match for the image exporter to add each
 * layer's id to it), as the Dockerfile frontend marks its scanner's output.
 */
const SBOM_METADATA = { reason: "sbom", "sbom-core": "sbom" };

/**
 * Writes the SPDX document. Arguments: the venv, the output file, then a JSON object of what the
 * plan knows: `name` (the document's), `indices` (the index URLs pip used, no credentials),
 * `locked` (canonical name → the lock's source text). Per distribution: name and version from its
 * metadata; the declared license from License-Expression, else a License field that is an SPDX
 * id, else the license classifiers that map to one (others go to licenseComments); the source
 * from direct_url.json (a VCS commit, an archive URL or a local folder), else the lock, else the
 * indices. Every URL loses its user:password part and query values that look like credentials.
 * Sorted by name, times from SOURCE_DATE_EPOCH when set: the same venv gives the same bytes.
 */
export const SBOM_SCRIPT = [
  "import glob, hashlib, json, os, re, sys, time, urllib.parse as u",
  "from importlib import metadata as md",
  "venv, out, facts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])",
  'SECRETS = re.compile(r"token|key|secret|passw|auth|sig|credential", re.I)',
  "def clean(url):",
  "    try:",
  "        p = u.urlsplit(url)",
  "    except ValueError:",
  '        return "NOASSERTION"',
  "    query = u.urlencode([(k, v) for k, v in u.parse_qsl(p.query, keep_blank_values=True) if not SECRETS.search(k)])",
  '    return u.urlunsplit((p.scheme, p.netloc.rpartition("@")[2], p.path, query, p.fragment))',
  "def norm(name):",
  '    return re.sub(r"[-_.]+", "-", name).lower()',
  'SPDX_IDS = {"0BSD", "AFL-2.1", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-2.0", "Artistic-2.0", "BSD-1-Clause",',
  '    "BSD-2-Clause", "BSD-3-Clause", "BSL-1.0", "CC0-1.0", "EPL-2.0", "GPL-2.0-only", "GPL-2.0-or-later",',
  '    "GPL-3.0-only", "GPL-3.0-or-later", "HPND", "ISC", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only",',
  '    "LGPL-3.0-or-later", "MIT", "MIT-0", "MPL-2.0", "PSF-2.0", "Python-2.0", "Unlicense", "Zlib", "ZPL-2.1"}',
  'CLASSIFIERS = {"Apache Software License": "Apache-2.0", "MIT License": "MIT", "ISC License (ISCL)": "ISC",',
  '    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0", "Python Software Foundation License": "PSF-2.0",',
  '    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only", "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",',
  '    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only", "The Unlicense (Unlicense)": "Unlicense",',
  '    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0", "Zope Public License": "ZPL-2.1",',
  '    "MIT No Attribution License (MIT-0)": "MIT-0", "Historical Permission Notice and Disclaimer (HPND)": "HPND"}',
  "def license_of(meta):",
  '    expression = (meta.get("License-Expression") or "").strip()',
  '    if expression and re.fullmatch(r"[A-Za-z0-9.+:() -]+", expression):',
  "        return expression, None",
  '    text = (meta.get("License") or "").strip()',
  "    if text in SPDX_IDS:",
  "        return text, None",
  '    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License :: ")]',
  "    mapped = sorted({CLASSIFIERS.get(c) for c in classifiers})",
  "    if mapped and None not in mapped:",
  '        return " OR ".join(mapped), None',
  '    shown = "; ".join(x for x in [text if text.upper() != "UNKNOWN" else "", ", ".join(classifiers)] if x)',
  '    return "NOASSERTION", (shown[:500] or None)',
  "def source_of(dist, key):",
  "    try:",
  '        direct = json.loads(dist.read_text("direct_url.json") or "null")',
  "    except ValueError:",
  "        direct = None",
  '    if direct and direct.get("url"):',
  '        url = clean(direct["url"])',
  '        vcs = direct.get("vcs_info")',
  "        if vcs:",
  '            where = "%s+%s@%s" % (vcs.get("vcs", "git"), url, vcs.get("commit_id", ""))',
  '            return where, "from %s (commit %s)" % (where, vcs.get("commit_id", "")), None',
  '        if "dir_info" in direct:',
  '            return "NOASSERTION", "from the folder %s of the build" % u.urlsplit(url).path, None',
  '        return url, "from %s" % url, None',
  '    locked = facts["locked"].get(key)',
  "    if locked:",
  '        index = locked[len("index "):] if locked.startswith("index ") else None',
  '        return "NOASSERTION", "from %s (the lock)" % clean(locked), index and clean(index)',
  '    indices = [clean(i) for i in facts["indices"]]',
  "    if len(indices) == 1:",
  '        return "NOASSERTION", "from the package index %s" % indices[0], indices[0]',
  "    if indices:",
  '        return "NOASSERTION", "from one of the package indices %s" % ", ".join(indices), None',
  '    return "NOASSERTION", "from pip\'s default package index", None',
  'paths = sorted(glob.glob(os.path.join(venv, "lib", "python*", "site-packages")))',
  "found = {}",
  "for dist in md.distributions(path=paths):",
  '    name = dist.metadata["Name"]',
  "    if name and norm(name) not in found:",
  "        found[norm(name)] = dist",
  "packages = []",
  "for key in sorted(found):",
  "    dist = found[key]",
  "    meta = dist.metadata",
  "    declared, comment = license_of(meta)",
  "    where, info, index = source_of(dist, key)",
  '    purl = "pkg:pypi/%s@%s" % (u.quote(key), u.quote(dist.version))',
  "    if index:",
  '        purl += "?repository_url=" + u.quote(index, safe="")',
  '    package = {"SPDXID": "SPDXRef-Package-python-" + re.sub(r"[^A-Za-z0-9.-]", "-", key),',
  '        "name": meta["Name"], "versionInfo": dist.version, "downloadLocation": where, "sourceInfo": info,',
  '        "filesAnalyzed": False, "licenseConcluded": "NOASSERTION", "licenseDeclared": declared,',
  '        "copyrightText": "NOASSERTION", "primaryPackagePurpose": "LIBRARY",',
  '        "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}]}',
  "    if comment:",
  '        package["licenseComments"] = comment',
  "    packages.append(package)",
  'epoch = os.environ.get("SOURCE_DATE_EPOCH")',
  "body = json.dumps(packages, sort_keys=True)",
  "document = {",
  '    "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": facts["name"],',
  '    "documentNamespace": "https://spdx.org/spdxdocs/pyfront/%s-%s" % (u.quote(facts["name"], safe=""),',
  "        hashlib.sha256(body.encode()).hexdigest()[:32]),",
  '    "creationInfo": {"created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch) if epoch else None)),',
  '        "creators": ["Tool: pyfront"], "comment": "The Python distributions installed in ' +
    VENV_DIR +
    '"},',
  '    "packages": packages,',
  '    "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",',
  '        "relatedSpdxElement": p["SPDXID"]} for p in packages]}',
  "os.makedirs(os.path.dirname(out), exist_ok=True)",
  'with open(out, "w") as f:',
  "    json.dump(document, f, indent=2, sort_keys=True)",
  '    f.write("\\n")',
].join("\n");

/** What the script is told of the build: nothing a user wrote beyond index URLs and names, as data. */
export interface SbomFacts {
  name: string;
  indices: string[];
  locked: Record<string, string>;
}

function canonicalName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

/**
 * The indices the plan's pip steps were given: `--index-url`/`--extra-index-url` options, or the
 * `primary|extra URL ...` groups of the credentials script (src/plan/pip-steps.ts). The plan holds
 * no credentials; the script strips any URL again all the same.
 */
export function sbomFacts(plan: BuildPlan): SbomFacts {
  const title = plan.image.labels.find((l) => l.name === "org.opencontainers.image.title")?.value;
  const indices: string[] = [];
  for (const stage of plan.stages) {
    for (const step of stage.steps) {
      if (step.kind !== "run") continue;
      step.argv.forEach((arg, i) => {
        const next = step.argv[i + 1];
        const named = /^--(extra-)?index-url$/.test(arg) || /^(primary|extra)(-split)?$/.test(arg);
        if (named && next !== undefined && /^https?:\/\//i.test(next) && !indices.includes(next))
          indices.push(next);
      });
    }
  }
  const locked: Record<string, string> = {};
  for (const pkg of plan.locked?.packages ?? []) locked[canonicalName(pkg.name)] = pkg.source;
  return { name: title && !title.includes("$") ? title : "image", indices, locked };
}

export interface SbomStateInput {
  plan: BuildPlan;
  /** The final image. */
  image: State;
  baseImages: Readonly<Record<string, ResolvedBaseImage>>;
  platform: Platform;
  noCache: boolean;
}

/**
 * The SBOM step: the builder image's Python (which reads any venv's metadata) over the final
 * image's venv, read-only, with no network; its output is an empty tree holding SBOM_PATH.
 */
export function sbomState(input: SbomStateInput): State {
  const builder = input.plan.stages.find((s) => s.name === BUILDER_STAGE) ?? input.plan.stages[0];
  if (builder?.base.kind !== "image") throw new Error("the plan has no builder image for the SBOM");
  const ref = builder.base.ref;
  const resolved = input.baseImages[ref];
  const pinned = resolved?.digest && !ref.includes("@") ? `${ref}@${resolved.digest}` : ref;
  const base = image(pinned, { platform: input.platform, customName: `[sbom] FROM ${ref}` }).withImageConfig(
    resolved?.config.config ?? {},
  );
  const epoch = input.plan.sourceDateEpoch;
  const run = base.run({
    args: [
      BUILDER_PYTHON,
      "-c",
      SBOM_SCRIPT,
      VENV_MOUNT,
      `${OUTPUT_MOUNT}${SBOM_PATH}`,
      JSON.stringify(sbomFacts(input.plan)),
    ],
    env: epoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(epoch) },
    user: "0",
    network: "none",
    mounts: [
      { type: "bind", target: VENV_MOUNT, source: input.image, selector: VENV_DIR, readonly: true },
      { type: "bind", target: OUTPUT_MOUNT, source: scratch() },
    ],
    customName: "[sbom] list the venv's Python distributions (SPDX)",
    ...(input.noCache ? { ignoreCache: true } : {}),
  });
  return run.getMount(OUTPUT_MOUNT);
}

export function sbomAttestation(ref: string): AttestationInput {
  return { ref, path: SBOM_PATH, predicateType: SPDX_PREDICATE_TYPE, metadata: SBOM_METADATA };
}

/** BuildKit 0.8 (Docker 20.10) has no attestations: the SBOM asked for is named, not dropped. */
export const SBOM_UNSUPPORTED: Diagnostic = {
  code: "sbom-unsupported",
  message:
    "an SBOM was asked for (attest:sbom), but this engine's BuildKit cannot attach attestations to an image (BuildKit 0.11 or later can): the image is built without one",
  hint: "build on Docker 24 or later (BuildKit 0.11+), or list the image's packages with pyfront plan",
  severity: "warning",
};
