/**
 * Cohen's kappa: agreement between two raters beyond what chance would give.
 * κ = (pₒ − pₑ) / (1 − pₑ), with pₒ the observed agreement and pₑ the agreement expected from each
 * rater's label frequencies. Null when there is nothing to compare; 1 when both raters used one
 * and the same label throughout (pₑ = 1 and they agree).
 */
export function cohensKappa(pairs: ReadonlyArray<readonly [string, string]>): number | null {
  if (pairs.length === 0) return null;
  const first = new Map<string, number>();
  const second = new Map<string, number>();
  let agreed = 0;
  for (const [a, b] of pairs) {
    first.set(a, (first.get(a) ?? 0) + 1);
    second.set(b, (second.get(b) ?? 0) + 1);
    if (a === b) agreed += 1;
  }
  const total = pairs.length;
  const observed = agreed / total;
  let expected = 0;
  for (const [label, count] of first) expected += (count / total) * ((second.get(label) ?? 0) / total);
  if (expected === 1) return observed === 1 ? 1 : 0;
  return (observed - expected) / (1 - expected);
}
