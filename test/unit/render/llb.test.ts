import { describe, expect, it } from "vitest";
import { CacheSharingOpt, MountType, NetMode, type Op } from "../../../src/buildkit/gen/pb/ops_pb.js";
import { type MarshalledDefinition, marshalDefinition } from "../../../src/buildkit/llb/index.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { withSourceDateEpoch } from "../../../src/plan/source-date-epoch.js";
import {
  contextSource,
  downloadFilename,
  type LlbRenderOptions,
  ownerFromUser,
  renderLlb,
} from "../../../src/render/llb.js";
import { decodeOps, opOfCase } from "../buildkit/decode.js";
import { FIXTURES, SECRET_PASSWORD } from "../plan/spec-fixtures.js";
import { BUILD_SECRET_VALUE, pythonConfig, SHA, samplePlan, V08_CAPS } from "./llb-fixtures.js";

const OPTIONS: LlbRenderOptions = {
  sessionId: "session-1",
  contextExcludes: ["**/__pycache__", ".git"],
  baseImages: {
    "python:3.12": { config: pythonConfig(), digest: `sha256:${"b".repeat(64)}` },
    "python:3.12-slim": { config: pythonConfig() },
  },
};

function render(options: Partial<LlbRenderOptions> = {}, plan = samplePlan()) {
  const rendered = renderLlb(plan, { ...OPTIONS, ...options });
  const def = marshalDefinition(rendered.state, { caps: V08_CAPS, platform: rendered.platform });
  return { rendered, def };
}

/** The op whose progress name contains `name`, with its digest. */
function namedOp(def: MarshalledDefinition, name: string): { digest: string; op: Op } {
  const found = decodeOps(def).filter(
    ({ digest }) => def.definition.metadata[digest]?.description["llb.customname"]?.includes(name) === true,
  );
  if (found.length !== 1) throw new Error(`${found.length} ops named ${name}`);
  return found[0]!;
}

function opNamed(def: MarshalledDefinition, name: string): Op {
  return namedOp(def, name).op;
}

function sources(def: MarshalledDefinition): string[] {
  return decodeOps(def).flatMap(({ op }) => (op.op.case === "source" ? [op.op.value.identifier] : []));
}

describe("renderLlb: stages", () => {
  it("starts each stage from its base image, pinned to the resolved digest, on the target platform", () => {
    const { def } = render({ platform: { os: "linux", architecture: "arm64" } });
    expect(sources(def)).toEqual(
      expect.arrayContaining([
        `docker-image://docker.io/library/python:3.12@sha256:${"b".repeat(64)}`,
        "docker-image://docker.io/library/python:3.12-slim",
        "docker-image://docker.io/library/busybox:1.36",
        "local://context",
        "https://example.org/files/tool.tar.gz",
      ]),
    );
    const from = opNamed(def, "[runtime] FROM python:3.12-slim");
    expect(from.platform).toMatchObject({ OS: "linux", Architecture: "arm64" });
  });

  it("passes the image resolve mode to every image source", () => {
    const { def } = render({ imageResolveMode: "pull" });
    const images = decodeOps(def).filter(
      ({ op }) => op.op.case === "source" && op.op.value.identifier.startsWith("docker-image://"),
    );
    expect(images.length).toBe(3);
    for (const { op } of images) expect(opOfCase(op, "source").attrs["image.resolvemode"]).toBe("pull");
  });

  it("starts from scratch when the base image has no layers, as dockerfile2llb does", () => {
    const empty = { ...pythonConfig(), rootfs: { type: "layers", diff_ids: [] }, history: [] };
    const { def } = render({ baseImages: { ...OPTIONS.baseImages, "python:3.12-slim": { config: empty } } });
    expect(sources(def)).not.toContain("docker-image://docker.io/library/python:3.12-slim");
  });
});

