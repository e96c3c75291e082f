// The seed's model: a Gaussian MLP encoder q(z|x) and a Bernoulli (or continuous Bernoulli) MLP
// decoder p(x|z) (AEVB, Appendix C), with the seed's or all-tanh hidden layers, in three modes:
// `vae`, `vanilla_ae` and `no_encoder`; or Burda et al. (2016)'s (arch burda: Glorot init, sigma =
// exp); K samples of z per image for the K-sample objectives. Knows nothing of data files, training
// or its loss; p(x|z)'s means are lib/core/likelihood.ts's. Encoder and decoder are usable on their own.
import * as tf from '@tensorflow/tfjs';
import { HiddenActivation, ModelConfig } from './config';
import { Activation, fusedDense, hasFusedKernels } from './kernels/wasm_fused';
import { fusedGaussianHead, hasLatentKernels, SigmaLink } from './kernels/wasm_latent';
import { likelihoodMeans } from './likelihood';
import { bernoulliMask, standardNormal } from './random';
import { Rng } from './rng';

/** The seed's floor on q(z|x)'s sigma: sigma = SIGMA_FLOOR + softplus(raw). */
export const SIGMA_FLOOR = 1e-6;

export interface Dense {
  name: string; // e.g. 'encoder/0'; ours, since tfjs variable names are global to the process
  w: tf.Variable; // [fanIn, fanOut]
  b: tf.Variable; // [fanOut]
}

/** What the model computed for a batch; `mu`/`sigma` are absent when the mode has no encoder. */
export interface ForwardResult {
  mu?: tf.Tensor2D;
  sigma?: tf.Tensor2D;
  z: tf.Tensor2D;
  logits: tf.Tensor2D; // of p(x|z) (Bernoulli or continuous Bernoulli); `likelihoodMeans` turns them into images
  eps?: tf.Tensor2D; // forwardSamples: the N(0, I) draws behind z (z = mu + sigma * eps), one row per sample
}

/** Randomness of one forward pass. Without `rng` the pass is deterministic: no dropout. */
export interface ForwardNoise {
  rng?: Rng; // draws dropout masks (training) and eps when `eps` is not given
  eps?: tf.Tensor2D; // N(0, I) draws for the reparameterisation (or z itself in no_encoder mode)
}

/**
 * A variable that is the only owner of its memory: tfjs shares the initial tensor's data with the
 * variable, so the tensor is released (the fused optimizer updates variables in place).
 */
export function ownedVariable(initial: tf.Tensor): tf.Variable {
  const v = tf.variable(initial);
  initial.dispose();
  return v;
}

/**
 * He / variance-scaling initialisation as the seed's tf.contrib.layers.variance_scaling_initializer
 * (factor 2, FAN_IN, normal): a normal truncated at 2 sigma with stddev sqrt(1.3 * 2 / fanIn); the
 * 1.3 undoes the variance the truncation removes.
 */
function heDense(name: string, fanIn: number, fanOut: number, rng: Rng): Dense {
  const stddev = Math.sqrt((1.3 * 2) / fanIn);
  return {
    name,
    w: ownedVariable(tf.truncatedNormal([fanIn, fanOut], 0, stddev, 'float32', rng.seed())),
    b: ownedVariable(tf.zeros([fanOut])),
  };
}

/**
 * Glorot & Bengio's (2010) uniform initialisation, as Burda et al.'s code: U(-r, r) with
 * r = sqrt(6 / (fanIn + fanOut)), zero biases. `outputs` columns, each group of `fanOut` columns
 * scaled as a layer of its own (the encoder's mean and sigma layers are one layer here).
 */
function glorotDense(name: string, fanIn: number, fanOut: number, rng: Rng, outputs = fanOut): Dense {
  const r = Math.sqrt(6 / (fanIn + fanOut));
  return {
    name,
    w: ownedVariable(tf.randomUniform([fanIn, outputs], -r, r, 'float32', rng.seed())),
    b: ownedVariable(tf.zeros([outputs])),
  };
}

/**
 * Burda et al.'s output bias: the logit of each pixel's mean over the training images, the mean
 * clipped to [0.001, 0.999] (so p(x|z) starts at the average image).
 */
export function meanImageLogits(images: Float32Array, dimImg: number): Float32Array {
  const n = images.length / dimImg;
  const sum = new Float64Array(dimImg);
  for (let i = 0; i < n; i++) for (let p = 0; p < dimImg; p++) sum[p] += images[i * dimImg + p];
  return Float32Array.from(sum, (s) => {
    const m = Math.min(0.999, Math.max(0.001, s / n));
    return Math.log(m / (1 - m));
  });
}

