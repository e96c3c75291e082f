// Evaluation of a trained model on whole splits, batched and with dropout off: the loss and its
// parts (-ELBO, reconstruction, KL, the KL of each latent dimension, the active units), latent
// means, reconstructions and decoded grids. Returns numbers and arrays; never prints or draws.
import * as tf from '@tensorflow/tfjs';
import { DIM_IMG, Split } from './data';
import { klPerDimension, vaeLoss } from './loss';
import { bernoulliMeans, likelihoodMeans } from './likelihood';
import { Vae } from './model';
import { saltAndPepper } from './noise';
import { standardNormal } from './random';
import { Rng } from './rng';

export interface LossMetrics {
  loss: number; // batch objective averaged over the split (-ELBO in vae mode with klBeta 1)
  recon: number;
  kl: number;
  /** vae mode, whole splits: the KL of each latent dimension averaged over the split (they sum to `kl`). */
  klPerDim?: number[];
  /** Modes with an encoder, whole splits: latent dimensions whose mean E_q[z_d|x] of the clean images varies (see activeUnitCount). */
  activeUnits?: number;
}

/** Burda et al. (2016, section 5.2): a latent dimension is active when Cov_x(E_q[z_d|x]) > 0.01. */
export const ACTIVE_UNIT_THRESHOLD = 0.01;

export function activeUnitCount(variances: ArrayLike<number>, threshold = ACTIVE_UNIT_THRESHOLD): number {
  return Array.from(variances).filter((v) => v > threshold).length;
}

/** Per-dimension variance over rows, from per-dimension sums of x and x^2 over n rows. */
export function varianceFromSums(sum: ArrayLike<number>, sumSq: ArrayLike<number>, n: number): number[] {
  return Array.from(sum, (s, d) => Math.max(0, sumSq[d] / n - (s / n) ** 2));
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

/**
 * Mean loss, reconstruction and KL over a whole split (dropout off); in vae mode also the KL of
 * each latent dimension, and in the modes with an encoder the active units (of the clean images'
 * codes, also when the encoder is evaluated on noisy ones).
 */
export function evaluate(model: Vae, split: Split, opts: EvalOptions = {}): LossMetrics {
  const { klBeta = 1, addNoise = false, seed = 0, batchSize = EVAL_BATCH } = opts;
  const { mode, dimZ } = model.config;
  const rng = new Rng(seed);
  const sums = { loss: 0, recon: 0, kl: 0 };
  const klSum = new Float64Array(mode === 'vae' ? dimZ : 0);
  const muSum = new Float64Array(mode === 'no_encoder' ? 0 : dimZ), muSq = new Float64Array(muSum.length);
  forEachBatch(split.n, batchSize, (start, end) => {
    const read = readAndDispose(tf.tidy(() => {
      const x = rows(split.images, start, end);
      const xHat = addNoise ? saltAndPepper(x, rng) : x;
      const eps = standardNormal([end - start, dimZ], rng);
      const out = model.forward(xHat, { eps });
      const parts = vaeLoss(x, out, klBeta, mode, model.config.likelihood);
      const read: tf.Tensor[] = [tf.stack([parts.total, parts.recon, parts.kl])];
      if (klSum.length) read.push(tf.sum(klPerDimension(out.mu!, out.sigma!), 0));
      if (muSum.length) {
        const mu = addNoise ? model.encode(x).mu : out.mu!;
        read.push(tf.sum(mu, 0), tf.sum(tf.square(mu), 0));
      }
      return tf.concat(read);
    }));
    const w = end - start;
    sums.loss += read[0] * w;
    sums.recon += read[1] * w;
    sums.kl += read[2] * w;
    for (let d = 0; d < klSum.length; d++) klSum[d] += read[3 + d];
    const at = 3 + klSum.length;
    for (let d = 0; d < muSum.length; d++) {
      muSum[d] += read[at + d];
      muSq[d] += read[at + muSum.length + d];
    }
  });
  const n = split.n;
  return {
    loss: sums.loss / n, recon: sums.recon / n, kl: sums.kl / n,
    ...(klSum.length ? { klPerDim: Array.from(klSum, (s) => s / n) } : {}),
    ...(muSum.length ? { activeUnits: activeUnitCount(varianceFromSums(muSum, muSq, n)) } : {}),
  };
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

/**
 * The decoder's parameter lambda = sigmoid(logits) at latent points z, clipped as the seed's: the
 * mean of p(x|z) under the Bernoulli, but not under the continuous Bernoulli (decodeLatents gives
 * the means, whatever the likelihood).
 */
export function decodeLambdas(model: Vae, z: Float32Array): Float32Array {
  return mapRows(z, model.config.dimZ, DIM_IMG, (zb) => bernoulliMeans(model.decodeLogits(zb)));
}

/** Reconstructions of `images` as the mode defines them (z sampled with `seed` in vae mode). */
export function reconstruct(model: Vae, images: Float32Array, seed = 0): Float32Array {
  const rng = new Rng(seed);
  return mapRows(images, DIM_IMG, DIM_IMG, (x) => {
    const eps = standardNormal([x.shape[0], model.config.dimZ], rng);
    return likelihoodMeans(model.forward(x, { eps }).logits, model.config.likelihood);
  });
}

/** The seed's noise on a copy of `images`, reproducible with `seed`. */
export function addSaltAndPepper(images: Float32Array, seed: number): Float32Array {
  const rng = new Rng(seed);
  return mapRows(images, DIM_IMG, DIM_IMG, (x) => saltAndPepper(x, rng));
}
