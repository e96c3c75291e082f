// The training step of the one-sample objective on the OpenBLAS addon, written out by hand:
// forward, loss, backward and Adam as one sequence of addon calls on arrays of its own, without
// tfjs's engine. The engine's 94 kernels a step, their tape, clones and scopes cost ≈ 2 ms on the
// main thread while the pool's threads waited (npm run bench: its step 1.15-1.3x this one's). It
// makes the calls the engine's path makes (lib/core/model.ts and loss.ts through the fused kernels,
// then FusedAdam), with the same arguments and in the same order, and tfjs's few float32 ops in
// between (z = mu + sigma eps, the batch means and their gradients, the sum of the two gradients of
// mu and sigma) as float32 arithmetic: the same bits (test/native_step.test.ts trains both and
// compares every weight, moment and loss). Serves the wasm backend with the addon and K = 1, in
// every mode, likelihood, arch, with dropout or not; Trainer runs the engine's path elsewhere.
import * as tf from '@tensorflow/tfjs';
import { samplesPerImage, TrainConfig } from './config';
import { Activation, ACTIVATION_CODE, hasFusedKernels } from './kernels/wasm_fused';
import { gaussianHeadGradInto, gaussianHeadInto, gaussianKlGradInto, gaussianKlInto, hasLatentKernels } from './kernels/wasm_latent';
import { loadNative, NativeAddon } from './kernels/native';
import { LOG_CLIP, LOGIT_CLIP } from './likelihood';
import { KL_LOG_EPS } from './loss';
import { Dense, hiddenActivations, SIGMA_FLOOR, Vae } from './model';
import { FusedAdam, memoryOf, Optimizer } from './optimizer';
import { fillNormal, Rng } from './rng';

const { fround } = Math;

/** One dense layer's arrays for a batch: output, dropout mask, and the gradients the backward pass fills. */
interface LayerBuffers {
  dense: Dense;
  act: number;
  fanIn: number;
  fanOut: number;
  y: Float32Array; // batch x fanOut: act(x w + b) * mask
  mask: Float32Array | null; // drawn each step when dropout is on
  dPre: Float32Array; // batch x fanOut
  dW: Float32Array; // fanIn x fanOut
  db: Float32Array; // fanOut
  dx: Float32Array | null; // batch x fanIn: the input's gradient (none for the encoder's first layer)
}

/** The float32 mean of `a` as tfjs's wasm Mean computes it: a running float32 sum, then one division. */
function meanF32(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = fround(s + a[i]);
  return fround(s / a.length);
}

export class NativeStep {
  private readonly encoder: LayerBuffers[];
  private readonly decoder: LayerBuffers[];
  private readonly grads: Float32Array[]; // in Vae.trainableVariables()' order: w, b of each layer
  private readonly xHat: Float32Array; // salt & pepper: the encoder's corrupted input
  private readonly noise: [Float32Array, Float32Array];
  private readonly mu: Float32Array;
  private readonly sigma: Float32Array;
  private readonly eps: Float32Array;
  private readonly z: Float32Array;
  private readonly nll: Float32Array;
  private readonly kl: Float32Array;
  private readonly dNll: Float32Array;
  private readonly dKl: Float32Array;
  private readonly dMu: Float32Array;
  private readonly dSigma: Float32Array;
  private readonly dMuKl: Float32Array;
  private readonly dSigmaKl: Float32Array;
  private readonly dParams: Float32Array;
  private readonly dLogits: Float32Array;

  /** The step for `model` trained as `config` by `optimizer`, or null where only the engine's path serves. */
  static create(model: Vae, config: TrainConfig, optimizer: Optimizer): NativeStep | null {
    const native = loadNative();
    const served = native && optimizer instanceof FusedAdam && tf.getBackend() === 'wasm' && hasFusedKernels() && hasLatentKernels() && samplesPerImage(config) === 1;
    return served ? new NativeStep(native, model, config.batchSize, optimizer) : null;
  }

  private constructor(private readonly native: NativeAddon, private readonly model: Vae, private readonly batch: number, private readonly adam: FusedAdam) {
    const { mode, keepProb, dimZ, dimImg } = model.config;
    const act = hiddenActivations(model.config.activation);
    const layers = (dense: Dense[], acts: Activation[], firstNeedsDx: boolean): LayerBuffers[] =>
      dense.map((d, i) => {
        const [fanIn, fanOut] = d.w.shape;
        const hidden = i < dense.length - 1; // the last layer is linear and never dropped out
        return {
          dense: d, act: ACTIVATION_CODE[hidden ? acts[i] : 'linear'], fanIn, fanOut,
          y: new Float32Array(batch * fanOut), mask: hidden && keepProb < 1 ? new Float32Array(batch * fanOut) : null,
          dPre: new Float32Array(batch * fanOut), dW: new Float32Array(fanIn * fanOut), db: new Float32Array(fanOut),
          dx: i > 0 || firstNeedsDx ? new Float32Array(batch * fanIn) : null,
        };
      });
    this.encoder = mode === 'no_encoder' ? [] : layers(model.encoder, act.encoder, false);
    this.decoder = layers(model.decoder, act.decoder, mode !== 'no_encoder');
    this.grads = [...this.encoder, ...this.decoder].flatMap((l) => [l.dW, l.db]);
    const f = (n: number) => new Float32Array(n);
    const bz = batch * dimZ;
    this.xHat = f(batch * dimImg);
    this.noise = [f(batch * dimImg), f(batch * dimImg)];
    [this.mu, this.sigma, this.eps, this.z, this.dMu, this.dSigma, this.dMuKl, this.dSigmaKl] = [f(bz), f(bz), f(bz), f(bz), f(bz), f(bz), f(bz), f(bz)];
    this.dParams = f(2 * bz);
    [this.nll, this.kl, this.dNll, this.dKl] = [f(batch), f(batch), f(batch), f(batch)];
    this.dLogits = f(batch * dimImg);
  }

