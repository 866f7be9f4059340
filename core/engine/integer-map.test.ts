import { describe, expect, it } from "vitest";
import { IntegerMap } from "./integer-map.ts";
import { createRandom } from "./random.ts";

describe("IntegerMap", () => {
  it("agrees with Map over many inserts, updates and misses (across growth)", () => {
    const random = createRandom(3);
    const map = new IntegerMap(4);
    const reference = new Map<number, number>();
    for (let step = 0; step < 20_000; step++) {
      const key = Math.floor(random() * 5_000) * 7919;
      const value = Math.floor(random() * 1000);
      map.set(key, value);
      reference.set(key, value);
    }
    expect(map.size).toBe(reference.size);
    for (const [key, value] of reference) expect(map.get(key)).toBe(value);
    expect(map.get(1)).toBe(-1);
    expect(map.get(1, 42)).toBe(42);
    const visited = new Map<number, number>();
    map.forEach((value, key) => visited.set(key, value));
    expect(visited).toEqual(reference);
  });

  it("rejects keys it cannot store", () => {
    expect(() => new IntegerMap().set(-1, 0)).toThrow(RangeError);
    expect(() => new IntegerMap().set(1.5, 0)).toThrow(RangeError);
  });
});
