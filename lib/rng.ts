// One seed for a whole run: a small deterministic generator (mulberry32) that shuffles batches
// and hands out seeds to tfjs's seeded random ops (init, dropout, noise, sampling of z).

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A fresh seed for one tfjs random op (tf.randomNormal(..., seed) and friends). */
  seed(): number {
    return Math.floor(this.next() * 4294967296);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { [i: number]: number; length: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
