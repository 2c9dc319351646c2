import type { CacheMount, RunStep } from "./build-plan.js";
import { cacheIdFor } from "./recipe-constants.js";

/*
 * Package names reach apt only as positional arguments after "--", so a name can neither run
 * shell code nor pass itself off as an apt option.
 */

/**
 * Builder stage: Debian images delete downloaded .debs after each install (docker-clean), which
 * would empty the cache mount; the builder is never shipped, so that config is dropped there.
 */
const BUILDER_APT_SCRIPT = [
  "set -eu",
  "rm -f /etc/apt/apt.conf.d/docker-clean",
  `echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache`,
  "apt-get update",
  'apt-get install -y --no-install-recommends -- "$@"',
].join("\n");

/**
 * Runtime stage: the image's apt config is left as the base image has it (users may apt-get in
 * derived images). Lists and archives sit on cache mounts, so neither lands in the layer.
 */
const RUNTIME_APT_SCRIPT = [
  "set -eu",
  "apt-get update",
  'apt-get install -y --no-install-recommends -- "$@"',
].join("\n");

function aptCacheMounts(imageRef: string): CacheMount[] {
  // Only lists and archives: /var/lib/apt/extended_states must stay in the image.
  return [
    { type: "cache", id: cacheIdFor("apt-archives", imageRef), target: "/var/cache/apt", sharing: "locked" },
    { type: "cache", id: cacheIdFor("apt-lists", imageRef), target: "/var/lib/apt/lists", sharing: "locked" },
  ];
}

export function aptInstallStep(packages: string[], imageRef: string, stage: "builder" | "runtime"): RunStep {
  const script = stage === "builder" ? BUILDER_APT_SCRIPT : RUNTIME_APT_SCRIPT;
  return {
    kind: "run",
    argv: ["sh", "-c", script, "sh", ...packages],
    mounts: aptCacheMounts(imageRef),
    env: [{ name: "DEBIAN_FRONTEND", value: "noninteractive", mode: "set" }],
    description:
      stage === "builder" ? "install build dependencies (apt)" : "install system dependencies (apt)",
  };
}
