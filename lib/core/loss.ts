// The training objective: per image, the negative log-likelihood of p(x|z) summed over the 784
// pixels (Bernoulli, as the seed, or continuous Bernoulli) plus klBeta * KL(q(z|x) || N(0, I));
// averaged over the batch; or the importance-weighted bound of K samples (Burda et al. 2016).
// Returns its parts so callers can report the objective, -ELBO, reconstruction and KL.
import * as tf from '@tensorflow/tfjs';
import { Likelihood, Mode } from './config';
import { fusedGaussianKl, hasLatentKernels } from './kernels/wasm_latent';
import { reconstructionNll } from './likelihood';
import type { ForwardResult } from './model';

export interface LossParts {
  total: tf.Scalar; // recon + klBeta * kl (= -ELBO when klBeta = 1 in vae mode)
  recon: tf.Scalar; // E[-log p(x|z)]
  kl: tf.Scalar; // KL(q(z|x) || p(z)); 0 in the modes that have no posterior
}


/** The seed's constant inside the KL's log of sigma^2. */
export const KL_LOG_EPS = 1e-8;

/**
 * KL(N(mu_d, sigma_d^2) || N(0, 1)) of each image and latent dimension in closed form (AEVB
 * Appendix B): 1/2 (mu^2 + sigma^2 - log sigma^2 - 1), with the seed's 1e-8 inside the log.
 */
export function klPerDimension(mu: tf.Tensor2D, sigma: tf.Tensor2D): tf.Tensor2D {
  const s2 = tf.square(sigma);
  return tf.mul<tf.Tensor2D>(0.5, tf.sub(tf.sub(tf.add(tf.square(mu), s2), tf.log(tf.add(KL_LOG_EPS, s2))), 1));
}

/** KL(q(z|x) || N(0, I)) per image: klPerDimension summed over the latent dimensions (one fused kernel on wasm). */
export function klDivergence(mu: tf.Tensor2D, sigma: tf.Tensor2D): tf.Tensor1D {
  if (hasLatentKernels()) return fusedGaussianKl(mu, sigma, KL_LOG_EPS);
  return tf.sum<tf.Tensor1D>(klPerDimension(mu, sigma), 1);
}

/**
 * Batch-mean loss of a forward pass against clean targets `x`. With K samples per image
 * (Model.forwardSamples), `x` holds each target K times (repeatRows): the reconstruction term is
 * then averaged over the K samples (the K-sample ELBO) and the KL stays in closed form.
 */
export function vaeLoss(x: tf.Tensor2D, out: ForwardResult, klBeta: number, mode: Mode, likelihood: Likelihood = 'bernoulli'): LossParts {
  const recon = tf.mean<tf.Scalar>(reconstructionNll(x, out.logits, likelihood));
  if (mode !== 'vae' || !out.mu || !out.sigma) return { total: recon, recon, kl: tf.scalar(0) };
  const kl = tf.mean<tf.Scalar>(klDivergence(out.mu, out.sigma));
  return { total: tf.add<tf.Scalar>(recon, tf.mul(klBeta, kl)), recon, kl };
}

/**
 * The negative importance-weighted bound of K samples per image (Burda et al. 2016, eq. 8),
 * batch-mean: -L_K = -mean_x log (1/K) sum_k w_k, w_k = p(x|z_k) p(z_k) / q(z_k|x), from
 * Model.forwardSamples and targets repeated K times. log w_k = log p(x|z_k) - |z_k|^2 / 2 +
 * |eps_k|^2 / 2 + sum_d log sigma_d (the 2 pi terms cancel); the log-mean-exp subtracts the
 * maximum (tf.logSumExp). K = 1 gives the one-sample ELBO with the KL sampled. recon and kl are the
 * ELBO's parts of the same samples (closed-form KL), so -ELBO = recon + kl is reported beside it.
 */
export function iwaeLoss(xRepeated: tf.Tensor2D, out: ForwardResult, k: number, likelihood: Likelihood = 'bernoulli'): LossParts {
  if (!out.mu || !out.sigma || !out.eps) throw new Error('the importance-weighted bound needs q(z|x): a forward pass of samples (forwardSamples)');
  const b = out.mu.shape[0];
  const nll = reconstructionNll(xRepeated, out.logits, likelihood);
  const logPriorOverQ = tf.mul(0.5, tf.sub(tf.sum(tf.square(out.eps), 1), tf.sum(tf.square(out.z), 1)));
  const logW = tf.add<tf.Tensor2D>(tf.reshape(tf.sub(logPriorOverQ, nll), [b, k]), tf.expandDims(tf.sum(tf.log(out.sigma), 1), 1));
  const bound = logMeanExp(logW, k);
  return { total: tf.neg(tf.mean<tf.Scalar>(bound)), recon: tf.mean<tf.Scalar>(nll), kl: tf.mean<tf.Scalar>(klDivergence(out.mu, out.sigma)) };
}

/** Normalised weights below this are dropped from the gradient (see logMeanExp). */
export const IW_WEIGHT_FLOOR = 1e-30;

/**
 * log (1/K) sum_k exp(logW[i, k]) per row, stable (tf.logSumExp subtracts the maximum). Its
 * gradient is the normalised weights exp(logW - logSumExp); those below IW_WEIGHT_FLOOR are set to 0:
 * far-off samples otherwise give subnormal floats, which made the backward products 3-4 times slower
 * (K = 50, measured), for a change of the gradient below 1e-30 of its size.
 */
export function logMeanExp(logW: tf.Tensor2D, k: number): tf.Tensor1D {
  const f = tf.customGrad(((w: tf.Tensor, save: tf.GradSaveFunc) => {
    const lse = tf.logSumExp(w, 1);
    save([w, lse]);
    return {
      value: tf.sub(lse, Math.log(k)),
      gradFunc: (dy: tf.Tensor, [saved, savedLse]: tf.Tensor[]) => {
        const normalised = tf.exp(tf.sub(saved, tf.expandDims(savedLse, 1)));
        const kept = tf.where(tf.less(normalised, IW_WEIGHT_FLOOR), tf.zerosLike(normalised), normalised);
        return tf.mul(tf.expandDims(dy, 1), kept);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(logW) as tf.Tensor1D;
}
