/**
 * Wilson score interval for a binomial proportion: unlike the normal approximation (p ± z·√(p(1−p)/n))
 * it stays inside [0, 1] and does not collapse to a zero-width interval at 0 or n successes, which
 * matters for the small counts of one team × stage.
 */
export function wilsonInterval(successes: number, trials: number, z = 1.959964): { low: number; high: number } | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const margin = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  return { low: round(Math.max(0, centre - margin)), high: round(Math.min(1, centre + margin)) };
}
