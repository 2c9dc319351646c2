import { describe, expect, it } from "vitest";
import {
  CODE_ENV,
  containerSpec,
  dockerCreateBody,
  isRootUser,
  JobSpecError,
} from "../../../src/jobs/container-spec.js";

const names = { code: "v-code", inputs: "v-inputs", outputs: "v-outputs" };

describe("a job's container spec", () => {
  it("mounts an archive's volume read-only at /code and tells the launcher where the archive is", () => {
    const spec = containerSpec({
      image: "exec-python-3.11:1.0.0",
      args: ["python", "main.py", "$HOME; rm -rf /"],
      code: "archive",
      env: { PIP_INDEX_URL: "http://127.0.0.1:3141/simple", A: "1" },
      network: "host",
    });
    expect(spec).toEqual({
      image: "exec-python-3.11:1.0.0",
      args: ["python", "main.py", "$HOME; rm -rf /"],
      env: ["A=1", "PIP_INDEX_URL=http://127.0.0.1:3141/simple", `${CODE_ENV}=/code/code.tgz`],
      readOnlyRootfs: true,
      volumes: [
        { role: "code", target: "/code", readOnly: true },
        { role: "outputs", target: "/outputs", readOnly: false },
      ],
      tmpfs: { "/tmp": "rw,nosuid,nodev,exec,mode=1777,size=2g" },
      network: "host",
      labels: { "org.pyfront.job": "pyfront job run" },
    });
  });

  it("mounts a folder's tree at /code as it is, inputs at /inputs, and no code when there is none", () => {
    const folder = containerSpec({ image: "i", args: [], code: "directory", inputs: true });
    expect(folder.env).toEqual([]);
    expect(folder.volumes.map((v) => [v.target, v.readOnly])).toEqual([
      ["/code", true],
      ["/inputs", true],
      ["/outputs", false],
    ]);
    expect(containerSpec({ image: "i", args: ["-csv"] }).volumes.map((v) => v.role)).toEqual(["outputs"]);
  });

  it("is the Docker API's create body: argv as Cmd, a read-only root, tmpfs /tmp, named volumes, no new privileges", () => {
    const body = dockerCreateBody(
      containerSpec({ image: "i:1", args: ["python", "x.py"], code: "directory", user: "1000:1000" }),
      names,
    );
    expect(body).toMatchObject({
      Image: "i:1",
      Cmd: ["python", "x.py"],
      User: "1000:1000",
      Tty: false,
      HostConfig: {
        ReadonlyRootfs: true,
        NetworkMode: "default",
        Tmpfs: { "/tmp": "rw,nosuid,nodev,exec,mode=1777,size=2g" },
        Mounts: [
          { Type: "volume", Source: "v-code", Target: "/code", ReadOnly: true },
          { Type: "volume", Source: "v-outputs", Target: "/outputs", ReadOnly: false },
        ],
        SecurityOpt: ["no-new-privileges"],
      },
    });
    expect(body).not.toHaveProperty("Entrypoint");
    // Without --user the image's own user runs the job.
    expect(dockerCreateBody(containerSpec({ image: "i", args: [] }), names)).not.toHaveProperty("User");
  });

  it("gives the same spec for the same job, whatever the order of its environment", () => {
    const one = containerSpec({ image: "i", args: ["a"], env: { B: "2", A: "1" } });
    const two = containerSpec({ image: "i", args: ["a"], env: { A: "1", B: "2" } });
    expect(one).toEqual(two);
  });

  it("refuses root, a bad variable name, the launcher's own variable, a bad network or size, with a message", () => {
    const refused = (job: Parameters<typeof containerSpec>[0]) => {
      try {
        containerSpec(job);
      } catch (error) {
        expect(error).toBeInstanceOf(JobSpecError);
        return (error as Error).message;
      }
      throw new Error("not refused");
    };
    expect(refused({ image: "i", args: [], user: "root" })).toBe("jobs do not run as root");
    expect(refused({ image: "i", args: [], user: "0:0" })).toBe("jobs do not run as root");
    expect(refused({ image: "i", args: [], env: { "A-B": "x" } })).toContain('"A-B"');
    expect(refused({ image: "i", args: [], env: { [CODE_ENV]: "/etc" } })).toContain(
      "set by pyfront job run",
    );
    expect(refused({ image: "i", args: [], network: "host; rm" })).toContain("network");
    expect(refused({ image: "i", args: [], tmpSize: "lots" })).toContain("/tmp size");
    expect(refused({ image: "", args: [] })).toContain("image");
  });

  it("tells root users apart", () => {
    expect([undefined, "", "root", "0", "0:0", "root:root"].every(isRootUser)).toBe(true);
    expect(["job", "1000", "1000:1000", "app:app"].some(isRootUser)).toBe(false);
  });
});
