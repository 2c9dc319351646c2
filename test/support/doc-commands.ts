// The commands README.md and docs/ show: every `$ ` line of a console block, split at `&&`, with
// its trailing `# comment` dropped. The unit doc test and the e2e doc test both run from this list.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..");

export interface DocCommand {
  /** `file: command`, unique enough to name a test. */
  where: string;
  /** The command as the doc shows it, without its comment. */
  text: string;
  words: string[];
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? markdownFiles(join(dir, entry.name))
      : entry.name.endsWith(".md")
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Shell words of one command line: quotes and backslash-free, which is all the docs use. */
export function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Every command of README.md and docs/**.md, in file order. */
export function docCommands(root = repoRoot): DocCommand[] {
  return [join(root, "README.md"), ...markdownFiles(join(root, "docs"))].flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(/```console\n([\s\S]*?)```/g)].flatMap((block) =>
      block[1]!
        .split("\n")
        .map((line) => line.trimStart())
        .filter((line) => line.startsWith("$ "))
        .flatMap((line) =>
          line
            .slice(2)
            .replace(/\s+#\s.*$/, "")
            .split("&&")
            .map((part) => part.trim())
            .map((part) => ({
              where: `${relative(root, file)}: ${part}`,
              text: part,
              words: shellWords(part),
            })),
        ),
    );
  });
}
