import * as z from "zod";
import {
  addFileSchema,
  aptPackagesSchema,
  argvSchema,
  contextPathSchema,
  copyFileSchema,
  envSchema,
  extraNameSchema,
  healthcheckSchema,
  imageReferenceSchema,
  indexUrlSchema,
  labelsSchema,
  portSchema,
  pythonVersionSchema,
  requirementSchema,
  secretIdSchema,
  withCheck,
  workdirSchema,
} from "./common-schemas.js";
import { checkTargetName, TARGET_NAME } from "./value-rules.js";

/** One package index of `[tool.pyfront]`; credentials come from a build secret, never the file. */
export const pyfrontIndexSchema = z.strictObject({
  url: indexUrlSchema,
  primary: z.boolean().optional().meta({ description: "replace PyPI instead of adding to it" }),
  trust: z.boolean().optional().meta({ description: "trust the host (plain http or self-signed TLS)" }),
  secret: secretIdSchema.optional().meta({ description: "build secret holding user:password or a token" }),
  username: z.string().optional().meta({ deprecated: true, description: "microb style; use secret" }),
  password: z.string().optional().meta({ deprecated: true, description: "microb style; use secret" }),
});

/** Every key of `[tool.pyfront]` except `targets`; a target table uses the same keys. */
export const pyfrontImageShape = {
  python_version: pythonVersionSchema.optional(),
  build_deps: aptPackagesSchema.optional().meta({ description: "apt packages for the builder stage" }),
  system_deps: aptPackagesSchema.optional().meta({ description: "apt packages for the final image" }),
  env: envSchema.optional(),
  indices: z.array(pyfrontIndexSchema).optional(),
  labels: labelsSchema.optional(),
  entrypoint: argvSchema.optional(),
  command: argvSchema.optional(),
  copy_files: z.array(copyFileSchema).optional(),
  add_files: z.array(addFileSchema(true)).optional(),
  requirements: z
    .array(contextPathSchema)
    .optional()
    .meta({ description: "requirements files in the context" }),
  extras: z.array(extraNameSchema).optional().meta({ description: "extras of the project to install" }),
  lock: z
    .union([contextPathSchema, z.literal(false)])
    .optional()
    .meta({
      description:
        "the lockfile to install from (found next to the project when not set: uv.lock, poetry.lock, pdm.lock, pylock.toml, Pipfile.lock), or false to resolve without it",
    }),
  groups: z.array(extraNameSchema).optional().meta({
    description:
      "dependency groups of the lock to install besides the main ones (dev groups are left out otherwise)",
  }),
  dependencies: z.array(requirementSchema).optional().meta({ description: "extra pip requirements" }),
  workdir: workdirSchema.optional(),
  expose: z.array(portSchema).optional(),
  healthcheck: healthcheckSchema.optional(),
  builder_image: imageReferenceSchema.optional(),
  runtime_image: imageReferenceSchema.optional(),
  known_hosts: contextPathSchema
    .optional()
    .meta({ description: "known_hosts file for git+ssh dependencies" }),
  remove_test_suites: z.boolean().optional().meta({
    description:
      "delete the test suites the dependencies install beside their code (every folder named tests, such as pandas/tests) from the image; default false: kept, without bytecode",
  }),
};

export const pyfrontTargetSchema = z.strictObject(pyfrontImageShape);

export const pyfrontSchema = z
  .strictObject({
    ...pyfrontImageShape,
    targets: z
      .record(
        withCheck(z.string().meta({ pattern: TARGET_NAME.source }), checkTargetName),
        pyfrontTargetSchema,
      )
      .optional()
      .meta({ description: "named variants; each inherits every key of [tool.pyfront]" }),
  })
  .meta({ title: "[tool.pyfront]", description: "pyfront build settings in pyproject.toml" });

export type PyfrontImageConfig = z.output<typeof pyfrontTargetSchema>;
export type PyfrontConfig = z.output<typeof pyfrontSchema>;