/**
 * q(z|x)'s mu and sigma from the encoder's output layer [mu | raw] in plain tfjs ops: sigma =
 * SIGMA_FLOOR + softplus(raw) (the seed's) or exp(raw) (arch burda). What VaeGaussianHead computes.
 */
export function gaussianHead(params: tf.Tensor2D, link: SigmaLink): { mu: tf.Tensor2D; sigma: tf.Tensor2D } {
  const dimZ = params.shape[1] / 2;
  const mu = tf.slice(params, [0, 0], [-1, dimZ]);
  const raw = tf.slice(params, [0, dimZ], [-1, dimZ]);
  return { mu, sigma: link === 'exp' ? tf.exp(raw) : tf.add<tf.Tensor2D>(SIGMA_FLOOR, tf.softplus(raw)) };
}

/**
 * One layer of the MLPs: act(x w + b), then inverted dropout with keep probability `keep` (as
 * tf.nn.dropout) when `rng` is given. One fused kernel where the backend has it (wasm + addon).
 */
function dense(x: tf.Tensor2D, layer: Dense, activation: Activation, keep = 1, rng?: Rng): tf.Tensor2D {
  const mask = rng && keep < 1 ? bernoulliMask([x.shape[0], layer.b.shape[0]], keep, 1 / keep, rng) : undefined;
  if (hasFusedKernels()) return fusedDense(x, layer.w as tf.Tensor2D, layer.b as tf.Tensor1D, activation, mask);
  const pre = tf.add<tf.Tensor2D>(tf.matMul(x, layer.w as tf.Tensor2D), layer.b);
  const h = activation === 'elu' ? tf.elu(pre) : activation === 'tanh' ? tf.tanh(pre) : pre;
  return mask ? tf.mul(h, mask) : h;
}

/** The activations of the two hidden layers of the encoder and of the decoder. */
export function hiddenActivations(a: HiddenActivation): { encoder: Activation[]; decoder: Activation[] } {
  return a === 'tanh' ? { encoder: ['tanh', 'tanh'], decoder: ['tanh', 'tanh'] } : { encoder: ['elu', 'tanh'], decoder: ['tanh', 'elu'] };
}

export class Vae {
  private readonly act: { encoder: Activation[]; decoder: Activation[] };

  constructor(
    readonly config: ModelConfig,
    readonly encoder: Dense[], // 784 -> n_hidden (ELU; tanh) -> n_hidden (tanh) -> 2 dim_z
    readonly decoder: Dense[], // dim_z -> n_hidden (tanh) -> n_hidden (ELU; tanh) -> 784 (logits of p(x|z))
  ) {
    this.act = hiddenActivations(config.activation);
  }

  /** q(z|x) = N(mu, sigma^2): mean unconstrained, sigma = 1e-6 + softplus (the seed's) or exp (arch burda); one fused kernel on wasm. */
  encode(x: tf.Tensor2D, rng?: Rng): { mu: tf.Tensor2D; sigma: tf.Tensor2D } {
    const [l0, l1, lo] = this.encoder;
    const keep = this.config.keepProb;
    const h0 = dense(x, l0, this.act.encoder[0], keep, rng);
    const h1 = dense(h0, l1, this.act.encoder[1], keep, rng);
    const params = dense(h1, lo, 'linear');
    const link: SigmaLink = this.config.arch === 'burda' ? 'exp' : 'softplus';
    return hasLatentKernels() ? fusedGaussianHead(params, link, SIGMA_FLOOR) : gaussianHead(params, link);
  }

  /**
   * Logits of p(x|z). The loss works from logits: in float32 the seed's clip of sigmoid outputs to
   * 1 - 1e-8 is 1.0 exactly, and log(1 - y) is then -Infinity on saturated pixels.
   */
  decodeLogits(z: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    const [l0, l1, lo] = this.decoder;
    const keep = this.config.keepProb;
    const h0 = dense(z, l0, this.act.decoder[0], keep, rng);
    const h1 = dense(h0, l1, this.act.decoder[1], keep, rng);
    return dense(h1, lo, 'linear');
  }

  /** p(x|z) as images: its means (Bernoulli: in [1e-8, 1 - 1e-8]). */
  decode(z: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    return likelihoodMeans(this.decodeLogits(z, rng), this.config.likelihood);
  }

