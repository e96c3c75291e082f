// The seed's salt & pepper noise for the denoising experiment: x * m1 + m2 with m1, m2 drawn
// uniformly from {0, 1} per pixel (so values can reach 2, as in the seed). It corrupts the
// encoder's input only; the reconstruction target stays the clean image.
import * as tf from '@tensorflow/tfjs';
import { bernoulliMask } from './random';
import { Rng } from './rng';

export function saltAndPepper(x: tf.Tensor2D, rng: Rng): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.mul(x, bernoulliMask(x.shape, 0.5, 1, rng)), bernoulliMask(x.shape, 0.5, 1, rng)));
}
