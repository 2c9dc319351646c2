// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} build-arg references are literal text here.
/** Bad inputs and the exact diagnostics they must produce (see bad-inputs.test.ts). */
export interface BadInputCase {
  name: string;
  specFile?: string;
  text: string;
  /** Other files of the build context. */
  files?: Record<string, string>;
  target?: string;
  buildArgs?: Record<string, string>;
  expected: string[];
}

const pyfront = (body: string) => `[project]\nname = "app"\n\n[tool.pyfront]\n${body}\n`;

export const BAD_INPUTS: BadInputCase[] = [
  {
    name: "unknown key with suggestion",
    text: pyfront('pyhton_version = "3.11"'),
    expected: [
      'pyproject.toml:5:1: tool.pyfront.pyhton_version: unknown key\n  hint: did you mean "python_version"?',
    ],
  },
  {
    name: "unknown key without suggestion",
    text: pyfront('colour = "blue"'),
    expected: [
      "pyproject.toml:5:1: tool.pyfront.colour: unknown key\n  hint: known keys: add_files, build_deps, builder_image, command, copy_files, dependencies, entrypoint, env, expose, extras, groups, healthcheck, indices, known_hosts, labels, lock, python_version, remove_test_suites, requirements, runtime_image, system_deps, targets, workdir",
    ],
  },
  {
    name: "python version as float",
    text: pyfront("python_version = 3.11"),
    expected: [
      'pyproject.toml:5:18: tool.pyfront.python_version: expected a string, got a float\n  hint: quote the value: "3.11"',
    ],
  },
  {
    name: "python 2.7",
    text: pyfront('python_version = "2.7"'),
    expected: [
      "pyproject.toml:5:18: tool.pyfront.python_version: Python 2.7 is not supported\n  hint: supported series: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14 (older series have no maintained official image)",
    ],
  },
  {
    name: "python 3.99",
    text: pyfront('python_version = "3.99"'),
    expected: [
      "pyproject.toml:5:18: tool.pyfront.python_version: Python 3.99 is not supported\n  hint: supported series: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14 (newer series have no released official image yet)",
    ],
  },
  {
    name: "python abc",
    text: pyfront('python_version = "abc"'),
    expected: [
      'pyproject.toml:5:18: tool.pyfront.python_version: "abc" is not a Python version\n  hint: write "3", "3.12" or "3.12.4"',
    ],
  },
  {
    name: "apt package with shell",
    text: pyfront('build_deps = ["gcc; rm -rf /"]'),
    expected: [
      'pyproject.toml:5:15: tool.pyfront.build_deps[0]: "gcc; rm -rf /" is not a Debian package name\n  hint: use lowercase letters, digits and + . - (optionally =version), e.g. libpq-dev or curl=7.88.1-10',
    ],
  },
  {
    name: "apt package uppercase",
    text: pyfront('system_deps = ["LibPQ"]'),
    expected: [
      'pyproject.toml:5:16: tool.pyfront.system_deps[0]: "LibPQ" is not a Debian package name\n  hint: use lowercase letters, digits and + . - (optionally =version), e.g. libpq-dev or curl=7.88.1-10',
    ],
  },
  {
    name: "env name",
    text: pyfront('env = { "MY-VAR" = "1" }'),
    expected: [
      'pyproject.toml:5:20: tool.pyfront.env.MY-VAR: "MY-VAR" is not a valid environment variable name\n  hint: start with a letter or _, then letters, digits or _',
    ],
  },
  {
    name: "env substitution unclosed",
    text: pyfront('env = { A = "${HOME" }'),
    expected: [
      'pyproject.toml:5:13: tool.pyfront.env.A: unclosed "${" in value\n  hint: write ${NAME}, ${NAME:-default} or ${NAME:+alternative}; build args fill them in',
    ],
  },
  {
    name: "label key",
    text: pyfront('labels = { "bad key" = "x" }'),
    expected: [
      'pyproject.toml:5:24: tool.pyfront.labels."bad key": "bad key" is not a valid label key\n  hint: use reverse-DNS style keys such as "org.example.team"',
    ],
  },
  {
    name: "label substitution",
    text: pyfront('labels = { "org.x" = "${1X:-a}" }'),
    expected: [
      'pyproject.toml:5:22: tool.pyfront.labels."org.x": invalid build-arg reference ${1X:-a}\n  hint: write ${NAME}, ${NAME:-default} or ${NAME:+alternative}; build args fill them in',
    ],
  },
  {
    name: "wrong type for list",
    text: pyfront('build_deps = "gcc"'),
    expected: ["pyproject.toml:5:14: tool.pyfront.build_deps: expected a list, got a string"],
  },
  {
    name: "wrong element type",
    text: pyfront("entrypoint = [1]"),
    expected: [
      'pyproject.toml:5:15: tool.pyfront.entrypoint[0]: expected a string, got an integer\n  hint: quote the value: "1"',
    ],
  },
  {
    name: "absolute requirements path",
    text: pyfront('requirements = ["/etc/passwd"]'),
    expected: [
      'pyproject.toml:5:17: tool.pyfront.requirements[0]: "/etc/passwd" is absolute\n  hint: paths are relative to the build context, e.g. ./requirements.txt',
    ],
  },
  {
    name: "requirements escape context",
    text: pyfront('requirements = ["../secrets.txt"]'),
    expected: [
      'pyproject.toml:5:17: tool.pyfront.requirements[0]: "../secrets.txt" leaves the build context\n  hint: only files inside the build context can be used; move the file into it',
    ],
  },
  {
    name: "missing requirements file",
    text: pyfront('requirements = ["requirements.txt"]'),
    expected: [
      'pyproject.toml:5:17: tool.pyfront.requirements[0]: "requirements.txt" does not exist in the build context\n  hint: paths are relative to the root of the build context',
    ],
  },
  {
    name: "requirements is a directory",
    text: pyfront('requirements = ["reqs"]'),
    files: { "reqs/a.txt": "x" },
    expected: ['pyproject.toml:5:17: tool.pyfront.requirements[0]: "reqs" is a directory, expected a file'],
  },
  {
    name: "remove_test_suites as a string",
    text: pyfront('remove_test_suites = "yes"'),
    expected: [
      "pyproject.toml:5:22: tool.pyfront.remove_test_suites: expected a boolean, got a string\n  hint: write true or false, without quotes",
    ],
  },
  {
    name: "missing known_hosts",
    text: pyfront('known_hosts = "ssh/known_hosts"'),
    expected: [
      'pyproject.toml:5:15: tool.pyfront.known_hosts: "ssh/known_hosts" does not exist in the build context\n  hint: paths are relative to the root of the build context',
    ],
  },
  {
    name: "index URL malformed",
    text: pyfront('indices = [{ url = "not a url" }]'),
    expected: [
      'pyproject.toml:5:20: tool.pyfront.indices[0].url: "not a url" is not a URL\n  hint: e.g. https://pypi.example.com/simple',
    ],
  },
  {
    name: "index URL ftp",
    text: pyfront('indices = [{ url = "ftp://example.com/simple" }]'),
    expected: [
      'pyproject.toml:5:20: tool.pyfront.indices[0].url: index URL must use https or http, not "ftp"',
    ],
  },
  {
    name: "index http without trust",
    text: pyfront('indices = [{ url = "http://pypi.local/simple" }]'),
    expected: [
      'pyproject.toml:1:1: warning: found nothing to run: the image starts the base image\'s python3\n  hint: set command = ["python", "-m", "<module>"]',
      "pyproject.toml:5:20: warning: tool.pyfront.indices[0].url: pip ignores a plain http index whose host is not trusted (only localhost, 127.0.0.0/8 and ::1 need no trust)\n  hint: use https, or set trust = true",
    ],
  },
  {
    name: "index http on 127.1, which pip does not read as a loopback address",
    text: pyfront('indices = [{ url = "http://127.1:3141/simple" }]'),
    expected: [
      'pyproject.toml:1:1: warning: found nothing to run: the image starts the base image\'s python3\n  hint: set command = ["python", "-m", "<module>"]',
      "pyproject.toml:5:20: warning: tool.pyfront.indices[0].url: pip ignores a plain http index whose host is not trusted (only localhost, 127.0.0.0/8 and ::1 need no trust)\n  hint: use https, or set trust = true",
    ],
  },
  {
    name: "index inline credentials",
    text: pyfront('indices = [{ url = "https://p.example/simple", username = "u", password = "p" }]'),
    expected: [
      'pyproject.toml:1:1: warning: found nothing to run: the image starts the base image\'s python3\n  hint: set command = ["python", "-m", "<module>"]',
      'pyproject.toml:5:59: warning: tool.pyfront.indices[0].username: credentials written in the spec file are not used; the build reads them from the build secret "pyfront-index-0"\n  hint: store "user:password" (or a token) in a file and pass --secret id=pyfront-index-0,src=<file>, and remove them from the spec',
    ],
  },
  {
    name: "index secret and username",
    text: pyfront('indices = [{ url = "https://p.example/simple", secret = "s", username = "u" }]'),
    expected: [
      "pyproject.toml:5:73: tool.pyfront.indices[0].username: an index takes either secret or username/password\n  hint: keep secret and remove username and password",
    ],
  },
  {
    name: "two primary indices",
    text: pyfront(
      'indices = [{ url = "https://a.example/simple", primary = true }, { url = "https://b.example/simple", primary = true }]',
    ),
    expected: [
      "pyproject.toml:5:112: tool.pyfront.indices[1].primary: only one index can be primary\n  hint: keep primary = true on one index; the others are extra indices",
    ],
  },
  {
    name: "unknown index key",
    text: pyfront('indices = [{ url = "https://a.example/simple", trusted = true }]'),
    expected: [
      'pyproject.toml:5:48: tool.pyfront.indices[0].trusted: unknown key\n  hint: did you mean "trust"?',
    ],
  },
  {
    name: "git URL over git's own unauthenticated protocol",
    text: pyfront('dependencies = ["git+git://example.com/repo.git"]'),
    expected: [
      'pyproject.toml:5:17: tool.pyfront.dependencies[0]: "git+git://example.com/repo.git": only git+https, git+http and git+ssh are supported\n  hint: use git+https://host/owner/repo.git@ref or git+ssh://git@host/owner/repo.git@ref',
    ],
  },
  {
    name: "pip option as dependency",
    text: pyfront('dependencies = ["--index-url=https://evil.example"]'),
    expected: [
      'pyproject.toml:5:17: tool.pyfront.dependencies[0]: "--index-url=https://evil.example" is a pip option, not a requirement\n  hint: use the requirements, indices or dependencies keys instead of pip options',
    ],
  },
  {
    name: "git URL with credentials",
    text: pyfront('dependencies = ["git+https://user:token@github.com/o/r.git"]'),
    expected: [
      'pyproject.toml:5:17: tool.pyfront.dependencies[0]: "git+https://***@github.com/o/r.git": the URL holds credentials, which would end up in the build definition and the log\n  hint: use git+ssh:// with --ssh default, or a package index with secret = "<id>" and --secret id=<id>,src=<file>',
    ],
  },
  {
    name: "checksum malformed",
    text: pyfront('add_files = [{ src = "https://x.example/f", dst = "/f", checksum = "md5:abc" }]'),
    expected: [
      'pyproject.toml:5:68: tool.pyfront.add_files[0].checksum: "md5:abc" is not a sha256 checksum\n  hint: write sha256:<64 lowercase hex digits>',
    ],
  },
  {
    name: "download without checksum",
    text: pyfront('add_files = [{ src = "https://x.example/f", dst = "/f" }]'),
    expected: [
      'pyproject.toml:5:14: tool.pyfront.add_files[0]: a downloaded file needs a checksum\n  hint: add checksum = "sha256:<64 hex digits>"',
    ],
  },
  {
    name: "port out of range",
    text: pyfront("expose = [70000]"),
    expected: [
      'pyproject.toml:5:11: tool.pyfront.expose[0]: 70000 is not a port\n  hint: use a number from 1 to 65535, optionally with "/tcp" or "/udp"',
    ],
  },
  {
    name: "port bad protocol",
    text: pyfront('expose = ["80/sctp"]'),
    expected: [
      'pyproject.toml:5:11: tool.pyfront.expose[0]: "80/sctp" is not a port\n  hint: use a number from 1 to 65535, optionally with "/tcp" or "/udp"',
    ],
  },
  {
    name: "relative workdir",
    text: pyfront('workdir = "app"'),
    expected: ['pyproject.toml:5:11: tool.pyfront.workdir: "app" must be absolute\n  hint: e.g. "/app"'],
  },
  {
    name: "healthcheck duration",
    text: pyfront('healthcheck = { command = ["true"], interval = "soon" }'),
    expected: [
      'pyproject.toml:5:48: tool.pyfront.healthcheck.interval: "soon" is not a duration\n  hint: write seconds (30) or "30s", "5m", "1h"',
    ],
  },
  {
    name: "healthcheck missing command",
    text: pyfront("healthcheck = { retries = 3 }"),
    expected: ["pyproject.toml:5:1: tool.pyfront.healthcheck.command: required key is missing"],
  },
  {
    name: "copy escapes context",
    text: pyfront('copy_files = [{ src = "../x", dst = "/x" }]'),
    expected: [
      'pyproject.toml:5:23: tool.pyfront.copy_files[0].src: "../x" leaves the build context\n  hint: only files inside the build context can be used; move the file into it',
    ],
  },
  {
    name: "unknown extra",
    text: `[project]\nname = "app"\n[project.optional-dependencies]\npg = ["psycopg"]\n[tool.pyfront]\nextras = ["postgres"]\n[build-system]\nrequires = ["setuptools"]\n`,
    expected: [
      'pyproject.toml:6:11: tool.pyfront.extras[0]: the project has no extra "postgres"\n  hint: available extras: pg',
    ],
  },
  {
    name: "unknown pyfront target",
    text: pyfront('[tool.pyfront.targets.dev]\ncommand = ["x"]'),
    target: "prod",
    expected: [
      'pyproject.toml:5:1: tool.pyfront.targets: unknown target "prod"\n  hint: available targets: dev',
    ],
  },
  {
    name: "several scripts without entrypoint",
    text: `[project]\nname = "app"\n[project.scripts]\na = "app:a"\nb = "app:b"\n[tool.pyfront]\npython_version = "3.12"\n`,
    expected: [
      'pyproject.toml:3:1: project.scripts: the project declares several scripts (a, b); none is used as entrypoint\n  hint: set entrypoint = ["<script>"] to choose one',
    ],
  },
  {
    name: "many errors at once",
    text: pyfront('python_version = "2.7"\nbuild_deps = ["Bad Pkg"]\nexpose = [0]\nfoo = 1'),
    expected: [
      "pyproject.toml:5:18: tool.pyfront.python_version: Python 2.7 is not supported\n  hint: supported series: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14 (older series have no maintained official image)",
      'pyproject.toml:6:15: tool.pyfront.build_deps[0]: "Bad Pkg" is not a Debian package name\n  hint: use lowercase letters, digits and + . - (optionally =version), e.g. libpq-dev or curl=7.88.1-10',
      'pyproject.toml:7:11: tool.pyfront.expose[0]: 0 is not a port\n  hint: use a number from 1 to 65535, optionally with "/tcp" or "/udp"',
      "pyproject.toml:8:1: tool.pyfront.foo: unknown key\n  hint: known keys: add_files, build_deps, builder_image, command, copy_files, dependencies, entrypoint, env, expose, extras, groups, healthcheck, indices, known_hosts, labels, lock, python_version, remove_test_suites, requirements, runtime_image, system_deps, targets, workdir",
    ],
  },
  {
    name: "TOML syntax error",
    text: '[tool.pyfront]\npython_version = "3.11\n',
    expected: [
      "pyproject.toml:2:23: TOML syntax error: Unterminated string constant\n  hint: see https://toml.io for the syntax",
    ],
  },
  {
    name: "TOML duplicate key",
    text: '[tool.pyfront]\npython_version = "3.11"\npython_version = "3.12"\n',
    expected: [
      'pyproject.toml:3:1: "python_version" is defined twice\n  hint: keep one definition of the key or table',
    ],
  },
  {
    name: "TOML duplicate table",
    text: '[tool.pyfront]\nworkdir = "/a"\n[tool.pyfront]\nworkdir = "/b"\n',
    expected: [
      "pyproject.toml:3:7: table [tool.pyfront] is defined twice\n  hint: keep one definition of the key or table",
    ],
  },
  {
    name: "microb several targets none chosen",
    text: '[tool.microb.target.a]\npython_version = "3.11"\n[tool.microb.target.b]\npython_version = "3.12"\n',
    expected: [
      "pyproject.toml:1:1: tool.microb.target: several targets and none chosen (a, b)\n  hint: available targets: a, b; choose one with --target NAME or --build-arg microb_target=NAME",
    ],
  },
  {
    name: "microb unknown target from build arg",
    text: '[tool.microb.target.a]\npython_version = "3.11"\n',
    buildArgs: { microb_target: "c" },
    expected: [
      'pyproject.toml:1:1: tool.microb.target: unknown target "c"\n  hint: available targets: a; choose one with --target NAME or --build-arg microb_target=NAME',
    ],
  },
  {
    name: "microb api_version",
    text: '[tool.microb.target.default]\napi_version = "v2"\n',
    expected: [
      'pyproject.toml:2:15: tool.microb.target.default.api_version: "v2" is not allowed\n  hint: expected one of: "v1"',
    ],
  },
  {
    name: "microb flavor",
    text: '[tool.microb.target.default]\nflavor = "huge"\n',
    expected: [
      'pyproject.toml:2:10: tool.microb.target.default.flavor: "huge" is not allowed\n  hint: expected one of: "debian", "alpine", "full", "slim"',
    ],
  },
  {
    name: "requires-python excludes all",
    text: '[project]\nname = "x"\nrequires-python = ">=3.15"\n',
    expected: [
      'pyproject.toml:3:19: project.requires-python: no supported Python series satisfies ">=3.15"\n  hint: supported series: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14',
    ],
  },
  {
    name: "requires-python malformed",
    text: '[project]\nname = "x"\nrequires-python = "3.10+"\n',
    expected: [
      'pyproject.toml:3:19: project.requires-python: "3.10+" is not a version specifier\n  hint: write e.g. ">=3.10" or ">=3.9,<3.13"',
    ],
  },
  {
    name: "bad .python-version",
    text: '[project]\nname = "x"\n',
    files: { ".python-version": "pypy3.10\n" },
    expected: [
      '.python-version:1:1: "pypy3.10" is not CPython; pyfront builds on the official CPython images\n  hint: write a CPython version, e.g. "3.13" or "3.13.5"',
    ],
  },
  {
    name: "poetry or-constraint",
    text: '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.10"\nfoo = "^1 || ^2"\n',
    expected: [
      'pyproject.toml:5:7: tool.poetry.dependencies.foo: constraint "^1 || ^2" uses "||", which pip cannot express\n  hint: rewrite it as a single range',
    ],
  },
  {
    name: "mopy missing python",
    specFile: "Mopyfile.yaml",
    text: "pip: [flask]\n",
    expected: ["Mopyfile.yaml:1:1: python: required key is missing"],
  },
  {
    name: "mopy python 2.7",
    specFile: "Mopyfile.yaml",
    text: "python: 2.7\n",
    expected: [
      "Mopyfile.yaml:1:9: python: Python 2.7 is not supported\n  hint: supported series: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14 (older series have no maintained official image)",
    ],
  },
  {
    name: "mopy unknown key",
    specFile: "Mopyfile.yaml",
    text: "python: 3.11\nbuild_deps: [gcc]\n",
    expected: ['Mopyfile.yaml:2:1: build_deps: unknown key\n  hint: did you mean "build-deps"?'],
  },
  {
    name: "mopy project without main.py",
    specFile: "Mopyfile.yaml",
    text: "python: 3.11\nproject: app/\n",
    files: { "app/run.py": "" },
    expected: [
      'Mopyfile.yaml:2:10: project: "app" has no main.py\n  hint: add main.py to the folder, or point project at a single .py file',
    ],
  },
  {
    name: "mopy missing local dir",
    specFile: "Mopyfile.yaml",
    text: "python: 3.11\npip:\n  - ./libs/mine/\n  - ./req.txt\n",
    expected: [
      'Mopyfile.yaml:3:5: pip[0]: "libs/mine" does not exist in the build context\n  hint: paths are relative to the root of the build context',
      'Mopyfile.yaml:4:5: pip[1]: "req.txt" does not exist in the build context\n  hint: paths are relative to the root of the build context',
    ],
  },
  {
    name: "mopy YAML duplicate key",
    specFile: "Mopyfile.yaml",
    text: "python: 3.11\npython: 3.12\n",
    expected: ['Mopyfile.yaml:2:1: "python" is defined twice\n  hint: keep one definition of the key'],
  },
  {
    name: "mopy YAML syntax error",
    specFile: "Mopyfile.yaml",
    text: "python: [3.11\n",
    expected: [
      "Mopyfile.yaml:2:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]\n  hint: check indentation and quoting",
    ],
  },
  {
    name: "pyenv bad arguments",
    specFile: "Dockerfile",
    text: "FROM x\nPYENV 3.11\nPYENV 2.7 old\nPYENV 3.12 env ../r.txt\n",
    expected: [
      "Dockerfile:2:1: PYENV: expected 2 or 3 arguments, got 1\n  hint: PYENV <python-version> <venv-name> [<requirements-file>]",
      "Dockerfile:3:1: PYENV: Python 2.7 is not supported\n  hint: supported series: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14 (older series have no maintained official image)",
      'Dockerfile:4:1: PYENV: "../r.txt" leaves the build context\n  hint: only files inside the build context can be used; move the file into it',
    ],
  },
  {
    name: "unknown key in a target",
    text: pyfront('[tool.pyfront.targets.dev]\npython = "3.12"'),
    expected: [
      'pyproject.toml:6:1: tool.pyfront.targets.dev.python: unknown key\n  hint: did you mean "python_version"?',
    ],
  },
  {
    name: "env value of wrong type",
    text: pyfront('env = { A = ["x"] }'),
    expected: [
      "pyproject.toml:5:13: tool.pyfront.env.A: expected a string, a number or a boolean, got a list",
    ],
  },
  {
    name: "target for zero config",
    text: '[project]\nname = "x"\n',
    target: "dev",
    expected: [
      'pyproject.toml:1:1: unknown target "dev"\n  hint: this pyproject.toml defines no targets; add [tool.pyfront.targets.<name>]',
    ],
  },
  {
    name: "microb without targets",
    text: "[tool.microb]\ntarget = {}\n",
    expected: [
      "pyproject.toml:2:1: tool.microb.target: no target defined\n  hint: define [tool.microb.target.default]",
    ],
  },
  {
    name: "copy source missing",
    text: pyfront('copy_files = [{ src = "conf/app.ini", dst = "/etc/app.ini" }]'),
    expected: [
      'pyproject.toml:5:23: tool.pyfront.copy_files[0].src: "conf/app.ini" does not exist in the build context\n  hint: paths are relative to the root of the build context',
    ],
  },
  {
    name: "extras without package",
    text: '[tool.pyfront]\nextras = ["x"]\n',
    expected: [
      "pyproject.toml:2:10: tool.pyfront.extras: extras need an installable project\n  hint: add a [build-system] table (the project is otherwise an application, copied as it is)",
    ],
  },
  {
    name: "image reference",
    text: pyfront('runtime_image = "Python:3.12 slim"'),
    expected: [
      'pyproject.toml:5:17: tool.pyfront.runtime_image: "Python:3.12 slim" is not an image reference\n  hint: e.g. registry.example.com/python:3.12-slim',
    ],
  },
  {
    name: "mopy requirements file without ./",
    specFile: "Mopyfile.yaml",
    text: "python: 3.11\npip: [requirements.txt]\n",
    expected: [
      'Mopyfile.yaml:2:7: pip[0]: "requirements.txt" looks like a requirements file\n  hint: local paths start with ./, e.g. ./requirements.txt',
    ],
  },
  {
    name: "copy from a malformed image",
    text: pyfront('copy_files = [{ src = "/bin/x", dst = "/x", from = "my image" }]'),
    expected: [
      'pyproject.toml:5:52: tool.pyfront.copy_files[0].from: "my image" is not an image reference\n  hint: e.g. registry.example.com/python:3.12-slim',
    ],
  },
  {
    name: "port as a float",
    text: pyfront("expose = [80.5]"),
    expected: ["pyproject.toml:5:11: tool.pyfront.expose[0]: expected an integer or a string, got a float"],
  },
  {
    name: "unknown format",
    specFile: "build.spec",
    text: "hello world\n",
    expected: [
      "build.spec:1:1: cannot tell the format of the spec file\n  hint: use pyproject.toml, Mopyfile.yaml, a requirements file, Pipfile, setup.py, a .py script, or a Dockerfile with PYENV instructions",
    ],
  },
];
