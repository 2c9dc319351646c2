import type { Argument, Command, Option } from "commander";

/** Shells `pyfront completion` writes a script for. */
export const COMPLETION_SHELLS = ["bash", "zsh"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/**
 * The completion script for a shell, generated from the command definitions themselves so a new
 * flag or command completes without anyone editing a script. Option values with fixed choices
 * complete to those choices, other values (and positional arguments) to file names.
 */
export function completionScript(program: Command, shell: CompletionShell): string {
  return shell === "bash" ? bashScript(program) : zshScript(program);
}

interface CommandShape {
  name: string;
  description: string;
  options: Option[];
  args: readonly Argument[];
}

function shapes(program: Command): CommandShape[] {
  return program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    options: visibleOptions(c),
    args: c.registeredArguments,
  }));
}

function visibleOptions(command: Command): Option[] {
  return command.options.filter((o) => !o.hidden);
}

function flagsOf(option: Option): string[] {
  return [option.short, option.long].filter((f): f is string => f !== undefined);
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

function bashScript(program: Command): string {
  const name = program.name();
  const fn = `_${name}_completion`;
  const commands = shapes(program);
  const topWords = [...commands.map((c) => c.name), ...visibleOptions(program).flatMap(flagsOf)];
  const cases = commands.map((c) => {
    const valueCases = c.options.filter(takesValue).map((o) => {
      const reply = o.argChoices
        ? `COMPREPLY=($(compgen -W "${o.argChoices.join(" ")}" -- "$cur"))`
        : `COMPREPLY=($(compgen -f -- "$cur"))`;
      return `        ${flagsOf(o).join("|")}) ${reply}; return ;;`;
    });
    const choices = c.args[0]?.argChoices;
    const positional = choices
      ? `COMPREPLY=($(compgen -W "${choices.join(" ")}" -- "$cur"))`
      : `COMPREPLY=($(compgen -f -- "$cur"))`;
    const flags = [...c.options.flatMap(flagsOf), "--help"].join(" ");
    return [
      `    ${c.name})`,
      ...(valueCases.length > 0 ? ['      case "$prev" in', ...valueCases, "      esac"] : []),
      `      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${flags}" -- "$cur")); else ${positional}; fi`,
      "      ;;",
    ].join("\n");
  });
  return `# bash completion for ${name}. Load it with:  source <(${name} completion bash)
# or install it:  ${name} completion bash > ~/.local/share/bash-completion/completions/${name}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" command="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) command="\${COMP_WORDS[i]}"; break ;; esac
  done
  COMPREPLY=()
  case "$command" in
    "") COMPREPLY=($(compgen -W "${topWords.join(" ")}" -- "$cur")) ;;
${cases.join("\n")}
  esac
}
complete -o filenames -o bashdefault -F ${fn} ${name}
`;
}

/** Options that may be given several times (zsh offers them again). */
const REPEATABLE_OPTIONS = new Set(["--build-arg", "--tag", "--secret"]);

/** Text inside a zsh _arguments `[description]` or `name:description`: its metacharacters escaped. */
function zshText(text: string): string {
  return text.replace(/[\\[\]:'`$]/g, (c) => (c === "'" ? "'\\''" : `\\${c}`));
}

function zshOptionSpec(option: Option): string {
  const flags = flagsOf(option);
  const repeatable = REPEATABLE_OPTIONS.has(option.long ?? "") ? "*" : "";
  const exclusive = flags.length > 1 && !repeatable ? `(${flags.join(" ")})` : "";
  const names = flags.length > 1 && !repeatable ? `{${flags.join(",")}}` : flags.join(" ");
  const description = `[${zshText(option.description)}]`;
  const value = !takesValue(option)
    ? ""
    : option.argChoices
      ? `:value:(${option.argChoices.join(" ")})`
      : /file/.test(option.long ?? "")
        ? ":file:_files"
        : ":value: ";
  // Brace expansion only works unquoted, so the quoted parts sit around it.
  return flags.length > 1 && !repeatable
    ? `'${exclusive}'${names}'${description}${value}'`
    : `'${repeatable}${names}${description}${value}'`;
}

function zshScript(program: Command): string {
  const name = program.name();
  const fn = `_${name}`;
  const commands = shapes(program);
  const described = commands.map((c) => `    '${zshText(c.name)}:${zshText(c.description)}'`);
  const cases = commands.map((c) => {
    const args = c.args.map((a, i) => {
      const action = a.argChoices ? `(${a.argChoices.join(" ")})` : "_files";
      return `'${i + 1}:${zshText(a.name())}:${action}'`;
    });
    const specs = [...c.options.map(zshOptionSpec), ...args].join(" \\\n            ");
    return `        ${c.name}) _arguments ${specs} ;;`;
  });
  return `#compdef ${name}
# zsh completion for ${name}. Load it with:  source <(${name} completion zsh)
# or install it as _${name} in a directory on $fpath.
${fn}() {
  local -a commands
  commands=(
${described.join("\n")}
  )
  local curcontext="$curcontext" state line
  _arguments -C \\
    '(- *)'{-V,--version}'[print the version]' \\
    '(- *)'{-h,--help}'[print help]' \\
    '1: :->command' \\
    '*:: :->args'
  case $state in
    command) _describe -t commands '${name} command' commands ;;
    args)
      case $line[1] in
${cases.join("\n")}
      esac
      ;;
  esac
}
if [[ "$funcstack[1]" == "${fn}" ]]; then ${fn} "$@"; else compdef ${fn} ${name}; fi
`;
}
