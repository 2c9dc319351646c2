/** Where `pyfront build` puts the image besides the engine's store, from `--push` and `--output`. */
export type BuildOutput =
  /** Pushed to its registry under every -t name. */
  | { kind: "push" }
  /** Written to a file (or "-", standard output): an OCI layout tar, or docker save's archive. */
  | { kind: "oci" | "docker"; dest: string };

/** An `--output` value the user must fix (exit code 2). */
export class OutputFlagError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "OutputFlagError";
  }
}

const HINT =
  "write --output type=oci,dest=FILE, --output type=docker,dest=FILE or --output type=registry (--push)";

/**
 * Parses `--output` as buildx does (comma-separated key=value fields), for the outputs this client
 * can give: `type=registry` (and `type=image,push=true`), `type=oci` and `type=docker` with `dest`.
 * What it cannot give yet (`type=local`, `type=tar`, exporter options such as `compression`) is
 * refused by name, never dropped.
 */
export function parseOutputFlag(flag: string): BuildOutput {
  const fields = new Map<string, string>();
  for (const field of flag.split(",")) {
    const eq = field.indexOf("=");
    if (eq <= 0) {
      throw new OutputFlagError(
        `--output ${JSON.stringify(flag)}: ${JSON.stringify(field)} is not key=value` +
          (fields.size === 0 && !flag.includes("=")
            ? " (buildx reads a bare path as type=local, which pyfront build cannot write yet)"
            : ""),
        HINT,
      );
    }
    const key = field.slice(0, eq).trim().toLowerCase();
    if (fields.has(key))
      throw new OutputFlagError(`--output ${JSON.stringify(flag)}: ${key} is given twice`, HINT);
    fields.set(key, field.slice(eq + 1).trim());
  }
  const type = fields.get("type");
  fields.delete("type");
  if (type === undefined) throw new OutputFlagError(`--output ${JSON.stringify(flag)}: no type= field`, HINT);
  const refuseRest = (allowed: string[]) => {
    const extra = [...fields.keys()].filter((k) => !allowed.includes(k));
    if (extra.length > 0)
      throw new OutputFlagError(
        `--output ${JSON.stringify(flag)}: pyfront build does not take ${extra.map((k) => JSON.stringify(k)).join(", ")} for type=${type}`,
        HINT,
      );
  };
  if (type === "registry") {
    refuseRest([]);
    return { kind: "push" };
  }
  if (type === "image") {
    refuseRest(["push"]);
    const push = fields.get("push");
    if (push !== "true")
      throw new OutputFlagError(
        `--output ${JSON.stringify(flag)}: type=image without push=true is what a build does already`,
        "leave --output out to load the image, or add push=true",
      );
    return { kind: "push" };
  }
  if (type === "oci" || type === "docker") {
    refuseRest(["dest"]);
    const dest = fields.get("dest");
    if (!dest)
      throw new OutputFlagError(`--output ${JSON.stringify(flag)}: type=${type} needs dest=FILE`, HINT);
    return { kind: type, dest };
  }
  throw new OutputFlagError(
    `--output ${JSON.stringify(flag)}: pyfront build cannot write type=${type}` +
      (type === "local" || type === "tar" ? " yet (it needs the session's file-send service)" : ""),
    HINT,
  );
}
