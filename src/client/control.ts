import type { Socket } from "node:net";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { Control } from "../buildkit/gen/moby/buildkit/v1/control_pb.js";
import type { WorkerRecord } from "../buildkit/gen/moby/buildkit/v1/types/worker_pb.js";
import { createDuplexTransport, GatewayClient, statusFromError } from "../buildkit/index.js";
import { dialHijack, dialSocket, EngineUnreachableError } from "./dial.js";
import type { EngineAddress } from "./engine-address.js";

/** How long the health probe (ListWorkers) may take. */
export const PROBE_TIMEOUT_MS = 15_000;

/**
 * The gRPC metadata key that routes LLBBridge calls on the Control connection to one build's
 * gateway (BuildKit's client/buildid, read by control/gateway's forwarder).
 */
export const BUILD_ID_METADATA = "buildkit-controlapi-buildid";

/** One HTTP/2 connection to BuildKit's Control API, and the build gateway on it. */
export interface ControlConnection {
  address: EngineAddress;
  control: Client<typeof Control>;
  /** The LLBBridge of build `ref`, on this connection, as buildkit's client.Build reaches it. */
  gatewayFor(ref: string): GatewayClient;
  /** True once the socket closed, by us or by the engine. */
  readonly lost: boolean;
  close(): void;
}

/** Opens the Control connection: the daemon's `/grpc` upgrade, or a standalone BuildKit's socket. */
export async function connectControl(address: EngineAddress): Promise<ControlConnection> {
  const socket = address.kind === "docker" ? await dialHijack(address, "/grpc") : await dialSocket(address);
  return controlOverSocket(address, socket);
}

export function controlOverSocket(address: EngineAddress, socket: Socket): ControlConnection {
  const transport = createDuplexTransport(() => socket);
  let lost = false;
  socket.once("close", () => {
    lost = true;
  });
  return {
    address,
    control: createClient(Control, transport),
    gatewayFor: (ref) => new GatewayClient(withHeader(transport, BUILD_ID_METADATA, ref)),
    get lost() {
      return lost;
    },
    close: () => socket.destroy(),
  };
}

/** The same transport, with one more header on every call. */
export function withHeader(transport: Transport, name: string, value: string): Transport {
  const merged = (header: ConstructorParameters<typeof Headers>[0]) => {
    const headers = new Headers(header);
    headers.set(name, value);
    return headers;
  };
  return {
    unary: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.unary(method, signal, timeoutMs, merged(header), input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.stream(method, signal, timeoutMs, merged(header), input, contextValues),
  };
}

/**
 * The health probe: the engine's workers, or a clear error within PROBE_TIMEOUT_MS. A build needs
 * at least one worker, so none is an error too.
 */
export async function probeWorkers(connection: ControlConnection): Promise<WorkerRecord[]> {
  let workers: WorkerRecord[];
  try {
    const response = await connection.control.listWorkers({}, { timeoutMs: PROBE_TIMEOUT_MS });
    workers = response.record;
  } catch (error) {
    const status = statusFromError(error);
    throw new EngineUnreachableError(
      connection.address,
      `BuildKit did not answer ListWorkers: ${status.message}`,
    );
  }
  if (workers.length === 0) throw new EngineUnreachableError(connection.address, "BuildKit has no workers");
  return workers;
}
