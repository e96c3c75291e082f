// Training: Adam on the batch-mean loss (the ELBO, of one sample or K, or the importance-weighted
// bound of K), shuffled minibatches each epoch (binarized anew under --binarize dynamic), the KL
// weight and learning rate of each step (a warm-up, a schedule), one seed for every random draw,
// and per-epoch metrics on the test (and validation) split. Reports through hooks and return
// values; the caller decides how to show progress. A step is tfjs's autodiff over the model, or on
// wasm with the addon and one sample per image the same arithmetic written out (./native_step.ts).
import * as tf from '@tensorflow/tfjs';
import { adamSettings, klBetaAt, learnRateAt, samplesPerImage, TrainConfig } from './config';
import { binarizeInPlace, DIM_IMG, gatherRows, repeatRows, Split } from './data';
import { importanceSampledLogLikelihood } from './estimators';
import { evaluate, LossMetrics } from './evaluate';
import { iwaeLoss, LossParts, vaeLoss } from './loss';
import { Vae } from './model';
import { NativeStep } from './native_step';
import { saltAndPepper } from './noise';
import { AdamState, createAdam, Optimizer } from './optimizer';
import { Rng } from './rng';

export interface StepInfo {
  epoch: number; // 1-based
  step: number; // 1-based within the epoch
  steps: number; // steps per epoch
  loss: number;
  klBeta: number; // the KL weight the step trained with
  learnRate: number; // the learning rate it trained with
}

export interface EpochMetrics {
  epoch: number;
  klBeta?: number; // the KL weight at the epoch's end, which its evaluation used (klBetaAt; absent in runs recorded before warm-ups)
  trainLoss: number; // mean over the epoch's minibatches (dropout on)
  trainRecon: number;
  trainKl: number;
  test: LossMetrics; // full test split, dropout off
  validation?: LossMetrics;
  learnRate?: number; // the learning rate of the epoch's last step (absent in runs recorded before schedules)
  /** --IW_k K > 1: -L_K on the test split, the bound trained on (nats; its `loss` is -ELBO). */
  testBound?: { k: number; value: number };
  seconds: number; // wall time of the epoch's training steps and evaluation
}

export interface TrainHooks {
  onStep?(info: StepInfo): void;
  onEpochEnd?(metrics: EpochMetrics): void | Promise<void>;
  /** Polled after every step; true ends training after that step (e.g. on Ctrl-C). */
  shouldStop?(): boolean;
}

export interface TrainData {
  train: Split;
  test: Split;
  validation?: Split;
}

/**
 * A step's loss grew this many times above the first step's: training has exploded. The first
 * step of the seed model is ≈ 550 nats (784 pixels at ≈ ln 2 each); a healthy run only falls.
 */
export const EXPLOSION_FACTOR = 1000;

/**
 * The loss stopped being a finite number, or exploded (EXPLOSION_FACTOR times the first step's):
 * training is stopped; a NaN step changes no weight.
 */
export class DivergenceError extends Error {
  constructor(readonly epoch: number, readonly step: number, readonly loss: number, readonly firstLoss: number) {
    super(`training diverged: loss is ${Number.isFinite(loss) ? loss.toPrecision(3) : loss} at epoch ${epoch}, step ${step}` +
      (Number.isFinite(loss) ? ` (${EXPLOSION_FACTOR}x more than the first step's ${firstLoss.toFixed(1)})` : ''));
    this.name = 'DivergenceError';
  }
}

export interface LossOptions {
  addNoise: boolean;
  klBeta: number;
  rng: Rng;
  iwK?: number; // > 1: the importance-weighted bound of this many samples
  elboK?: number; // > 1: the ELBO with its reconstruction averaged over this many samples
  xRepeated?: tf.Tensor2D; // with K > 1: each row of x K times (repeatRows), the decoder's targets
}

/**
 * The training objective of one batch: the encoder sees `x` corrupted by salt & pepper when
 * `addNoise` is set; the reconstruction target is always the clean `x`. Dropout is on. With
 * K = 1 (the default) it is the seed's one-sample ELBO with the KL in closed form.
 */
