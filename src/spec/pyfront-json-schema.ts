// biome-ignore-all lint/suspicious/noThenProperty: if/then/else are JSON Schema keywords here, not a thenable.
import * as z from "zod";
import {
  contextPathSchema,
  envSchema,
  healthcheckSchema,
  indexUrlSchema,
  labelsSchema,
  portSchema,
  pythonVersionSchema,
  requirementSchema,
  workdirSchema,
} from "./common-schemas.js";
import { pyfrontImageShape, pyfrontIndexSchema, pyfrontSchema } from "./pyfront-schema.js";
import { SUPPORTED_PYTHON_SERIES } from "./python-versions.js";

// pyfront has no web site yet: the schema names itself by URN, and the docs by their place in the
// package (docs/ ships with it), not by an address that would not answer.
export const PYFRONT_JSON_SCHEMA_ID = "urn:pyfront:schema:pyfront";
/** Where each key's documentation lives: docs/formats/pyfront.md, one heading anchor per key. */
export const PYFRONT_DOCS_URL = "docs/formats/pyfront.md in the pyfront package";
const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema (draft-07, what Taplo / Even Better TOML and SchemaStore read best) of
 * `[tool.pyfront]`, generated from the zod schema that validates it. zod's refinements are code
 * and do not reach the generated schema, so the ones a schema can state are added here, attached
 * to the same zod values wherever they are used (top level and every target). Checks that need the
 * build context (files exist, extras exist) or PEP 508 parsing are left to pyfront.
 */
export function pyfrontJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(pyfrontSchema, {
    target: "draft-07",
    io: "input",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      const extra = VALUE_CONSTRAINTS.get(zodSchema as unknown as z.ZodType);
      if (extra) replace(jsonSchema, extra(jsonSchema));
    },
  }) as JsonSchema;
  const { $schema: _drafted, ...rest } = generated;
  const schema: JsonSchema = {
    $schema: DRAFT_07,
    $id: PYFRONT_JSON_SCHEMA_ID,
    ...rest,
    definitions: DEFINITIONS,
  };
  const properties = schema.properties as Record<string, JsonSchema>;
  documentKeys(properties);
  const targets = properties.targets as { additionalProperties: { properties: Record<string, JsonSchema> } };
  documentKeys(targets.additionalProperties.properties);
  return schema;
}

/** The schema file's exact text: stable key order from the zod schema, two-space indent. */
export function pyfrontJsonSchemaText(): string {
  return `${JSON.stringify(pyfrontJsonSchema(), null, 2)}\n`;
}

function replace(target: JsonSchema, next: JsonSchema): void {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, next);
}

/** 1 to 65535, as digits; the same range checkPort enforces. */
const PORT_DIGITS = "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";

/** "3", or a supported series with an optional patch: what resolvePythonVersion accepts. */
const SUPPORTED_PYTHON_PATTERN = `^(3|(${SUPPORTED_PYTHON_SERIES.map((s) => s.replace(".", "\\.")).join("|")})(\\.[0-9]+)?)$`;

/** A URL pip can use as an index: http or https (any case, as URL parsing reads it), with a host. */
const HTTP_URL_PATTERN = "^[hH][tT][tT][pP][sS]?://[^/?#\\s]+([/?#].*)?$";

const IS_DOWNLOAD = { properties: { src: { pattern: "^https?://" } }, required: ["src"] };

/** A value without `${` that is not a well-formed `${NAME}`, `${NAME:-x}` or `${NAME:+x}` (checkSubstitution). */
const SUBSTITUTED_PATTERN = "^([^$]|\\$+[^${]|\\$+$|\\$*\\$\\{[A-Za-z_][A-Za-z0-9_]*(:[-+][^}]*)?\\})*$";

/** Index positions for which "only one primary" is spelled out; see atMostOnePrimary. */
const PRIMARY_POSITIONS = 16;

