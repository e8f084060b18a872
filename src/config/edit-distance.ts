/** "Did you mean" suggestions for misspelled keys and values. */

/**
 * Edit distance between `a` and `b` (optimal string alignment): insert, delete, substitute and
 * swap two adjacent characters each cost 1, so `incldue` is 1 away from `include`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const prev = rows[i - 1] ?? [];
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j - 1] ?? 0) + cost, (prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      cur.push(d);
    }
    rows.push(cur);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The candidates close to `word`, best first: distance at most a third of the longer name
 * (minimum 1, maximum 3), compared case-insensitively. Returns at most `max` names.
 */
export function suggest(word: string, candidates: readonly string[], max = 2): readonly string[] {
  const w = word.toLowerCase();
  return candidates
    .map((c) => ({ c, d: editDistance(w, c.toLowerCase()) }))
    .filter(({ c, d }) => d <= Math.min(3, Math.max(1, Math.floor(Math.max(w.length, c.length) / 3))))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map(({ c }) => c);
}

/** ` (did you mean `a` or `b`?)`, or the empty string when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s.length === 0 ? '' : ` (did you mean ${s.map((x) => `\`${x}\``).join(' or ')}?)`;
}
