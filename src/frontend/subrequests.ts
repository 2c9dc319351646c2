/**
 * BuildKit's information requests (`docker buildx build --call NAME`, `--print NAME` on older
 * buildx): the frontend answers them from the spec and the plan without building anything. Each
 * answer is metadata only, `result.json` in the shape BuildKit's own subrequest packages define
 * (frontend/subrequests in moby/buildkit) and `result.txt` as buildx prints it, so every buildx
 * release shows it, also those that do not know the request.
 */
import type { BuildPlan } from "../plan/build-plan.js";
import { formatPlanJson } from "../plan/plan-json.js";
import {
  EXTRA_INDEX_URL_ARG,
  INDEX_URL_ARG,
  isIndexOverrideSecret,
  REGISTRY_MIRROR_ARG,
  TRUSTED_HOST_ARG,
} from "../plan/platform-overrides.js";
import { parseSpecValue, referencedNames } from "../plan/substitute-build-args.js";
import type { BuildSpec, SourcePosition } from "../spec/build-spec.js";
import type { Diagnostic } from "../spec/diagnostics.js";
import { MICROB_TARGET_ARG } from "../spec/microb-format.js";
import { redactCredentials } from "../spec/value-rules.js";

interface Named {
  name: string;
  description?: string;
}

export interface SubrequestDefinition {
  name: string;
  version: string;
  type: "rpc";
  description: string;
  opts: Named[];
  inputs: Named[];
  metadata: Named[];
  refs: Named[];
}

const TEXT_AND_JSON: Named[] = [{ name: "result.json" }, { name: "result.txt" }];

function request(name: string, description: string, more: Partial<SubrequestDefinition> = {}) {
  return {
    name,
    version: "1.0.0",
    type: "rpc",
    description,
    opts: [],
    inputs: [],
    metadata: TEXT_AND_JSON,
    refs: [],
    ...more,
  } as const satisfies SubrequestDefinition;
}

/** What `--call` can ask, as data: `frontend.subrequests.describe` lists exactly these. */
export const SUBREQUESTS = {
  describe: request("frontend.subrequests.describe", "List available subrequest types"),
  outline: request(
    "frontend.outline",
    "List the build args, secrets, SSH agent and cache mounts the build uses",
    {
      opts: [{ name: "target", description: "Target of the spec" }],
    },
  ),
  targets: request("frontend.targets", "List the targets the spec defines"),
  lint: request("frontend.lint", "Check the spec without building: pyfront's warnings and errors", {
    metadata: [...TEXT_AND_JSON, { name: "result.statuscode" }],
  }),
  plan: request("frontend.pyfront.plan", "Print the build plan, as `pyfront plan` does"),
  dockerfile: request(
    "frontend.pyfront.dockerfile",
    "Print the equivalent Dockerfile, as `pyfront dockerfile` does",
  ),
} as const;

export type SubrequestKind = keyof typeof SUBREQUESTS;

/**
 * The request a `requestid` option asks for. buildx sends `frontend.` + the name given to
 * `--call`; pyfront's own requests are also taken without the prefix (`buildctl --opt
 * requestid=pyfront.plan`).
 */
export function subrequestKind(requestId: string): SubrequestKind | undefined {
  const name = requestId.startsWith("frontend.") ? requestId : `frontend.${requestId}`;
  for (const [kind, definition] of Object.entries(SUBREQUESTS)) {
    if (definition.name === name) return kind as SubrequestKind;
  }
  return undefined;
}

export type SubrequestMetadata = Record<string, string>;

function answer(kind: SubrequestKind, json: unknown, text: string): SubrequestMetadata {
  return {
    "result.json": JSON.stringify(json, null, 2),
    "result.txt": text,
    version: SUBREQUESTS[kind].version,
  };
}

export function describeAnswer(): SubrequestMetadata {
  const list = Object.values(SUBREQUESTS);
  const text = table(
    ["NAME", "VERSION", "DESCRIPTION"],
    list.map((r) => [r.name.slice("frontend.".length), r.version, r.description]),
  );
  return answer("describe", list, text);
}

/** A range in BuildKit's JSON form (pb.Location): the spec is source 0, lines are 1-based. */
interface Location {
  sourceIndex: number;
  ranges: Array<{ start: { line: number; character?: number }; end: { line: number; character?: number } }>;
}

