import type { Problem } from "../diagnostic-list.js";
import { parseSpecifierSet, parseVersion, satisfies } from "../pep440.js";
import { normalizePackageName } from "./lock-graph.js";

/**
 * PEP 508 environment markers (`python_version < "3.11" and sys_platform != "win32"`), parsed and
 * evaluated the way pip's `packaging` does, plus PEP 751's `extras` and `dependency_groups` sets.
 * Locks are selected for a target before the build runs, so what cannot be known then (the
 * kernel's release) is an error instead of a guess.
 */
export type MarkerVariable =
  | "os_name"
  | "sys_platform"
  | "platform_machine"
  | "platform_python_implementation"
  | "platform_release"
  | "platform_system"
  | "platform_version"
  | "python_version"
  | "python_full_version"
  | "implementation_name"
  | "implementation_version"
  | "extra"
  | "extras"
  | "dependency_groups";

export type MarkerExpression =
  | { kind: "and" | "or"; left: MarkerExpression; right: MarkerExpression }
  | { kind: "compare"; left: MarkerOperand; operator: MarkerOperator; right: MarkerOperand };

export type MarkerOperand = { kind: "variable"; name: MarkerVariable } | { kind: "string"; value: string };

export type MarkerOperator = "<" | "<=" | "==" | "!=" | ">=" | ">" | "~=" | "===" | "in" | "not in";

/** The target a marker is evaluated for. A variable left undefined cannot be known before the build. */
export interface MarkerEnvironment {
  os_name: string;
  sys_platform: string;
  platform_machine: string;
  platform_python_implementation: string;
  platform_system: string;
  python_version: string;
  python_full_version: string;
  implementation_name: string;
  implementation_version: string;
  platform_release?: string;
  platform_version?: string;
  /** The extras of the package whose dependency the marker guards (`extra == "socks"`). */
  extra: ReadonlySet<string>;
  /** PEP 751: the extras and dependency groups asked for. */
  extras: ReadonlySet<string>;
  dependency_groups: ReadonlySet<string>;
}

/** Old spellings `packaging` still reads. */
const VARIABLE_ALIASES: Record<string, MarkerVariable> = {
  "os.name": "os_name",
  "sys.platform": "sys_platform",
  "platform.version": "platform_version",
  "platform.machine": "platform_machine",
  "platform.python_implementation": "platform_python_implementation",
  python_implementation: "platform_python_implementation",
};

/** PEP 508's environment variables (those a target defines, not `extra`). */
export const ENVIRONMENT_VARIABLES: readonly MarkerVariable[] = [
  "os_name",
  "sys_platform",
  "platform_machine",
  "platform_python_implementation",
  "platform_release",
  "platform_system",
  "platform_version",
  "python_version",
  "python_full_version",
  "implementation_name",
  "implementation_version",
];

const VARIABLES = new Set<string>([...ENVIRONMENT_VARIABLES, "extra", "extras", "dependency_groups"]);

const SET_VARIABLES = new Set<MarkerVariable>(["extra", "extras", "dependency_groups"]);

/** Longest first, so `<=` is not read as `<`. */
const OPERATORS = ["===", "==", "!=", "<=", ">=", "~=", "<", ">"] as const;

const MAX_MARKER_CHARS = 4096;

type Token =
  | { kind: "string"; value: string }
  | { kind: "word"; value: string }
  | { kind: "op"; value: string }
  | { kind: "paren"; value: "(" | ")" };

function tokenize(text: string): Token[] | Problem {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "(" || c === ")") {
      tokens.push({ kind: "paren", value: c });
      i++;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return markerProblem(text, `a string opened at character ${i + 1} is not closed`);
      tokens.push({ kind: "string", value: text.slice(i + 1, end) });
      i = end + 1;
    } else if ("<>=!~".includes(c)) {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (!op) return markerProblem(text, `unknown operator at character ${i + 1}`);
      tokens.push({ kind: "op", value: op });
      i += op.length;
    } else if (/[A-Za-z_.]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))!;
      tokens.push({ kind: "word", value: match[0] });
      i += match[0].length;
    } else {
      return markerProblem(text, `unexpected ${JSON.stringify(c)} at character ${i + 1}`);
    }
  }
  return tokens;
}

function markerProblem(text: string, detail: string): Problem {
  return {
    code: "invalid-marker",
    message: `environment marker ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}: ${detail}`,
    hint: 'markers look like python_version < "3.11" and sys_platform != "win32" (PEP 508)',
  };
}

