import type { LockGraph } from "./locks/lock-graph.js";

/**
 * The validated, format-independent description of what to build. Every input format
 * (pyproject `[tool.pyfront]`, `[tool.microb]`, Mopyfile.yaml, zero-config pyproject, PYENV
 * Dockerfiles) is read into this one shape; the planner never sees the formats.
 *
 * Values are checked (names, paths, versions) before they get here, but not yet substituted:
 * `${VAR:-default}` in env and labels is expanded by the planner from the build arguments, and
 * what no build argument gives by the renderers, from the image's variables (src/plan/user-values.ts).
 */
export type SpecFormat = "pyfront" | "microb" | "mopy" | "zero-config" | "pyenv";

/** A position in a spec file, 1-based, for messages and BuildKit source maps. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export interface PythonVersion {
  /** As the user wrote it: "3", "3.11" or "3.11.4". */
  requested: string;
  /** The major.minor series used to pick base images, e.g. "3.11". */
  series: string;
}

/** Where pip looks for packages. Credentials are never stored here in pyfront's own format. */
export interface PackageIndex {
  url: string;
  /** Make this the only index (`--index-url`) instead of an extra one. */
  primary: boolean;
  /** Add the index host to pip's trusted hosts (plain http or self-signed TLS). */
  trusted: boolean;
  /** Id of a build secret (`--secret id=...`) whose content is `username:password` or a token. */
  credentialsSecret?: string;
  /**
   * microb's `username_secret` / `password_secret`: ids of build secrets holding the user name (or
   * a single token) and the password, each on its own. A password secret needs a username secret.
   */
  usernameSecret?: string;
  passwordSecret?: string;
  /**
   * The spec wrote credentials for this index (microb's and mopy's username/password, or
   * `user:password@` in the URL). Their values are not kept: the build reads them from the build
   * secret `pyfront-index-<n>` that the user passes.
   */
  inlineCredentials?: true;
}

/** One thing pip installs before the project's own code. */
export type Dependency =
  /** A PEP 508 requirement from an index: `flask>=2`, `numpy==1.26.*`, `pkg[extra]`. */
  | { kind: "index"; requirement: string }
  /** A VCS requirement: `git+https://host/repo.git@ref` or `git+ssh://git@host/repo.git`. */
  | { kind: "git"; url: string; transport: "https" | "http" | "ssh"; name?: string }
  /** A wheel or source archive at an http(s) URL (mopy's bare `https://host/pkg-1.0-py3-none-any.whl`). */
  | { kind: "url"; url: string; name?: string }
  /** A directory in the build context holding an installable project (mopy's `./dir/`). */
  | { kind: "local"; path: string }
  /**
   * A requirements file in the build context; `includes` are the files it names with `-r`/`-c`
   * (recursively), which pip opens too.
   */
  | {
      kind: "requirements-file";
      path: string;
      includes?: string[];
      /**
       * Installed in a pip call of its own, never mixed with other requirements (microb's rule for
       * its `requirements` lock): a hash-pinned file puts pip in hash-checking mode for the whole call.
       */
      alone?: true;
      /** `-e`/`--editable` lines are left out, as microb does (rye's locks list the project as `-e file:.`). */
      skipEditable?: true;
      /** The file names git+ssh URLs, so pip needs the SSH agent. */
      gitSsh?: true;
    }
  /** A constraints file (`-c`) in the build context: versions to hold, nothing installed by itself. */
  | { kind: "constraints-file"; path: string };

/** A lock to install from, and what to take from it. */
export interface LockedDependencies {
  graph: LockGraph;
  /** Groups besides the main dependencies (`groups` key); absent: the tool's production default. */
  groups?: string[];
  /** The project's extras to install from the lock. */
  extras: string[];
  /** Where the `groups` key was written, for problems with a group. */
  position: SourcePosition;
}

/** How the user's own code gets into the image. */
export type ProjectSource =
  /** An installable package (pyproject with a build backend) at this context path. */
  | {
      kind: "package";
      path: string;
      extras: string[];
      /** Requirements of the chosen extras, installed with the other dependencies. */
      extraDependencies: Dependency[];
      /**
       * The spec's `dependencies` and `extraDependencies` are all the package requires (static
       * PEP 621 metadata), so the package itself can be installed without resolving again.
       */
      dependenciesComplete: boolean;
      /**
       * The build backend's requirements (`[build-system].requires`, or setuptools for a project
       * without that table). Installed in the dependency layer and used without build isolation,
       * so a code change neither downloads nor reinstalls the backend. Absent: build isolation.
       */
      buildRequirements?: Dependency[];
    }
  /**
   * An application, not a package: its files are copied as they are (a folder, or a single .py
   * file) into the app directory, which is put on the venv's import path.
   */
  | {
      kind: "scripts";
      path: string;
      /** The file to run when nothing else is said; for a single file, its name. */
      main?: string;
      /** Console scripts the application declares (`[project.scripts]`), made without building it. */
      consoleScripts?: ConsoleScript[];
    }
  /** Only the interpreter and dependencies (a base image). */
  | { kind: "none" };

/** `name = "module:function"` of `[project.scripts]`. */
export interface ConsoleScript {
  name: string;
  module: string;
  /** The attribute called, possibly dotted (`main`, `cli.run`). */
  attribute: string;
}

export interface CopyFile {
  src: string;
  dst: string;
  /** A stage name, or an image reference; absent means the build context. */
  from?: string;
}

export interface AddFile {
  /** An http(s) URL or a context path. */
  src: string;
  dst: string;
  /** `sha256:<hex>`; required for URLs by pyfront's own format. */
  checksum?: string;
}

