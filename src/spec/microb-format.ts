import * as z from "zod";
import type { AddFile, BuildSpec, CopyFile, Dependency } from "./build-spec.js";
import {
  addFileSchema,
  argvSchema,
  contextPathSchema,
  copyFileSchema,
  envSchema,
  extraNameSchema,
  inlineCredentialsIndexSchema,
  labelsSchema,
  pythonVersionSchema,
  secretIdSchema,
} from "./common-schemas.js";
import { isPattern, requireInContext } from "./context-checks.js";
import type { ContextReader, LoadOptions } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { formatKeyPath } from "./key-path.js";
import { packageIndex } from "./package-indices.js";
import type { PyprojectFacts } from "./pyproject-project.js";
import { defaultImages } from "./python-versions.js";
import {
  dependencyName,
  isProjectItself,
  type RequirementsFileFacts,
  readRequirementsFileFacts,
} from "./requirements-file-facts.js";
import type { SourceDocument, SourcePath } from "./source-document.js";
import { assemblePyprojectSpec, type ImageConfig, type ImageConfigKey } from "./spec-assembly.js";
import {
  checkApkPackage,
  checkAptPackage,
  isUrl,
  normalizeContextPath,
  redactCredentials,
} from "./value-rules.js";
import { reportZodIssues, SPEC_PARSE } from "./zod-diagnostics.js";

export const MICROB_TABLE: SourcePath = ["tool", "microb"];
/** The build argument microb reads the target from. */
export const MICROB_TARGET_ARG = "microb_target";

/**
 * microb's `flavor`: `debian` (the default: python:<v> to build, python:<v>-slim to run) or
 * `alpine` (python:<v>-alpine for both, apk and musl). pyfront adds `full` (python:<v> to run, with
 * compilers and headers) and keeps `slim`, its older name for `debian`.
 */
export const MICROB_FLAVORS = ["debian", "alpine", "full", "slim"] as const;
export type MicrobFlavor = (typeof MICROB_FLAVORS)[number];

/** Package names are checked once the flavor says whose names they are (apt or apk). */
const systemPackagesSchema = z
  .array(z.string())
  .meta({ description: "apt packages, or apk packages when flavor is alpine" });

/** microb's index entry: credentials written inline (not used, with a warning) or named build secrets. */
const microbIndexSchema = inlineCredentialsIndexSchema.extend({
  username_secret: secretIdSchema.optional().meta({ description: "build secret holding the user name" }),
  password_secret: secretIdSchema.optional().meta({ description: "build secret holding the password" }),
});

/** microb's keys, plus pyfront's list form of `requirements` and `known_hosts`. */
export const microbTargetSchema = z.strictObject({
  api_version: z.literal("v1").optional(),
  python_version: pythonVersionSchema.optional(),
  flavor: z.enum(MICROB_FLAVORS).optional(),
  build_deps: systemPackagesSchema.optional(),
  system_deps: systemPackagesSchema.optional(),
  env: envSchema.optional(),
  /** The name microb's own code reads (its README says `env`): either one, not both. */
  environment: envSchema.optional(),
  indices: z.array(microbIndexSchema).optional(),
  labels: labelsSchema.optional(),
  entrypoint: argvSchema.optional(),
  command: argvSchema.optional(),
  copy_files: z.array(copyFileSchema).optional(),
  add_files: z.array(addFileSchema(false)).optional(),
  copy_files_before_build: z.array(copyFileSchema).optional(),
  add_files_before_build: z.array(addFileSchema(false)).optional(),
  requirements: z.union([contextPathSchema, z.array(contextPathSchema)]).optional(),
  extras: z.array(extraNameSchema).optional(),
  known_hosts: contextPathSchema.optional(),
});

export const microbSchema = z.strictObject({
  target: z.record(z.string(), microbTargetSchema),
});

type MicrobTarget = z.output<typeof microbTargetSchema>;
type DocSite = { doc: SourceDocument; path: SourcePath };

function under(site: DocSite, field: string): DocSite {
  return { doc: site.doc, path: [...site.path, field] };
}