/**
 * "At most one item has primary = true" needs maxContains (2019-09), which draft-07 lacks: for each
 * position i, if item i is primary then no other item is. Spelled out for the first
 * PRIMARY_POSITIONS items, which covers every real index list.
 */
function atMostOnePrimary(): JsonSchema {
  const notPrimary = { $ref: "#/definitions/notPrimaryIndex" };
  return {
    allOf: Array.from({ length: PRIMARY_POSITIONS }, (_, i) => ({
      if: {
        minItems: i + 1,
        items: [...Array.from({ length: i }, () => ({})), { $ref: "#/definitions/primaryIndex" }],
      },
      then: { items: [...Array.from({ length: i }, () => notPrimary), {}], additionalItems: notPrimary },
    })),
  };
}

/** Shared by the top level and every target, so the schema states them once. */
const DEFINITIONS: JsonSchema = {
  primaryIndex: { properties: { primary: { const: true } }, required: ["primary"] },
  notPrimaryIndex: { not: { $ref: "#/definitions/primaryIndex" } },
  atMostOnePrimaryIndex: atMostOnePrimary(),
};

/** A path inside the build context, as far as a pattern can tell: checkContextPath's cases. */
const CONTEXT_PATH: JsonSchema = {
  minLength: 1,
  pattern: "^[^\\n\\r\\x00]*$",
  not: {
    anyOf: [
      { pattern: "^/" },
      { pattern: "^[A-Za-z]:[\\\\/]" },
      { pattern: "^(\\.[\\\\/]+)*\\.\\.([\\\\/]|$)" },
    ],
  },
};
/** A path in the image (checkImagePath): not empty, no control characters. */
const IMAGE_PATH: JsonSchema = { minLength: 1, pattern: "^[^\\n\\r\\x00]*$" };

/** `name [extras] @ ` before a URL, as parseRequirement's NAMED_URL reads it. */
const NAMED_PREFIX = "^\\s*([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\\s*(\\[[^\\]]*\\])?\\s*@\\s*)?";

/** parseRequirement's refusals a pattern can state: pip options, other git transports, plain URLs. */
const REQUIREMENT: JsonSchema = {
  // Starts like a project name: no pip option (-r, --index-url), not empty.
  pattern: "^\\s*[A-Za-z0-9][^\\n\\r\\x00]*$",
  allOf: [
    {
      if: { pattern: `${NAMED_PREFIX}[gG][iI][tT]\\+` },
      then: {
        anyOf: [
          { pattern: `${NAMED_PREFIX}[gG][iI][tT]\\+[hH][tT][tT][pP][sS]://` },
          { pattern: `${NAMED_PREFIX}[gG][iI][tT]\\+[sS][sS][hH]://` },
        ],
      },
    },
    // A URL on its own is only accepted as a git URL.
    { if: { pattern: "^\\s*[A-Za-z][A-Za-z0-9+.-]*://" }, then: { pattern: "^\\s*[gG][iI][tT]\\+" } },
    // No credentials in a URL (a git+ssh user name such as git@ is none).
    {
      if: { pattern: "[gG][iI][tT]\\+[sS][sS][hH]://" },
      else: { not: { pattern: "://[^/?#\\s]*@" } },
    },
  ],
};

type Properties = Record<string, JsonSchema>;
const propertiesOf = (g: JsonSchema) => g.properties as Properties;