function location(position: SourcePosition | undefined, spec: BuildSpec): Location | undefined {
  if (!position || position.file !== spec.specFile) return undefined;
  const at = { line: position.line, character: Math.max(0, position.column - 1) };
  return { sourceIndex: 0, ranges: [{ start: at, end: at }] };
}

interface OutlineArg {
  name: string;
  description?: string;
  value?: string;
  location?: Location;
}

/** The build args pyfront itself reads, for every spec. */
const PYFRONT_ARGS: Array<{ name: string; description: string }> = [
  { name: INDEX_URL_ARG, description: "Package index in place of the spec's primary index and PyPI" },
  {
    name: EXTRA_INDEX_URL_ARG,
    description: "Package indices searched after the spec's, separated by spaces",
  },
  {
    name: TRUSTED_HOST_ARG,
    description: "Hosts pip trusts without TLS (host or host:port), separated by spaces",
  },
  { name: REGISTRY_MIRROR_ARG, description: "Registry mirror the base images are pulled through" },
];

export interface OutlineInput {
  spec: BuildSpec;
  plan: BuildPlan;
  buildArgs: Readonly<Record<string, string>>;
  /** The spec text as it may be shown (credentials redacted), the outline's one source. */
  sourceText: string;
}

export function outlineAnswer(input: OutlineInput): SubrequestMetadata {
  const { spec, plan, buildArgs } = input;
  const args: OutlineArg[] = [];
  const seen = new Set<string>();
  const given = (name: string) =>
    Object.hasOwn(buildArgs, name) ? { value: redactCredentials(buildArgs[name]!) } : {};
  // `${NAME}` in env and labels, where it is written.
  for (const [section, entries] of [
    ["env", spec.env],
    ["labels", spec.labels],
  ] as const) {
    for (const [key, value] of entries) {
      for (const name of referencedNames(parseSpecValue(value))) {
        if (seen.has(name)) continue;
        seen.add(name);
        const where = location(spec.entrySites?.[`${section}.${key}`]?.position, spec);
        args.push({
          name,
          description: `Read by ${section} ${key}`,
          ...given(name),
          ...(where ? { location: where } : {}),
        });
      }
    }
  }
  if (spec.format === "microb" && !seen.has(MICROB_TARGET_ARG)) {
    args.push({
      name: MICROB_TARGET_ARG,
      description: "The microb target to build",
      ...given(MICROB_TARGET_ARG),
    });
    seen.add(MICROB_TARGET_ARG);
  }
  for (const arg of PYFRONT_ARGS) {
    if (!seen.has(arg.name)) args.push({ name: arg.name, description: arg.description, ...given(arg.name) });
  }
  const indicesAt = location(spec.positions.indices, spec);
  const secrets = plan.secrets
    .filter((secret) => secret.source === "build-secret")
    .map((secret) => ({
      name: secret.id,
      ...(secret.required ? { required: true } : {}),
      ...(indicesAt && !isIndexOverrideSecret(secret.id) ? { location: indicesAt } : {}),
    }));
  const dependenciesAt = location(spec.positions.dependencies, spec);
  const ssh = plan.ssh
    ? [{ name: "default", required: true, ...(dependenciesAt ? { location: dependenciesAt } : {}) }]
    : [];
  const cacheIds = new Set<string>();
  for (const stage of plan.stages) {
    for (const step of stage.steps) {
      if (step.kind !== "run") continue;
      for (const mount of step.mounts) if (mount.type === "cache") cacheIds.add(mount.id);
    }
  }
  const outline = {
    ...(spec.target ? { name: spec.target } : {}),
    ...(args.length > 0 ? { args } : {}),
    ...(secrets.length > 0 ? { secrets } : {}),
    ...(ssh.length > 0 ? { ssh } : {}),
    ...(cacheIds.size > 0 ? { cache: [...cacheIds].sort().map((id) => ({ ID: id })) } : {}),
    sources: [base64(input.sourceText)],
  };
  const parts: string[] = [];
  if (spec.target) parts.push(table(["TARGET:", spec.target], []));
  if (args.length > 0)
    parts.push(
      table(
        ["BUILD ARG", "VALUE", "DESCRIPTION"],
        args.map((a) => [a.name, a.value ?? "", a.description ?? ""]),
      ),
    );
  if (secrets.length > 0)
    parts.push(
      table(
        ["SECRET", "REQUIRED"],
        secrets.map((s) => [s.name, s.required ? "true" : ""]),
      ),
    );
  if (ssh.length > 0)
    parts.push(
      table(
        ["SSH", "REQUIRED"],
        ssh.map((s) => [s.name, "true"]),
      ),
    );
  if (cacheIds.size > 0)
    parts.push(
      table(
        ["CACHE MOUNT"],
        [...cacheIds].sort().map((id) => [id]),
      ),
    );
  return answer("outline", outline, parts.join("\n"));
}

