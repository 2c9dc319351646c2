/** The candidate closest to `word` when it is a plausible typo (edit distance ≤ 1/3 of its length). */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  // Keys are short; a word far longer than any candidate is no typo, and the distance costs
  // length × length, so it is not computed (a 1 MB key once took 15 s here).
  if (word.length > MAX_TYPO_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const needle = word.toLowerCase().replaceAll("-", "_");
  for (const candidate of [...candidates].sort()) {
    const distance = editDistance(needle, candidate.toLowerCase().replaceAll("-", "_"));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  if (bestDistance <= limit) return best;
  // A shortened key (`python` for `python_version`) is a near miss too.
  if (needle.length < 4) return undefined;
  return [...candidates].sort().find((c) => c.toLowerCase().replaceAll("-", "_").startsWith(needle));
}

const MAX_TYPO_LENGTH = 64;

/** Levenshtein distance with adjacent transpositions counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const prev = d[i - 1]!;
      let value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[i - 2]![j - 2]! + 1);
      }
      row[j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
