/**
 * An open-addressing hash map from non-negative 32-bit integers to integers, in typed arrays.
 * Feature lookup is the hot path of both training and prediction; a JS Map boxes numbers
 * above 2^30 and allocates per entry, this does neither.
 */
const empty = -1;

export class IntegerMap {
  private keys: Int32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expectedSize = 16) {
    let capacity = 16;
    while (capacity < expectedSize * 2) capacity *= 2;
    this.keys = new Int32Array(capacity).fill(empty);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  private slotOf(key: number): number {
    // Keys are already hashes; a multiplicative mix spreads sequential ones too.
    let slot = Math.imul(key, 0x9e3779b1) & this.mask;
    while (this.keys[slot] !== empty && this.keys[slot] !== key) slot = (slot + 1) & this.mask;
    return slot;
  }

  /** The value of `key`, or `fallback` when absent. */
  get(key: number, fallback = -1): number {
    const slot = this.slotOf(key);
    return this.keys[slot] === key ? this.values[slot] : fallback;
  }

  set(key: number, value: number): void {
    if (key < 0 || !Number.isInteger(key))
      throw new RangeError(`IntegerMap keys must be non-negative integers, got ${key}.`);
    let slot = this.slotOf(key);
    if (this.keys[slot] !== key) {
      if ((this.count + 1) * 2 > this.keys.length) {
        this.grow();
        slot = this.slotOf(key);
      }
      this.keys[slot] = key;
      this.count++;
    }
    this.values[slot] = value;
  }

  /** Calls `visit` for every entry, in slot order. */
  forEach(visit: (value: number, key: number) => void): void {
    for (let slot = 0; slot < this.keys.length; slot++) {
      if (this.keys[slot] !== empty) visit(this.values[slot], this.keys[slot]);
    }
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Int32Array(keys.length * 2).fill(empty);
    this.values = new Int32Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let slot = 0; slot < keys.length; slot++) {
      if (keys[slot] === empty) continue;
      const target = this.slotOf(keys[slot]);
      this.keys[target] = keys[slot];
      this.values[target] = values[slot];
    }
  }
}