  /** The latent code of `xHat` as the mode defines it, then its reconstruction. */
  forward(xHat: tf.Tensor2D, noise: ForwardNoise = {}): ForwardResult {
    const { rng } = noise;
    const batch = xHat.shape[0];
    const drawEps = (): tf.Tensor2D => noise.eps ?? standardNormal([batch, this.config.dimZ], rng ?? new Rng(0));
    if (this.config.mode === 'no_encoder') {
      const z = drawEps();
      return { z, logits: this.decodeLogits(z, rng) };
    }
    const { mu, sigma } = this.encode(xHat, rng);
    // Reparameterisation trick (AEVB eq. 10 with L = 1): z = mu + sigma * eps, eps ~ N(0, I).
    const z = this.config.mode === 'vae' ? tf.add<tf.Tensor2D>(mu, tf.mul(sigma, drawEps())) : mu;
    return { mu, sigma, z, logits: this.decodeLogits(z, rng) };
  }

  /**
   * vae mode, K samples of z per image (Burda et al. 2016's K-sample objectives): q(z|x) once per
   * image, then z = mu + sigma * eps for B x K draws, decoded at once. z, eps and logits have B x K
   * rows, image-major (image j's samples are rows jK .. jK + K - 1); mu and sigma have B.
   */
  forwardSamples(xHat: tf.Tensor2D, k: number, noise: ForwardNoise = {}): ForwardResult {
    if (this.config.mode !== 'vae') throw new Error(`samples of z need q(z|x): vae mode only, not ${this.config.mode}`);
    const { rng } = noise;
    const { mu, sigma } = this.encode(xHat, rng);
    const [b, dimZ] = mu.shape;
    const eps = noise.eps ?? standardNormal([b * k, dimZ], rng ?? new Rng(0));
    const z = tf.reshape<tf.Rank.R2>(tf.add(tf.expandDims(mu, 1), tf.mul(tf.expandDims(sigma, 1), tf.reshape(eps, [b, k, dimZ]))), [b * k, dimZ]);
    return { mu, sigma, z, eps, logits: this.decodeLogits(z, rng) };
  }

  /** The variables the mode trains: the encoder is unused in no_encoder mode. */
  trainableVariables(): tf.Variable[] {
    const layers = this.config.mode === 'no_encoder' ? this.decoder : [...this.encoder, ...this.decoder];
    return layers.flatMap((l) => [l.w, l.b]);
  }

  /** Every variable with its name ('encoder/0/w', ...), encoder first, in a fixed order. */
  namedVariables(): [string, tf.Variable][] {
    return [...this.encoder, ...this.decoder].flatMap((l): [string, tf.Variable][] => [[`${l.name}/w`, l.w], [`${l.name}/b`, l.b]]);
  }

  variables(): tf.Variable[] {
    return this.namedVariables().map(([, v]) => v);
  }

  dispose(): void {
    this.variables().forEach((v) => v.dispose());
  }
}

/**
 * A fresh model with its arch's initialisation; `seed` makes it reproducible on a backend. Arch
 * burda starts its output bias at the logit of `trainImages`' mean pixel when given (else zero).
 */
export function createVae(config: ModelConfig, seed: number, trainImages?: Float32Array): Vae {
  const rng = new Rng(seed);
  const { dimImg, dimZ, nHidden } = config;
  if (config.arch === 'burda') {
    const encoder = [glorotDense('encoder/0', dimImg, nHidden, rng), glorotDense('encoder/1', nHidden, nHidden, rng), glorotDense('encoder/out', nHidden, dimZ, rng, 2 * dimZ)];
    const decoder = [glorotDense('decoder/0', dimZ, nHidden, rng), glorotDense('decoder/1', nHidden, nHidden, rng), glorotDense('decoder/out', nHidden, dimImg, rng)];
    if (trainImages) tf.tidy(() => decoder[2].b.assign(tf.tensor1d(meanImageLogits(trainImages, dimImg))));
    return new Vae({ ...config }, encoder, decoder);
  }
  const encoder = [heDense('encoder/0', dimImg, nHidden, rng), heDense('encoder/1', nHidden, nHidden, rng), heDense('encoder/out', nHidden, 2 * dimZ, rng)];
  const decoder = [heDense('decoder/0', dimZ, nHidden, rng), heDense('decoder/1', nHidden, nHidden, rng), heDense('decoder/out', nHidden, dimImg, rng)];
  return new Vae({ ...config }, encoder, decoder);
}
