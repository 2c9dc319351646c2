import { marshalDefinition } from "../buildkit/llb/index.js";
import { memoryContext } from "../context/memory-context.js";
import { planBuild } from "../plan/plan-build.js";
import { renderLlb } from "../render/llb.js";
import { loadBuildSpec } from "../spec/load-build-spec.js";

/**
 * A project as most users write one: `[project]` with dependencies, a package, pyfront's table.
 * Its index is never asked: nothing is built.
 */
const WARM_UP_PROJECT: Record<string, string> = {
  "pyproject.toml": `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "warm-up"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["flask>=2.2", "gunicorn"]

[tool.pyfront]
python_version = "3.12"
command = ["gunicorn", "warm_up:app"]
expose = [8000]
env = { APP_ENV = "production" }
`,
  "warm_up/__init__.py": "",
};

/**
 * Loads, plans and renders a small built-in project, the way a build does, and throws the result
 * away. Run while the frontend image's start-up snapshot is taken (src/frontend/start.ts): V8
 * then compiles the spec, plan and render code before the snapshot, and every build's frontend
 * starts with that code compiled instead of compiling it on its first use. It reads no file and
 * no gateway, and nothing it computes is kept.
 */
export function warmUp(): void {
  const loaded = loadBuildSpec(
    WARM_UP_PROJECT["pyproject.toml"]!,
    { specFile: "pyproject.toml", buildArgs: {} },
    memoryContext(WARM_UP_PROJECT),
  );
  const plan = planBuild(loaded.spec, { buildArgs: {} });
  const rendered = renderLlb(plan, { sessionId: "warm-up", contextExcludes: [] });
  marshalDefinition(rendered.state, { platform: rendered.platform });
}
