// A small recorded run for the report and chart tests.
import type { ExampleName, WayName } from "../../../bench/suite/examples.js";
import type { Sample, SuiteRun } from "../../../bench/suite/results.js";

function sample(example: ExampleName, way: WayName, rep: number, scale: number, sizeBytes: number): Sample {
  return {
    example,
    way,
    rep,
    coldSeconds: 10 * scale + rep,
    cachedSeconds: 0.5 * scale,
    editSeconds: 2 * scale + rep / 10,
    dependencySeconds: 4 * scale,
    sizeBytes,
    layers: 5,
    firstOutputSeconds: 0.4 * scale,
  };
}

export function recordedRun(engine = "A"): SuiteRun {
  const scales: Record<WayName, number> = { frontend: 1, client: 1.1, dockerfile: 0.5, microb: 2, naive: 3 };
  const sizes: Record<WayName, number> = {
    frontend: 210_700_000,
    client: 210_700_000,
    dockerfile: 210_700_000,
    microb: 189_000_000,
    naive: 519_400_000,
  };
  const ways: WayName[] = ["frontend", "dockerfile", "microb", "naive"];
  const samples: Sample[] = [];
  for (let rep = 0; rep < 3; rep++)
    for (const way of ways) samples.push(sample("script", way, rep, scales[way], sizes[way]));
  return {
    schema: 1,
    engine,
    quick: false,
    date: "2026-11-23T09:00:00.000Z",
    durationSeconds: 600,
    repetitions: 3,
    addedDependency: "pfhello",
    machine: {
      cpus: 2,
      cpuModel: "Test CPU",
      memoryBytes: 24 * 2 ** 30,
      kernel: "6.1.0",
      os: "Debian GNU/Linux 12 (bookworm)",
    },
    engineVersions: {
      client: "20.10.24",
      server: "20.10.24",
      apiVersion: "1.41",
      components: { runc: "1.1.5", containerd: "1.6.20" },
    },
    examples: ["script"],
    ways,
    samples,
  };
}