/** Per zod value: its generated JSON Schema, completed with what the zod refinements check. */
const VALUE_CONSTRAINTS = new Map<z.ZodType, (generated: JsonSchema) => JsonSchema>([
  [
    portSchema,
    (g) => ({
      anyOf: [
        { type: "integer", minimum: 1, maximum: 65535 },
        { type: "string", pattern: `^${PORT_DIGITS}(/(tcp|udp))?$` },
      ],
      description: g.description,
    }),
  ],
  [pythonVersionSchema, (g) => ({ ...g, pattern: SUPPORTED_PYTHON_PATTERN })],
  [workdirSchema, (g) => ({ ...g, pattern: "^/[^\\n\\r\\x00]*$" })],
  [indexUrlSchema, (g) => ({ ...g, pattern: HTTP_URL_PATTERN })],
  [contextPathSchema, (g) => ({ ...g, ...CONTEXT_PATH })],
  [requirementSchema, (g) => ({ ...g, ...REQUIREMENT })],
  [
    envSchema,
    (g) => {
      const values = g.additionalProperties as { anyOf: JsonSchema[] };
      const [text, ...others] = values.anyOf;
      return {
        ...g,
        additionalProperties: { anyOf: [{ ...text, pattern: SUBSTITUTED_PATTERN }, ...others] },
      };
    },
  ],
  [
    labelsSchema,
    (g) => ({
      ...g,
      additionalProperties: { ...(g.additionalProperties as JsonSchema), pattern: SUBSTITUTED_PATTERN },
    }),
  ],
  [
    pyfrontIndexSchema,
    (g) => ({
      ...g,
      // pyfront: "an index takes either secret or username/password".
      not: { required: ["secret", "username"] },
    }),
  ],
  [
    pyfrontImageShape.indices.unwrap(),
    (g) => ({ ...g, allOf: [{ $ref: "#/definitions/atMostOnePrimaryIndex" }] }),
  ],
  [
    pyfrontImageShape.copy_files.unwrap().element,
    (g) => ({
      ...g,
      properties: { ...propertiesOf(g), dst: { ...propertiesOf(g).dst, ...IMAGE_PATH } },
      // Without `from`, src is a path in the build context.
      if: { not: { required: ["from"] } },
      then: { properties: { src: CONTEXT_PATH } },
    }),
  ],
  [
    pyfrontImageShape.add_files.unwrap().element,
    (g) => ({
      ...g,
      properties: { ...propertiesOf(g), dst: { ...propertiesOf(g).dst, ...IMAGE_PATH } },
      // A download needs a checksum (pyfront's own format); a context file is a context path.
      if: IS_DOWNLOAD,
      then: { required: ["checksum"], properties: { src: { pattern: HTTP_URL_PATTERN } } },
      else: { properties: { src: CONTEXT_PATH } },
    }),
  ],
  [
    healthcheckSchema,
    (g) => {
      const properties = propertiesOf(g);
      const duration = (key: string) => {
        const value = properties[key] as { anyOf: JsonSchema[] } & JsonSchema;
        return {
          ...value,
          anyOf: value.anyOf.map((b) => (b.type === "string" ? { ...b, minLength: 1 } : b)),
        };
      };
      return {
        ...g,
        properties: {
          ...properties,
          command: { ...properties.command, minItems: 1 },
          interval: duration("interval"),
          timeout: duration("timeout"),
          start_period: duration("start_period"),
        },
      };
    },
  ],
]);

interface KeyDoc {
  description: string;
  /** pyfront's value when the key is absent, when it is a plain value. */
  default?: unknown;
  /** Said in words when the default depends on the project. */
  defaultText?: string;
  /** Nested keys, for tables and arrays of tables. */
  keys?: Record<string, KeyDoc>;
}

const INDEX_KEYS: Record<string, KeyDoc> = {
  url: { description: "URL of a simple index (PEP 503), https:// or http://." },
  primary: {
    description:
      "Replace PyPI (pip --index-url) instead of adding an extra index. At most one index is primary.",
    default: false,
  },
  trust: {
    description: "Trust the host (pip --trusted-host): needed for plain http or a self-signed certificate.",
    default: false,
  },
  secret: {
    description:
      "Id of the build secret holding user:password (or a token) for this index, passed with docker build --secret id=ID,src=FILE. Not with username.",
  },
  username: {
    description:
      "Deprecated (microb style): credentials in the file reach the build definition. Use secret instead; not with secret.",
  },
  password: { description: "Deprecated (microb style), with username. Use secret instead." },
};

