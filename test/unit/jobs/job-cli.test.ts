import { describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../../src/cli/main.js";
import { cli, project } from "../cli/cli-harness.js";

// Mistakes `pyfront job run` tells before it reaches an engine; the runs themselves are e2e
// (test/e2e/job-images.test.ts).
describe("pyfront job run", () => {
  it("wants the job's arguments after --", async () => {
    const result = await cli(["job", "run", "--image", "exec-python-3.11:1.0.0", "code.tgz"]);
    expect(result.code).toBe(EXIT_USER_ERROR);
    expect(result.stderr).toContain("give the job's arguments after --");
    expect(result.stderr).toContain(
      "pyfront job run --image exec-python-3.11:1.0.0 ./code.tgz -- python main.py",
    );
  });

  it("takes one CODE before --", async () => {
    const result = await cli(["job", "run", "--image", "i", "a.tgz", "b.tgz", "--", "python", "main.py"]);
    expect(result.code).toBe(EXIT_USER_ERROR);
    expect(result.stderr).toContain('one CODE only, before --; got "a.tgz", "b.tgz"');
  });

  it("names missing code, and a user that is root, before it runs anything", async () => {
    const dir = project({ "main.py": "" });
    const missing = await cli(["job", "run", "--image", "i", "nothing-here.tgz", "--", "python"], {
      cwd: dir,
    });
    expect(missing.code).toBe(EXIT_USER_ERROR);
    expect(missing.stderr).toContain("no code at");
    const root = await cli(["job", "run", "--image", "i", "--user", "0", ".", "--", "python"], {
      cwd: dir,
      env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" },
    });
    expect(root.code).toBe(EXIT_USER_ERROR);
    expect(root.stderr).toContain("jobs do not run as root");
  });
});
