// The training objective: per image, the negative log-likelihood of p(x|z) summed over the 784
// pixels (Bernoulli, as the seed, or continuous Bernoulli) plus klBeta * KL(q(z|x) || N(0, I));
// averaged over the batch. Returns its parts so callers can report -ELBO, reconstruction and KL.
import * as tf from '@tensorflow/tfjs';
import { Likelihood, Mode } from './config';
import { reconstructionNll } from './likelihood';
import type { ForwardResult } from './model';

export interface LossParts {
  total: tf.Scalar; // recon + klBeta * kl (= -ELBO when klBeta = 1 in vae mode)
  recon: tf.Scalar; // E[-log p(x|z)]
  kl: tf.Scalar; // KL(q(z|x) || p(z)); 0 in the modes that have no posterior
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