describe("renderLlb: run steps", () => {
  const exec = () => opOfCase(opNamed(render().def, "[builder] install the project"), "exec");

  it("runs the argv as is with the stage's env (base config, ENV steps, PATH prepended) plus the step's", () => {
    const e = exec();
    expect(e.meta?.args).toEqual(["/opt/venv/bin/python", "-m", "pip", "install", "--", "/pyfront/context"]);
    expect(e.meta?.env).toEqual([
      "LANG=C.UTF-8",
      "PYTHON_VERSION=3.12.4",
      "VIRTUAL_ENV=/opt/venv",
      "PATH=/opt/venv/bin:/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
      "GIT_SSH_COMMAND=ssh -o StrictHostKeyChecking=yes",
      "SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0",
    ]);
    expect(e.meta?.cwd).toBe("/pyfront/context");
    // The Dockerfile's USER root after FROM: the recipe's steps run as root.
    expect(e.meta?.user).toBe("root");
    expect(e.network).toBe(NetMode.UNSET);
  });

  it("never mounts the context itself writable: a writable mount gets a copy, so the next build reuses the transfer", () => {
    const { def } = render();
    const ops = decodeOps(def);
    const byDigest = new Map(ops.map(({ digest, op }) => [digest, op]));
    const inputOf = (op: Op, index: number) => byDigest.get(op.inputs[index]?.digest ?? "");
    const isLocal = (op: Op | undefined) =>
      op?.op.case === "source" && op.op.value.identifier.startsWith("local://");
    let writableContextMounts = 0;
    for (const { op } of ops) {
      if (op.op.case !== "exec") continue;
      for (const mount of op.op.value.mounts) {
        if (mount.mountType !== MountType.BIND || mount.readonly || mount.dest === "/") continue;
        const source = inputOf(op, Number(mount.input));
        expect(isLocal(source), mount.dest).toBe(false);
        if (source?.op.case === "file" && isLocal(inputOf(source, 0))) writableContextMounts += 1;
      }
    }
    // The project's install (its folder) reads a copy of the context's files.
    expect(writableContextMounts).toBeGreaterThan(0);
    const copyOp = opOfCase(opNamed(def, "[builder] copy . for a writable mount"), "file");
    expect(copyOp.actions[0]?.action.case).toBe("copy");
  });

  it("maps cache, secret, ssh and bind mounts like RUN --mount", () => {
    const mounts = exec().mounts.map((m) => ({
      dest: m.dest,
      type: m.mountType,
      selector: m.selector,
      readonly: m.readonly,
      output: Number(m.output),
      cache: m.cacheOpt ? { id: m.cacheOpt.ID, sharing: m.cacheOpt.sharing } : undefined,
      secret: m.secretOpt
        ? {
            id: m.secretOpt.ID,
            uid: m.secretOpt.uid,
            gid: m.secretOpt.gid,
            mode: m.secretOpt.mode,
            optional: m.secretOpt.optional,
          }
        : undefined,
      ssh: m.SSHOpt ? { id: m.SSHOpt.ID, optional: m.SSHOpt.optional } : undefined,
    }));
    expect(mounts).toEqual([
      {
        dest: "/",
        type: MountType.BIND,
        selector: "",
        readonly: false,
        output: 0,
        cache: undefined,
        secret: undefined,
        ssh: undefined,
      },
      {
        dest: "/pyfront/context",
        type: MountType.BIND,
        selector: "",
        readonly: false,
        output: -1,
        cache: undefined,
        secret: undefined,
        ssh: undefined,
      },
      {
        dest: "/pyfront/ssh/known_hosts",
        type: MountType.BIND,
        selector: "/ssh/known_hosts",
        readonly: true,
        output: -1,
        cache: undefined,
        secret: undefined,
        ssh: undefined,
      },
      {
        dest: "/root/.cache/pip",
        type: MountType.CACHE,
        selector: "",
        readonly: false,
        output: -1,
        cache: { id: "/pyfront-pip-3.12", sharing: CacheSharingOpt.SHARED },
        secret: undefined,
        ssh: undefined,
      },
      // Secret and ssh mounts keep output 0, as BuildKit's Go client writes them (the daemon ignores it).
      {
        dest: "/run/secrets/pyfront-index-0",
        type: MountType.SECRET,
        selector: "",
        readonly: false,
        output: 0,
        cache: undefined,
        secret: { id: "index-creds", uid: 0, gid: 0, mode: 0o400, optional: false },
        ssh: undefined,
      },
      // Credentials the spec wrote: a BuildKit secret by id too, never a file in the definition.
      {
        dest: "/run/secrets/pyfront-index-1",
        type: MountType.SECRET,
        selector: "",
        readonly: false,
        output: 0,
        cache: undefined,
        secret: { id: "pyfront-index-1", uid: 0, gid: 0, mode: 0o400, optional: false },
        ssh: undefined,
      },
      {
        dest: "/run/buildkit/ssh_agent.0",
        type: MountType.SSH,
        selector: "",
        readonly: false,
        output: 0,
        cache: undefined,
        secret: undefined,
        ssh: { id: "default", optional: true },
      },
    ]);
  });

  it("sets the network mode and ignoreCache of runs from the options", () => {
    const { def } = render({ networkMode: "none", noCache: true });
    const { op, digest } = namedOp(def, "[builder] install the project");
    expect(opOfCase(op, "exec").network).toBe(NetMode.NONE);
    expect(def.definition.metadata[digest]?.ignoreCache).toBe(true);
    expect(def.definition.metadata[namedOp(def, "COPY /opt/venv").digest]?.ignoreCache).toBe(true);
    const image = decodeOps(def).find(
      ({ op: o }) => o.op.case === "source" && o.op.value.identifier.includes("python:3.12-slim"),
    );
    expect(def.definition.metadata[image?.digest ?? ""]?.ignoreCache).toBe(false);
  });
});