export interface Healthcheck {
  /** Exec-form test command, run without a shell. */
  command: string[];
  intervalSeconds?: number;
  timeoutSeconds?: number;
  startPeriodSeconds?: number;
  retries?: number;
}

export interface ExposedPort {
  port: number;
  protocol: "tcp" | "udp";
}

/** The `[project]` metadata used for OCI labels. */
export interface ProjectMetadata {
  name?: string;
  version?: string;
  description?: string;
  authors: string[];
  license?: string;
  /** Homepage or repository URL. */
  url?: string;
  source?: string;
}

/** One `PYENV <python-version> <venv-name> [<reqs-file>]` instruction of an astro-style Dockerfile. */
export interface PyenvEnvironment {
  python: PythonVersion;
  /** Name of the virtual environment to create. */
  name: string;
  /** Requirements file in the build context to install into it. */
  requirementsFile?: string;
  position: SourcePosition;
  /** Physical lines the instruction takes (more than one with trailing backslashes). */
  lineCount: number;
}

/** A Dockerfile extended with PYENV instructions (format "pyenv"). */
export interface PyenvDockerfile {
  environments: PyenvEnvironment[];
  /** The Dockerfile text with each PYENV instruction replaced by empty lines, so line numbers hold. */
  dockerfile: string;
}

/**
 * One thing pyfront chose without being told, and why, so that `pyfront plan` can show it: a
 * zero-config build must never be a guess the user cannot see.
 */
export interface Decision {
  /** What was chosen: "application", "3.13", "gunicorn mysite.wsgi". */
  choice: string;
  /** The rule that chose it, a stable id: "python-version-file", "django-gunicorn". */
  rule: string;
  /** Why, in words, naming the file or key it came from. */
  reason: string;
}

/** The decisions behind a spec, by topic; a topic the spec settled explicitly may still say so. */
export interface BuildDecisions {
  /** What kind of project this is, read from which file. */
  layout?: Decision;
  /** The Python version and where it came from. */
  python?: Decision;
  /** Where the dependencies come from (and which source was left out, when two disagree). */
  dependencies?: Decision;
  /** The start command. */
  command?: Decision;
  /** What is left out of the context copied into the image. */
  context?: Decision;
  /** The package indices, when build args (PIP_INDEX_URL, ...) override the spec's. */
  indices?: Decision;
  /** The base images, when a build arg (PYFRONT_REGISTRY_MIRROR) pulls them through a mirror. */
  images?: Decision;
}

export interface BuildSpec {
  format: SpecFormat;
  /** Path of the spec file inside the build context, e.g. "pyproject.toml". */
  specFile: string;
  /** The chosen target, when the format has targets. */
  target?: string;
  /**
   * Every target the spec defines, where it is defined, and whether a build without --target
   * builds it (microb's only or `default` target), for `--call targets`.
   */
  targets?: Array<{ name: string; default: boolean; position: SourcePosition }>;
  python: PythonVersion;
  /** Full image for the builder stage; default `python:<series>`. */
  builderImage: string;
  /** Slim image for the final stage; default `python:<series>-slim`. */
  runtimeImage: string;
  /** apt packages for the builder stage only. */
  buildDeps: string[];
  /** apt packages for the final image only. */
  systemDeps: string[];
  /** Ordered; values may hold `${VAR}` / `${VAR:-default}` build-arg references. */
  env: Array<[name: string, value: string]>;
  indices: PackageIndex[];
  /** Ordered; values may hold build-arg references. The user's labels win over derived ones. */
  labels: Array<[name: string, value: string]>;
  dependencies: Dependency[];
  project: ProjectSource;
  entrypoint?: string[];
  command?: string[];
  /** Working directory of the final image, absolute. */
  workdir: string;
  expose: ExposedPort[];
  healthcheck?: Healthcheck;
  copyFiles: CopyFile[];
  addFiles: AddFile[];
  /**
   * Files placed in the builder stage before the dependencies are installed (microb's
   * `copy_files_before_build` / `add_files_before_build`); a relative `dst` is relative to `/`.
   */
  copyFilesBeforeBuild?: CopyFile[];
  addFilesBeforeBuild?: AddFile[];
  /**
   * mopy's `sbom` key as written. Recorded only: pyfront does not produce an SBOM yet (a later
   * issue), and the loader warns when one is asked for.
   */
  sbom?: boolean;
  /** Context path of a known_hosts file for git+ssh dependencies. */
  knownHosts?: string;
  /** `remove_test_suites`: the dependencies' installed test suites are deleted, not only left uncompiled. */
  removeTestSuites?: boolean;
  metadata: ProjectMetadata;
  /**
   * The lockfile the dependencies come from: the plan installs what it selects for the target,
   * pinned and hash-checked, in place of resolving `dependencies` (which then hold only what the
   * spec adds on top).
   */
  lock?: LockedDependencies;
  /** Only for format "pyenv": the PYENV instructions and the rest of the Dockerfile. */
  pyenv?: PyenvDockerfile;
  /** What pyfront decided on its own and why (layout, Python, dependencies, command). */
  decisions: BuildDecisions;
  /** Where each top-level key was written, for errors found after parsing. */
  positions: Record<string, SourcePosition>;
  /**
   * Where each env and label entry was written, keyed `env.NAME` / `labels.NAME`, with the dotted
   * key as the user wrote it (`envs.A` in a Mopyfile), for errors found after build-arg substitution.
   */
  entrySites?: Record<string, { position: SourcePosition; key: string }>;
  /** Where each context path the spec names was written (the spec file's folder: its first line). */
  pathSites?: Record<string, { position: SourcePosition; key?: string }>;
}
