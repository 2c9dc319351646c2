/**
 * The examples the suite builds and how each is probed, edited and given one more dependency.
 * The microb and naive fields say what those two Dockerfiles need for this example (the values
 * microb would read from the same pyproject.toml, and the command a newcomer would write).
 */
export const EXAMPLE_NAMES = ["script", "webapp", "compiled", "dataframe"] as const;
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

export type Probe = { kind: "stdout" } | { kind: "http"; containerPort: number; path: string };

export interface BenchExample {
  name: ExampleName;
  /** Directory under examples/. */
  dir: string;
  /** A package (installed with pip) or a plain script. */
  isPackage: boolean;
  /** Context path of the source file the one-line edit goes to. */
  editFile: string;
  /** [project].dependencies as the example declares them. */
  dependencies: string[];
  buildDeps: string[];
  systemDeps: string[];
  /** microb's `entrypoint` for this example (microb installs the project into ~/.local). */
  microbEntrypoint: string[];
  /** The CMD a newcomer writes after `COPY . .` into /app. */
  naiveCommand: string[];
  probe: Probe;
}

/** A small pure-Python package of the local index that none of the examples pulls in already. */
export const ADDED_DEPENDENCY = "pfhello";

export const EXAMPLES: Record<ExampleName, BenchExample> = {
  script: {
    name: "script",
    dir: "script",
    isPackage: false,
    editFile: "main.py",
    dependencies: [],
    buildDeps: [],
    systemDeps: [],
    microbEntrypoint: ["python", "-m", "main"],
    naiveCommand: ["python", "main.py"],
    probe: { kind: "stdout" },
  },
  webapp: {
    name: "webapp",
    dir: "webapp",
    isPackage: true,
    editFile: "webapp/__init__.py",
    dependencies: ["flask>=2.2"],
    buildDeps: [],
    systemDeps: [],
    microbEntrypoint: ["python", "-m", "webapp"],
    naiveCommand: ["python", "-m", "webapp"],
    probe: { kind: "http", containerPort: 8000, path: "/health" },
  },
  compiled: {
    name: "compiled",
    dir: "compiled",
    isPackage: true,
    editFile: "src/yamlcount/__init__.py",
    dependencies: ["yamlfast==1.0.0"],
    buildDeps: ["libyaml-dev"],
    systemDeps: ["libyaml-0-2"],
    microbEntrypoint: ["yamlcount"],
    naiveCommand: ["yamlcount"],
    probe: { kind: "stdout" },
  },
  // The heavy one: numpy and pandas (about 116 MB of venv), so that every measure shows how its
  // cost grows with the dependency tree.
  dataframe: {
    name: "dataframe",
    dir: "dataframe",
    isPackage: true,
    editFile: "src/salesreport/__init__.py",
    dependencies: ["numpy>=1.24", "pandas>=1.5"],
    buildDeps: [],
    systemDeps: [],
    microbEntrypoint: ["salesreport"],
    naiveCommand: ["salesreport"],
    probe: { kind: "stdout" },
  },
};

export const WAY_NAMES = ["frontend", "client", "dockerfile", "microb", "naive"] as const;
export type WayName = (typeof WAY_NAMES)[number];

export const WAY_LABELS: Record<WayName, string> = {
  frontend: "pyfront's frontend",
  client: "`pyfront build`",
  dockerfile: "`pyfront dockerfile` output",
  microb: "microb's Dockerfile",
  naive: "naive Dockerfile",
};

/** Short labels for the chart's legend (no Markdown). */
export const WAY_SHORT: Record<WayName, string> = {
  frontend: "pyfront frontend",
  client: "pyfront build",
  dockerfile: "pyfront dockerfile",
  microb: "microb Dockerfile",
  naive: "naive Dockerfile",
};
