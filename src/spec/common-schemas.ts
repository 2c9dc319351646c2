// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} build-arg references are literal text here.
import * as z from "zod";
import type { Problem } from "./diagnostic-list.js";
import { isProblem, PYTHON_VERSION_PATTERN, resolvePythonVersion } from "./python-versions.js";
import { isProblemResult, parseRequirement } from "./requirement.js";
import {
  APT_PACKAGE,
  CHECKSUM,
  checkAptPackage,
  checkChecksum,
  checkContextPath,
  checkEnvName,
  checkImagePath,
  checkImageReference,
  checkIndexUrl,
  checkLabelKey,
  checkPort,
  checkSecretId,
  checkSubstitution,
  DURATION,
  ENV_NAME,
  IMAGE_REFERENCE,
  isUrl,
  LABEL_KEY,
  PORT,
  PYTHON_NAME,
  parseDurationSeconds,
  SECRET_ID,
} from "./value-rules.js";

/**
 * Zod schemas for values shared by the formats. Structure and types are zod's job; the checks
 * with a hint run as refinements so every problem in a file is reported in one pass.
 */

type Check<T> = (value: T) => Problem | undefined;

function issueFrom(problem: Problem, input: unknown, path?: PropertyKey[]) {
  return {
    code: "custom" as const,
    message: problem.message,
    input,
    params: { code: problem.code, hint: problem.hint },
    ...(path ? { path } : {}),
  };
}

/** Adds a Problem-returning check to a schema. */
export function withCheck<T extends z.ZodType>(schema: T, check: Check<z.output<T>>): T {
  return schema.superRefine((value, ctx) => {
    const problem = check(value);
    if (problem) ctx.addIssue(issueFrom(problem, value));
  }) as T;
}

/** A string→value table whose keys must pass `checkKey`; problems point at the entry. */
function checkedTable<V extends z.ZodType>(keyCheck: Check<string>, keyPattern: RegExp, value: V) {
  return z.record(z.string().meta({ pattern: keyPattern.source }), value).superRefine((table, ctx) => {
    for (const key of Object.keys(table)) {
      const problem = keyCheck(key);
      if (problem) ctx.addIssue(issueFrom(problem, key, [key]));
    }
  });
}

export const pythonVersionSchema = withCheck(
  z
    .string()
    .meta({ pattern: PYTHON_VERSION_PATTERN.source, description: 'Python version: "3", "3.12" or "3.12.4"' }),
  (v) => {
    const resolved = resolvePythonVersion(v);
    return isProblem(resolved) ? resolved : undefined;
  },
);

export const aptPackagesSchema = z.array(
  withCheck(z.string().meta({ pattern: APT_PACKAGE.source }), checkAptPackage),
);

/** A value with optional `${VAR:-default}` build-arg references. */
const substitutedString = withCheck(z.string(), checkSubstitution);
const envValue = z.union([
  substitutedString,
  z.number().meta({ description: "written as a string" }),
  z.boolean().meta({ description: "written as a string" }),
]);

export const envSchema = checkedTable(checkEnvName, ENV_NAME, envValue).meta({
  description: "Environment variables of the final image; values may use ${VAR:-default}",
});
export const labelsSchema = checkedTable(checkLabelKey, LABEL_KEY, substitutedString).meta({
  description: "Image labels; values may use ${VAR:-default}",
});

export const argvSchema = z.array(z.string()).meta({ description: "exec-form argv, run without a shell" });

export const contextPathSchema = withCheck(
  z.string().meta({ description: "a path inside the build context" }),
  checkContextPath,
);

export const requirementSchema = withCheck(
  z.string().meta({ description: "a PEP 508 requirement or git+https:// / git+ssh:// URL" }),
  (v) => {
    const parsed = parseRequirement(v);
    return isProblemResult(parsed) ? parsed : undefined;
  },
);

export const extraNameSchema = withCheck(z.string().meta({ pattern: PYTHON_NAME.source }), (v) =>
  PYTHON_NAME.test(v)
    ? undefined
    : { code: "invalid-extra", message: `${JSON.stringify(v)} is not a valid extra name` },
);

export const imageReferenceSchema = withCheck(
  z.string().meta({ pattern: IMAGE_REFERENCE.source }),
  checkImageReference,
);

export const workdirSchema = withCheck(z.string().meta({ description: "absolute path in the image" }), (v) =>
  checkImagePath(v, true),
);

export const portSchema = withCheck(
  z.union([z.int(), z.string().meta({ pattern: PORT.source })]).meta({ description: '8000 or "8000/tcp"' }),
  checkPort,
);

const durationSchema = withCheck(
  z.union([z.int().min(0), z.string().meta({ pattern: DURATION.source })]).meta({
    description: 'seconds, or a duration like "30s", "1m30s"',
  }),
  (v) =>
    parseDurationSeconds(v) === undefined
      ? {
          code: "invalid-duration",
          message: `${JSON.stringify(v)} is not a duration`,
          hint: 'write seconds (30) or "30s", "5m", "1h"',
        }
      : undefined,
);

export const healthcheckSchema = z.strictObject({
  command: withCheck(argvSchema, (v) =>
    v.length === 0 ? { code: "empty-command", message: "healthcheck command is empty" } : undefined,
  ),
  interval: durationSchema.optional(),
  timeout: durationSchema.optional(),
  start_period: durationSchema.optional(),
  retries: z.int().min(0).optional(),
});

export const copyFileSchema = z
  .strictObject({
    src: z.string(),
    dst: withCheck(z.string(), (v) => checkImagePath(v, false)),
    from: imageReferenceSchema
      .optional()
      .meta({ description: "stage or image to copy from; default: the context" }),
  })
  .superRefine((copy, ctx) => {
    if (copy.from !== undefined) return;
    const problem = checkContextPath(copy.src);
    if (problem) ctx.addIssue(issueFrom(problem, copy.src, ["src"]));
  });

/** `requireChecksum`: pyfront's own format insists on a checksum for downloaded files. */
export function addFileSchema(requireChecksum: boolean) {
  return z
    .strictObject({
      src: z.string().meta({ description: "an https URL or a context path" }),
      dst: withCheck(z.string(), (v) => checkImagePath(v, false)),
      checksum: withCheck(z.string().meta({ pattern: CHECKSUM.source }), checkChecksum).optional(),
    })
    .superRefine((add, ctx) => {
      if (isUrl(add.src)) {
        const problem = checkIndexUrl(add.src);
        if (problem) ctx.addIssue(issueFrom(problem, add.src, ["src"]));
        if (requireChecksum && add.checksum === undefined) {
          ctx.addIssue(
            issueFrom(
              {
                code: "missing-checksum",
                message: "a downloaded file needs a checksum",
                hint: 'add checksum = "sha256:<64 hex digits>"',
              },
              add,
              [],
            ),
          );
        }
        return;
      }
      const problem = checkContextPath(add.src);
      if (problem) ctx.addIssue(issueFrom(problem, add.src, ["src"]));
    });
}

export const indexUrlSchema = withCheck(z.string(), checkIndexUrl);
export const secretIdSchema = withCheck(z.string().meta({ pattern: SECRET_ID.source }), checkSecretId);

/** microb's and mopy's index entry: credentials inline (accepted with a warning), no secret. */
export const inlineCredentialsIndexSchema = z.strictObject({
  url: indexUrlSchema,
  username: z.string().optional(),
  password: z.string().optional(),
  trust: z.boolean().optional(),
});
