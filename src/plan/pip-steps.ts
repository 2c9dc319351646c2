import type { Dependency, PackageIndex } from "../spec/build-spec.js";
import { trustedHostFor } from "../spec/pip-origins.js";
import type { BindMount, EnvVar, Mount, RunStep, SecretRequirement } from "./build-plan.js";
import {
  EXTRA_INDEX_URL_ARG,
  extraIndexUrlSecretId,
  INDEX_URL_ARG,
  INDEX_URL_SECRET,
  type IndexOverrides,
  isPypiIndex,
  NO_INDEX_OVERRIDES,
} from "./platform-overrides.js";
import {
  BUILDER_PYTHON,
  CONTEXT_MOUNT_DIR,
  inlineIndexSecretId,
  KNOWN_HOSTS_PATH,
  PIP_CACHE_DIR,
  SECRETS_DIR,
  VENV_PYTHON,
} from "./recipe-constants.js";

/**
 * The lines that run the builder's pip under the venv's interpreter, as `pip --python VENV_PYTHON`
 * does, without its first process: with `--python`, pip starts, parses its options and only then
 * runs the venv's interpreter on the `__pip-runner__.py` beside its own package (pip 22.3 and
 * later), a whole pip start-up (0.3–0.6 s here) spent on every pip step. These lines find that
 * runner and start it at once, with the variable pip sets for that child. `args` is the Python
 * expression of the interpreter's path followed by pip's arguments.
 */
function startVenvPip(args: string): string[] {
  return [
    'import pip; runner = os.path.join(os.path.dirname(pip.__file__), "__pip-runner__.py")',
    'os.path.isfile(runner) or sys.exit("pyfront: the builder\'s pip %s is too old; pyfront needs pip 22.3 or later" % pip.__version__)',
    'os.environ["_PIP_RUNNING_IN_SUBPROCESS"] = "1"',
    `python, *rest = ${args}`,
    "os.execv(python, [python, runner] + rest)",
  ];
}

/** `VENV_PIP_SCRIPT PYTHON PIP_ARGS...`: the builder's pip run under PYTHON (see startVenvPip). */
export const VENV_PIP_SCRIPT = ["import os, sys", ...startVenvPip("sys.argv[1:]")].join("\n");

/**
 * Runs pip with credentials injected into index URLs at run time only. Arguments: one group per
 * index, then "--", then the interpreter to install into and pip's own arguments (as for
 * VENV_PIP_SCRIPT). A group is `primary|extra URL SECRET_FILE SECRET_ID` (both "" for an index
 * without credentials; the file holds `user:password` or a single token), or
 * `primary-split|extra-split URL USER_FILE USER_ID PASSWORD_FILE PASSWORD_ID` for microb's
 * username_secret/password_secret, each secret holding one part (the password pair "" when there
 * is none). The credentialed URLs live in this process's environment and die with it; pip masks
 * passwords in what it prints. A build secret the client did not pass is mounted as optional and
 * reported here, naming the flag to pass: BuildKit's own message for a required one is "secret ID
 * not found: not found". An empty SECRET_ID marks a secret that may be left out (a build arg's
 * index): without the file, the index is used without credentials.
 */
export const PIP_WITH_CREDENTIALS_SCRIPT = [
  "import os, sys, urllib.parse as u",
  "a = sys.argv[1:]",
  "primary, extra = None, []",
  "def secret(path, sid, holds):",
  "    if not os.path.exists(path):",
  "        if not sid:",
  "            return None",
  '        sys.exit("pyfront: the build secret %r (credentials for a package index) was not passed to the build; "',
  '                 "pass it with --secret id=%s,src=FILE, where FILE holds %s" % (sid, sid, holds))',
  "    with open(path) as f:",
  '        return f.read().rstrip("\\r\\n")',
  "def q(text):",
  '    return u.quote(text, safe="")',
  'while a[0] != "--":',
  "    kind, url, a = a[0], a[1], a[2:]",
  "    auth = None",
  '    if kind.endswith("-split"):',
  "        (user, uid, password, pid), a = a[:4], a[4:]",
  '        auth = q(secret(user, uid, "the user name or a token"))',
  "        if password:",
  '            auth += ":" + q(secret(password, pid, "the password"))',
  '        kind = kind[: -len("-split")]',
  "    else:",
  "        (path, sid), a = a[:2], a[2:]",
  '        found = secret(path, sid, "user:password or a token") if path else None',
  "        if found is not None:",
  '            user, sep, password = found.partition(":")',
  '            auth = q(user) + (":" + q(password) if sep else "")',
  "    if auth is not None:",
  "        p = u.urlsplit(url)",
  '        url = u.urlunsplit((p.scheme, auth + "@" + p.netloc, p.path, p.query, p.fragment))',
  '    if kind == "primary":',
  "        primary = url",
  "    else:",
  "        extra.append(url)",
  "if primary:",
  '    os.environ["PIP_INDEX_URL"] = primary',
  "if extra:",
  '    os.environ["PIP_EXTRA_INDEX_URL"] = " ".join(extra)',
  ...startVenvPip("a[1:]"),
].join("\n");