/**
 * Chooses the microb target: the `target` option, else build arg `microb_target`, else the only
 * one, else `default`. Several targets and no choice is an error (microb would pick any).
 */
export function chooseMicrobTarget(
  names: readonly string[],
  options: LoadOptions,
): { name: string } | { error: "unknown" | "ambiguous" | "none"; requested?: string } {
  const requested = options.target ?? options.buildArgs?.[MICROB_TARGET_ARG];
  if (requested !== undefined)
    return names.includes(requested) ? { name: requested } : { error: "unknown", requested };
  if (names.length === 1) return { name: names[0]! };
  if (names.includes("default")) return { name: "default" };
  return { error: names.length === 0 ? "none" : "ambiguous" };
}

/** Reads `[tool.microb.target.NAME]` into a BuildSpec. */
export function readMicrobSpec(
  doc: SourceDocument,
  facts: PyprojectFacts,
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
): BuildSpec | undefined {
  const parsed = microbSchema.safeParse(doc.get(MICROB_TABLE), SPEC_PARSE);
  if (!parsed.success) {
    reportZodIssues(parsed.error.issues, microbSchema, doc, MICROB_TABLE, out);
    return undefined;
  }
  const names = Object.keys(parsed.data.target).sort();
  const choice = chooseMicrobTarget(names, options);
  if ("error" in choice) {
    const available = names.length > 0 ? `available targets: ${names.join(", ")}` : undefined;
    const problem =
      choice.error === "unknown"
        ? { code: "unknown-target", message: `unknown target ${JSON.stringify(choice.requested)}` }
        : choice.error === "none"
          ? { code: "no-target", message: "no target defined" }
          : { code: "ambiguous-target", message: `several targets and none chosen (${names.join(", ")})` };
    const hint =
      choice.error === "none"
        ? "define [tool.microb.target.default]"
        : `${available}; choose one with --target NAME or --build-arg ${MICROB_TARGET_ARG}=NAME`;
    out.error({ doc, path: [...MICROB_TABLE, "target"], at: "key" }, { ...problem, hint });
    return undefined;
  }
  const base: SourcePath = [...MICROB_TABLE, "target", choice.name];
  const spec = readTarget(
    parsed.data.target[choice.name]!,
    choice.name,
    base,
    doc,
    facts,
    options,
    context,
    out,
  );
  if (spec) {
    // The target a build without --target (or microb_target) gets, as chooseMicrobTarget picks it.
    const fallback = chooseMicrobTarget(names, { specFile: options.specFile });
    spec.targets = names.map((name) => ({
      name,
      default: "name" in fallback && fallback.name === name,
      position: doc.keyPosition([...MICROB_TABLE, "target", name]),
    }));
  }
  return spec;
}