describe("renderLlb: secrets", () => {
  it("mounts every secret by id, build secrets and spec credentials alike; no value is in the LLB", () => {
    const { def } = render();
    const text = new TextDecoder().decode(def.bytes);
    expect(text).not.toContain(BUILD_SECRET_VALUE);
    const mkfiles = decodeOps(def).filter(
      ({ op }) => op.op.case === "file" && op.op.value.actions.some((a) => a.action.case === "mkfile"),
    );
    expect(mkfiles).toEqual([]);
    const e = opOfCase(opNamed(def, "[builder] install the project"), "exec");
    const secret = e.mounts.find((m) => m.dest === "/run/secrets/pyfront-index-1");
    expect(secret?.mountType).toBe(MountType.SECRET);
    expect(secret?.secretOpt?.ID).toBe("pyfront-index-1");
  });

  it("a planner plan for an index with spec credentials names the secret and holds no credential", () => {
    const spec = FIXTURES["microb-inline-credentials"]!;
    const plan = planBuild(spec, { buildArgs: { TOKEN: "t" } });
    const def = marshalDefinition(renderLlb(plan, OPTIONS).state, { caps: V08_CAPS });
    expect(Buffer.from(def.bytes).includes(Buffer.from(SECRET_PASSWORD))).toBe(false);
    const e = decodeOps(def).find(
      ({ op }) => op.op.case === "exec" && op.op.value.mounts.some((m) => m.secretOpt),
    );
    const mount = e && opOfCase(e.op, "exec").mounts.find((m) => m.secretOpt);
    expect(mount?.secretOpt?.ID).toBe("pyfront-index-0");
  });
});