/** The index configuration shared by every pip step of one build. */
export interface PipIndexSetup {
  /** pip options that need no credentials (`--index-url`, `--trusted-host`, ...). */
  options: string[];
  /** When set, pip runs through the credentials script with these leading arguments. */
  credentialArgs?: string[];
  mounts: Mount[];
  secrets: SecretRequirement[];
}

/** Where an index's credentials come from, when it may have some. */
interface IndexSecret {
  id: string;
  /** Mounted at. */
  file: string;
  /** A spec's secret must be passed; a build arg's index may go without one. */
  mustBePassed: boolean;
  source: SecretRequirement["source"];
  purpose: string;
  /** The secret mount is required (BuildKit fails the step without it). */
  mountRequired: boolean;
}

/** One index as the pip steps use it, from the spec or from a build arg. */
interface PipIndex {
  url: string;
  role: "primary" | "extra";
  /** `--trusted-host` for it. */
  trustedHost?: string;
  /** `user:password` or a token in one secret; with `password`, the user name or token alone. */
  secret?: IndexSecret;
  /** microb's password_secret: the password apart from the user name. */
  password?: IndexSecret;
  /** The user name and the password come from two secrets (microb's username_secret/password_secret). */
  split?: true;
}

function secretTarget(indexPosition: number, part = ""): string {
  return `${SECRETS_DIR}/pyfront-index-${indexPosition}${part}`;
}

function specSecret(id: string, file: string, purpose: string): IndexSecret {
  return { id, file, mustBePassed: true, source: "build-secret", purpose, mountRequired: false };
}

function specIndex(index: PackageIndex, position: number, firstPrimary: number): PipIndex {
  const entry: PipIndex = { url: index.url, role: position === firstPrimary ? "primary" : "extra" };
  if (index.trusted) entry.trustedHost = trustedHostFor(index.url);
  if (index.usernameSecret !== undefined) {
    entry.split = true;
    entry.secret = specSecret(
      index.usernameSecret,
      secretTarget(position, "-username"),
      `user name for package index ${index.url}`,
    );
    if (index.passwordSecret !== undefined) {
      entry.password = specSecret(
        index.passwordSecret,
        secretTarget(position, "-password"),
        `password for package index ${index.url}`,
      );
    }
  } else if (index.credentialsSecret || index.inlineCredentials) {
    entry.secret = {
      id: index.credentialsSecret ?? inlineIndexSecretId(position),
      file: secretTarget(position),
      mustBePassed: true,
      source: index.credentialsSecret ? "build-secret" : "spec-inline",
      purpose: `credentials for package index ${index.url}`,
      // Optional so that a missing build secret reaches the script, which names the flag to pass.
      mountRequired: index.credentialsSecret === undefined,
    };
  }
  return entry;
}

function buildArgIndex(url: string, role: PipIndex["role"], secretId: string, arg: string): PipIndex {
  return {
    url,
    role,
    secret: {
      id: secretId,
      file: `${SECRETS_DIR}/${secretId}`,
      mustBePassed: false,
      source: "build-secret",
      purpose: `credentials for package index ${url} (build arg ${arg}), when it needs them`,
      mountRequired: false,
    },
  };
}

