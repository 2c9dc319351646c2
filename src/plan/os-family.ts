import { aptInstallStep } from "./apt-steps.js";
import type { CacheMount, RunStep } from "./build-plan.js";
import { cacheIdFor, RUNTIME_GID, RUNTIME_HOME, RUNTIME_UID, RUNTIME_USER_NAME } from "./recipe-constants.js";

/**
 * What differs between the Linux distributions a base image can be built on: the package manager,
 * the tools that create the runtime user, and the C library (wheels built against one never run
 * on the other). Everything else in the recipe is the same on every family.
 */
export type OsFamily = "debian" | "alpine";

/** How an image reference tells its family: the first matching rule wins. */
export const OS_FAMILY_RULES: ReadonlyArray<{
  family: OsFamily;
  rule: string;
  test: (image: { name: string; tag: string }) => boolean;
}> = [
  // python:3.13-alpine, python:3.13.5-alpine3.22
  { family: "alpine", rule: "tag-names-alpine", test: ({ tag }) => /(^|[-_.])alpine/.test(tag) },
  // alpine:3.20, registry.example.com/library/alpine
  { family: "alpine", rule: "alpine-image", test: ({ name }) => name === "alpine" },
];

/** Images no rule matches are Debian-based, like python:<v> and python:<v>-slim. */
export const DEFAULT_OS_FAMILY: OsFamily = "debian";

/** The last path component and the tag of an image reference (`r:5000/lib/python:3.13@sha256:…`). */
export function imageNameAndTag(ref: string): { name: string; tag: string } {
  const withoutDigest = ref.split("@")[0] ?? "";
  const last = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  const colon = last.indexOf(":");
  return colon === -1 ? { name: last, tag: "" } : { name: last.slice(0, colon), tag: last.slice(colon + 1) };
}

export function osFamilyOf(imageRef: string): OsFamily {
  const image = imageNameAndTag(imageRef);
  return OS_FAMILY_RULES.find((rule) => rule.test(image))?.family ?? DEFAULT_OS_FAMILY;
}

/*
 * Package names reach apk only as positional arguments after "--" (the spec has already checked
 * they are names, not options).
 */

/**
 * Builder stage: a package cache on a cache mount (the /etc/apk/cache link turns apk's cache on;
 * the builder is never shipped). The index is fetched again on each run of the step, so a cached
 * index never names packages the mirror has dropped.
 */
const BUILDER_APK_SCRIPT = [
  "set -eu",
  "[ -e /etc/apk/cache ] || ln -s /var/cache/apk /etc/apk/cache",
  'apk add --update-cache -- "$@"',
].join("\n");

/** Runtime stage: neither the index nor the packages stay in the layer. */
const RUNTIME_APK_SCRIPT = ["set -eu", 'apk add --no-cache -- "$@"'].join("\n");

function apkInstallStep(packages: string[], imageRef: string, stage: "builder" | "runtime"): RunStep {
  const mounts: CacheMount[] =
    stage === "builder"
      ? [{ type: "cache", id: cacheIdFor("apk", imageRef), target: "/var/cache/apk", sharing: "locked" }]
      : [];
  return {
    kind: "run",
    argv: ["sh", "-c", stage === "builder" ? BUILDER_APK_SCRIPT : RUNTIME_APK_SCRIPT, "sh", ...packages],
    mounts,
    env: [],
    description:
      stage === "builder" ? "install build dependencies (apk)" : "install system dependencies (apk)",
  };
}

const DEBIAN_CREATE_USER_SCRIPT = [
  "set -eu",
  "touch /tmp/.pyfront-before-user",
  // A runtime image that has the user already (a base image made for non-root, such as
  // distroless's nonroot or one of pyfront's own image families) keeps it.
  `getent group ${RUNTIME_GID} >/dev/null || groupadd --gid ${RUNTIME_GID} ${RUNTIME_USER_NAME}`,
  // --no-log-init: a high uid would otherwise grow a huge sparse /var/log/lastlog.
  `getent passwd ${RUNTIME_UID} >/dev/null || useradd --no-log-init --uid ${RUNTIME_UID} --gid ${RUNTIME_GID} --home-dir ${RUNTIME_HOME} --create-home --shell /usr/sbin/nologin ${RUNTIME_USER_NAME}`,
  // A reproducible build (src/plan/source-date-epoch.ts): what useradd wrote gets the epoch's
  // time. Only what changed, and not the files BuildKit mounts into /etc.
  'if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then find /etc /home -xdev -newer /tmp/.pyfront-before-user ! -name hosts ! -name hostname ! -name resolv.conf -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; fi',
  "rm /tmp/.pyfront-before-user",
  'if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then touch -h -d "@$SOURCE_DATE_EPOCH" /tmp; fi',
].join("\n");

/** BusyBox's addgroup/adduser (Alpine has no useradd); -D: no password, the home is created. */
const ALPINE_CREATE_USER_SCRIPT = [
  "set -eu",
  `addgroup -g ${RUNTIME_GID} ${RUNTIME_USER_NAME}`,
  `adduser -D -u ${RUNTIME_UID} -G ${RUNTIME_USER_NAME} -h ${RUNTIME_HOME} -s /sbin/nologin ${RUNTIME_USER_NAME}`,
].join("\n");

export interface OsFamilyRecipe {
  family: OsFamily;
  /** Installs system packages in the builder or the final image. */
  installPackages(packages: string[], imageRef: string, stage: "builder" | "runtime"): RunStep;
  /** Creates the unprivileged user the image runs as. */
  createUser(): RunStep;
  /**
   * Told apart in pip's cache id: pip reuses wheels it built from sdists by their tags, and
   * `linux_x86_64` says nothing of glibc or musl. "" keeps the Debian id as it always was.
   */
  pipCacheSuffix: string;
}

function createUserStep(script: string): RunStep {
  return {
    kind: "run",
    argv: ["sh", "-c", script],
    mounts: [],
    env: [],
    description: `create the user ${RUNTIME_USER_NAME} (${RUNTIME_UID}:${RUNTIME_GID})`,
  };
}

export const OS_FAMILIES: Readonly<Record<OsFamily, OsFamilyRecipe>> = {
  debian: {
    family: "debian",
    installPackages: aptInstallStep,
    createUser: () => createUserStep(DEBIAN_CREATE_USER_SCRIPT),
    pipCacheSuffix: "",
  },
  alpine: {
    family: "alpine",
    installPackages: apkInstallStep,
    createUser: () => createUserStep(ALPINE_CREATE_USER_SCRIPT),
    pipCacheSuffix: "-musl",
  },
};

/** The recipe for the family of this image. */
export function osRecipeFor(imageRef: string): OsFamilyRecipe {
  return OS_FAMILIES[osFamilyOf(imageRef)];
}