describe("renderLlb: file steps", () => {
  it("with SOURCE_DATE_EPOCH, a copy dates the folders above its destination, in the same op", () => {
    const epoch = 1_700_000_000;
    const { def } = render({}, withSourceDateEpoch(samplePlan(), epoch));
    const venv = opOfCase(opNamed(def, "[runtime] COPY /opt/venv /opt/venv"), "file").actions;
    const copies = venv.map((a) => (a.action.case === "copy" ? a.action.value : undefined));
    expect(copies.map((c) => [c?.src, c?.dest])).toEqual([
      ["/opt/venv", "/opt/venv"],
      // An empty folder copied onto /opt: BuildKit gives an existing folder the copy's time.
      ["/empty", "/opt"],
    ]);
    const nanoseconds = BigInt(epoch) * 1_000_000_000n;
    expect(copies.map((c) => c?.timestamp)).toEqual([nanoseconds, nanoseconds]);
    expect(copies[1]).toMatchObject({ dirCopyContents: true, createDestPath: false });
    // The destination itself is dated when the files go into it (a "/"-ended folder), and a
    // glob, which may match nothing, creates no folders to date.
    const conf = opOfCase(opNamed(def, "COPY conf/*.ini /etc/app/"), "file").actions;
    expect(conf).toHaveLength(1);
    // Without the epoch, a copy is the one action, as before.
    const plain = opOfCase(opNamed(render().def, "[runtime] COPY /opt/venv /opt/venv"), "file").actions;
    expect(plain).toHaveLength(1);
  });

  it("copies with the Dockerfile COPY attributes, one FileOp per step", () => {
    const { def } = render();
    const venv = opOfCase(opNamed(def, "[runtime] COPY /opt/venv /opt/venv"), "file").actions;
    expect(venv.length).toBe(1);
    const c = venv[0]!.action.case === "copy" ? venv[0]!.action.value : undefined;
    expect(c).toMatchObject({
      src: "/opt/venv",
      dest: "/opt/venv",
      followSymlink: true,
      dirCopyContents: true,
      attemptUnpackDockerCompatibility: false,
      createDestPath: true,
      allowWildcard: true,
      allowEmptyWildcard: true,
      mode: -1,
      includePatterns: [],
      excludePatterns: [],
    });
    expect(c?.owner).toBeUndefined();
    const ini = opOfCase(opNamed(def, "COPY conf/*.ini /etc/app/"), "file").actions[0]!;
    expect(ini.action.case === "copy" && [ini.action.value.src, ini.action.value.dest]).toEqual([
      "/conf/*.ini",
      "/etc/app/",
    ]);
    const add = opOfCase(opNamed(def, "ADD vendor.tar"), "file").actions[0]!;
    expect(add.action.case === "copy" && add.action.value.attemptUnpackDockerCompatibility).toBe(true);
  });

  it("copies from the context source, stages and images", () => {
    const { def } = render();
    const ops = decodeOps(def);
    const byDigest = new Map(ops.map((o) => [o.digest, o.op]));
    const secondary = (name: string) => {
      const op = opNamed(def, name);
      const action = opOfCase(op, "file").actions[0]!;
      return byDigest.get(op.inputs[Number(action.secondaryInput)]?.digest ?? "");
    };
    const ctx = secondary("COPY conf/*.ini");
    expect(ctx?.op.case === "source" && ctx.op.value.identifier).toBe("local://context");
    const busybox = secondary("COPY /bin/busybox");
    expect(busybox?.op.case === "source" && busybox.op.value.identifier).toBe(
      "docker-image://docker.io/library/busybox:1.36",
    );
    expect(secondary("COPY /opt/venv")?.op.case).toBe("exec");
  });

  it("downloads with an http source carrying the checksum and mode, then copies the file", () => {
    const { def } = render();
    const http = decodeOps(def).find(
      ({ op }) => op.op.case === "source" && op.op.value.identifier.startsWith("https://"),
    );
    expect(http && opOfCase(http.op, "source").attrs).toEqual({
      "http.checksum": `sha256:${SHA}`,
      "http.filename": "tool.tar.gz",
      "http.perm": "0644",
    });
    const add = opOfCase(opNamed(def, "[downloads] ADD https://"), "file").actions[0]!;
    expect(add.action.case === "copy" && add.action.value).toMatchObject({
      src: "/tool.tar.gz",
      dest: "/pyfront/downloads/0/tool.tar.gz",
      createDestPath: true,
      followSymlink: false,
      dirCopyContents: false,
    });
    expect(downloadFilename("https://x.example/")).toBe("__unnamed__");
    expect(downloadFilename("https://x.example/a%2Fb")).toBe("__unnamed__");
  });

  it("WORKDIR makes the directory with parents, owned by root, the steps' user, whatever USER the base left", () => {
    const { def } = render();
    const mk = opOfCase(opNamed(def, "[builder] WORKDIR /pyfront/context"), "file").actions[0]!;
    expect(mk.action.case === "mkdir" && mk.action.value).toMatchObject({
      path: "/pyfront/context",
      mode: 0o755,
      makeParents: true,
    });
    expect(mk.action.case === "mkdir" && mk.action.value.owner?.user?.user).toEqual({
      case: "byID",
      value: 0,
    });
    const head = decodeOps(def).find((o) => o.digest === def.head)!.op;
    const app = opOfCase(head, "file").actions[0]!;
    expect(app.action.case === "mkdir" && app.action.value.path).toBe("/app");

    const userConfig = pythonConfig();
    userConfig.config = { ...userConfig.config, User: "app:staff" };
    const withUser = render({
      baseImages: { ...OPTIONS.baseImages, "python:3.12-slim": { config: userConfig } },
    }).def;
    const owned = opOfCase(decodeOps(withUser).find((o) => o.digest === withUser.head)!.op, "file")
      .actions[0]!;
    const owner = owned.action.case === "mkdir" ? owned.action.value.owner : undefined;
    // A base that ends as app:staff: the recipe's USER root comes first, so root owns /app too.
    expect(owner?.user?.user).toEqual({ case: "byID", value: 0 });
    expect(owner?.group).toBeUndefined();
    expect(ownerFromUser("root:1000")).toEqual({ user: 0, group: 1000 });
    expect(ownerFromUser("65532")).toEqual({ user: 65532 });
  });
});

