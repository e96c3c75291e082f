// The training objective: per image, the negative log-likelihood of p(x|z) summed over the 784
// pixels (Bernoulli, as the seed, or continuous Bernoulli) plus klBeta * KL(q(z|x) || N(0, I));
// averaged over the batch. Returns its parts so callers can report -ELBO, reconstruction and KL.
import * as tf from '@tensorflow/tfjs';
import { Likelihood, Mode } from './config';
import { fusedBernoulliNll, hasFusedKernels } from './kernels/wasm_fused';
import type { ForwardResult } from './model';

export interface LossParts {
  total: tf.Scalar; // recon + klBeta * kl (= -ELBO when klBeta = 1 in vae mode)
  recon: tf.Scalar; // E[-log p(x|z)]
  kl: tf.Scalar; // KL(q(z|x) || p(z)); 0 in the modes that have no posterior
}

const LOG_CLIP = Math.log(1e-8);
/** The logit of 1 - 1e-8: the seed's clip of Bernoulli means, as a clip of logits. */
export const LOGIT_CLIP = Math.log((1 - 1e-8) / 1e-8);
/** Below this |logit| the continuous Bernoulli's functions are Taylor series (as native/vae_math.h). */
const CB_TAYLOR = 0.5;

/**
 * -log p(x|z) per image for Bernoulli logits l: -sum_i x_i log y_i + (1 - x_i) log(1 - y_i) with
 * y = sigmoid(l). As the seed, y is clipped to [1e-8, 1 - 1e-8]; the clip is applied to the logs
 * (log y = l - softplus(l), log(1 - y) = -softplus(l), each at least log 1e-8), which is the same in
 * exact arithmetic and stays finite in float32. One fused kernel where the backend has it.
 */
export function bernoulliNll(x: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor1D {
  if (hasFusedKernels() && tf.util.arraysEqual(x.shape, logits.shape)) return fusedBernoulliNll(x, logits);
  const sp = tf.softplus(logits); // one softplus: log y = l - softplus(l), log(1 - y) = -softplus(l)
  const logY = tf.maximum(tf.sub(logits, sp), LOG_CLIP);
  const log1mY = tf.maximum(tf.neg(sp), LOG_CLIP);
  return tf.neg(tf.sum<tf.Tensor1D>(tf.add(tf.mul(x, logY), tf.mul(tf.sub(1, x), log1mY)), 1));
}

/**
 * The continuous Bernoulli's log normaliser per pixel (Loaiza-Ganem & Cunningham 2019, eq. 7), from
 * logits l, lambda = sigmoid(l) clipped as the seed's means: log C = log(2 atanh(1 - 2 lambda) /
 * (1 - 2 lambda)) = log(l / tanh(l / 2)), even in l. The closed form is 0/0 at lambda = 1/2: there
 * (|l| < 0.5) it is the series log 2 + sum (2^2n - 2) B_2n l^2n / (2n (2n)!) to l^8 (error < 3e-9);
 * beyond, log |l| - log1p(-e^-|l|) + log1p(e^-|l|).
 */
export function cbLogNormalizer(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const a = tf.abs(tf.clipByValue(logits, -LOGIT_CLIP, LOGIT_CLIP));
    const a2 = tf.square(a);
    const poly = [-254 / 9676800, 31 / 90720, -7 / 1440, 1 / 12].reduce<tf.Tensor>((p, c) => tf.add(tf.mul(p, a2), c), tf.scalar(0));
    const taylor = tf.add(Math.LN2, tf.mul(poly, a2));
    const aSafe = tf.maximum(a, CB_TAYLOR); // the unused branch must not make NaN gradients at l = 0
    const e = tf.exp(tf.neg(aSafe));
    const direct = tf.add(tf.sub(tf.log(aSafe), tf.log1p(tf.neg(e))), tf.log1p(e));
    const small = tf.step(tf.sub(CB_TAYLOR, a)); // 1 where |l| < 0.5: a step, since tf.where's condition has no gradient
    return tf.add(tf.mul(small, taylor), tf.mul(tf.sub(1, small), direct)) as tf.Tensor2D;
  });
}

/**
 * -log p(x|z) per image under `likelihood`: the Bernoulli's (bernoulliNll), or the continuous
 * Bernoulli's, that minus the log normaliser summed over the pixels (a density on [0, 1]^784, so it
 * can be negative). One fused kernel where the backend has it.
 */
export function reconstructionNll(x: tf.Tensor2D, logits: tf.Tensor2D, likelihood: Likelihood): tf.Tensor1D {
  if (likelihood === 'bernoulli') return bernoulliNll(x, logits);
  if (hasFusedKernels() && tf.util.arraysEqual(x.shape, logits.shape)) return fusedBernoulliNll(x, logits, true);
  return tf.tidy(() => tf.sub(bernoulliNll(x, logits), tf.sum(cbLogNormalizer(logits), 1)));
}

/**
 * KL(N(mu_d, sigma_d^2) || N(0, 1)) of each image and latent dimension in closed form (AEVB
 * Appendix B): 1/2 (mu^2 + sigma^2 - log sigma^2 - 1), with the seed's 1e-8 inside the log.
 */
export function klPerDimension(mu: tf.Tensor2D, sigma: tf.Tensor2D): tf.Tensor2D {
  const s2 = tf.square(sigma);
  return tf.mul<tf.Tensor2D>(0.5, tf.sub(tf.sub(tf.add(tf.square(mu), s2), tf.log(tf.add(1e-8, s2))), 1));
}

/** KL(q(z|x) || N(0, I)) per image: klPerDimension summed over the latent dimensions. */
export function klDivergence(mu: tf.Tensor2D, sigma: tf.Tensor2D): tf.Tensor1D {
  return tf.sum<tf.Tensor1D>(klPerDimension(mu, sigma), 1);
}

/** Batch-mean loss of a forward pass against clean targets `x`. */
export function vaeLoss(x: tf.Tensor2D, out: ForwardResult, klBeta: number, mode: Mode, likelihood: Likelihood = 'bernoulli'): LossParts {
  const recon = tf.mean<tf.Scalar>(reconstructionNll(x, out.logits, likelihood));
  if (mode !== 'vae' || !out.mu || !out.sigma) return { total: recon, recon, kl: tf.scalar(0) };
  const kl = tf.mean<tf.Scalar>(klDivergence(out.mu, out.sigma));
  return { total: tf.add<tf.Scalar>(recon, tf.mul(klBeta, kl)), recon, kl };
}