export function targetsAnswer(spec: BuildSpec, sourceText: string): SubrequestMetadata {
  const defined = spec.targets ?? [];
  // A spec without named targets, or whose default is its top-level table, has one unnamed default.
  const hasDefault = defined.some((t) => t.default);
  const targets = [
    ...(hasDefault ? [] : [{ default: true, description: "The spec without --target" }]),
    ...defined.map((t) => {
      const where = location(t.position, spec);
      return { name: t.name, ...(t.default ? { default: true } : {}), ...(where ? { location: where } : {}) };
    }),
  ];
  const text = table(
    ["TARGET", "DESCRIPTION"],
    targets.map((t) => {
      const name = "name" in t ? t.name : "";
      const shown = t.default ? (name ? `${name} (default)` : "(default)") : name;
      return [shown, "description" in t ? t.description : ""];
    }),
  );
  return answer("targets", { targets, sources: [base64(sourceText)] }, text);
}

export interface LintInput {
  warnings: readonly Diagnostic[];
  /** The errors that stopped the spec from loading, if it did not load. */
  errors: readonly Diagnostic[];
  specFile: string;
  sourceText: string;
}

/**
 * Warnings and errors as BuildKit's lint results: each warning's rule is its diagnostic code,
 * the status code is 1 when there is anything to report (as the Dockerfile frontend's lint does).
 */
export function lintAnswer(input: LintInput): SubrequestMetadata {
  const at = (d: Diagnostic): Location => {
    if (!d.position || d.position.file !== input.specFile) return { sourceIndex: -1, ranges: [] };
    const start = { line: d.position.line, character: Math.max(0, d.position.column - 1) };
    return { sourceIndex: 0, ranges: [{ start, end: start }] };
  };
  const warnings = input.warnings.map((d) => ({
    ruleName: d.code,
    description: d.message,
    ...(d.hint ? { detail: d.hint } : {}),
    location: at(d),
  }));
  const first = input.errors[0];
  const results = {
    warnings,
    sources: [{ filename: input.specFile, language: "pyfront", data: base64(input.sourceText) }],
    ...(first ? { buildError: { message: first.message, location: at(first) } } : {}),
  };
  const lines: string[] = [];
  const place = (d: Diagnostic) =>
    d.position ? `${d.position.file}:${d.position.line}:${d.position.column}: ` : "";
  for (const d of [...input.errors, ...input.warnings]) {
    lines.push(`${d.severity === "error" ? "error" : d.code}: ${place(d)}${d.message}`);
    if (d.hint) lines.push(`  hint: ${d.hint}`);
  }
  if (lines.length === 0) lines.push("pyfront found nothing to report");
  const status = warnings.length > 0 || first ? 1 : 0;
  return { ...answer("lint", results, `${lines.join("\n")}\n`), "result.statuscode": String(status) };
}

export function planAnswer(plan: BuildPlan): SubrequestMetadata {
  const text = formatPlanJson(plan);
  return { "result.json": text, "result.txt": text, version: SUBREQUESTS.plan.version };
}

export function dockerfileAnswer(dockerfile: string): SubrequestMetadata {
  return {
    "result.json": JSON.stringify({ dockerfile }, null, 2),
    "result.txt": dockerfile,
    version: SUBREQUESTS.dockerfile.version,
  };
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** Columns as Go's tabwriter lays them out for buildx's tables: left-aligned, three spaces apart. */
function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 3)))
        .join("")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}
