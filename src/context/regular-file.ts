import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";

/** Spec files and requirements files above this size are refused before they are read. */
export const MAX_INPUT_FILE_BYTES = 4 * 1024 * 1024;

export type RegularFileResult =
  | { ok: true; text: string }
  | { ok: false; reason: "missing" | "directory" | "not-regular" | "too-large" | "unreadable" };

/**
 * Reads a regular file of at most `limit` bytes as UTF-8. A FIFO, a device (a symlink to
 * /dev/zero), a socket or a directory is refused without being opened for reading, so no input
 * can make a command wait forever or read without end.
 */
export function readRegularFile(path: string, limit = MAX_INPUT_FILE_BYTES): RegularFileResult {
  let kind: ReturnType<typeof fileKind>;
  try {
    kind = fileKind(path);
  } catch {
    return { ok: false, reason: "missing" };
  }
  if (kind !== "file") return { ok: false, reason: kind };
  let fd: number;
  try {
    // O_NONBLOCK: should the path turn into a FIFO between stat and open, open does not wait.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return { ok: false, reason: "unreadable" };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: "not-regular" };
    if (stat.size > limit) return { ok: false, reason: "too-large" };
    const buffer = Buffer.allocUnsafe(limit + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > limit) return { ok: false, reason: "too-large" };
    }
    return { ok: true, text: buffer.subarray(0, length).toString("utf8") };
  } catch {
    return { ok: false, reason: "unreadable" };
  } finally {
    closeSync(fd);
  }
}

function fileKind(path: string): "file" | "directory" | "not-regular" {
  const stat = statSync(path);
  if (stat.isDirectory()) return "directory";
  return stat.isFile() ? "file" : "not-regular";
}

/** Whether a path (after symlinks) is a regular file. */
export function isRegularFile(path: string): boolean {
  try {
    return fileKind(path) === "file";
  } catch {
    return false;
  }
}

/** The reason a file could not be read, as a user reads it. */
export function describeUnreadable(reason: Exclude<RegularFileResult, { ok: true }>["reason"]): string {
  switch (reason) {
    case "missing":
      return "does not exist";
    case "directory":
      return "is a directory, expected a file";
    case "not-regular":
      return "is not a regular file (a FIFO, device or socket)";
    case "too-large":
      return `is larger than ${MAX_INPUT_FILE_BYTES / (1024 * 1024)} MiB`;
    case "unreadable":
      return "cannot be read";
  }
}
