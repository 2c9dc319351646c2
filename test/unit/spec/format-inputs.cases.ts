/**
 * microb and Mopyfile inputs as their users write them, and the exact diagnostics each gives:
 * microb's string `requirements`, `flavor = "alpine"`, `environment`, files before the build,
 * index credentials as build secrets, `known_hosts`; mopy's `sbom`, `known-hosts` and wheel URLs.
 * An empty `expected`: the input is accepted without a word.
 */
import type { BadInputCase } from "./bad-inputs.cases.js";

/** A pyproject with a microb default target holding `body`; a package, unless `project` says otherwise. */
const microb = (body: string, project = '[project]\nname = "app"\nversion = "1"\n\n') =>
  `${project}[tool.microb.target.default]\n${body}\n${project.includes("[project]") ? '\n[build-system]\nrequires = ["setuptools"]\n' : ""}`;
export const FORMAT_INPUTS: BadInputCase[] = [
  {
    name: "requirements of the wrong type",
    text: microb("requirements = 5"),
    expected: [
      "pyproject.toml:6:16: tool.microb.target.default.requirements: expected a string or a list, got an integer",
    ],
  },
  {
    name: "requirements list element of the wrong type",
    text: microb("requirements = [5]"),
    expected: [
      'pyproject.toml:6:17: tool.microb.target.default.requirements[0]: expected a string, got an integer\n  hint: quote the value: "5"',
    ],
  },
  {
    name: "requirements string escapes the context",
    text: microb('requirements = "../lock.txt"'),
    expected: [
      'pyproject.toml:6:16: tool.microb.target.default.requirements: "../lock.txt" leaves the build context\n  hint: only files inside the build context can be used; move the file into it',
    ],
  },
  {
    name: "requirements string names a missing file",
    text: microb('requirements = "requirements.lock"'),
    expected: [
      'pyproject.toml:6:16: tool.microb.target.default.requirements: "requirements.lock" does not exist in the build context\n  hint: paths are relative to the root of the build context',
    ],
  },
  {
    name: "requirements with extras",
    text: microb(
      'requirements = "r.txt"\nextras = ["dev"]',
      '[project]\nname = "app"\nversion = "1"\n[project.optional-dependencies]\ndev = ["pytest"]\n\n',
    ),
    files: { "r.txt": "flask\n" },
    expected: [
      "pyproject.toml:9:10: tool.microb.target.default.extras: extras cannot be used together with requirements\n  hint: the requirements file is the whole dependency set (microb's rule): export the extras into it and remove extras",
    ],
  },
  {
    name: "editable lines left out",
    text: microb('requirements = "requirements.lock"'),
    files: {
      "requirements.lock":
        "-e file:.\n-e ./libs/shared\n--editable=git+https://h.example/r.git#egg=r\nflask==3.0.0\n",
    },
    expected: [
      'requirements.lock:2:1: warning: "-e ./libs/shared" is left out, as microb does: an image gets no editable installs\n  hint: list "./libs/shared" as a plain requirement if the image needs it',
      'requirements.lock:3:1: warning: "--editable=git+https://h.example/r.git#egg=r" is left out, as microb does: an image gets no editable installs\n  hint: list "git+https://h.example/r.git#egg=r" as a plain requirement if the image needs it',
    ],
  },
  {
    name: "editable self with no package",
    text: microb('requirements = "requirements.lock"', ""),
    files: { "requirements.lock": "-e file:.\nflask==3.0.0\n" },
    expected: [
      'requirements.lock:1:1: warning: "-e file:." is left out, as microb does: an image gets no editable installs\n  hint: the project itself is installed only when it is a package: add [build-system] (or setuptools configuration)',
    ],
  },
  {
    name: "editable credentials redacted",
    text: microb('requirements = "r.txt"'),
    files: { "r.txt": "-e git+https://user:s3cret@h.example/r.git#egg=r\n" },
    expected: [
      'r.txt:1:1: warning: "-e git+https://***@h.example/r.git#egg=r" is left out, as microb does: an image gets no editable installs\n  hint: list "git+https://***@h.example/r.git#egg=r" as a plain requirement if the image needs it',
    ],
  },
  {
    name: "project dependencies missing from the lock",
    text: microb(
      'requirements = "r.lock"',
      '[project]\nname = "app"\nversion = "1"\ndependencies = ["flask", "Gunicorn>=21", "requests"]\n\n',
    ),
    files: { "r.lock": "flask==3.0.0 \\\n    --hash=sha256:aaaa\nrequests==2.32.3\n" },
    expected: [
      "pyproject.toml:7:1: warning: tool.microb.target.default.requirements: the project's dependencies name gunicorn, which r.lock does not: only the requirements file is installed, as in microb\n  hint: export the lock again from the project's dependencies, or add what is missing to it",
    ],
  },
  {
    name: "env and environment",
    text: microb('env = { A = "1" }\nenvironment = { B = "2" }'),
    expected: [
      "pyproject.toml:7:15: tool.microb.target.default.environment: env and environment are the same setting\n  hint: keep one of them (microb's README names it env, its code reads environment)",
    ],
  },
  {
    name: "alpine package name",
    text: microb('flavor = "alpine"\nbuild_deps = ["musl-dev", "Bad Name"]'),
    expected: [
      'pyproject.toml:7:27: tool.microb.target.default.build_deps[1]: "Bad Name" is not an Alpine package name\n  hint: use lowercase letters, digits and + . _ - (optionally =version), e.g. musl-dev or libpq=16.4-r0',
    ],
  },
  {
    name: "debian package name with underscore",
    text: microb('system_deps = ["py3_foo"]'),
    expected: [
      'pyproject.toml:6:16: tool.microb.target.default.system_deps[0]: "py3_foo" is not a Debian package name\n  hint: use lowercase letters, digits and + . - (optionally =version), e.g. libpq-dev or curl=7.88.1-10',
    ],
  },
  {
    name: "alpine accepts underscores",
    text: microb('flavor = "alpine"\nsystem_deps = ["py3-typing_extensions", "libpq=16.4-r0"]'),
    expected: [],
  },
  {
    name: "copy before build from the builder",
    text: microb('copy_files_before_build = [{ src = "/x", dst = "/y", from = "builder" }]'),
    expected: [
      "pyproject.toml:6:61: tool.microb.target.default.copy_files_before_build[0].from: the builder stage cannot copy from itself\n  hint: copy from the build context (no from) or from an image",
    ],
  },
  {
    name: "copy before build missing source",
    text: microb('copy_files_before_build = [{ src = "ca.pem", dst = "/etc/ca.pem" }]'),
    expected: [
      'pyproject.toml:6:36: tool.microb.target.default.copy_files_before_build[0].src: "ca.pem" does not exist in the build context\n  hint: paths are relative to the root of the build context',
    ],
  },
  {
    name: "copy before build escapes",
    text: microb('copy_files_before_build = [{ src = "../ca.pem", dst = "/etc/ca.pem" }]'),
    expected: [
      'pyproject.toml:6:36: tool.microb.target.default.copy_files_before_build[0].src: "../ca.pem" leaves the build context\n  hint: only files inside the build context can be used; move the file into it',
    ],
  },
  {
    name: "add before build download without checksum",
    text: microb(
      'add_files_before_build = [{ src = "https://example.org/pip.conf", dst = "/etc/pip.conf" }]',
    ),
    expected: [
      'pyproject.toml:6:27: warning: tool.microb.target.default.add_files_before_build[0]: downloaded file has no checksum; its content is not verified\n  hint: add checksum = "sha256:<64 hex digits>"',
    ],
  },
  {
    name: "add before build missing archive",
    text: microb('add_files_before_build = [{ src = "certs.tar", dst = "/opt/" }]'),
    expected: [
      'pyproject.toml:6:35: tool.microb.target.default.add_files_before_build[0].src: "certs.tar" does not exist in the build context\n  hint: paths are relative to the root of the build context',
    ],
  },
  {
    name: "password_secret without username_secret",
    text: microb('indices = [{ url = "https://p.example/simple", password_secret = "tok" }]'),
    expected: [
      "pyproject.toml:6:66: warning: tool.microb.target.default.indices[0].password_secret: password_secret is ignored without username_secret, as microb does\n  hint: add username_secret, or remove password_secret",
    ],
  },
  {
    name: "password_secret with a written username",
    text: microb(
      'indices = [{ url = "https://p.example/simple", username = "ci", password_secret = "tok" }]',
    ),
    expected: [
      "pyproject.toml:6:59: tool.microb.target.default.indices[0].username: the user name is written in the spec file while the password comes from password_secret\n  hint: store the user name in a build secret too and name it in username_secret",
    ],
  },
  {
    name: "username_secret with a written password",
    text: microb(
      'indices = [{ url = "https://p.example/simple", username_secret = "u", password = "hunter2" }]',
    ),
    expected: [
      "pyproject.toml:6:82: tool.microb.target.default.indices[0].password: the password is written in the spec file while the user name comes from username_secret\n  hint: store the password in a build secret and name it in password_secret",
    ],
  },
  {
    name: "secrets supersede written credentials",
    text: microb(
      'indices = [{ url = "https://p.example/simple", username_secret = "u", password_secret = "p", username = "ci", password = "hunter2" }]',
    ),
    expected: [
      "pyproject.toml:6:105: warning: tool.microb.target.default.indices[0].username: not used: username_secret takes precedence, as in microb\n  hint: remove username from the spec file",
      "pyproject.toml:6:122: warning: tool.microb.target.default.indices[0].password: not used: password_secret takes precedence, as in microb\n  hint: remove password from the spec file",
    ],
  },
  {
    name: "username_secret is no secret id",
    text: microb('indices = [{ url = "https://p.example/simple", username_secret = "my secret" }]'),
    expected: [
      'pyproject.toml:6:66: tool.microb.target.default.indices[0].username_secret: "my secret" is not a valid secret id\n  hint: use letters, digits, _ . -; pass it with --secret id=NAME,src=FILE',
    ],
  },
  {
    name: "secrets and credentials in the URL",
    text: microb('indices = [{ url = "https://ci:pw@p.example/simple", username_secret = "u" }]'),
    expected: [
      "pyproject.toml:6:20: tool.microb.target.default.indices[0].url: the URL holds credentials and the index names secrets for them\n  hint: remove user:password@ from the URL; the secrets supply them",
    ],
  },
  {
    name: "microb known_hosts missing",
    text: microb('known_hosts = "ssh/known_hosts"'),
    expected: [
      'pyproject.toml:6:15: tool.microb.target.default.known_hosts: "ssh/known_hosts" does not exist in the build context\n  hint: paths are relative to the root of the build context',
    ],
  },
  {
    name: "microb known_hosts is a directory",
    text: microb('known_hosts = "ssh"'),
    files: { "ssh/x": "" },
    expected: [
      'pyproject.toml:6:15: tool.microb.target.default.known_hosts: "ssh" is a directory, expected a file',
    ],
  },
  {
    name: "mopy known-hosts missing",
    specFile: "Mopyfile.yaml",
    text: 'python: "3.12"\nknown-hosts: ssh/known_hosts\n',
    expected: [
      'Mopyfile.yaml:2:14: known-hosts: "ssh/known_hosts" does not exist in the build context\n  hint: paths are relative to the root of the build context',
    ],
  },
  {
    name: "mopy known_hosts spelling",
    specFile: "Mopyfile.yaml",
    text: 'python: "3.12"\nknown_hosts: ssh/known_hosts\n',
    expected: ['Mopyfile.yaml:2:1: known_hosts: unknown key\n  hint: did you mean "known-hosts"?'],
  },
  {
    name: "mopy sbom true",
    specFile: "Mopyfile.yaml",
    text: 'python: "3.12"\nsbom: true\n',
    expected: [
      "Mopyfile.yaml:2:7: warning: sbom: recorded, but pyfront does not produce an SBOM yet (mopy's mopy.sbom label): a later version will\n  hint: set sbom: false to build without asking for one",
    ],
  },
  {
    name: "mopy sbom not a boolean",
    specFile: "Mopyfile.yaml",
    text: 'python: "3.12"\nsbom: "yes"\n',
    expected: [
      "Mopyfile.yaml:2:7: sbom: expected a boolean, got a string\n  hint: write true or false, without quotes",
    ],
  },
  {
    name: "mopy wheel URL with credentials",
    specFile: "Mopyfile.yaml",
    text: 'python: "3.12"\npip:\n  - https://user:secret@pkgs.example.org/simple/pip-lib.whl\n',
    expected: [
      'Mopyfile.yaml:3:5: pip[0]: "https://***@pkgs.example.org/simple/pip-lib.whl": the URL holds credentials, which would end up in the build definition and the log\n  hint: serve the file from a package index with credentials in a build secret (indices)',
    ],
  },
  {
    name: "mopy URL that is no archive",
    specFile: "Mopyfile.yaml",
    text: 'python: "3.12"\npip:\n  - https://pkgs.example.org/simple/pip-lib/\n',
    expected: [
      'Mopyfile.yaml:3:5: pip[0]: "https://pkgs.example.org/simple/pip-lib/" names neither a wheel (.whl) nor a source archive (.tar.gz, .zip)\n  hint: point at the file itself, e.g. https://host/simple/pkg-1.0-py3-none-any.whl',
    ],
  },
  {
    name: "mopy URL over ftp",
    specFile: "Mopyfile.yaml",
    text: 'python: "3.12"\npip:\n  - ftp://pkgs.example.org/pip_lib-1.0-py3-none-any.whl\n',
    expected: [
      'Mopyfile.yaml:3:5: pip[0]: "ftp://pkgs.example.org/pip_lib-1.0-py3-none-any.whl" is not a pip requirement\n  hint: write e.g. "flask>=3", "numpy==1.26.*" or "git+https://host/repo.git@ref"',
    ],
  },
];
