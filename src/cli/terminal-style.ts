/** ANSI styling for the CLI's messages, decided once per run from the stream and the environment. */
export interface Style {
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const COLOURED: Style = { bold: ansi(1, 22), red: ansi(31, 39), yellow: ansi(33, 39), cyan: ansi(36, 39) };
const PLAIN: Style = { bold: (t) => t, red: (t) => t, yellow: (t) => t, cyan: (t) => t };

/**
 * Colour when writing to a terminal, unless NO_COLOR is set (no-color.org); FORCE_COLOR overrides
 * both ways ("0" or "false" turn colour off, anything else on), as Node and most CLIs read it, so
 * CI logs that render ANSI can ask for it. TERM=dumb means a terminal that cannot show it.
 */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Style {
  return wantsColour(stream, env) ? COLOURED : PLAIN;
}