export function trainingLoss(model: Vae, x: tf.Tensor2D, opts: LossOptions): LossParts {
  const xHat = opts.addNoise ? saltAndPepper(x, opts.rng) : x;
  const { likelihood, mode } = model.config;
  const k = samplesPerImage({ iwK: opts.iwK ?? 1, elboK: opts.elboK ?? 1 });
  if (k === 1) return vaeLoss(x, model.forward(xHat, { rng: opts.rng }), opts.klBeta, mode, likelihood);
  const xRepeated = opts.xRepeated ?? tf.tensor2d(repeatRows(x.dataSync() as Float32Array, 0, x.shape[0], k, new Float32Array(x.size * k)), [x.shape[0] * k, x.shape[1]]);
  const out = model.forwardSamples(xHat, k, { rng: opts.rng });
  return (opts.iwK ?? 1) > 1 ? iwaeLoss(xRepeated, out, k, likelihood) : vaeLoss(xRepeated, out, opts.klBeta, mode, likelihood);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Everything a Trainer needs to continue exactly where it stopped: epochs done, the position in
 * the epoch under way (its shuffled order and loss sums so far), the generator and Adam.
 */
export interface TrainerState {
  epoch: number; // epochs completed
  step: number; // steps done in the epoch under way (0 at an epoch's end)
  order: Uint32Array; // the training images' order (the epoch under way's, once shuffled)
  sums: { loss: number; recon: number; kl: number }; // of the epoch under way's steps
  firstLoss: number;
  rng: number;
  adam: AdamState;
}

/** How a Trainer runs its steps. */
export interface TrainerOptions {
  /** false: always the engine's path (tfjs's autodiff over the model), even where NativeStep serves (the same bits). */
  nativeStep?: boolean;
}

export class Trainer {
  readonly optimizer: Optimizer;
  private readonly nativeStep: NativeStep | null; // the hand-written step, where it serves (wasm + addon, K = 1)
  epoch = 0; // epochs completed
  private readonly rng: Rng;
  private readonly batch: Float32Array;
  private readonly repeated: Float32Array; // the batch's rows K times each, with K > 1 samples per image
  private readonly order: Uint32Array;
  private firstLoss = NaN; // the first step's loss, the scale an explosion is measured against
  private stepInEpoch = 0; // steps done in the epoch under way
  private sums = { loss: 0, recon: 0, kl: 0 };

  constructor(readonly model: Vae, readonly config: TrainConfig, readonly data: TrainData, options: TrainerOptions = {}) {
    // The seed's tf.train.AdamOptimizer(learn_rate): beta1 0.9, beta2 0.999, epsilon 1e-8 (1e-4 under the burda schedule).
    this.optimizer = createAdam(learnRateAt(config, 0), ...adamSettings(config));
    this.nativeStep = options.nativeStep === false ? null : NativeStep.create(model, config, this.optimizer);
    // Offset from the model's init seed so that init and training draws never coincide.
    this.rng = new Rng((config.seed ^ 0x9e3779b9) >>> 0);
    this.batch = new Float32Array(config.batchSize * DIM_IMG);
    this.repeated = new Float32Array(samplesPerImage(config) > 1 ? config.batchSize * DIM_IMG * samplesPerImage(config) : 0);
    this.order = Uint32Array.from({ length: data.train.n }, (_, i) => i);
  }

  /** Whether steps run as NativeStep's hand-written sequence (wasm with the addon, K = 1) rather than through tfjs's engine. */
  get nativeStepInUse(): boolean {
    return this.nativeStep !== null && tf.getBackend() === 'wasm';
  }

  /** Number of steps per epoch: full batches only, as the seed (n_samples // batch_size). */
  get stepsPerEpoch(): number {
    return Math.floor(this.data.train.n / this.config.batchSize);
  }

  /** One Adam step on the clean batch `xBatch` (batchSize x 784) with KL weight `klBeta`; returns the batch's loss parts. */
  step(xBatch: Float32Array, klBeta = this.config.klBeta): LossMetrics {
    const { batchSize, addNoise, iwK, elboK } = this.config;
    if (this.nativeStepInUse) return this.nativeStep!.run(xBatch, klBeta, addNoise, this.rng);
    const k = samplesPerImage(this.config);
    const vars = this.model.trainableVariables();
    const values = tf.tidy(() => {
      const x = tf.tensor2d(xBatch, [batchSize, DIM_IMG]);
      const xRepeated = k > 1 ? tf.tensor2d(repeatRows(xBatch, 0, batchSize, k, this.repeated), [batchSize * k, DIM_IMG]) : undefined;
      let parts!: tf.Tensor;
      const { value, grads } = tf.variableGrads(() => {
        const loss = trainingLoss(this.model, x, { addNoise, klBeta, rng: this.rng, iwK, elboK, xRepeated });
        parts = tf.keep(tf.stack([loss.total, loss.recon, loss.kl]));
        return loss.total;
      }, vars);
      const read = parts.dataSync();
      parts.dispose();
      if (Number.isFinite(read[0])) this.optimizer.applyGradients(vars, vars.map((v) => grads[v.name]));
      value.dispose();
      return read;
    });
    return { loss: values[0], recon: values[1], kl: values[2] };
  }

  /**
   * One epoch over shuffled full batches, then evaluation. Returns null when `shouldStop`
   * ended it early (the model keeps the steps taken).
   */
  async trainEpoch(hooks: TrainHooks = {}): Promise<EpochMetrics | null> {
    const start = Date.now();
    const epoch = this.epoch + 1;
    const steps = this.stepsPerEpoch;
    const { batchSize, binarize } = this.config;
    if (this.stepInEpoch === 0) {
      this.rng.shuffle(this.order);
      this.sums = { loss: 0, recon: 0, kl: 0 };
    }
    const sums = this.sums;
    for (let s = this.stepInEpoch; s < steps; s++) {
      gatherRows(this.data.train, this.order.subarray(s * batchSize, (s + 1) * batchSize), this.batch);
      if (binarize === 'dynamic') binarizeInPlace(this.batch, this.rng); // a fresh draw of the batch's pixels
      const klBeta = klBetaAt(this.config, epoch - 1 + s / steps); // rises step by step during a warm-up
      const learnRate = learnRateAt(this.config, epoch - 1 + s / steps);
      this.optimizer.setLearningRate(learnRate);
      const m = this.step(this.batch, klBeta);
      if (Number.isNaN(this.firstLoss)) this.firstLoss = m.loss;
      if (!Number.isFinite(m.loss) || m.loss > EXPLOSION_FACTOR * Math.max(1, this.firstLoss)) throw new DivergenceError(epoch, s + 1, m.loss, this.firstLoss);
      sums.loss += m.loss;
      sums.recon += m.recon;
      sums.kl += m.kl;
      this.stepInEpoch = s + 1;
      hooks.onStep?.({ epoch, step: s + 1, steps, loss: m.loss, klBeta, learnRate });
      await yieldToEventLoop();
      if (hooks.shouldStop?.() && s + 1 < steps) return null;
    }
    this.epoch = epoch;
    this.stepInEpoch = 0;
    const klBeta = klBetaAt(this.config, epoch);
    const evalOpts = { klBeta, addNoise: this.config.addNoise, seed: this.config.seed };
    const metrics: EpochMetrics = {
      epoch,
      klBeta,
      trainLoss: sums.loss / steps,
      trainRecon: sums.recon / steps,
      trainKl: sums.kl / steps,
      test: evaluate(this.model, this.data.test, evalOpts),
      validation: this.data.validation && evaluate(this.model, this.data.validation, evalOpts),
      ...(this.config.learnRateSchedule === 'constant' ? {} : { learnRate: learnRateAt(this.config, epoch - 1 + (steps - 1) / steps) }),
      ...(this.config.iwK > 1 ? { testBound: { k: this.config.iwK, value: -importanceSampledLogLikelihood(this.model, this.data.test, { k: this.config.iwK, seed: this.config.seed }) } } : {}),
      seconds: (Date.now() - start) / 1000,
    };
    await hooks.onEpochEnd?.(metrics);
    return metrics;
  }

  /** Trains until config.numEpochs epochs are done or `shouldStop` says stop. */
  async fit(hooks: TrainHooks = {}): Promise<{ history: EpochMetrics[]; stopped: boolean }> {
    if (this.stepsPerEpoch < 1) {
      throw new Error(`batchSize ${this.config.batchSize} is larger than the ${this.data.train.n} training images`);
    }
    const history: EpochMetrics[] = [];
    while (this.epoch < this.config.numEpochs) {
      const m = await this.trainEpoch(hooks);
      if (!m) return { history, stopped: true };
      history.push(m);
      if (hooks.shouldStop?.()) return { history, stopped: this.epoch < this.config.numEpochs };
    }
    return { history, stopped: false };
  }

  /** A copy of the state to continue from (see TrainerState). */
  getState(): TrainerState {
    return {
      epoch: this.epoch, step: this.stepInEpoch, order: this.order.slice(), sums: { ...this.sums }, firstLoss: this.firstLoss,
      rng: this.rng.getState(), adam: this.optimizer.getState(this.model.trainableVariables()),
    };
  }

  /** Continues from `state` (the model's weights are restored separately, from the same checkpoint). */
  setState(state: TrainerState): void {
    if (state.order.length !== this.order.length) {
      throw new Error(`the saved run trained on ${state.order.length} images, this one has ${this.order.length}`);
    }
    this.epoch = state.epoch;
    this.stepInEpoch = state.step;
    this.order.set(state.order);
    this.sums = { ...state.sums };
    this.firstLoss = state.firstLoss;
    this.rng.setState(state.rng);
    this.optimizer.setState(this.model.trainableVariables(), state.adam);
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
