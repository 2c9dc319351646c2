/**
 * `pyfront job run`'s I/O: a job's container on a Docker daemon through the Engine API. The code
 * and inputs are copied into fresh volumes (as `docker cp` copies, so the daemon need not share
 * this machine's files), the container runs with them read-only, its output is streamed as it
 * comes, /outputs is copied back into a folder here, and everything made is removed again.
 */
import { randomBytes } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tar from "tar-stream";
import {
  attachContainer,
  createContainer,
  createVolume,
  getArchive,
  inspectImage,
  killContainer,
  pullImage,
  putArchive,
  removeContainer,
  removeVolume,
  StreamDemultiplexer,
  startContainer,
  waitContainer,
} from "../client/docker-api.js";
import type { EngineAddress } from "../client/engine-address.js";
import {
  CODE_ARCHIVE_NAME,
  CODE_MOUNT,
  containerSpec,
  dockerCreateBody,
  INPUTS_MOUNT,
  isRootUser,
  JOB_LABEL,
  type JobDescription,
  JobSpecError,
  OUTPUTS_MOUNT,
  type VolumeMount,
} from "./container-spec.js";

export interface JobRunRequest {
  address: EngineAddress;
  job: Omit<JobDescription, "code" | "inputs">;
  /** A gzip tar or a folder on this machine. */
  codePath?: string;
  /** A folder on this machine, mounted at /inputs. */
  inputsPath?: string;
  /** Where /outputs is copied when the job ends (made when missing); default a new temporary folder. */
  outputsDir?: string;
  /** X-Registry-Auth for pulling the image when the daemon lacks it. */
  registryAuth(reference: string): string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** pyfront's own lines (stderr), prefixed. */
  say(line: string): void;
}

/** Packs a folder's tree (files, folders, symbolic links as they are) as a tar stream; anything else is refused. */
export function packDirectory(root: string): Readable {
  const pack = tar.pack();
  const walk = async (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path).split(sep).join("/");
      const info = lstatSync(path);
      const common = { name: rel, uid: 0, gid: 0, mtime: info.mtime };
      if (info.isDirectory()) {
        pack.entry({ ...common, type: "directory", mode: 0o755 });
        await walk(path);
      } else if (info.isSymbolicLink()) {
        pack.entry({ ...common, type: "symlink", linkname: readlinkSync(path), mode: 0o777 });
      } else if (info.isFile()) {
        await new Promise<void>((done, fail) => {
          const entry = pack.entry(
            { ...common, type: "file", size: info.size, mode: info.mode & 0o100 ? 0o755 : 0o644 },
            (error) => (error ? fail(error) : done()),
          );
          createReadStream(path).on("error", fail).pipe(entry);
        });
      } else {
        throw new JobSpecError(
          `${path} is neither a file, a folder nor a link: a job's code and inputs hold only those`,
        );
      }
    }
  };
  walk(root).then(
    () => pack.finalize(),
    (error: Error) => pack.destroy(error),
  );
  return Readable.from(pack, { objectMode: false });
}

/** A tar stream holding one file under a name. */
function packFile(path: string, name: string): Readable {
  const pack = tar.pack();
  const size = statSync(path).size;
  const entry = pack.entry({ name, size, mode: 0o644, uid: 0, gid: 0 }, (error) =>
    error ? pack.destroy(error) : pack.finalize(),
  );
  createReadStream(path)
    .on("error", (error) => pack.destroy(error))
    .pipe(entry);
  return Readable.from(pack, { objectMode: false });
}

/**
 * Writes the /outputs archive into a folder: the archive's top entry is the outputs folder itself.
 * Only files and folders come out, and only inside the folder; links are skipped, with a line.
 */
export async function extractOutputs(
  archive: Readable,
  into: string,
  say: (line: string) => void,
): Promise<string[]> {
  const written: string[] = [];
  const extract = tar.extract();
  const root = resolve(into);
  extract.on("entry", (header, stream, next) => {
    const parts = header.name.split("/").filter((p) => p !== "" && p !== ".");
    const rel = parts.slice(1); // the first component is "outputs"
    const target = resolve(root, ...rel);
    const inside = target === root || target.startsWith(root + sep);
    const finish = () => {
      stream.resume();
      stream.once("end", () => next());
    };
    if (!inside || parts.includes("..") || header.name.startsWith("/")) {
      say(`skipped ${JSON.stringify(header.name)} from /outputs: its name leaves the folder`);
      finish();
      return;
    }
    if (header.type === "directory") {
      mkdirSync(target, { recursive: true });
      finish();
      return;
    }
    if (header.type !== "file") {
      say(`skipped /outputs/${rel.join("/")}: a ${header.type}, not a file`);
      finish();
      return;
    }
    mkdirSync(dirname(target), { recursive: true });
    pipeline(stream, createWriteStream(target, { mode: (header.mode ?? 0o644) & 0o755 })).then(
      () => {
        written.push(rel.join("/"));
        next();
      },
      (error: Error) => next(error),
    );
  });
  mkdirSync(root, { recursive: true });
  await pipeline(archive, extract);
  return written.sort();
}

