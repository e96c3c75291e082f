// p(x|z), the decoder's likelihood, in one place: the seed's Bernoulli and the continuous Bernoulli
// (Loaiza-Ganem & Cunningham 2019) from the decoder's logits: their means (the decoder's images),
// the continuous Bernoulli's log normaliser, the negative log-likelihood per image, and the seed's
// clip of means that all of them apply. The fused kernels and the explorer page are given the clip
// from here (never re-typed). Model and loss both import this module.
import * as tf from '@tensorflow/tfjs';
import { Likelihood } from './config';
import { fusedBernoulliNll, hasFusedKernels } from './kernels/wasm_fused';

/** The seed's clip of Bernoulli means: [MEAN_CLIP, 1 - MEAN_CLIP] (its decoder output, and its 1e-8 in the loss). */
export const MEAN_CLIP = 1e-8;
/** The clip applied to the logs of the means: log y, log(1 - y) >= LOG_CLIP. */
export const LOG_CLIP = Math.log(MEAN_CLIP);
/** The logit of 1 - MEAN_CLIP: the clip of means as a clip of logits (the continuous Bernoulli's). */
export const LOGIT_CLIP = Math.log((1 - MEAN_CLIP) / MEAN_CLIP);
/** Below this |logit| the continuous Bernoulli's functions are Taylor series (as native/vae_math.h). */
export const CB_TAYLOR = 0.5;

/** Bernoulli means sigmoid(logits), clipped to [MEAN_CLIP, 1 - MEAN_CLIP] as the seed's decoder output. */
export function bernoulliMeans(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.clipByValue(tf.sigmoid(logits), MEAN_CLIP, 1 - MEAN_CLIP);
}

/**
 * Means of the continuous Bernoulli, which are not its parameter lambda = sigmoid(l): E[x] =
 * lambda / (2 lambda - 1) + 1 / (2 atanh(1 - 2 lambda)) = 1 / (1 - e^-l) - 1/l (Loaiza-Ganem &
 * Cunningham 2019, section 3), with lambda clipped as the seed's; 1/2 + l/12 - l^3/720 + l^5/30240
 * near l = 0 (|l| < CB_TAYLOR = 0.5, error < 1e-8). In (0.054, 0.946): even lambda = 1e-8 has mean 1/18.4.
 */
export function continuousBernoulliMeans(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const l = tf.clipByValue(logits, -LOGIT_CLIP, LOGIT_CLIP);
    const l2 = tf.square(l);
    const taylor = tf.add(0.5, tf.mul(l, tf.add(1 / 12, tf.mul(l2, tf.add(-1 / 720, tf.mul(l2, 1 / 30240))))));
    const small = tf.less(tf.abs(l), CB_TAYLOR);
    const lSafe = tf.where(small, tf.onesLike(l), l); // the unused branch divides by l
    const direct = tf.sub(tf.reciprocal(tf.sub(1, tf.exp(tf.neg(lSafe)))), tf.reciprocal(lSafe));
    return tf.where(small, taylor, direct) as tf.Tensor2D;
  });
}

/** The mean of p(x|z) under `likelihood`: what the decoder's images are. */
export function likelihoodMeans(logits: tf.Tensor2D, likelihood: Likelihood): tf.Tensor2D {
  return likelihood === 'continuous_bernoulli' ? continuousBernoulliMeans(logits) : bernoulliMeans(logits);
}

/**
 * -log p(x|z) per image for Bernoulli logits l: -sum_i x_i log y_i + (1 - x_i) log(1 - y_i) with
 * y = sigmoid(l). As the seed, y is clipped to [MEAN_CLIP, 1 - MEAN_CLIP]; the clip is applied to the
 * logs (log y = l - softplus(l), log(1 - y) = -softplus(l), each at least LOG_CLIP), which is the same in
 * exact arithmetic and stays finite in float32. One fused kernel where the backend has it.
 */
export function bernoulliNll(x: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor1D {
  if (hasFusedKernels() && tf.util.arraysEqual(x.shape, logits.shape)) return fusedBernoulliNll(x, logits, false, LOG_CLIP, LOGIT_CLIP);
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
  if (hasFusedKernels() && tf.util.arraysEqual(x.shape, logits.shape)) return fusedBernoulliNll(x, logits, true, LOG_CLIP, LOGIT_CLIP);
  return tf.tidy(() => tf.sub(bernoulliNll(x, logits), tf.sum(cbLogNormalizer(logits), 1)));
}
