/** The order in which the suite runs its sequences: ways interleaved within each repetition. */
export interface Slot<E extends string, W extends string> {
  example: E;
  way: W;
  /** 0-based repetition. */
  rep: number;
}

/**
 * Example by example, repetition by repetition, every way once per repetition in the same order
 * (A B C D A B C D ...): a slow drift of the machine then falls on all ways alike.
 */
export function interleave<E extends string, W extends string>(
  examples: readonly E[],
  ways: readonly W[],
  repetitions: number,
): Slot<E, W>[] {
  if (!Number.isInteger(repetitions) || repetitions < 1) {
    throw new Error(`repetitions must be a positive integer, got ${repetitions}`);
  }
  const slots: Slot<E, W>[] = [];
  for (const example of examples) {
    for (let rep = 0; rep < repetitions; rep++) {
      for (const way of ways) slots.push({ example, way, rep });
    }
  }
  return slots;
}
