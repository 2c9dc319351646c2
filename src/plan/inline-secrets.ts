import type { BuildSpec } from "../spec/build-spec.js";
import { inlineIndexSecretId } from "./recipe-constants.js";

/**
 * microb lets users write index credentials into pyproject.toml. The plan refers to them only by
 * secret id; an edge that runs the build (CLI session, frontend) takes the values from here and
 * serves them as build secrets, so they stay out of the plan, layers, history and logs.
 */
export function inlineSecretValues(spec: BuildSpec): Map<string, string> {
  const values = new Map<string, string>();
  spec.indices.forEach((index, position) => {
    const credentials = index.inlineCredentials;
    if (index.credentialsSecret || !credentials) return;
    const value =
      credentials.password === undefined
        ? credentials.username
        : `${credentials.username}:${credentials.password}`;
    values.set(inlineIndexSecretId(position), value);
  });
  return values;
}
