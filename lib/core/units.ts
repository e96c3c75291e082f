// What a run's numbers are: nats per image (summed over the 784 pixels, averaged over images: the
// seed's and PyTorch's example's convention), their bits per dimension, and under which likelihood
// of which pixels they were measured. Pure: summary.json, the comparison table and the command line
// label their numbers with these.
import { Binarize, Likelihood, Mode } from './config';
import { DIM_IMG } from './data';
import type { LossMetrics } from './evaluate';

/**
 * Nats per image as bits per dimension: nats / (784 ln 2), the unit of the density-model
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

/** The labels of a run's final numbers: what they are, and -ELBO and IS -log p(x) in bits/dim (null where not defined). */
export interface RunUnits {
  units: string;
  bitsPerDim: { elbo: number | null; is: number | null };
}

/**
 * RunUnits of a run's test numbers: -ELBO is recon + KL whatever the KL weight (no_encoder: recon,
 * also a bound on -log p(x)); a vanilla autoencoder's reconstruction bounds nothing.
 */
export function runUnits(c: { mode: Mode; likelihood: Likelihood; binarize: Binarize }, test: LossMetrics, is: { value: number } | null): RunUnits {
  return {
    units: likelihoodUnits(c),
    bitsPerDim: { elbo: c.mode === 'vanilla_ae' ? null : bitsPerDim(test.recon + test.kl), is: is && bitsPerDim(-is.value) },
  };
}
