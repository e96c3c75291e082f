// The seed's salt & pepper noise for the denoising experiment: x * m1 + m2 with m1, m2 drawn
// uniformly from {0, 1} per pixel (so values can reach 2, as in the seed). It corrupts the
// encoder's input only; the reconstruction target stays the clean image.
import * as tf from '@tensorflow/tfjs';
import { Rng } from './rng';

/** A {0, 1} mask of `shape`, each entry 1 with probability 1/2. */
function coinFlips(shape: number[], seed: number): tf.Tensor {
  return tf.floor(tf.randomUniform(shape, 0, 2, 'float32', seed));
}

export function saltAndPepper(x: tf.Tensor2D, rng: Rng): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.mul(x, coinFlips(x.shape, rng.seed())), coinFlips(x.shape, rng.seed())));
}