/** One index per URL: a trailing slash makes no other index. */
function sameIndex(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

/**
 * The indices of every pip step: the spec's, with the build args' overrides applied. PIP_INDEX_URL
 * takes the primary's place (the spec's primary and any PyPI entry go); the spec's extra indices
 * stay, and PIP_EXTRA_INDEX_URL's come after them; a URL named twice is used once.
 */
function pipIndices(indices: readonly PackageIndex[], overrides: IndexOverrides): PipIndex[] {
  const firstPrimary = indices.findIndex((index) => index.primary);
  let entries = indices.map((index, position) => specIndex(index, position, firstPrimary));
  if (overrides.primary !== undefined) {
    entries = entries.filter((entry, position) => entry.role !== "primary" && !indices[position]!.primary);
    entries = entries.filter((entry) => !isPypiIndex(entry.url));
    entries.unshift(buildArgIndex(overrides.primary, "primary", INDEX_URL_SECRET, INDEX_URL_ARG));
  }
  overrides.extras.forEach((url, position) => {
    entries.push(buildArgIndex(url, "extra", extraIndexUrlSecretId(position), EXTRA_INDEX_URL_ARG));
  });
  return entries.filter(
    (entry, i) => !entries.slice(0, i).some((earlier) => sameIndex(earlier.url, entry.url)),
  );
}

export function pipIndexSetup(
  indices: readonly PackageIndex[],
  overrides: IndexOverrides = NO_INDEX_OVERRIDES,
): PipIndexSetup {
  const entries = pipIndices(indices, overrides);
  const withCredentials = entries.some((entry) => entry.secret !== undefined);
  const options: string[] = [];
  const mounts: Mount[] = [];
  const secrets: SecretRequirement[] = [];
  const credentialArgs: string[] = [];
  const trusted: string[] = [];
  const trust = (host: string) => {
    if (trusted.includes(host)) return;
    trusted.push(host);
    options.push("--trusted-host", host);
  };
  const mountSecret = (secret: IndexSecret) => {
    mounts.push({ type: "secret", id: secret.id, target: secret.file, required: secret.mountRequired });
    if (!secrets.some((s) => s.id === secret.id)) {
      secrets.push({
        id: secret.id,
        required: secret.mustBePassed,
        source: secret.source,
        purpose: secret.purpose,
      });
    }
  };
  const secretArgs = (secret: IndexSecret | undefined) => [
    secret?.file ?? "",
    secret?.mustBePassed ? secret.id : "",
  ];
  for (const entry of entries) {
    if (entry.secret) mountSecret(entry.secret);
    if (entry.password) mountSecret(entry.password);
    if (!withCredentials)
      options.push(entry.role === "primary" ? "--index-url" : "--extra-index-url", entry.url);
    else if (entry.split) {
      credentialArgs.push(
        `${entry.role}-split`,
        entry.url,
        ...secretArgs(entry.secret),
        ...secretArgs(entry.password),
      );
    } else credentialArgs.push(entry.role, entry.url, ...secretArgs(entry.secret));
    if (entry.trustedHost !== undefined) trust(entry.trustedHost);
  }
  for (const host of overrides.trustedHosts) trust(host);
  return withCredentials ? { options, credentialArgs, mounts, secrets } : { options, mounts, secrets };
}

/**
 * argv for `pip install OPTIONS -- REQUIREMENTS` into the venv, run by the builder's pip under the
 * venv's interpreter (pip ≥ 22.3), through the credentials script when needed.
 */
export function pipInstallArgv(setup: PipIndexSetup, options: string[], requirements: string[]): string[] {
  const pipArgs = [VENV_PYTHON, "install", ...setup.options, ...options, "--", ...requirements];
  if (setup.credentialArgs) {
    return [BUILDER_PYTHON, "-c", PIP_WITH_CREDENTIALS_SCRIPT, ...setup.credentialArgs, "--", ...pipArgs];
  }
  return [BUILDER_PYTHON, "-c", VENV_PIP_SCRIPT, ...pipArgs];
}

/**
 * The dependency steps install with `--no-compile`; this step then compiles the venv's
 * site-packages, leaving out the test suites that distributions install beside their code
 * (`pandas/tests`, `numpy/core/tests`, a stray top-level `tests`): only a test runner imports them,
 * and their bytecode was a quarter of the dataframe example's venv (27.9 MB). Their sources stay,
 * so a suite still runs, compiled in memory. As pip does, a file that does not compile is left as
 * it is (packages ship templates and Python 2 files). One process, each folder in sorted order,
 * as pip's compile was: a reproducible build gets the same bytecode on every run.
 */
export const DEPENDENCY_BYTECODE_SCRIPT = [
  "import compileall, re, sysconfig",
  "paths = sysconfig.get_paths()",
  "for folder in sorted({paths['purelib'], paths['platlib']}):",
  "    compileall.compile_dir(folder, maxlevels=1000, rx=re.compile(r'/tests/'), quiet=2)",
].join("\n");

/**
 * `remove_test_suites`: deletes every folder named `tests` under the venv's site-packages (what
 * the bytecode step leaves uncompiled), except one holding a file of a distribution installed
 * from a local folder (`direct_url.json` with a file: URL): the project's own tests are its
 * business, not a dependency's. Symlinks are unlinked, never followed. Runs after the dependency
 * steps, and again after a project install that resolves (it may add dependencies).
 */
export const REMOVE_TEST_SUITES_SCRIPT = [
  "import json, os, shutil, sysconfig",
  "from importlib import metadata",
  "own = set()",
  "for dist in metadata.distributions():",
  "    url = json.loads(dist.read_text('direct_url.json') or '{}').get('url', '')",
  "    if url.startswith('file:'):",
  "        for file in dist.files or []:",
  "            own.update(str(p) for p in file.locate().parents)",
  "paths = sysconfig.get_paths()",
  "for folder in sorted({paths['purelib'], paths['platlib']}):",
  "    for root, dirs, files in os.walk(folder):",
  "        dirs.sort()",
  "        for name in [d for d in dirs if d == 'tests']:",
  "            path = os.path.join(root, name)",
  "            if path in own:",
  "                continue",
  "            dirs.remove(name)",
  "            if os.path.islink(path):",
  "                os.unlink(path)",
  "            else:",
  "                shutil.rmtree(path)",
].join("\n");

export function removeTestSuitesStep(): RunStep {
  return {
    kind: "run",
    argv: [VENV_PYTHON, "-c", REMOVE_TEST_SUITES_SCRIPT],
    mounts: [],
    env: [],
    description: "delete the dependencies' installed test suites (remove_test_suites)",
  };
}

/** pip's options for every dependency step: the bytecode step after them compiles. */
export const DEPENDENCY_PIP_OPTIONS: readonly string[] = ["--no-compile"];

export function dependencyBytecodeStep(): RunStep {
  return {
    kind: "run",
    argv: [VENV_PYTHON, "-c", DEPENDENCY_BYTECODE_SCRIPT],
    mounts: [],
    env: [],
    description: "compile the dependencies' bytecode, not their test suites'",
  };
}

/** `suffix` tells apart caches of different C libraries (see OsFamilyRecipe.pipCacheSuffix). */
export function pipCacheMount(series: string, suffix = ""): Mount {
  return { type: "cache", id: `pyfront-pip-${series}${suffix}`, target: PIP_CACHE_DIR, sharing: "shared" };
}

/** Where a context path appears inside the builder while a step runs. */
export function contextMountTarget(path: string): string {
  return path === "." ? CONTEXT_MOUNT_DIR : `${CONTEXT_MOUNT_DIR}/${path}`;
}

export function contextBind(path: string, readWrite: boolean): BindMount {
  return {
    type: "bind",
    from: { kind: "context" },
    source: path,
    target: contextMountTarget(path),
    readWrite,
  };
}

/** Host keys are checked against the project's known_hosts; an unknown host fails the build. */
export function gitSshSetup(knownHosts: string | undefined): { mounts: Mount[]; env: EnvVar[] } {
  const mounts: Mount[] = [{ type: "ssh", id: "default", required: true }];
  let command = "ssh -o StrictHostKeyChecking=yes";
  if (knownHosts !== undefined) {
    mounts.push({
      type: "bind",
      from: { kind: "context" },
      source: knownHosts,
      target: KNOWN_HOSTS_PATH,
      readWrite: false,
    });
    command = `ssh -o UserKnownHostsFile=${KNOWN_HOSTS_PATH} -o StrictHostKeyChecking=yes`;
  }
  return { mounts, env: [{ name: "GIT_SSH_COMMAND", value: command, mode: "set" }] };
}

/**
 * Runs a command (pip) on copies of requirements files without their `-e`/`--editable` lines, as
 * microb does: rye's locks list the project itself as `-e file:.`, which is installed later, from
 * its own step. Arguments: pairs of `SOURCE COPY`, then "--", then the command. A copy sits next
 * to its source, so `-r`/`-c` includes resolve as they would from the source; it is removed when
 * the command ends, so it never reaches a layer (the file may name an index with a password).
 * A logical line is a physical line and the ones its trailing backslashes join to it.
 */
export const WITHOUT_EDITABLE_LINES_SCRIPT = [
  "import os, re, subprocess, sys",
  "a = sys.argv[1:]",
  "copies = []",
  'editable = re.compile(r"\\s*(-e|--editable(\\s|=|$))")',
  "try:",
  '    while a[0] != "--":',
  "        source, copy, a = a[0], a[1], a[2:]",
  "        with open(source) as f:",
  "            lines = f.read().splitlines(keepends=True)",
  "        kept, skipping, continued = [], False, False",
  "        for line in lines:",
  "            if not continued:",
  "                skipping = editable.match(line) is not None",
  '            continued = line.rstrip("\\r\\n").endswith("\\\\")',
  "            if not skipping:",
  "                kept.append(line)",
  '        with open(copy, "w") as f:',
  '            f.write("".join(kept))',
  "        copies.append(copy)",
  "    code = subprocess.call(a[1:])",
  "finally:",
  "    for copy in copies:",
  "        os.remove(copy)",
  "sys.exit(code)",
].join("\n");

/** Where the copy of a requirements file without its editable lines is written (next to it). */
function withoutEditableCopy(target: string): string {
  const slash = target.lastIndexOf("/");
  return `${target.slice(0, slash)}/.pyfront-${target.slice(slash + 1)}`;
}

/** The requirements pip is given for a group of dependencies, and the options/mounts they need. */
export interface DependencyArgs {
  options: string[];
  requirements: string[];
  mounts: BindMount[];
  needsSsh: boolean;
  /** Requirements files pip reads as filtered copies: `[source, copy]` paths in the builder. */
  withoutEditable: Array<[source: string, copy: string]>;
}

export function dependencyArgs(dependencies: Dependency[]): DependencyArgs {
  const result: DependencyArgs = {
    options: [],
    requirements: [],
    mounts: [],
    needsSsh: false,
    withoutEditable: [],
  };
  const bound = new Set<string>();
  const bind = (path: string) => {
    if (bound.has(path)) return;
    bound.add(path);
    // rw: builds of local projects write build/ and *.egg-info next to the sources.
    result.mounts.push(contextBind(path, true));
  };
  for (const dependency of dependencies) {
    switch (dependency.kind) {
      case "index":
        result.requirements.push(dependency.requirement);
        break;
      case "git":
        result.requirements.push(dependency.name ? `${dependency.name} @ ${dependency.url}` : dependency.url);
        if (dependency.transport === "ssh") result.needsSsh = true;
        break;
      case "url":
        result.requirements.push(dependency.name ? `${dependency.name} @ ${dependency.url}` : dependency.url);
        break;
      case "local":
        bind(dependency.path);
        result.requirements.push(contextMountTarget(dependency.path));
        break;
      case "requirements-file": {
        // pip opens the files it includes itself, relative to the including file: all are mounted
        // where they are in the context. Files, not folders, so no other edit reruns the step.
        bind(dependency.path);
        for (const included of dependency.includes ?? []) bind(included);
        const target = contextMountTarget(dependency.path);
        let read = target;
        if (dependency.skipEditable) {
          read = withoutEditableCopy(target);
          result.withoutEditable.push([target, read]);
        }
        // An option, so it goes before "--"; the path is ours, under a fixed prefix.
        result.options.push("--requirement", read);
        if (dependency.gitSsh) result.needsSsh = true;
        break;
      }
      case "constraints-file":
        bind(dependency.path);
        result.options.push("--constraint", contextMountTarget(dependency.path));
        break;
    }
  }
  return result;
}

/** Whether any dependency is fetched over git+ssh (the build then needs `--ssh default`). */
export function dependenciesNeedSsh(dependencies: Dependency[]): boolean {
  return dependencyArgs(dependencies).needsSsh;
}

function installsAlone(dependency: Dependency): boolean {
  return dependency.kind === "requirements-file" && dependency.alone === true;
}

/**
 * The pip steps that install the dependencies, before the project's code so code changes reuse
 * their layers. Requirements files marked `alone` (microb's lock) get a pip call of their own:
 * pip checks hashes for every requirement of a call once one has a hash, so an unpinned name
 * beside a hash-pinned lock would fail the build.
 */
export function dependencyInstallSteps(
  dependencies: Dependency[],
  index: PipIndexSetup,
  pipMounts: Mount[],
  env: EnvVar[],
): RunStep[] {
  const groups: Array<[Dependency[], string]> = [
    [
      dependencies.filter(installsAlone),
      "install the requirements lock on its own (before the project's code, so code changes reuse this layer)",
    ],
    [
      dependencies.filter((d) => !installsAlone(d)),
      "install dependencies (before the project's code, so code changes reuse this layer)",
    ],
  ];
  const steps: RunStep[] = [];
  for (const [group, description] of groups) {
    const args = dependencyArgs(group);
    if (args.requirements.length === 0 && args.options.length === 0) continue;
    let argv = pipInstallArgv(index, [...DEPENDENCY_PIP_OPTIONS, ...args.options], args.requirements);
    if (args.withoutEditable.length > 0) {
      argv = [
        BUILDER_PYTHON,
        "-c",
        WITHOUT_EDITABLE_LINES_SCRIPT,
        ...args.withoutEditable.flat(),
        "--",
        ...argv,
      ];
    }
    steps.push({ kind: "run", argv, mounts: [...pipMounts, ...args.mounts], env, description });
  }
  return steps;
}