function readTarget(
  target: MicrobTarget,
  name: string,
  base: SourcePath,
  doc: SourceDocument,
  facts: PyprojectFacts,
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
): BuildSpec {
  const at = (...path: Array<string | number>): DocSite => ({ doc, path: [...base, ...path] });
  const {
    api_version: _apiVersion,
    flavor = "debian",
    requirements,
    indices,
    environment,
    copy_files_before_build,
    add_files_before_build,
    ...shared
  } = target;

  checkPackageNames(shared.build_deps, "build_deps", flavor, at, out);
  checkPackageNames(shared.system_deps, "system_deps", flavor, at, out);
  if (shared.env !== undefined && environment !== undefined) {
    out.error(at("environment"), {
      code: "conflicting-keys",
      message: "env and environment are the same setting",
      hint: "keep one of them (microb's README names it env, its code reads environment)",
    });
  }
  const envKey = shared.env === undefined && environment !== undefined ? "environment" : "env";
  if (requirements !== undefined && (shared.extras?.length ?? 0) > 0) {
    out.error(at("extras"), {
      code: "requirements-with-extras",
      message: "extras cannot be used together with requirements",
      hint: "the requirements file is the whole dependency set (microb's rule): export the extras into it and remove extras",
    });
  }

  const config: ImageConfig = {
    ...shared,
    ...(environment !== undefined && shared.env === undefined ? { env: environment } : {}),
    ...(flavor === "full" ? { flavor: "full" as const } : {}),
  };
  const spec = assemblePyprojectSpec({
    format: "microb",
    specFile: options.specFile,
    doc,
    config,
    origin: (key: ImageConfigKey) => [...base, key === "env" ? envKey : key],
    target: name,
    facts,
    context,
    out,
  });

  // What assemblePyprojectSpec does not know about: microb's own keys and forms.
  for (const key of [
    "flavor",
    "requirements",
    "indices",
    "copy_files_before_build",
    "add_files_before_build",
  ]) {
    if (Object.hasOwn(target, key)) spec.positions[key] = doc.keyPosition([...base, key]);
  }
  spec.positions = Object.fromEntries(Object.entries(spec.positions).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (flavor === "alpine") {
    const { builderImage } = defaultImages(spec.python);
    spec.builderImage = `${builderImage}-alpine`;
    spec.runtimeImage = `${builderImage}-alpine`;
  }
  spec.indices = (indices ?? []).map((index, i) =>
    packageIndex(index, i, (field) => at("indices", i, field), out),
  );
  const copyFiles = (copy_files_before_build ?? []).map((copy, i) =>
    builderCopyFile(copy, at("copy_files_before_build", i), context, out),
  );
  if (copyFiles.length > 0) spec.copyFilesBeforeBuild = copyFiles;
  const addFiles = (add_files_before_build ?? []).map((add, i) =>
    builderAddFile(add, at("add_files_before_build", i), context, out),
  );
  if (addFiles.length > 0) spec.addFilesBeforeBuild = addFiles;
  if (requirements !== undefined) useRequirementsFiles(spec, requirements, base, doc, facts, context, out);
  // microb's Dockerfile deletes every `tests` folder it installed; its users' images count on that size.
  spec.removeTestSuites = true;
  return spec;
}

function checkPackageNames(
  packages: string[] | undefined,
  key: "build_deps" | "system_deps",
  flavor: MicrobFlavor,
  at: (...path: Array<string | number>) => DocSite,
  out: DiagnosticList,
): void {
  const check = flavor === "alpine" ? checkApkPackage : checkAptPackage;
  packages?.forEach((name, i) => {
    const problem = check(name);
    if (problem) out.error(at(key, i), problem);
  });
}

/**
 * microb's rule for `requirements`: the file is the whole dependency set. It is installed on its
 * own (a hash-pinned lock puts pip in hash-checking mode for the call), without its `-e` lines;
 * the project's own dependency list is not installed, and the project goes in without
 * dependencies. The files are read here only to report what the build will do; pip reads them.
 */
function useRequirementsFiles(
  spec: BuildSpec,
  requirements: string | string[],
  base: SourcePath,
  doc: SourceDocument,
  facts: PyprojectFacts,
  context: ContextReader,
  out: DiagnosticList,
): void {
  const entries =
    typeof requirements === "string"
      ? [{ file: requirements, path: [...base, "requirements"] }]
      : requirements.map((file, i) => ({ file, path: [...base, "requirements", i] }));
  const isPackage = spec.project.kind === "package";
  const dependencies: Dependency[] = [];
  const read: RequirementsFileFacts[] = [];
  let unread = false;
  for (const entry of entries) {
    const path = normalizeContextPath(entry.file);
    if (!requireInContext(context, out, { doc, path: entry.path }, path, "file")) continue;
    const text = context.readFile(path);
    const fileFacts = text === undefined ? undefined : readRequirementsFileFacts(text);
    if (fileFacts) read.push(fileFacts);
    else unread = true;
    for (const line of fileFacts?.editable ?? []) {
      if (isPackage && isProjectItself(line.value)) continue; // installed next, from its own step
      out.warning(
        { position: { file: path, line: line.line, column: 1 } },
        {
          code: "editable-line-skipped",
          message: `${JSON.stringify(redactCredentials(line.text))} is left out, as microb does: an image gets no editable installs`,
          hint: isProjectItself(line.value)
            ? "the project itself is installed only when it is a package: add [build-system] (or setuptools configuration)"
            : `list ${JSON.stringify(redactCredentials(line.value))} as a plain requirement if the image needs it`,
        },
      );
    }
    dependencies.push({
      kind: "requirements-file",
      path,
      alone: true,
      skipEditable: true,
      ...(fileFacts?.gitSsh ? { gitSsh: true as const } : {}),
    });
  }

  const listed = new Set(read.flatMap((f) => f.names));
  const missing = unread
    ? []
    : [
        ...new Set(
          facts.dependencies.flatMap(({ dependency }) => {
            const name = dependencyName(dependency);
            return name !== undefined && !listed.has(name) ? [name] : [];
          }),
        ),
      ];
  const paths = dependencies.map((d) => (d.kind === "requirements-file" ? d.path : ""));
  const key = formatKeyPath(entries[0]!.path.slice(0, base.length + 1));
  if (missing.length > 0) {
    out.warning(
      { doc, path: [...base, "requirements"], at: "key" },
      {
        code: "dependencies-not-in-requirements",
        message: `the project's dependencies name ${missing.join(", ")}, which ${paths.join(", ")} does not: only the requirements file is installed, as in microb`,
        hint: "export the lock again from the project's dependencies, or add what is missing to it",
      },
    );
  }
  spec.dependencies = dependencies;
  if (spec.project.kind === "package") {
    spec.project = { ...spec.project, extraDependencies: [], dependenciesComplete: true };
  }
  const hashed = read.some((f) => f.hashed);
  const editable = read.reduce((n, f) => n + f.editable.length, 0);
  const details = [
    hashed ? "hash-checked (the file pins hashes)" : "",
    editable > 0 ? `without its ${editable === 1 ? "-e line" : `${editable} -e lines`}` : "",
  ].filter((d) => d !== "");
  spec.decisions = {
    ...spec.decisions,
    dependencies: {
      choice: paths.join(", "),
      rule: "microb-requirements",
      reason:
        `${key} names ${paths.join(", ")}: installed by a pip call of its own` +
        `${details.length > 0 ? `, ${details.join(", ")}` : ""}; as in microb, the project's own dependency list is not installed` +
        `${isPackage ? " and the project goes in without dependencies" : ""}`,
    },
  };
}

/** A file copied into the builder before the dependencies (copy_files_before_build). */
function builderCopyFile(
  copy: CopyFile,
  site: DocSite,
  context: ContextReader,
  out: DiagnosticList,
): CopyFile {
  if (copy.from !== undefined) {
    if (copy.from === "builder") {
      out.error(under(site, "from"), {
        code: "invalid-copy-source",
        message: "the builder stage cannot copy from itself",
        hint: "copy from the build context (no from) or from an image",
      });
    }
    return { src: copy.src, dst: copy.dst, from: copy.from };
  }
  const src = normalizeContextPath(copy.src);
  // As copy_files: a directory is fine, a pattern is not checked.
  if (!isPattern(src) && !context.exists(src))
    requireInContext(context, out, under(site, "src"), src, "file");
  return { src, dst: copy.dst };
}

/** A file added to the builder before the dependencies (add_files_before_build). */
function builderAddFile(add: AddFile, site: DocSite, context: ContextReader, out: DiagnosticList): AddFile {
  const result: AddFile = { src: add.src, dst: add.dst };
  if (add.checksum !== undefined) result.checksum = add.checksum;
  if (isUrl(add.src)) {
    if (add.checksum === undefined) {
      out.warning(site, {
        code: "missing-checksum",
        message: "downloaded file has no checksum; its content is not verified",
        hint: 'add checksum = "sha256:<64 hex digits>"',
      });
    }
    return result;
  }
  result.src = normalizeContextPath(add.src);
  if (!isPattern(result.src)) requireInContext(context, out, under(site, "src"), result.src, "file");
  return result;
}
