import { startupSnapshot } from "node:v8";

/**
 * Runs `main` when the process starts, or, while the frontend image's build takes a V8 start-up
 * snapshot of the bundle (docker/frontend.Dockerfile), when a process restored from it starts: the
 * bundle's modules, the gateway's protobuf descriptors and the spec schemas among them, are then
 * loaded already instead of at every build. `warmUp` runs before the snapshot is taken, so that the
 * code it runs is compiled in the snapshot too.
 */
export function atStart(main: () => void, warmUp?: () => void): void {
  if (startupSnapshot?.isBuildingSnapshot()) {
    warmUp?.();
    startupSnapshot.setDeserializeMainFunction(main);
  } else main();
}