const HEALTHCHECK_KEYS: Record<string, KeyDoc> = {
  command: { description: "Exec-form test command, run without a shell; required, not empty." },
  interval: {
    description: 'Time between checks: seconds, or "30s", "1m30s", "1h".',
    defaultText: "Docker's, 30s",
  },
  timeout: {
    description: 'Time a check may take: seconds, or "30s", "1m30s", "1h".',
    defaultText: "Docker's, 30s",
  },
  start_period: {
    description: 'Start-up time during which failures do not count: seconds, or "30s", "1m30s", "1h".',
    defaultText: "Docker's, 0s",
  },
  retries: {
    description: "Failures in a row before the container is unhealthy.",
    defaultText: "Docker's, 3",
  },
};

/** Every key of [tool.pyfront] and of each target; docs/formats/pyfront.md says the same at length. */
const KEY_DOCS: Record<string, KeyDoc> = {
  python_version: {
    description: `Python of the image: "3", "3.12" or "3.12.4", series ${SUPPORTED_PYTHON_SERIES[0]} to ${SUPPORTED_PYTHON_SERIES.at(-1)}. Quote it: 3.10 unquoted is the number 3.1.`,
    defaultText:
      ".python-version, runtime.txt, .tool-versions, mise.toml or Pipfile [requires], the first that pins one, next to the spec file, else in the context root; else the newest series matching requires-python; else the newest series",
  },
  build_deps: {
    description: "apt packages installed in the builder stage only (compilers, -dev headers).",
    default: [],
  },
  system_deps: {
    description: "apt packages installed in the final image only (runtime libraries).",
    default: [],
  },
  env: {
    description:
      "Environment variables of the final image. Values are strings (numbers and booleans are converted) and may use ${VAR}, ${VAR:-default} or ${VAR:+alternative}, filled from build args.",
    default: {},
  },
  indices: {
    description: "Package indices pip uses, instead of or besides PyPI.",
    default: [],
    keys: INDEX_KEYS,
  },
  labels: {
    description: "Image labels; they win over those derived from [project]. Values may use ${VAR:-default}.",
    default: {},
  },
  entrypoint: {
    description: "Exec-form entrypoint of the image, run without a shell.",
    defaultText: "the single [project.scripts] entry of a package, else none",
  },
  command: {
    description: "Exec-form default command (CMD), run without a shell.",
    defaultText: "python main.py for plain scripts, else the base image's",
  },
  copy_files: {
    description: "Files copied into the final image: { src, dst, from? }.",
    default: [],
    keys: {
      src: {
        description:
          "Without from: a path (or glob) in the build context. With from: a path in that stage or image.",
      },
      dst: { description: "Destination in the image; relative paths are relative to workdir." },
      from: { description: "Stage or image to copy from.", defaultText: "the build context" },
    },
  },
  add_files: {
    description: "Files added to the final image: { src, dst, checksum? }; a URL needs a checksum.",
    default: [],
    keys: {
      src: {
        description: "An https:// URL (downloaded, checked against checksum) or a path in the build context.",
      },
      dst: { description: "Destination in the image; relative paths are relative to workdir." },
      checksum: { description: "sha256:<64 lowercase hex digits>; required when src is a URL." },
    },
  },
  requirements: {
    description: "Requirements files in the build context, installed after the project's dependencies.",
    default: [],
  },
  extras: {
    description: "Extras of the project to install, declared in [project.optional-dependencies].",
    default: [],
  },
  lock: {
    description:
      "The lockfile to install from (uv.lock, poetry.lock, pdm.lock, pylock.toml, pylock.<name>.toml, Pipfile.lock); found next to the project when not set; false resolves the declared dependencies instead.",
    defaultText: "the lock next to the project, if any",
  },
  groups: {
    description:
      "Dependency groups of the lock to install besides the main dependencies; dev groups are left out otherwise.",
    default: [],
  },
  dependencies: {
    description:
      'More pip requirements: PEP 508 ("rich>=13") or git URLs ("git+https://host/o/r.git@v1"). pip options are refused.',
    default: [],
  },
  workdir: { description: "Working directory of the final image; absolute.", default: "/app" },
  expose: {
    description: 'Ports the image declares: 8000, "8000/tcp" or "5353/udp"; 1 to 65535.',
    default: [],
  },
  healthcheck: { description: "Health check of the image.", defaultText: "none", keys: HEALTHCHECK_KEYS },
  builder_image: {
    description: "Image of the builder stage, e.g. a mirror of python:<version>.",
    defaultText: "python:<version>",
  },
  runtime_image: { description: "Image of the final stage.", defaultText: "python:<version>-slim" },
  known_hosts: {
    description: "known_hosts file in the build context, to verify the hosts of git+ssh dependencies.",
  },
  remove_test_suites: {
    description:
      "Delete the test suites the dependencies install beside their code (every folder named tests under site-packages, such as pandas/tests) from the image. Without it they stay, without bytecode. The project's own tests stay either way.",
    default: false,
  },
  targets: {
    description:
      "Named variants built with --target NAME (docker build --target); each inherits every key of [tool.pyfront] it does not set.",
  },
};

