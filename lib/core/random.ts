// Random tensors drawn from a run's Rng: Gaussian eps, dropout masks and coin flips. Drawn in
// JavaScript (mulberry32, ~3 ns a number; tfjs's seeded ops use seedrandom at ~11 ns), or by the
// addon's or our WebAssembly kernels' loop for dropout masks (the same numbers). On the wasm
// backend they are drawn straight into the tensor's memory on its heap; other backends get an array.
import * as tf from '@tensorflow/tfjs';
import { WasmBackend } from './kernels/wasm_matmul';
import { fillNormal, Rng } from './rng';

function tensorFrom(shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as WasmBackend;
    const t = tf.engine().makeTensorFromTensorInfo(backend.makeOutput(shape, 'float32'));
    fill(backend.typedArrayFromHeap(t)); // a view taken after the allocation; fill allocates nothing
    return t;
  }
  const buf = new Float32Array(shape.reduce((a, b) => a * b, 1));
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
