import type { BuildSpec } from "../../../src/spec/build-spec.js";

/** A spec as the parsers hand it over, with every optional part empty. */
export function baseSpec(overrides: Partial<BuildSpec> = {}): BuildSpec {
  return {
    format: "pyfront",
    specFile: "pyproject.toml",
    decisions: {},
    python: { requested: "3.11", series: "3.11" },
    builderImage: "python:3.11",
    runtimeImage: "python:3.11-slim",
    buildDeps: [],
    systemDeps: [],
    env: [],
    indices: [],
    labels: [],
    dependencies: [],
    project: { kind: "none" },
    workdir: "/app",
    expose: [],
    copyFiles: [],
    addFiles: [],
    metadata: { authors: [] },
    positions: {
      env: { file: "pyproject.toml", line: 12, column: 1 },
      labels: { file: "pyproject.toml", line: 20, column: 1 },
    },
    ...overrides,
  };
}

export const SECRET_PASSWORD = "s3cr3t-Pa55word";

/** One spec per recipe path; each has golden plan JSON and Dockerfile. */
export const FIXTURES: Record<string, BuildSpec> = {
  "script-folder": baseSpec({
    format: "mopy",
    specFile: "Mopyfile.yaml",
    dependencies: [
      { kind: "index", requirement: "requests==2.31.0" },
      { kind: "requirements-file", path: "requirements.txt" },
    ],
    project: { kind: "scripts", path: "my-app", main: "main.py" },
  }),
  "script-file": baseSpec({
    format: "mopy",
    specFile: "Mopyfile.yaml",
    project: { kind: "scripts", path: "tools/hello.py", main: "hello.py" },
    command: ["python", "/app/hello.py", "--verbose"],
  }),
  "package-console-script": baseSpec({
    dependencies: [
      { kind: "index", requirement: "click>=8" },
      { kind: "index", requirement: "rich[jupyter]~=13.0" },
    ],
    project: {
      kind: "package",
      path: ".",
      extras: ["yaml", "cli"],
      extraDependencies: [
        { kind: "index", requirement: "pyyaml>=6" },
        { kind: "index", requirement: "typer" },
      ],
      dependenciesComplete: true,
    },
    entrypoint: ["hello-cli"],
    metadata: {
      name: "hello-cli",
      version: "1.2.3",
      description: "Says hello.\nTwice.",
      authors: ["Ada Lovelace <ada@example.org>", "Charles Babbage"],
      license: "Apache-2.0",
      url: "https://example.org/hello",
      source: "https://git.example.org/hello",
    },
  }),
  webapp: baseSpec({
    dependencies: [
      { kind: "index", requirement: "flask==3.0.0" },
      { kind: "index", requirement: "gunicorn" },
    ],
    project: {
      kind: "package",
      path: "services/web",
      extras: [],
      extraDependencies: [],
      dependenciesComplete: true,
    },
    entrypoint: ["gunicorn", "--bind", "0.0.0.0:8000"],
    command: ["web.app:create_app()"],
    env: [["APP_MODE", "production"]],
    expose: [
      { port: 8000, protocol: "tcp" },
      { port: 8000, protocol: "tcp" },
      { port: 9125, protocol: "udp" },
    ],
    healthcheck: {
      command: ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health')"],
      intervalSeconds: 30,
      timeoutSeconds: 5,
      startPeriodSeconds: 10,
      retries: 3,
    },
    copyFiles: [
      { src: "config/gunicorn.conf.py", dst: "/etc/gunicorn/" },
      { src: "static", dst: "static" },
      { src: "/usr/share/zoneinfo/UTC", dst: "/etc/localtime", from: "debian:bookworm" },
    ],
    addFiles: [
      {
        src: "https://downloads.example.org/geo/GeoLite2-City.mmdb?v=2",
        dst: "/data/",
        checksum: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      },
      { src: "vendor/assets.tar.gz", dst: "/srv/assets/" },
    ],
    workdir: "/srv",
    metadata: { name: "web", authors: [] },
  }),
  "compiled-deps": baseSpec({
    format: "microb",
    python: { requested: "3.12.4", series: "3.12" },
    builderImage: "python:3.12.4",
    runtimeImage: "python:3.12.4-slim",
    buildDeps: ["build-essential", "libpq-dev"],
    systemDeps: ["libpq5"],
    dependencies: [
      { kind: "index", requirement: "psycopg2==2.9.9" },
      { kind: "local", path: "libs/fastmath" },
    ],
    // Dynamic dependencies (e.g. setuptools reading requirements.txt): pip resolves them.
    project: { kind: "package", path: ".", extras: [], extraDependencies: [], dependenciesComplete: false },
  }),
  "secret-index": baseSpec({
    indices: [
      {
        url: "https://pypi.internal.example.org/simple/",
        primary: true,
        trusted: false,
        credentialsSecret: "pip-creds",
      },
      { url: "http://mirror.local:8080/simple", primary: false, trusted: true },
    ],
    dependencies: [{ kind: "index", requirement: "internal-lib>=2" }],
    project: { kind: "package", path: ".", extras: [], extraDependencies: [], dependenciesComplete: true },
  }),
  "plain-indices": baseSpec({
    indices: [
      { url: "https://pypi.example.org/simple", primary: true, trusted: false },
      { url: "https://extra.example.org/simple", primary: false, trusted: false },
    ],
    dependencies: [{ kind: "index", requirement: "attrs" }],
  }),
  "ssh-git-dep": baseSpec({
    format: "mopy",
    dependencies: [
      {
        kind: "git",
        url: "git+ssh://git@git.example.org/team/tool.git@v1.0",
        transport: "ssh",
        name: "tool",
      },
      { kind: "git", url: "git+https://github.com/example/anatome.git@dev", transport: "https" },
    ],
    knownHosts: "ci/known_hosts",
    project: { kind: "scripts", path: "app", main: "main.py" },
  }),
  "microb-inline-credentials": baseSpec({
    format: "microb",
    indices: [
      {
        url: "https://nexus.example.org/repository/pypi/simple",
        primary: false,
        trusted: false,
        inlineCredentials: true,
      },
    ],
    dependencies: [{ kind: "index", requirement: "nats-py" }],
    project: { kind: "package", path: ".", extras: [], extraDependencies: [], dependenciesComplete: false },
    entrypoint: ["micro", "run"],
    command: ["example:setup"],
  }),
  "labels-build-args": baseSpec({
    env: [
      ["RELEASE", "${RELEASE:-dev}"],
      ["PRICE", "costs \\$5 for $USER"],
    ],
    labels: [
      ["org.opencontainers.image.version", "${VERSION:-0.0.0}"],
      ["com.example.channel", "${CHANNEL}"],
      ["com.example.build", "${BUILD_ID:+build-$BUILD_ID}"],
    ],
    metadata: { name: "labelled", version: "9.9.9", authors: [] },
  }),
};

/** Build args used when planning the fixtures. */
export const FIXTURE_BUILD_ARGS: Record<string, string> = {
  RELEASE: "2024.1",
  BUILD_ID: "77",
  UNUSED_ARG: "nope",
};
