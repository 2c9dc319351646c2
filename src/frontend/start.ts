import { startupSnapshot } from "node:v8";

/**
 * Runs `main` when the process starts, or, while the frontend image's build takes a V8 start-up
 * snapshot of the bundle (docker/frontend.Dockerfile), when a process restored from it starts: the
 * bundle's modules, the gateway's protobuf descriptors and the spec schemas among them, are then
 * loaded already instead of at every build.
 */
export function atStart(main: () => void): void {
  if (startupSnapshot?.isBuildingSnapshot()) startupSnapshot.setDeserializeMainFunction(main);
  else main();
}
