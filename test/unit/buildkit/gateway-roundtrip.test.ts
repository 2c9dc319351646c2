import * as http2 from "node:http2";
import * as net from "node:net";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, encodeBinaryHeader } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import {
  createGatewayClientOverDuplex,
  GatewayError,
  SOURCE_DETAIL_TYPE_URL,
  sourceErrorStatus,
} from "../../../src/buildkit/gateway/index.js";
import { StatusSchema } from "../../../src/buildkit/gen/google/rpc/status_pb.js";
import { APICapSchema } from "../../../src/buildkit/gen/moby/buildkit/v1/apicaps/caps_pb.js";
import {
  LLBBridge,
  type ReturnRequest,
  type SolveRequest,
} from "../../../src/buildkit/gen/moby/buildkit/v1/frontend/gateway_pb.js";
import { DefinitionSchema } from "../../../src/buildkit/gen/pb/ops_pb.js";
import { image, marshalDefinition } from "../../../src/buildkit/llb/index.js";

interface Fake {
  port: number;
  solves: SolveRequest[];
  returns: ReturnRequest[];
  close(): Promise<void>;
}

const FAILED_STATUS = create(StatusSchema, {
  code: 2,
  message: "failed to solve: no such file",
  details: [
    { typeUrl: "github.com/moby/buildkit/errdefs.Source+json", value: new TextEncoder().encode("{}") },
  ],
});

/** A minimal LLBBridge in this process, speaking gRPC over h2c like BuildKit's daemon. */
async function startFake(frontendCaps: string[]): Promise<Fake> {
  const solves: SolveRequest[] = [];
  const returns: ReturnRequest[] = [];
  const routes = (router: ConnectRouter) =>
    router.service(LLBBridge, {
      ping: () => ({
        FrontendAPICaps: frontendCaps.map((ID) => create(APICapSchema, { ID, Enabled: true })),
        LLBCaps: [create(APICapSchema, { ID: "source.image", Enabled: true })],
        Workers: [{ ID: "w0", platforms: [{ OS: "linux", Architecture: "amd64" }] }],
      }),
      solve: (req) => {
        solves.push(req);
        if (req.Frontend === "broken") {
          // BuildKit puts a full google.rpc.Status into the trailer; details keep their own type URLs.
          throw new ConnectError("ignored", Code.Unknown, {
            "grpc-status-details-bin": encodeBinaryHeader(FAILED_STATUS, StatusSchema),
          });
        }
        return {
          result: { result: { case: "ref", value: { id: "ref-1" } }, metadata: { k: new Uint8Array([1]) } },
        };
      },
      readFile: (req) => {
        if (req.Ref !== "ref-1") throw new ConnectError("unknown ref", Code.NotFound);
        return { Data: new TextEncoder().encode(`contents of ${req.FilePath}`) };
      },
      return: (req) => {
        returns.push(req);
        return {};
      },
    });
  const server = http2.createServer(connectNodeAdapter({ routes }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    solves,
    returns,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

describe("GatewayClient against a fake LLBBridge", () => {
  let fake: Fake | undefined;
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await fake?.close();
  });

  function client(f: Fake) {
    let dials = 0;
    const c = createGatewayClientOverDuplex(() => {
      dials++;
      const s = net.connect(f.port, "127.0.0.1");
      sockets.push(s);
      return s;
    });
    return { c, dials: () => dials };
  }

  it("pings, solves, reads a file and returns a result over one connection", async () => {
    fake = await startFake(["solve.base", "readfile", "return"]);
    const { c, dials } = client(fake);
    const pong = await c.ping();
    expect(pong.caps.frontend.has("readfile")).toBe(true);
    expect(pong.caps.llb.has("source.image")).toBe(true);
    expect(pong.caps.llb.has("mergeop")).toBe(false);
    expect(pong.workers[0]?.platforms[0]?.Architecture).toBe("amd64");

    const def = marshalDefinition(image("alpine"));
    const res = await c.solve({ definition: def.definition });
    expect(res.ref).toBe("ref-1");
    expect(res.metadata.k).toEqual(new Uint8Array([1]));
    const sent = fake.solves[0]!;
    expect(sent.allowResultReturn).toBe(true);
    expect(sent.allowResultArrayRef).toBe(true);
    expect(toBinary(DefinitionSchema, sent.Definition!)).toEqual(def.bytes);

    const data = await c.readFile("ref-1", "pyproject.toml");
    expect(new TextDecoder().decode(data)).toBe("contents of pyproject.toml");

    await c.return({ ref: "ref-1", metadata: { "containerimage.config": '{"config":{}}' } });
    const ret = fake.returns[0]!;
    expect(ret.result?.result).toMatchObject({ case: "ref", value: { id: "ref-1" } });
    expect(new TextDecoder().decode(ret.result?.metadata["containerimage.config"])).toBe('{"config":{}}');
    expect(dials()).toBe(1);
  });

  it("returns a readable error with its Source detail", async () => {
    fake = await startFake(["return"]);
    const { c } = client(fake);
    const status = sourceErrorStatus({
      message: "bad spec",
      filename: "pyproject.toml",
      data: "a\nb\n",
      ranges: [{ start: 2 }],
    });
    await c.return({ error: status });
    const err = fake.returns[0]!.error!;
    expect(err.code).toBe(2);
    expect(err.message).toBe("bad spec");
    expect(err.details[0]?.typeUrl).toBe(SOURCE_DETAIL_TYPE_URL);
    expect(JSON.parse(new TextDecoder().decode(err.details[0]!.value)).ranges).toEqual([
      { start: { line: 2 }, end: { line: 2 } },
    ]);
    expect(fake.returns[0]!.result).toBeUndefined();
  });

  it("surfaces a failed solve's Status verbatim for forwarding", async () => {
    fake = await startFake(["solve.base"]);
    const { c } = client(fake);
    const failure = await c
      .solve({ frontend: "broken", frontendOpt: { b: "2", a: "1" } })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GatewayError);
    const status = (failure as GatewayError).status;
    expect(status.message).toBe("failed to solve: no such file");
    expect(status.details[0]?.typeUrl).toBe("github.com/moby/buildkit/errdefs.Source+json");
    expect(fake.solves[0]?.FrontendOpt).toEqual({ a: "1", b: "2" });
    const notFound = await c.readFile("nope", "x").catch((e: unknown) => e);
    expect((notFound as GatewayError).status.code).toBe(Code.NotFound);
  });

  it("checks frontend caps after ping", async () => {
    fake = await startFake(["solve.base"]);
    const { c } = client(fake);
    await c.ping();
    expect(await c.warn({ short: "hi" })).toBe(false);
    expect(await c.inputs()).toEqual({});
    await expect(c.evaluate("ref-1")).rejects.toThrow(/"gateway.evaluate" \(added in BuildKit v0.11\)/);
    await expect(c.solve({ definition: create(DefinitionSchema, {}) }, { evaluate: true })).rejects.toThrow(
      /gateway.solve.evaluate/,
    );
  });

  it("refuses definitions over BuildKit's 4 MiB limit before sending", async () => {
    fake = await startFake(["solve.base"]);
    const { c } = client(fake);
    const big = image("alpine").mkfile("/blob", new Uint8Array(5 * 1024 * 1024));
    await expect(c.solve({ definition: marshalDefinition(big).definition })).rejects.toThrow(/4 MiB/);
    expect(fake.solves).toHaveLength(0);
    // The decoder is exercised too: what the fake saw is a valid Definition.
    expect(fromBinary(DefinitionSchema, marshalDefinition(image("alpine")).bytes).def).toHaveLength(2);
  });
});
