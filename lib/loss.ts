// The training objective: per image, the Bernoulli negative log-likelihood summed over the 784
// pixels plus klBeta * KL(q(z|x) || N(0, I)); averaged over the batch. Returns its parts so
// callers can report -ELBO, reconstruction and KL.
import * as tf from '@tensorflow/tfjs';
import { Mode } from './config';
import { fusedBernoulliNll, hasFusedKernels } from './kernels/wasm_fused';
import { ForwardResult } from './model';

export interface LossParts {
  total: tf.Scalar; // recon + klBeta * kl (= -ELBO when klBeta = 1 in vae mode)
  recon: tf.Scalar; // E[-log p(x|z)]
  kl: tf.Scalar; // KL(q(z|x) || p(z)); 0 in the modes that have no posterior
}

const LOG_CLIP = Math.log(1e-8);

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
export function vaeLoss(x: tf.Tensor2D, out: ForwardResult, klBeta: number, mode: Mode): LossParts {
  const recon = tf.mean<tf.Scalar>(bernoulliNll(x, out.logits));
  if (mode !== 'vae' || !out.mu || !out.sigma) return { total: recon, recon, kl: tf.scalar(0) };
  const kl = tf.mean<tf.Scalar>(klDivergence(out.mu, out.sigma));
  return { total: tf.add<tf.Scalar>(recon, tf.mul(klBeta, kl)), recon, kl };
}
