// Evaluation of a trained model on whole splits, batched and with dropout off: the loss and its
// parts (-ELBO, reconstruction, KL), latent means, reconstructions and decoded grids. Returns
// numbers and arrays; never prints or draws.
import * as tf from '@tensorflow/tfjs';
import { DIM_IMG, Split } from './data';
import { vaeLoss } from './loss';
import { bernoulliMeans, Vae } from './model';
import { saltAndPepper } from './noise';
import { standardNormal } from './random';
import { Rng } from './rng';

export interface LossMetrics {
  loss: number; // batch objective averaged over the split (-ELBO in vae mode with klBeta 1)
  recon: number;
  kl: number;
}

export interface EvalOptions {
  klBeta?: number;
  addNoise?: boolean; // corrupt the encoder's input as in training (targets stay clean)
  seed?: number; // fixes eps and noise, so two evaluations of one model agree
  batchSize?: number;
}

const EVAL_BATCH = 1000;

/** Calls fn on [start, end) chunks of n rows. */
function forEachBatch(n: number, batchSize: number, fn: (start: number, end: number) => void): void {
  for (let start = 0; start < n; start += batchSize) fn(start, Math.min(n, start + batchSize));
}

function rows(images: Float32Array, start: number, end: number, dim = DIM_IMG): tf.Tensor2D {
  return tf.tensor2d(images.subarray(start * dim, end * dim), [end - start, dim]);
}

/** Mean loss, reconstruction and KL over a whole split (dropout off). */
export function evaluate(model: Vae, split: Split, opts: EvalOptions = {}): LossMetrics {
  const { klBeta = 1, addNoise = false, seed = 0, batchSize = EVAL_BATCH } = opts;
  const rng = new Rng(seed);
  const sums = { loss: 0, recon: 0, kl: 0 };
  forEachBatch(split.n, batchSize, (start, end) => {
    const [loss, recon, kl] = tf.tidy(() => {
      const x = rows(split.images, start, end);
      const xHat = addNoise ? saltAndPepper(x, rng) : x;
      const eps = standardNormal([end - start, model.config.dimZ], rng);
      const parts = vaeLoss(x, model.forward(xHat, { eps }), klBeta, model.config.mode);
      return tf.stack([parts.total, parts.recon, parts.kl]).dataSync();
    });
    const w = end - start;
    sums.loss += loss * w;
    sums.recon += recon * w;
    sums.kl += kl * w;
  });
  return { loss: sums.loss / split.n, recon: sums.recon / split.n, kl: sums.kl / split.n };
}

/**
 * A tensor's values, then the tensor disposed. (Never return a typed array from tf.tidy: tidy
 * walks its result element by element looking for tensors, ~25 ms for 64k values.)
 */
export function readAndDispose(t: tf.Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

/** Runs fn on row batches of `input` (dim columns) and concatenates its [rows, outDim] outputs. */
function mapRows(input: Float32Array, dim: number, outDim: number, fn: (x: tf.Tensor2D, start: number) => tf.Tensor2D): Float32Array {
  const n = input.length / dim;
  const out = new Float32Array(n * outDim);
  forEachBatch(n, EVAL_BATCH, (start, end) => {
    out.set(readAndDispose(tf.tidy(() => fn(rows(input, start, end, dim), start))), start * outDim);
  });
  return out;
}

/** Latent codes E_q[z|x] = mu of each image (n x dimZ, row-major). */
export function encodeMeans(model: Vae, images: Float32Array): Float32Array {
  if (model.config.mode === 'no_encoder') throw new Error('a no_encoder model has no encoder to encode with');
  return mapRows(images, DIM_IMG, model.config.dimZ, (x) => model.encode(x).mu);
}

/** p(x|z) means for latent points z (n x dimZ, row-major): the decoder alone, as for the manifold. */
export function decodeLatents(model: Vae, z: Float32Array): Float32Array {
  return mapRows(z, model.config.dimZ, DIM_IMG, (zb) => model.decode(zb));
}

/** Reconstructions of `images` as the mode defines them (z sampled with `seed` in vae mode). */
export function reconstruct(model: Vae, images: Float32Array, seed = 0): Float32Array {
  const rng = new Rng(seed);
  return mapRows(images, DIM_IMG, DIM_IMG, (x) => {
    const eps = standardNormal([x.shape[0], model.config.dimZ], rng);
    return bernoulliMeans(model.forward(x, { eps }).logits);
  });
}

/** The seed's noise on a copy of `images`, reproducible with `seed`. */
export function addSaltAndPepper(images: Float32Array, seed: number): Float32Array {
  const rng = new Rng(seed);
  return mapRows(images, DIM_IMG, DIM_IMG, (x) => saltAndPepper(x, rng));
}
