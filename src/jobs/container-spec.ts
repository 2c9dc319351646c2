/**
 * A job, as a user describes it, turned into the container that runs it: the translation the
 * original job runner's orchestrator did from a "python job" to a "docker job". Pure: `pyfront
 * job run` hands the result to the Docker Engine API (src/jobs/run.ts).
 *
 * The code, the inputs and the outputs travel in volumes, not bind mounts, so the job runs the
 * same on any daemon, local or not (its file system need not be ours): the code and inputs are
 * copied into their volumes before the job starts and mounted read-only, /outputs is copied back
 * when it ends.
 */

export const CODE_MOUNT = "/code";
export const INPUTS_MOUNT = "/inputs";
export const OUTPUTS_MOUNT = "/outputs";
/** An archive goes into the code volume under this name; the launcher finds it by PYFRONT_JOB_CODE. */
export const CODE_ARCHIVE_NAME = "code.tgz";
export const CODE_ENV = "PYFRONT_JOB_CODE";
/** /tmp's size when the job does not say: the venv and pip's builds live there. */
export const DEFAULT_TMP_SIZE = "2g";
export const JOB_LABEL = "org.pyfront.job";

export interface JobDescription {
  /** The job image, e.g. exec-python-3.11:1.0.0 or localhost:5000/jobs/exec-duckdb:1.0.0. */
  image: string;
  /** Arguments for the image's entrypoint (the launcher takes `--` COMMAND...; duckdb its options). */
  args: readonly string[];
  /** The user's code: a gzip tar or a directory's tree; none for images without a launcher. */
  code?: "archive" | "directory";
  /** Whether a folder of inputs is mounted at /inputs. */
  inputs?: boolean;
  env?: Readonly<Record<string, string>>;
  /** Docker's network mode: "default" (the bridge), "none", "host" or a network's name. */
  network?: string;
  /** "UID:GID" or a name; default the image's own user, which must not be root. */
  user?: string;
  /** tmpfs size of /tmp, as Docker's tmpfs size option takes it ("2g", "512m"). */
  tmpSize?: string;
}

export interface VolumeMount {
  /** Which of the job's volumes. */
  role: "code" | "inputs" | "outputs";
  target: string;
  readOnly: boolean;
}

/** The container a job runs in, engine-neutral. */
export interface ContainerSpec {
  image: string;
  /** Appended to the image's entrypoint (Docker's Cmd). */
  args: readonly string[];
  env: readonly string[];
  /** undefined: the image's own user. */
  user?: string;
  readOnlyRootfs: true;
  volumes: readonly VolumeMount[];
  tmpfs: Readonly<Record<string, string>>;
  network: string;
  labels: Readonly<Record<string, string>>;
}

export class JobSpecError extends Error {
  readonly code = "JOB_BAD_DESCRIPTION";
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;
const NETWORK = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SIZE = /^[1-9][0-9]*[kmg]?$/;

/** Whether a user (as Docker's USER takes it) is root. */
export function isRootUser(user: string | undefined): boolean {
  const name = (user ?? "").split(":")[0];
  return name === "" || name === "root" || name === "0";
}

/** The job's container: code and inputs read-only, /outputs writable, a read-only root with a tmpfs /tmp. */
export function containerSpec(job: JobDescription): ContainerSpec {
  if (job.image.trim() === "" || /\s/.test(job.image))
    throw new JobSpecError(`image ${JSON.stringify(job.image)}: give an image reference`);
  if (job.args.some((a) => typeof a !== "string"))
    throw new JobSpecError("the job's arguments must be strings");
  const env: string[] = [];
  for (const [name, value] of Object.entries(job.env ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    if (!ENV_NAME.test(name))
      throw new JobSpecError(
        `environment variable ${JSON.stringify(name)}: letters, digits and _ only`,
        "write --env KEY=VALUE",
      );
    if (name === CODE_ENV)
      throw new JobSpecError(`${CODE_ENV} is set by pyfront job run: it says where the code is`);
    env.push(`${name}=${value}`);
  }
  if (job.code === "archive") env.push(`${CODE_ENV}=${CODE_MOUNT}/${CODE_ARCHIVE_NAME}`);
  if (job.user !== undefined) {
    if (!USER.test(job.user))
      throw new JobSpecError(`user ${JSON.stringify(job.user)}: NAME, UID or UID:GID`);
    if (isRootUser(job.user))
      throw new JobSpecError("jobs do not run as root", "give a non-root --user, e.g. 1000:1000");
  }
  const network = job.network ?? "default";
  if (!NETWORK.test(network))
    throw new JobSpecError(`network ${JSON.stringify(network)}: a network mode or name`);
  const tmpSize = job.tmpSize ?? DEFAULT_TMP_SIZE;
  if (!SIZE.test(tmpSize))
    throw new JobSpecError(`/tmp size ${JSON.stringify(tmpSize)}: a number with k, m or g`);
  const volumes: VolumeMount[] = [];
  if (job.code) volumes.push({ role: "code", target: CODE_MOUNT, readOnly: true });
  if (job.inputs) volumes.push({ role: "inputs", target: INPUTS_MOUNT, readOnly: true });
  volumes.push({ role: "outputs", target: OUTPUTS_MOUNT, readOnly: false });
  return {
    image: job.image,
    args: [...job.args],
    env,
    ...(job.user !== undefined ? { user: job.user } : {}),
    readOnlyRootfs: true,
    volumes,
    // exec: the venv's programs and compiled extensions run from /tmp.
    tmpfs: { "/tmp": `rw,nosuid,nodev,exec,mode=1777,size=${tmpSize}` },
    network,
    labels: { [JOB_LABEL]: "pyfront job run" },
  };
}

/** Docker Engine API body of POST /containers/create for a spec, given the names of its volumes. */
export function dockerCreateBody(
  spec: ContainerSpec,
  volumeNames: Readonly<Record<VolumeMount["role"], string>>,
): Record<string, unknown> {
  return {
    Image: spec.image,
    Cmd: [...spec.args],
    Env: [...spec.env],
    ...(spec.user !== undefined ? { User: spec.user } : {}),
    Labels: { ...spec.labels },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      ReadonlyRootfs: spec.readOnlyRootfs,
      NetworkMode: spec.network,
      Tmpfs: { ...spec.tmpfs },
      Mounts: spec.volumes.map((v) => ({
        Type: "volume",
        Source: volumeNames[v.role],
        Target: v.target,
        ReadOnly: v.readOnly,
      })),
      // No capability a job needs to gain: setuid programs cannot raise its privileges.
      SecurityOpt: ["no-new-privileges"],
    },
  };
}