function documented(doc: KeyDoc, anchor: string): string {
  const fallback = doc.defaultText ?? (doc.default !== undefined ? JSON.stringify(doc.default) : undefined);
  return [
    doc.description,
    ...(fallback ? [`Default: ${fallback}.`] : []),
    `Docs: ${PYFRONT_DOCS_URL} (section "${anchor}")`,
  ].join("\n\n");
}

/** Descriptions of every key, with pyfront's default and a link to the docs. */
function documentKeys(
  properties: Properties,
  docs: Record<string, KeyDoc> = KEY_DOCS,
  anchor = "keys",
): void {
  for (const [key, property] of Object.entries(properties)) {
    const doc = docs[key];
    if (!doc) throw new Error(`schema key ${key} has no documentation in KEY_DOCS`);
    property.description = documented(doc, anchor);
    if (doc.default !== undefined) property.default = doc.default;
    if ("deprecated" in property) {
      // draft-07 has no deprecated (2019-09); VS Code reads deprecationMessage.
      delete property.deprecated;
      property.deprecationMessage = "Deprecated: use secret.";
    }
    if (doc.keys) {
      const nested = (property.items ?? property) as JsonSchema;
      documentKeys(nested.properties as Properties, doc.keys, key === "indices" ? "indices" : "keys");
    }
  }
}

export const PYPROJECT_JSON_SCHEMA_ID = "urn:pyfront:schema:pyproject-pyfront";

/**
 * A schema for a whole pyproject.toml that checks only `[tool.pyfront]`, self-contained, for
 * editors that attach schemas to files rather than tables (Taplo's `.taplo.toml`, Even Better
 * TOML's associations) until SchemaStore's pyproject schema refers to pyfront's.
 */
export function pyprojectJsonSchema(): JsonSchema {
  const { $schema, $id: _id, definitions, ...pyfront } = pyfrontJsonSchema();
  return {
    $schema,
    $id: PYPROJECT_JSON_SCHEMA_ID,
    title: "pyproject.toml (pyfront's [tool.pyfront] only)",
    description: `pyproject.toml, with [tool.pyfront] checked; other tables are not. Docs: ${PYFRONT_DOCS_URL}`,
    type: "object",
    properties: { tool: { type: "object", properties: { pyfront: { $ref: "#/definitions/pyfront" } } } },
    definitions: { ...(definitions as JsonSchema), pyfront },
  };
}

export function pyprojectJsonSchemaText(): string {
  return `${JSON.stringify(pyprojectJsonSchema(), null, 2)}\n`;
}
