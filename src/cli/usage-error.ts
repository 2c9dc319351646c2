import { SpecError } from "../spec/diagnostics.js";

/** A mistake in how the command was called, reported like a spec's (exit code 2). */
export function usageError(message: string, hint?: string): SpecError {
  return new SpecError([{ code: "usage", message, severity: "error", ...(hint ? { hint } : {}) }]);
}
