import { FileActions, image, type Platform, type State, scratch } from "../buildkit/llb/index.js";
import { normalizePlatform } from "../buildkit/llb/platform.js";
import {
  type ContainerConfigJson,
  type ImageConfigJson,
  stageStartConfig,
  withPlatform,
} from "../render/llb-image-config.js";
import type { Container, ContainerStep, FileOwner } from "./container.js";

export interface CompileOptions {
  /** The base image's config as the engine resolved it; its Env, WorkingDir and User carry over. */
  baseConfig?: ImageConfigJson;
  /** The image to pull instead of the pinned reference (a mirror holding the same digest, or a test engine's stand-in). */
  baseSource?: string;
  platform?: Platform;
  /** The network of every run, as `docker build --network` sets it; not part of the definition. */
  network?: "sandbox" | "host" | "none";
  /**
   * Environment of every run, set around the definition (a package index of the build's network,
   * as --network is); neither part of the definition nor of the image's config. Not for secrets:
   * the values are in the LLB.
   */
  buildEnv?: readonly (readonly [string, string])[];
  /** Labels set after the steps (a version's identity labels, see versionLabels). */
  labels?: readonly (readonly [string, string])[];
}

export interface CompiledContainer {
  state: State;
  imageConfig: ImageConfigJson;
}

/** The pinned reference of a container's base, as BuildKit pulls it. */
export function pinnedBaseRef(container: Container): string {
  return `${container.base.ref}@${container.base.digest}`;
}

function chownOf(owner: FileOwner | undefined) {
  return owner === undefined
    ? undefined
    : { user: owner.user, ...(owner.group !== undefined ? { group: owner.group } : {}) };
}

/** "name:group" as a FileOwner, for the folder WORKDIR creates. */
function userAsOwner(user: string | undefined): FileOwner | undefined {
  if (user === undefined || user === "" || user === "root" || user === "0") return undefined;
  const [name, group] = user.split(":");
  const asId = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
  return { user: asId(name!), ...(group ? { group: asId(group) } : {}) };
}

function history(config: ImageConfigJson, createdBy: string, layer: boolean): void {
  config.history = [
    ...(config.history ?? []),
    { created_by: createdBy, comment: "pyfront images", ...(layer ? {} : { empty_layer: true }) },
  ];
}

/** Every folder a set of relative file paths needs, parents first. */
function foldersOf(files: readonly (readonly [string, string])[]): string[] {
  const folders = new Set<string>();
  for (const [name] of files) {
    const parts = name.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) folders.add(parts.slice(0, i).join("/"));
  }
  return [...folders].sort();
}

/**
 * The container as an LLB State and its image config: each step does what the same Dockerfile
 * instruction does in dockerfile2llb (files arrive by a copy, as COPY brings them from the context).
 */
export function compileContainer(container: Container, options: CompileOptions = {}): CompiledContainer {
  const pinned = pinnedBaseRef(container);
  const platform = options.platform ? normalizePlatform(options.platform) : undefined;
  const config = stageStartConfig(options.baseConfig, pinned);
  const c: ContainerConfigJson = config.config ?? {};
  config.config = c;
  let state = image(options.baseSource ?? pinned, {
    ...(platform ? { platform } : {}),
    customName: `FROM ${options.baseSource ?? pinned}`,
  }).withImageConfig(c);
  if (options.network && options.network !== "sandbox") state = state.network(options.network);
  for (const [name, value] of options.buildEnv ?? []) state = state.addEnv(name, value);

  for (const step of container.steps) state = applyStep(state, config, c, step);
  for (const [name, value] of options.labels ?? [])
    state = applyStep(state, config, c, { kind: "label", name, value });
  if (platform) withPlatform(config, platform);
  return { state, imageConfig: config };
}

function applyStep(
  state: State,
  config: ImageConfigJson,
  c: ContainerConfigJson,
  step: ContainerStep,
): State {
  switch (step.kind) {
    case "exec": {
      const name = `RUN ${JSON.stringify(step.args)}`;
      history(config, name, true);
      return state
        .run({
          args: step.args,
          customName: name,
          mounts: step.caches.map((m) => ({ type: "cache", target: m.path, id: m.id, sharing: m.sharing })),
        })
        .root();
    }
    case "env": {
      const env = (c.Env ?? []).filter((e) => !e.startsWith(`${step.name}=`) && e !== step.name);
      // Docker keeps a replaced variable in its place; BuildKit's state moves it: the config follows Docker.
      const at = (c.Env ?? []).findIndex((e) => e.startsWith(`${step.name}=`));
      const entry = `${step.name}=${step.value}`;
      if (at >= 0) env.splice(at, 0, entry);
      else env.push(entry);
      c.Env = env;
      history(config, `ENV ${entry}`, false);
      return state.addEnv(step.name, step.value);
    }
    case "file": {
      const source = scratch().mkfile("/file", step.contents, { mode: step.mode });
      const owner = chownOf(step.owner);
      history(config, `COPY ${step.path}`, true);
      return state.copy(source, "/file", step.path, {
        createDestPath: true,
        ...(owner ? { owner } : {}),
        customName: `COPY ${step.path}`,
      });
    }
    case "directory": {
      let actions = new FileActions([]);
      for (const folder of foldersOf(step.files)) actions = actions.mkdir(`/${folder}`, { mode: 0o755 });
      for (const [name, contents] of step.files)
        actions = actions.mkfile(`/${name}`, contents, { mode: 0o644 });
      const source = actions.actions.length > 0 ? scratch().file(actions) : scratch();
      const owner = chownOf(step.owner);
      history(config, `COPY ${step.path}/`, true);
      return state.copy(source, "/", step.path, {
        copyDirContentsOnly: true,
        createDestPath: true,
        ...(owner ? { owner } : {}),
        customName: `COPY ${step.path}/`,
      });
    }
    case "user":
      c.User = step.user;
      history(config, `USER ${step.user}`, false);
      return state.user(step.user);
    case "workdir": {
      c.WorkingDir = step.path;
      history(config, `WORKDIR ${step.path}`, step.path !== "/");
      const moved = state.dir(step.path);
      if (step.path === "/") return moved;
      // As dockerfile2llb: the folder is made, owned by the user set at that point.
      const owner = chownOf(userAsOwner(state.getUser()));
      return moved.mkdir(step.path, { mode: 0o755, makeParents: true, ...(owner ? { owner } : {}) });
    }
    case "label":
      c.Labels = Object.fromEntries(
        Object.entries({ ...(c.Labels ?? {}), [step.name]: step.value }).sort(([a], [b]) =>
          a < b ? -1 : a > b ? 1 : 0,
        ),
      );
      history(config, `LABEL ${step.name}=${step.value}`, false);
      return state;
    case "entrypoint":
      c.Entrypoint = [...step.args];
      delete c.Cmd;
      if (c.Entrypoint.length === 0) delete c.Entrypoint;
      history(config, `ENTRYPOINT ${JSON.stringify(step.args)}`, false);
      return state;
    case "cmd":
      c.Cmd = [...step.args];
      if (c.Cmd.length === 0) delete c.Cmd;
      history(config, `CMD ${JSON.stringify(step.args)}`, false);
      return state;
  }
}