/** The image's config, pulled first when the daemon lacks it. */
async function imageConfig(request: JobRunRequest) {
  const image = request.job.image;
  const held = await inspectImage(request.address, image);
  if (held) return held.Config ?? {};
  request.say(`pulling ${image}`);
  await pullImage(request.address, image, request.registryAuth(image));
  const pulled = await inspectImage(request.address, image);
  if (!pulled) throw new JobSpecError(`the daemon has no image ${image}, even after pulling it`);
  return pulled.Config ?? {};
}

/** Runs the job; resolves to its container's exit code. */
export async function runJob(request: JobRunRequest): Promise<number> {
  const { address } = request;
  let code: JobDescription["code"];
  if (request.codePath !== undefined) {
    const info = statSync(request.codePath, { throwIfNoEntry: false });
    if (!info) throw new JobSpecError(`no code at ${request.codePath}`, "give a .tgz/.tar.gz or a folder");
    code = info.isDirectory() ? "directory" : "archive";
  }
  if (
    request.inputsPath !== undefined &&
    !statSync(request.inputsPath, { throwIfNoEntry: false })?.isDirectory()
  )
    throw new JobSpecError(`--input ${request.inputsPath} is not a folder`);
  const spec = containerSpec({
    ...request.job,
    ...(code ? { code } : {}),
    ...(request.inputsPath !== undefined ? { inputs: true } : {}),
  });
  const config = await imageConfig(request);
  if (request.job.user === undefined && isRootUser(config.User ?? undefined))
    throw new JobSpecError(
      `${request.job.image} runs as root: jobs run as a non-root user`,
      "use a job image (exec-python-3.11, exec-duckdb, ...) or give --user UID:GID",
    );
  const outputsDir = request.outputsDir ?? mkdtempSync(join(tmpdir(), "pyfront-job-outputs-"));
  const id = randomBytes(6).toString("hex");
  const names = {
    code: `pyfront-job-${id}-code`,
    inputs: `pyfront-job-${id}-inputs`,
    outputs: `pyfront-job-${id}-outputs`,
  } satisfies Record<VolumeMount["role"], string>;
  const labels = { [JOB_LABEL]: id };
  const made: { volumes: string[]; containers: string[] } = { volumes: [], containers: [] };
  const stopSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  let jobContainer: string | undefined;
  let stopping = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    stopping += 1;
    if (!jobContainer) return;
    // The first signal is passed on (tini hands it to the job); a second one stops it for good.
    void killContainer(address, jobContainer, stopping > 1 ? "SIGKILL" : signal).catch(() => {});
  };
  for (const s of stopSignals) process.on(s, onSignal);
  try {
    for (const volume of spec.volumes) {
      await createVolume(address, names[volume.role], labels);
      made.volumes.push(names[volume.role]);
    }
    // The read-only mounts are filled through a container never started that mounts them writable.
    const filled = spec.volumes.filter((v) => v.role !== "outputs");
    if (filled.length > 0) {
      const filler = await createContainer(address, {
        Image: spec.image,
        Entrypoint: ["/pyfront-never-started"],
        Cmd: [],
        Labels: labels,
        HostConfig: {
          NetworkMode: "none",
          Mounts: filled.map((v) => ({ Type: "volume", Source: names[v.role], Target: v.target })),
        },
      });
      made.containers.push(filler);
      if (code === "directory")
        await putArchive(address, filler, CODE_MOUNT, packDirectory(request.codePath!));
      if (code === "archive")
        await putArchive(address, filler, CODE_MOUNT, packFile(request.codePath!, CODE_ARCHIVE_NAME));
      if (request.inputsPath !== undefined)
        await putArchive(address, filler, INPUTS_MOUNT, packDirectory(request.inputsPath));
      await removeContainer(address, filler);
      made.containers.pop();
    }
    if (stopping > 0) return 130;
    jobContainer = await createContainer(address, {
      ...dockerCreateBody(spec, names),
      Labels: { ...spec.labels, ...labels },
    });
    made.containers.push(jobContainer);
    const stream = await attachContainer(address, jobContainer);
    const demux = new StreamDemultiplexer((which, data) =>
      (which === "stderr" ? request.stderr : request.stdout).write(data),
    );
    const ended = new Promise<void>((done) => {
      stream.on("data", (chunk: Buffer) => demux.push(chunk));
      stream.once("end", done);
      stream.once("close", done);
      stream.once("error", () => done());
    });
    await startContainer(address, jobContainer);
    const exitCode = await waitContainer(address, jobContainer);
    // The daemon ends the attach stream once the output is drained; do not wait forever for it.
    await Promise.race([ended, new Promise((done) => setTimeout(done, 5_000).unref())]);
    stream.destroy();
    const written = await extractOutputs(
      await getArchive(address, jobContainer, OUTPUTS_MOUNT),
      outputsDir,
      request.say,
    );
    request.say(
      `outputs in ${resolve(outputsDir)}${written.length > 0 ? ` (${written.join(", ")})` : " (none written)"}`,
    );
    return exitCode;
  } finally {
    for (const s of stopSignals) process.removeListener(s, onSignal);
    for (const container of made.containers.reverse())
      await removeContainer(address, container).catch(() => {});
    for (const volume of made.volumes) await removeVolume(address, volume).catch(() => {});
  }
}
