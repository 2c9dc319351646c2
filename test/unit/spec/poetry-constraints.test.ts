import { expect, test } from "vitest";
import { poetryConstraintToPep440 } from "../../../src/spec/poetry-constraints.js";

test.each([
  ["^1.2.3", ">=1.2.3,<2.0.0"],
  ["^1.2", ">=1.2,<2.0"],
  ["^1", ">=1,<2"],
  ["^0.2.3", ">=0.2.3,<0.3.0"],
  ["^0.0.3", ">=0.0.3,<0.0.4"],
  ["^0.0", ">=0.0,<0.1"],
  ["~1.2.3", ">=1.2.3,<1.3.0"],
  ["~1.2", ">=1.2,<1.3"],
  ["~1", ">=1,<2"],
  ["~=1.2", "~=1.2"],
  ["1.2.*", "==1.2.*"],
  ["1.2.3", "==1.2.3"],
  [">=1.2, <2", ">=1.2,<2"],
  [">= 1.2 < 2", ">=1.2,<2"],
  ["*", ""],
])("Poetry %j is PEP 440 %j", (poetry, pep440) => {
  expect(poetryConstraintToPep440(poetry)).toBe(pep440);
});

test.each(["^1 || ^2", "latest", "^a.b"])("Poetry %j is refused", (poetry) => {
  expect(poetryConstraintToPep440(poetry)).toHaveProperty("code");
});
