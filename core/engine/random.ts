// Training must be reproducible from a seed: the one seeded generator (mulberry32) of the project.
export { createRandom } from "../dataset/snapshot.ts";

/** Fisher–Yates shuffle of the first `length` entries, in place. */
export function shuffleInPlace<Item>(
  items: { length: number; [index: number]: Item },
  random: () => number,
  length = items.length,
): void {
  for (let index = length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    const swap = items[index];
    items[index] = items[other];
    items[other] = swap;
  }
}