/** Parses a PEP 508 marker; a malformed one is a problem naming where it went wrong. */
export function parseMarker(text: string): MarkerExpression | Problem {
  if (text.length > MAX_MARKER_CHARS)
    return markerProblem(text, `longer than ${MAX_MARKER_CHARS} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(text)) return markerProblem(text, "contains control characters");
  const tokens = tokenize(text);
  if (!Array.isArray(tokens)) return tokens;
  let at = 0;
  let depth = 0;
  const fail = (detail: string): Problem => markerProblem(text, detail);

  const operand = (): MarkerOperand | Problem => {
    const token = tokens[at];
    if (!token) return fail("ends where a value was expected");
    if (token.kind === "string") {
      at++;
      return { kind: "string", value: token.value };
    }
    if (token.kind === "word") {
      const name = VARIABLE_ALIASES[token.value] ?? token.value;
      if (!VARIABLES.has(name)) return fail(`unknown variable ${JSON.stringify(token.value)}`);
      at++;
      return { kind: "variable", name: name as MarkerVariable };
    }
    return fail(`expected a variable or a quoted string, found ${JSON.stringify(token.value)}`);
  };

  const operator = (): MarkerOperator | Problem => {
    const token = tokens[at];
    if (token?.kind === "op") {
      at++;
      return token.value as MarkerOperator;
    }
    if (token?.kind === "word" && token.value === "in") {
      at++;
      return "in";
    }
    if (token?.kind === "word" && token.value === "not" && tokens[at + 1]?.value === "in") {
      at += 2;
      return "not in";
    }
    return fail(
      token
        ? `expected an operator, found ${JSON.stringify(token.value)}`
        : "ends where an operator was expected",
    );
  };

  const atom = (): MarkerExpression | Problem => {
    if (tokens[at]?.kind === "paren" && tokens[at]?.value === "(") {
      at++;
      depth++;
      if (depth > 32) return fail("nested too deeply");
      const inner = or();
      if ("code" in inner) return inner;
      if (tokens[at]?.value !== ")") return fail("a parenthesis is not closed");
      at++;
      depth--;
      return inner;
    }
    const left = operand();
    if ("code" in left) return left;
    const op = operator();
    if (typeof op !== "string") return op;
    const right = operand();
    if ("code" in right) return right;
    if (left.kind === right.kind) {
      return fail("a comparison needs a variable on one side and a quoted string on the other");
    }
    return { kind: "compare", left, operator: op, right };
  };

  const chain = (kind: "and" | "or", next: () => MarkerExpression | Problem): MarkerExpression | Problem => {
    let left = next();
    if ("code" in left) return left;
    while (tokens[at]?.kind === "word" && tokens[at]?.value === kind) {
      at++;
      const right = next();
      if ("code" in right) return right;
      left = { kind, left, right };
    }
    return left;
  };
  const and = (): MarkerExpression | Problem => chain("and", atom);
  const or = (): MarkerExpression | Problem => chain("or", and);

  if (tokens.length === 0) return fail("is empty");
  const expression = or();
  if ("code" in expression) return expression;
  if (at < tokens.length) return fail(`unexpected ${JSON.stringify(tokens[at]!.value)}`);
  return expression;
}

export function isMarkerProblem(value: MarkerExpression | Problem): value is Problem {
  return "code" in value && "message" in value;
}

/** A marker variable the build's target does not fix before the build (the kernel's release). */
export class UnknownMarkerVariable extends Error {
  constructor(readonly variable: MarkerVariable) {
    super(`${variable} is not known before the build`);
  }
}

/** Evaluates a parsed marker for a target; throws UnknownMarkerVariable for what it cannot know. */
export function evaluateMarker(expression: MarkerExpression, env: MarkerEnvironment): boolean {
  switch (expression.kind) {
    case "and":
      return evaluateMarker(expression.left, env) && evaluateMarker(expression.right, env);
    case "or":
      return evaluateMarker(expression.left, env) || evaluateMarker(expression.right, env);
    case "compare":
      return compare(expression, env);
  }
}

function compare(
  expression: Extract<MarkerExpression, { kind: "compare" }>,
  env: MarkerEnvironment,
): boolean {
  const variable =
    expression.left.kind === "variable"
      ? expression.left
      : (expression.right as { kind: "variable"; name: MarkerVariable });
  const literal =
    expression.left.kind === "string" ? expression.left.value : (expression.right as { value: string }).value;
  const variableOnLeft = expression.left.kind === "variable";
  const op = expression.operator;

  if (SET_VARIABLES.has(variable.name)) {
    const set = env[variable.name] as ReadonlySet<string>;
    const wanted = normalizePackageName(literal);
    // `extra == "x"` asks whether x is among the active extras; PEP 751 writes `"x" in extras`.
    if (op === "==" || (op === "in" && !variableOnLeft)) return set.has(wanted);
    if (op === "!=" || (op === "not in" && !variableOnLeft)) return !set.has(wanted);
    return false;
  }

  const value = env[variable.name as Exclude<MarkerVariable, "extra" | "extras" | "dependency_groups">];
  if (value === undefined) throw new UnknownMarkerVariable(variable.name);
  const [lhs, rhs] = variableOnLeft ? [value, literal] : [literal, value];
  if (op === "in") return rhs.includes(lhs);
  if (op === "not in") return !rhs.includes(lhs);
  // As `packaging` does: a version comparison when the right side makes a valid specifier and
  // the left a valid version, a plain string comparison otherwise.
  const specifier = op === "===" ? undefined : parseSpecifierSet(`${op}${rhs}`);
  if (specifier && specifier.length === 1 && parseVersion(lhs)) return satisfies(lhs, specifier);
  switch (op) {
    case "==":
    case "===":
      return lhs === rhs;
    case "!=":
      return lhs !== rhs;
    case "<":
      return lhs < rhs;
    case "<=":
      return lhs <= rhs;
    case ">":
      return lhs > rhs;
    case ">=":
      return lhs >= rhs;
    default:
      return false;
  }
}

/** The variables a marker reads, to tell which ones a selection depends on. */
export function markerVariables(expression: MarkerExpression): Set<MarkerVariable> {
  const found = new Set<MarkerVariable>();
  const walk = (e: MarkerExpression): void => {
    if (e.kind === "compare") {
      if (e.left.kind === "variable") found.add(e.left.name);
      if (e.right.kind === "variable") found.add(e.right.name);
    } else {
      walk(e.left);
      walk(e.right);
    }
  };
  walk(expression);
  return found;
}
