/** Fixed paths and ids of the recipe. Fixed on purpose: a venv is not relocatable. */
export const VENV_DIR = "/opt/venv";
export const VENV_PYTHON = `${VENV_DIR}/bin/python`;
/**
 * The builder image's own interpreter, which carries pip. The venv has no pip of its own: pip
 * runs under its interpreter from outside (VENV_PIP_SCRIPT), so neither pip nor setuptools ship
 * in the image.
 */
export const BUILDER_PYTHON = "python3";
/** Where an application's code lives in the image. */
export const APP_DIR = "/app";
/**
 * Where a package's build backend is installed in the builder, apart from the venv: the build uses
 * it without isolation, and it never reaches the image.
 */
export const BUILD_BACKEND_DIR = "/pyfront/build-backend";
/** Where build-context inputs are bind-mounted in the builder (never copied into a layer). */
export const CONTEXT_MOUNT_DIR = "/pyfront/context";
export const KNOWN_HOSTS_PATH = "/pyfront/ssh/known_hosts";
export const DOWNLOADS_DIR = "/pyfront/downloads";
export const SECRETS_DIR = "/run/secrets";
export const PIP_CACHE_DIR = "/root/.cache/pip";

/**
 * The user the recipe's steps run as in a stage built on an image: root, since they install
 * packages and create the runtime user; a base that ends as a non-root USER (a hardened base, one
 * of pyfront's own image families) would otherwise fail them. The image runs as RUNTIME_UID.
 */
export const STEPS_USER = "root";

export const RUNTIME_UID = 65532;
export const RUNTIME_GID = 65532;
export const RUNTIME_USER_NAME = "nonroot";
export const RUNTIME_HOME = "/home/nonroot";

export const BUILDER_STAGE = "builder";
export const DOWNLOADS_STAGE = "downloads";
export const RUNTIME_STAGE = "runtime";

export { inlineIndexSecretId } from "../spec/index-secret-id.js";

/** Cache ids must not mix caches of different distributions; image refs become safe id text. */
export function cacheIdFor(kind: string, imageRef: string): string {
  return `pyfront-${kind}-${imageRef.replace(/[^A-Za-z0-9._-]+/g, "-")}`;
}