  /**
   * One Adam step on the clean batch `x` (batch x 784) with KL weight `klBeta`, drawing from `rng`
   * what the engine's path draws, in its order; returns the batch's loss parts (float32 values).
   * A loss that is not finite changes no weight (as Trainer's).
   */
  run(x: Float32Array, klBeta: number, addNoise: boolean, rng: Rng): { loss: number; recon: number; kl: number } {
    const { native, batch: b } = this;
    const { mode, keepProb, dimZ, dimImg, likelihood, arch } = this.model.config;
    const continuous = likelihood === 'continuous_bernoulli';
    const link = arch === 'burda' ? 'exp' : 'softplus';
    const vars = this.model.trainableVariables();
    const dense = (l: LayerBuffers, input: Float32Array) => {
      if (l.mask) rng.fillBernoulli(l.mask, keepProb, 1 / keepProb);
      native.dense(input, memoryOf(l.dense.w)!, memoryOf(l.dense.b)!, l.mask, l.y, b, l.fanIn, l.fanOut, l.act);
      return l.y;
    };

    // Forward, drawing as the engine's path: noise, the encoder's masks, eps, the decoder's masks.
    let input = x;
    if (addNoise) {
      const [m1, m2] = this.noise;
      rng.fillBernoulli(m1, 0.5, 1);
      rng.fillBernoulli(m2, 0.5, 1);
      for (let i = 0; i < x.length; i++) this.xHat[i] = fround(x[i] * m1[i] + m2[i]);
      input = this.xHat;
    }
    let z = this.eps;
    if (mode === 'no_encoder') fillNormal(rng, this.eps);
    else {
      const params = this.encoder.reduce((h, l) => dense(l, h), input);
      gaussianHeadInto(params, this.mu, this.sigma, b, dimZ, link, SIGMA_FLOOR);
      if (mode === 'vae') {
        fillNormal(rng, this.eps);
        for (let i = 0; i < this.z.length; i++) this.z[i] = fround(this.mu[i] + fround(this.sigma[i] * this.eps[i]));
        z = this.z;
      } else z = this.mu;
    }
    const logits = this.decoder.reduce((h, l) => dense(l, h), z);

    // The loss: batch means of the NLL and the KL, as tfjs's float32 ops.
    native.bernoulliNll(x, logits, this.nll, b, dimImg, continuous, LOG_CLIP, LOGIT_CLIP);
    const recon = meanF32(this.nll);
    let kl = 0, loss = recon;
    const beta = fround(klBeta);
    if (mode === 'vae') {
      gaussianKlInto(this.mu, this.sigma, this.kl, b, dimZ, KL_LOG_EPS);
      kl = meanF32(this.kl);
      loss = fround(recon + fround(beta * kl));
    }
    if (!Number.isFinite(loss)) return { loss, recon, kl };

    // Backward: each mean's gradient is its weight over the batch size.
    this.dNll.fill(fround(1 / b));
    native.bernoulliNllGrad(this.dNll, x, logits, this.dLogits, b, dimImg, continuous, LOG_CLIP, LOGIT_CLIP);
    const backward = (layers: LayerBuffers[], dy: Float32Array, inputOf: (i: number) => Float32Array) => {
      for (let i = layers.length - 1; i >= 0; i--) {
        const l = layers[i], input = inputOf(i);
        native.denseGrad(dy, l.y, l.mask, input, memoryOf(l.dense.w)!, l.dPre, l.db, l.dx, l.dW, b, l.fanIn, l.fanOut, l.act);
        if (l.dx) dy = l.dx;
      }
      return dy;
    };
    const dz = backward(this.decoder, this.dLogits, (i) => (i === 0 ? z : this.decoder[i - 1].y));
    if (mode !== 'no_encoder') {
      if (mode === 'vae') {
        this.dKl.fill(fround(beta / b));
        gaussianKlGradInto(this.dKl, this.mu, this.sigma, this.dMuKl, this.dSigmaKl, b, dimZ, KL_LOG_EPS);
        for (let i = 0; i < dz.length; i++) {
          this.dMu[i] = fround(dz[i] + this.dMuKl[i]);
          this.dSigma[i] = fround(fround(dz[i] * this.eps[i]) + this.dSigmaKl[i]);
        }
      } else {
        this.dMu.set(dz);
        this.dSigma.fill(0); // sigma is unused: tfjs hands its gradient as zeros
      }
      gaussianHeadGradInto(this.dMu, this.dSigma, this.encoder[this.encoder.length - 1].y, this.dParams, b, dimZ, link);
      backward(this.encoder, this.dParams, (i) => (i === 0 ? input : this.encoder[i - 1].y));
    }
    this.adam.applyGradientArrays(vars, this.grads);
    return { loss, recon, kl };
  }
}
