// Estimators beyond the ELBO: the importance-sampled marginal log-likelihood (Burda et al. 2016,
// eq. 8: log p(x) >= log 1/k sum_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x), tight as k grows)
// and the number of active latent units (Burda et al. 2016, section 5.2: Cov_x(E_q[z_d]) > 0.01).
import * as tf from '@tensorflow/tfjs';
import { Binarize, Likelihood } from './config';
import { DIM_IMG, Split } from './data';
import { ACTIVE_UNIT_THRESHOLD, activeUnitCount, encodeMeans, varianceFromSums } from './evaluate';
import { reconstructionNll } from './loss';
import { Vae } from './model';
import { standardNormal } from './random';
import { Rng } from './rng';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Nats per image (summed over the 784 pixels, averaged over images: the seed's and PyTorch's
 * example's convention) as bits per dimension: nats / (784 ln 2), the unit of the density-model
 * literature. Keras's default binary cross-entropy is a per-pixel mean: multiply it by 784 first.
 */
export function bitsPerDim(natsPerImage: number): number {
  return natsPerImage / (DIM_IMG * Math.LN2);
}

/**
 * What a run's log-likelihoods are, in words: a probability of binary pixels (Bernoulli on
 * binarized data), the seed's Bernoulli "likelihood" of grayscale pixels (not a density on [0, 1]:
 * comparable only with the same convention), or a density on [0, 1]^784 (continuous Bernoulli).
 */
export function likelihoodUnits(c: { likelihood: Likelihood; binarize: Binarize }): string {
  const binarized = c.binarize === 'none' ? '' : `${c.binarize === 'dynamic' ? 'dynamically' : 'statically'} binarized`;
  if (c.likelihood === 'continuous_bernoulli') return `continuous Bernoulli density on [0, 1]^784${binarized && `, ${binarized} pixels`}`;
  return binarized ? `Bernoulli, ${binarized} MNIST` : 'Bernoulli on grayscale pixels (not a density)';
}

/** log N(z; mean, sd^2) summed over the last axis. */
function logNormal(z: tf.Tensor2D, mean: tf.Tensor2D | number, sd: tf.Tensor2D | number): tf.Tensor1D {
  const u = tf.div(tf.sub(z, mean), sd);
  return tf.mul<tf.Tensor1D>(-0.5, tf.sum(tf.add(tf.add(tf.square(u), tf.mul(2, tf.log(sd))), LOG_2PI), 1));
}

export interface IsOptions {
  k: number; // importance samples per image
  seed?: number;
  rowsPerBatch?: number; // images x k decoded at once
}

/**
 * Mean over `split` of the k-sample importance-weighted estimate of log p(x), in nats (higher is
 * better; report its negative next to -ELBO). With k = 1 it is the ELBO's estimate with one
 * sample (KL not in closed form). vae mode samples from q(z|x); no_encoder mode has no q and
 * samples from the prior, which makes the estimate valid but loose; vanilla_ae defines no p(x).
 */
export function importanceSampledLogLikelihood(model: Vae, split: Split, opts: IsOptions): number {
  const { k, seed = 0, rowsPerBatch = 8192 } = opts;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be an integer >= 1, got ${k}`);
  const mode = model.config.mode;
  if (mode === 'vanilla_ae') throw new Error('a vanilla autoencoder defines no p(x): its log-likelihood cannot be estimated');
  const rng = new Rng(seed);
  const dimZ = model.config.dimZ;
  const imagesPerBatch = Math.max(1, Math.floor(rowsPerBatch / k));
  let sum = 0;
  for (let start = 0; start < split.n; start += imagesPerBatch) {
    const end = Math.min(split.n, start + imagesPerBatch);
    const b = end - start;
    const t = tf.tidy(() => {
      const x = tf.tensor2d(split.images.subarray(start * DIM_IMG, end * DIM_IMG), [b, DIM_IMG]);
      // Rows ordered image-major: image j's samples are rows j*k .. j*k + k - 1.
      const xk = tf.reshape(tf.tile(tf.expandDims(x, 1), [1, k, 1]), [b * k, DIM_IMG]) as tf.Tensor2D;
      const eps = standardNormal([b * k, dimZ], rng);
      let z: tf.Tensor2D, logQ: tf.Tensor1D;
      if (mode === 'vae') {
        const { mu, sigma } = model.encode(x);
        const tileK = (t: tf.Tensor2D) => tf.reshape(tf.tile(tf.expandDims(t, 1), [1, k, 1]), [b * k, dimZ]) as tf.Tensor2D;
        const muK = tileK(mu), sigmaK = tileK(sigma);
        z = tf.add(muK, tf.mul(sigmaK, eps));
        logQ = logNormal(z, muK, sigmaK);
      } else {
        z = eps;
        logQ = logNormal(z, 0, 1);
      }
      const logPxz = tf.neg(reconstructionNll(xk, model.decodeLogits(z), model.config.likelihood));
      const logW = tf.reshape(tf.sub(tf.add(logPxz, logNormal(z, 0, 1)), logQ), [b, k]);
      // log (1/k) sum_i w_i, stably.
      return tf.sum(tf.sub(tf.logSumExp(logW, 1), Math.log(k)));
    });
    sum += t.dataSync()[0];
    t.dispose();
  }
  return sum / split.n;
}

export interface ActiveUnits {
  count: number;
  variances: number[]; // Cov_x(E_q[z_d]) per latent dimension
}

/** Latent dimensions whose posterior mean varies across the data: Var_x(mu_d(x)) > threshold. */
export function activeUnits(model: Vae, split: Split, threshold = ACTIVE_UNIT_THRESHOLD): ActiveUnits {
  const dimZ = model.config.dimZ;
  const mu = encodeMeans(model, split.images.subarray(0, split.n * DIM_IMG));
  const sum = new Float64Array(dimZ), sq = new Float64Array(dimZ);
  for (let i = 0; i < split.n; i++) {
    for (let d = 0; d < dimZ; d++) {
      const v = mu[i * dimZ + d];
      sum[d] += v;
      sq[d] += v * v;
    }
  }
  const variances = varianceFromSums(sum, sq, split.n);
  return { count: activeUnitCount(variances, threshold), variances };
}
