import { describe, expect, it } from "vitest";
import {
  commentLine,
  copyArguments,
  doubleQuoted,
  execForm,
  lexerLiteral,
  mountFlag,
  workdirArgument,
} from "../../../src/render/dockerfile-quoting.js";
import { csvRecord, flagWord, processWord } from "./docker-parser-model.js";

const HOSTILE = [
  "plain",
  "with space",
  "it's",
  'say "hi"',
  "$(rm -rf /)",
  "${HOME}",
  "$HOME/x",
  "back\\slash\\",
  "`id`",
  "a,b=c",
  "tab\there",
  "ünïcødé",
  "[not json",
  "--flag-like",
  "'",
  "",
];

describe("Dockerfile quoting against a model of Docker 20.10's parser", () => {
  it("lexerLiteral survives ProcessWord unchanged and unexpanded", () => {
    for (const text of HOSTILE) expect(processWord(lexerLiteral(text))).toBe(text);
  });

  it("doubleQuoted (ENV/LABEL) survives ProcessWord unchanged and unexpanded", () => {
    for (const text of HOSTILE) expect(processWord(doubleQuoted(text))).toBe(text);
  });

  it("doubleQuoted refuses line breaks, which a Dockerfile line cannot carry", () => {
    expect(() => doubleQuoted("a\nRUN evil")).toThrow(/line break/);
    expect(() => doubleQuoted("a\rb")).toThrow(/line break/);
  });

  it("COPY words: plain when safe, else JSON form of protected words", () => {
    expect(copyArguments(["src/app", "/app/"])).toBe("src/app /app/");
    const rendered = copyArguments(["my dir/it's $X", "/dest dir/"]);
    const words = JSON.parse(rendered) as string[];
    expect(words.map(processWord)).toEqual(["my dir/it's $X", "/dest dir/"]);
    expect(copyArguments(["--from=x", "/d"]).startsWith("[")).toBe(true);
  });

  it("WORKDIR takes the rest of the line as one protected word", () => {
    expect(workdirArgument("/srv/app")).toBe("/srv/app");
    expect(processWord(workdirArgument("/srv/my $app"))).toBe("/srv/my $app");
  });

  it("mount flags come back as the same CSV fields, or are refused", () => {
    for (const text of HOSTILE) {
      const fields: Array<[string, string]> = [
        ["type", "bind"],
        ["source", text],
        ["target", "/t"],
      ];
      if (/[^\x20-\x7e]|[$'"\\`]/.test(text)) {
        expect(() => mountFlag(fields)).toThrow(/cannot write .* into a Dockerfile --mount source/);
        continue;
      }
      const flag = mountFlag([
        ["type", "bind"],
        ["source", text],
        ["target", "/t"],
      ]);
      const { word, rest } = flagWord(`${flag} ["true"]`);
      expect(rest).toBe('["true"]');
      expect(csvRecord(word.slice("--mount=".length))).toEqual(["type=bind", `source=${text}`, "target=/t"]);
    }
  });

  it("exec form is one line of JSON that parses back to the same argv", () => {
    const argv = ["sh", "-c", 'echo "$1"\nexit', "sh", "a\u2028b", "x\ny"];
    const line = execForm(argv);
    expect(line).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(JSON.parse(line)).toEqual(argv);
  });

  it("comments stay on one line", () => {
    expect(commentLine("a\nFROM evil")).toBe("# a FROM evil");
  });
});
