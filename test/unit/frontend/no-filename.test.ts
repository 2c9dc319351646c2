// A gateway client that names no file (buildctl --frontend gateway.v0 without --opt filename):
// the frontend detects the layout in the `dockerfile` local, with the CLI's candidates.
import { afterEach, describe, expect, it } from "vitest";
import type { ReturnInput } from "../../../src/buildkit/index.js";
import { runFrontend } from "../../../src/frontend/frontend.js";
import { type FakeBuildKit, type Files, frontendEnv, startFakeBuildKit } from "./fake-buildkit.js";

const FLASK_APP: Files = {
  "requirements.txt": "flask\ngunicorn\n",
  "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
  "README.md": "# notes\n",
};

function withoutFilename() {
  const env = frontendEnv();
  return { ...env, opts: {} };
}

describe("a build that names no spec file", () => {
  let fake: FakeBuildKit | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it("finds requirements.txt as the CLI would, and builds it with zero config", async () => {
    fake = await startFakeBuildKit({ dockerfile: FLASK_APP, context: FLASK_APP });
    const result = await runFrontend(fake.gateway, withoutFilename());
    expect("error" in result, JSON.stringify(result)).toBe(false);
    const config = JSON.parse(
      String((result as Extract<ReturnInput, { ref?: string }>).metadata?.["containerimage.config"]),
    );
    expect(config.config.Cmd).toEqual(["gunicorn", "app:app"]);
    expect(config.config.ExposedPorts).toEqual({ "8000/tcp": {} });
    // The look-up asks BuildKit for the candidate names only, not the whole folder.
    const lookup = fake.locals.find((l) => l.attrs["local.includepattern"] !== undefined);
    expect(JSON.parse(lookup?.attrs["local.includepattern"] ?? "[]")).toContain("requirements.txt");
  });

  it("says there is nothing to build when no candidate is there", async () => {
    const files = { "README.md": "# notes\n", "notes.txt": "x\n" };
    fake = await startFakeBuildKit({ dockerfile: { "README.md": "# notes\n" }, context: files });
    const result = await runFrontend(fake.gateway, withoutFilename());
    if (!("error" in result)) throw new Error("expected an error");
    expect(result.error.message).toMatch(/^nothing to build: no pyproject\.toml, Mopyfile\.yaml, Pipfile/);
    expect(result.error.message).toContain("--opt filename=FILE");
  });
});