describe("renderLlb: determinism and the context source", () => {
  it("gives identical bytes for the same plan and options", () => {
    const a = render().def;
    const b = render().def;
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.head).toBe(b.head);
  });

  it("with another session id, only the local source (and what depends on it) changes", () => {
    const a = decodeOps(render().def);
    const b = decodeOps(render({ sessionId: "session-2" }).def);
    const changedSources = (x: typeof a, y: typeof a) =>
      x
        .filter((o) => o.op.op.case === "source" && !y.some((p) => p.digest === o.digest))
        .map((o) => opOfCase(o.op, "source").identifier);
    expect(changedSources(a, b)).toEqual(["local://context"]);
    const local = b.find((o) => o.op.op.case === "source" && o.op.op.value.identifier === "local://context")!;
    expect(opOfCase(local.op, "source").attrs["local.session"]).toBe("session-2");
    // Stages that read nothing from the context are unchanged.
    const downloads = (ops: typeof a) =>
      ops.find((o) => o.op.op.case === "source" && o.op.op.value.identifier.startsWith("https://"))?.digest;
    expect(downloads(a)).toBe(downloads(b));
  });

  it("contextSource is the very source the render uses", () => {
    const ctx = marshalDefinition(contextSource(OPTIONS));
    const { def } = render();
    expect(decodeOps(def).some((o) => o.digest === ctx.head)).toBe(true);
    expect(opOfCase(decodeOps(ctx)[0]!.op, "source").attrs).toEqual({
      "local.excludepatterns": '["**/__pycache__",".git"]',
      "local.session": "session-1",
      "local.sharedkeyhint": "context",
    });
  });

  it("every planner fixture renders and marshals against Docker 20.10's BuildKit caps", () => {
    for (const [name, spec] of Object.entries(FIXTURES)) {
      const plan = planBuild(spec, { buildArgs: { TOKEN: "t", VERSION: "1" } });
      const rendered = renderLlb(plan, { sessionId: "s", contextExcludes: [] });
      expect(() => marshalDefinition(rendered.state, { caps: V08_CAPS }), name).not.toThrow();
    }
  });
});
