export {
  type AttestationInput,
  connectGatewayOverStdio,
  createGatewayClient,
  createGatewayClientOverDuplex,
  GatewayClient,
  type ImageConfigResult,
  MAX_REQUEST_BYTES,
  type PingResult,
  type ReturnInput,
  type SolveOptions,
  type SolveResult,
  type SolveTarget,
  type WarnInput,
} from "./client.js";
export { type GatewayEnv, readGatewayEnv, type WorkerInfo } from "./env.js";
export {
  GatewayError,
  jsonAny,
  messageStatus,
  SOURCE_DETAIL_TYPE_URL,
  type SourceDetailJson,
  type SourceErrorInput,
  type SourceLineRange,
  STATUS_UNKNOWN,
  sourceDetailJson,
  sourceErrorStatus,
  statusFromError,
} from "./errors.js";
export { createDuplexTransport, createStdioTransport } from "./transport.js";
