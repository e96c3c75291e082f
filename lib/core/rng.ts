// One seed for a whole run: a small deterministic generator (mulberry32) that shuffles batches
// and hands out seeds to tfjs's seeded random ops (init, dropout, noise, sampling of z).
import { loadNative } from './kernels/native';
import { threadedWasmKernels } from './kernels/wasm_threaded';

// Bound once: code run inside a VM context (jest) pays for every global lookup of `Math`.
const { imul, log, sqrt, cos, sin, PI } = Math;

export class Rng {
  // In a typed array, not a field: V8 boxes a field holding an uint32 above 2^30 as a heap number,
  // which made every draw allocate (~45 ns instead of ~3). Same bits, read as int32.
  private readonly state = new Int32Array(1);

  constructor(seed: number) {
    this.state[0] = seed | 0;
  }

  /** The generator's whole state (one 32-bit word), to save with a checkpoint. */
  getState(): number {
    return this.state[0];
  }

  /** Continues from a state getState() returned. */
  setState(state: number): void {
    this.state[0] = state | 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state[0] = (this.state[0] + 0x6d2b79f5) | 0);
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * out[i] = value with probability p, else 0; one draw each, in order. The addon's loop, when
   * built, gives the same numbers ~20x faster (dropout masks are 64,000 draws a layer).
   */
  fillBernoulli(out: Float32Array, p: number, value: number): Float32Array {
    const native = loadNative();
    const kernels = native ? null : threadedWasmKernels();
    if (native) native.bernoulliFill(this.state, out, p, value);
    else if (kernels?.owns(out)) kernels.bernoulliFill(this.state, out, p, value);
    else for (let i = 0; i < out.length; i++) out[i] = this.next() < p ? value : 0;
    return out;
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

/** Standard normal draws (Box-Muller) from an Rng, two per pair of uniforms. */
export function fillNormal(rng: Rng, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const r = sqrt(-2 * log(1 - rng.next()));
    const t = 2 * PI * rng.next();
    out[i] = r * cos(t);
    if (i + 1 < out.length) out[i + 1] = r * sin(t);
  }
  return out;
}
