import { describe, expect, it } from "vitest";
import {
  renderMicrobDockerfile,
  renderNaiveDockerfile,
  trustedHost,
} from "../../../bench/suite/dockerfiles.js";

const index = { url: "http://127.0.0.1:3141/simple" };

describe("renderMicrobDockerfile", () => {
  const compiled = renderMicrobDockerfile({
    pythonVersion: "3.11",
    buildDeps: ["libyaml-dev"],
    systemDeps: ["libyaml-0-2"],
    packages: ["yamlfast==1.0.0"],
    entrypoint: ["yamlcount"],
    index,
  });

  it("keeps microb's two stages, user install, strip step, non-root user and PATH", () => {
    const lines = compiled.split("\n");
    expect(lines[0]).toBe("FROM python:3.11 AS builder");
    expect(lines).toContain("FROM python:3.11-slim");
    expect(lines).toContain("ENV PIP_USER=1");
    expect(lines).toContain("COPY . /projectdir");
    expect(lines).toContain("USER 65532:65532");
    expect(lines).toContain("COPY --from=builder /root/.local /home/nonroot/.local");
    expect(lines).toContain("ENV PATH=$PATH:/home/nonroot/.local/bin");
    expect(compiled).toContain(
      '-name \'*.so\' -exec sh -c \'file "{}" | grep -q "not stripped" && strip -s "{}"\' \\;',
    );
  });

  it("puts the example's apt packages in the builder and the runtime, and its requirements before the copy", () => {
    expect(compiled).toContain("apt-get install -y --no-install-recommends libyaml-dev\n");
    expect(compiled).toContain(
      "apt-get install -y --no-install-recommends  libyaml-0-2  && rm -rf /var/lib/apt/lists/*",
    );
    const pip = compiled.indexOf("pip install --user --retries 2");
    expect(pip).toBeGreaterThan(0);
    expect(pip).toBeLessThan(compiled.indexOf("COPY . /projectdir"));
    expect(compiled).toContain(
      "--index-url http://127.0.0.1:3141/simple --trusted-host 127.0.0.1:3141 yamlfast==1.0.0",
    );
    expect(compiled).toContain('ENTRYPOINT ["yamlcount"]');
  });

  it("drops the RUN lines whose package list is empty", () => {
    const script = renderMicrobDockerfile({
      pythonVersion: "3.11",
      buildDeps: [],
      systemDeps: [],
      packages: [],
      entrypoint: ["python", "-m", "main"],
      index,
    });
    expect(script).not.toContain("apt-get");
    expect(script).not.toContain("--user --retries");
    expect(script).toContain("--no-deps /projectdir");
  });
});

describe("renderNaiveDockerfile", () => {
  it("is one stage on the full image: COPY . . then pip install . as root", () => {
    expect(
      renderNaiveDockerfile({
        pythonVersion: "3.11",
        extraPackages: [],
        command: ["python", "-m", "webapp"],
        index,
      }),
    ).toBe(
      [
        "FROM python:3.11",
        "WORKDIR /app",
        "COPY . .",
        "RUN pip install --index-url http://127.0.0.1:3141/simple --trusted-host 127.0.0.1:3141 .",
        'CMD ["python","-m","webapp"]',
        "",
      ].join("\n"),
    );
  });

  it("installs extra requirements by name after the project", () => {
    const out = renderNaiveDockerfile({
      pythonVersion: "3.11",
      extraPackages: ["pfhello"],
      command: ["python", "main.py"],
      index,
    });
    expect(out).toContain(
      "--trusted-host 127.0.0.1:3141 .\nRUN pip install --index-url http://127.0.0.1:3141/simple --trusted-host 127.0.0.1:3141 pfhello\n",
    );
  });
});

describe("trustedHost", () => {
  it("is host and port of the index", () => {
    expect(trustedHost(index)).toBe("127.0.0.1:3141");
    expect(trustedHost({ url: "https://pypi.example.com/simple" })).toBe("pypi.example.com");
  });
});
