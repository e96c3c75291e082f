// Random tensors drawn from a run's Rng: Gaussian eps, dropout masks and coin flips. Drawn in
// JavaScript (mulberry32, ~3 ns a number; tfjs's seeded ops use seedrandom at ~11 ns) and
// uploaded once. The wasm backend copies uploads into its heap at once, so one staging buffer
// per size is reused there and nothing is allocated per step; other backends keep the array.
import * as tf from '@tensorflow/tfjs';
import { fillNormal, Rng } from './rng';

const staging = new Map<number, Float32Array>();

function tensorFrom(shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const reuse = tf.getBackend() === 'wasm';
  let buf = reuse ? staging.get(n) : undefined;
  if (!buf) {
    buf = new Float32Array(n);
    if (reuse) staging.set(n, buf);
  }
  fill(buf);
  return tf.tensor(buf, shape, 'float32');
}

/** N(0, 1) draws of `shape`. */
export function standardNormal(shape: [number, number], rng: Rng): tf.Tensor2D {
  return tensorFrom(shape, (out) => fillNormal(rng, out)) as tf.Tensor2D;
}

/** Each entry `value` with probability p, else 0. */
export function bernoulliMask(shape: number[], p: number, value: number, rng: Rng): tf.Tensor {
  return tensorFrom(shape, (out) => rng.fillBernoulli(out, p, value));
}
