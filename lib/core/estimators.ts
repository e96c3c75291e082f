// Estimators beyond the ELBO: the importance-sampled marginal log-likelihood (Burda et al. 2016,
// eq. 8: log p(x) >= log 1/k sum_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x), tight as k grows)
// and the number of active latent units (Burda et al. 2016, section 5.2: Cov_x(E_q[z_d]) > 0.01).
import * as tf from '@tensorflow/tfjs';
import { DIM_IMG, repeatRows, Split } from './data';
import { ACTIVE_UNIT_THRESHOLD, activeUnitCount, encodeMeans, varianceFromSums } from './evaluate';
import { withThreads } from './kernels/native';
import { reconstructionNll } from './likelihood';
import { Vae } from './model';
import { standardNormal } from './random';
import { Rng } from './rng';

export interface IsOptions {
  k: number; // importance samples per image
  seed?: number;
  rowsPerBatch?: number; // images x k decoded at once
  threads?: number; // the native kernels' threads for this estimate (default: those in force, all cores unless set)
}

/**
 * Mean over `split` of the k-sample importance-weighted estimate of log p(x), in nats (higher is
 * better; report its negative next to -ELBO). With k = 1 it is the ELBO's estimate with one
 * sample (KL not in closed form). vae mode samples from q(z|x); no_encoder mode has no q and
 * samples from the prior, which makes the estimate valid but loose; vanilla_ae defines no p(x).
 * Batches of images x k samples go through the decoder at once (the fast kernels where built).
 */
export function importanceSampledLogLikelihood(model: Vae, split: Split, opts: IsOptions): number {
  return opts.threads === undefined ? isEstimate(model, split, opts) : withThreads(opts.threads, () => isEstimate(model, split, opts));
}

function isEstimate(model: Vae, split: Split, opts: IsOptions): number {
  const { k, seed = 0, rowsPerBatch = 8192 } = opts;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be an integer >= 1, got ${k}`);
  const mode = model.config.mode;
  if (mode === 'vanilla_ae') throw new Error('a vanilla autoencoder defines no p(x): its log-likelihood cannot be estimated');
  const rng = new Rng(seed);
  const dimZ = model.config.dimZ;
  const imagesPerBatch = Math.max(1, Math.floor(rowsPerBatch / k));
  const targets = new Float32Array(Math.min(split.n, imagesPerBatch) * k * DIM_IMG);
  let sum = 0;
  for (let start = 0; start < split.n; start += imagesPerBatch) {
    const end = Math.min(split.n, start + imagesPerBatch);
    const b = end - start;
    const t = tf.tidy(() => {
      // Rows ordered image-major: image j's samples are rows j*k .. j*k + k - 1.
      const xk = tf.tensor2d(repeatRows(split.images, start, end, k, targets), [b * k, DIM_IMG]);
      const eps = standardNormal([b * k, dimZ], rng);
      const sumSq = (t: tf.Tensor2D) => tf.sum(tf.square(t), 1);
      // log w = log p(x|z) + log p(z) - log q(z|x). With z = mu + sigma eps, log q(z|x) =
      // -1/2 |eps|^2 - sum log sigma - d/2 log 2 pi, whose 2 pi cancels log p(z)'s.
      let z: tf.Tensor2D, logPzOverQ: tf.Tensor2D;
      if (mode === 'vae') {
        const { mu, sigma } = model.encode(tf.tensor2d(split.images.subarray(start * DIM_IMG, end * DIM_IMG), [b, DIM_IMG]));
        const eps3 = tf.reshape(eps, [b, k, dimZ]);
        z = tf.reshape(tf.add(tf.expandDims(mu, 1), tf.mul(tf.expandDims(sigma, 1), eps3)), [b * k, dimZ]);
        const logQ = tf.sub(tf.reshape(tf.mul(-0.5, sumSq(eps)), [b, k]), tf.expandDims(tf.sum(tf.log(sigma), 1), 1));
        logPzOverQ = tf.sub(tf.reshape(tf.mul(-0.5, sumSq(z)), [b, k]), logQ);
      } else {
        z = eps; // the prior is the proposal: p(z) / q(z) = 1
        logPzOverQ = tf.zeros([b, k]);
      }
      const logPxz = tf.neg(reconstructionNll(xk, model.decodeLogits(z), model.config.likelihood));
      const logW = tf.add(tf.reshape(logPxz, [b, k]), logPzOverQ);
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
