// The explorer's data, as the page reads it (lib/web/explorer_page.js's unpack): what the page is
// told (ExplorerMeta), and the codecs that keep it small — int8 with a scale per column, IEEE
// half precision, typed arrays packed end to end.
/** int8 values and one scale per column (max |column| / 127) of a rows x cols row-major matrix. */
export function quantizeColumns(values: Float32Array, rows: number, cols: number): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) scale[j] = Math.max(scale[j], Math.abs(values[i * cols + j]));
  for (let j = 0; j < cols; j++) scale[j] = scale[j] > 0 ? scale[j] / 127 : 1;
  const q = new Int8Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) q[i * cols + j] = Math.round(values[i * cols + j] / scale[j]);
  return { q, scale };
}

/**
 * IEEE 754 half-precision bit patterns of float32 values, rounded to nearest (ties to even);
 * beyond ±65504 they become ±Infinity, below 2^-24 zero.
 */
export function float16Bits(values: Float32Array): Uint16Array {
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000, exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    let shift = 13, base = sign | (e << 10);
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000; // the implicit 1, now explicit in a subnormal
      shift = 14 - e;
      base = sign;
    }
    let half = base | (mant >>> shift);
    const rest = mant & ((1 << shift) - 1), halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1))) half++; // a carry rolls into the exponent, as it should
    out[i] = half;
  }
  return out;
}

/**
 * How each decoder layer's weights travel, chosen by measurement (scratch runs on the 13 notebook
 * models, max |Δpixel| at 1,000 test codes): all 8-bit gave up to 0.037, the output layer
 * (n_hidden x 784, most of the weights) in 8 bits alone 0.032, the first layer (dim_z x n_hidden,
 * small) 0.032 for a vanilla autoencoder, whose codes reach ±20; so the first layer stays
 * float32, the 500 x 500 middle one is 8-bit, the output layer float16 (≤ 0.01 in all).
 */
export const DECODER_WEIGHTS = ['float32', 'int8', 'float16'] as const;
export type WeightFormat = (typeof DECODER_WEIGHTS)[number];

type SegmentType = 'int8' | 'uint8' | 'float32' | 'float16';
export interface Segment {
  type: SegmentType;
  offset: number; // bytes
  length: number; // elements
}

export interface ExplorerMeta {
  title: string;
  description: string; // a line on the run: mode, size, epochs, test numbers
  dimZ: number;
  testImages: number; // codes and labels held (0 for a run without an encoder)
  klPerDim: number[] | null; // the last epoch's test KL per latent dimension (vae mode)
  interpolationSteps: number;
  maxPixelError: number; // measured: page decoder vs library decoder, max |Δ| over `errorSamples` points
  errorSamples: number;
  layers: { fanIn: number; fanOut: number; activation: PageActivation; weights: WeightFormat }[];
  colors: readonly string[]; // one per digit, lib/plot/palette.ts's
  clip: { mean: number; logit: number; cbTaylor: number }; // lib/core/likelihood.ts's, for the page's decoder
  segments: Record<string, Segment>;
}

/** Typed arrays laid end to end (each aligned to 4 bytes), and where each one is. */
export type Part = Int8Array | Uint8Array | Uint16Array | Float32Array;

export function pack(parts: Record<string, Part>): { bytes: Uint8Array; segments: Record<string, Segment> } {
  const segments: Record<string, Segment> = {};
  let offset = 0;
  for (const [name, a] of Object.entries(parts)) {
    const type: SegmentType = a instanceof Int8Array ? 'int8' : a instanceof Uint8Array ? 'uint8' : a instanceof Uint16Array ? 'float16' : 'float32';
    segments[name] = { type, offset, length: a.length };
    offset += Math.ceil(a.byteLength / 4) * 4;
  }
  const bytes = new Uint8Array(offset);
  for (const [name, a] of Object.entries(parts)) bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), segments[name].offset);
  return { bytes, segments };
}

/** What the page applies after each decoder layer: the hidden layers' activations, then the means of p(x|z) (sigmoid: Bernoulli; cb_mean: continuous Bernoulli). */
export type PageActivation = 'tanh' | 'elu' | 'sigmoid' | 'cb_mean';

