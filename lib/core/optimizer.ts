// Adam (Kingma & Ba 2015) as tf.train.adam computes it, fused: one pass per variable updates the
// weights and both moments in the backend's own memory, instead of ~15 tensor ops per variable.
// FusedAdam runs the OpenBLAS addon's kernel (wasm, cpu); HeapAdam, on wasm without the addon, the
// same loop compiled to WebAssembly; elsewhere `createAdam` returns tfjs's own optimizer. (A
// JavaScript loop was measured at ~12-30 ms per step for the seed model: slower than tfjs's ops,
// so there is none.)
import * as tf from '@tensorflow/tfjs';
import { loadNative, NativeAddon } from './kernels/native';
import { WasmKernels } from './kernels/wasm_kernels';
import { WasmBackend } from './kernels/wasm_matmul';
import { threadedWasmKernels } from './kernels/wasm_threaded';

/** Adam's state after `t` steps: both moments per variable (in the variables' order). */
export interface AdamState {
  t: number;
  m: Float32Array[];
  v: Float32Array[];
  accBeta?: [number, number]; // tfjs's running beta1^(t+1), beta2^(t+1) as float32 (its own Adam only)
}

export interface Optimizer {
  applyGradients(vars: tf.Variable[], grads: tf.Tensor[]): void;
  /** The learning rate of the steps from now on (a schedule sets it before each step). */
  setLearningRate(lr: number): void;
  /** A copy of the state, for a checkpoint. */
  getState(vars: tf.Variable[]): AdamState;
  /** Continues from a saved state: the next step is the one the saving optimizer would have taken. */
  setState(vars: tf.Variable[], state: AdamState): void;
  dispose(): void;
}

interface CpuBackend {
  data: { get(id: tf.DataId): { values: Float32Array } };
}

/**
 * Gives `v` memory no other tensor shares (a clone or reshape of it, which wasm's Identity makes
 * without copying), so that an in-place update changes the variable only.
 */
function ownMemory(v: tf.Variable): void {
  if (tf.backend().refCount(v.dataId) <= 1) return;
  const copy = tf.tensor(v.dataSync(), v.shape, v.dtype);
  v.assign(copy);
  copy.dispose();
}

/** A Float32Array over a tensor's own memory in the current backend, or null if unreachable. */
export function memoryOf(t: tf.Tensor): Float32Array | null {
  const name = tf.getBackend();
  if (name === 'wasm') return (tf.backend() as unknown as WasmBackend).typedArrayFromHeap(t);
  if (name === 'cpu') return (tf.backend() as unknown as CpuBackend).data.get(t.dataId).values;
  return null;
}

export class FusedAdam implements Optimizer {
  private m: Float32Array[] = [];
  private v: Float32Array[] = [];
  private t = 0;

  constructor(private readonly native: NativeAddon, public learningRate: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-8) {}

  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  static supported(): boolean {
    return loadNative() !== null && ['wasm', 'cpu'].includes(tf.getBackend());
  }

  /**
   * One step, updating each variable in place (in memory of its own: see `ownMemory`).
   * m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
   */
  applyGradients(vars: tf.Variable[], grads: tf.Tensor[]): void {
    this.update(vars, (i) => memoryOf(grads[i]));
  }

  /** The same step with the gradients in arrays (lib/core/native_step.ts's). */
  applyGradientArrays(vars: tf.Variable[], grads: Float32Array[]): void {
    this.update(vars, (i) => grads[i]);
  }

  private update(vars: tf.Variable[], gradient: (i: number) => Float32Array | null): void {
    if (this.m.length === 0) {
      this.m = vars.map((x) => new Float32Array(x.size));
      this.v = vars.map((x) => new Float32Array(x.size));
    }
    this.t++;
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps } = this;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = 1 - Math.pow(b2, this.t);
    for (let i = 0; i < vars.length; i++) {
      ownMemory(vars[i]);
      const g = gradient(i);
      const w = memoryOf(vars[i]); // taken last: no allocation happens after it
      if (!g || !w) throw new Error(`FusedAdam cannot reach the memory of the '${tf.getBackend()}' backend`);
      this.native.adam(w, g, this.m[i], this.v[i], lr, b1, b2, c1, c2, eps);
    }
  }

  getState(vars: tf.Variable[]): AdamState {
    const copy = (a: Float32Array[]) => vars.map((x, i) => (a[i] ? a[i].slice() : new Float32Array(x.size)));
    return { t: this.t, m: copy(this.m), v: copy(this.v) };
  }

  setState(vars: tf.Variable[], state: AdamState): void {
    this.t = state.t;
    this.m = vars.map((_, i) => state.m[i].slice());
    this.v = vars.map((_, i) => state.v[i].slice());
  }

  dispose(): void {
    this.m = [];
    this.v = [];
  }
}

/**
 * Adam fused for the wasm backend without the addon: one pass of our WebAssembly kernel per
 * variable (./kernels/wasm_kernels.ts), the moments in tensors on the wasm heap, updated in place.
 * The new weights go to memory of their own, assigned to the variable, never over the old: tfjs's
 * XNNPACK keeps a packed copy of a product's second operand under the tensor's id, which weights
 * changed in place would leave stale. The same arithmetic and state as FusedAdam.
 */
export class HeapAdam implements Optimizer {
  private m: tf.Tensor[] = [];
  private v: tf.Tensor[] = [];
  private t = 0;

  constructor(private readonly kernels: WasmKernels, public learningRate: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-8) {}

  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  applyGradients(vars: tf.Variable[], grads: tf.Tensor[]): void {
    if (this.m.length === 0) this.setMoments(vars.map((x) => new Float32Array(x.size)), vars.map((x) => new Float32Array(x.size)), vars);
    this.t++;
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps } = this;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = 1 - Math.pow(b2, this.t);
    const backend = tf.backend() as unknown as WasmBackend;
    const view = (t: tf.Tensor) => backend.typedArrayFromHeap(t);
    for (let i = 0; i < vars.length; i++) {
      const next = tf.engine().makeTensorFromTensorInfo(backend.makeOutput(vars[i].shape, 'float32'));
      // Views taken after the allocation: it may grow (and so replace) the heap.
      this.kernels.adamInto(view(next), view(vars[i]), view(grads[i]), view(this.m[i]), view(this.v[i]), lr, b1, b2, c1, c2, eps);
      vars[i].assign(next);
      next.dispose();
    }
  }

  getState(vars: tf.Variable[]): AdamState {
    const copy = (a: tf.Tensor[]) => vars.map((x, i) => (a[i] ? (a[i].dataSync() as Float32Array).slice() : new Float32Array(x.size)));
    return { t: this.t, m: copy(this.m), v: copy(this.v) };
  }

  setState(vars: tf.Variable[], state: AdamState): void {
    this.t = state.t;
    this.setMoments(state.m, state.v, vars);
  }

  private setMoments(m: Float32Array[], v: Float32Array[], vars: tf.Variable[]): void {
    this.dispose();
    const kept = (a: Float32Array[]) => vars.map((x, i) => tf.keep(tf.tensor(a[i], x.shape, 'float32')));
    this.m = kept(m);
    this.v = kept(v);
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
    this.m = [];
    this.v = [];
  }
}

/** tfjs's Adam behind the same interface. */
class TfjsAdam implements Optimizer {
  private readonly adam: tf.AdamOptimizer;
  constructor(lr: number, b1: number, b2: number, eps: number) {
    this.adam = tf.train.adam(lr, b1, b2, eps);
  }
  setLearningRate(lr: number): void {
    (this.adam as unknown as { learningRate: number }).learningRate = lr;
  }
  applyGradients(vars: tf.Variable[], grads: tf.Tensor[]): void {
    this.adam.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] })));
  }
  // tfjs keeps its state in fields it does not expose as such; these read and set them exactly
  // (its setWeights recomputes beta^t with pow, which is not the running product it uses).
  private get inner(): TfjsAdamInternals {
    return this.adam as unknown as TfjsAdamInternals;
  }
  getState(vars: tf.Variable[]): AdamState {
    const moment = (list: { variable: tf.Variable }[]) => vars.map((x, i) => (list[i] ? (list[i].variable.dataSync() as Float32Array).slice() : new Float32Array(x.size)));
    const a = this.inner;
    return {
      t: a.iterations_ ?? 0, m: moment(a.accumulatedFirstMoment), v: moment(a.accumulatedSecondMoment),
      accBeta: [a.accBeta1.dataSync()[0], a.accBeta2.dataSync()[0]],
    };
  }
  setState(vars: tf.Variable[], state: AdamState): void {
    const a = this.inner;
    if (!state.accBeta) throw new Error('this Adam state has no running beta powers (saved by the fused Adam): it cannot continue tfjs\'s bit for bit');
    a.iterations_ = state.t;
    const [b1, b2] = state.accBeta;
    tf.tidy(() => {
      a.accBeta1.assign(tf.scalar(b1));
      a.accBeta2.assign(tf.scalar(b2));
    });
    const moments = (list: Float32Array[], suffix: string) =>
      vars.map((x, i) => ({ originalName: `${x.name}/${suffix}`, variable: tf.tidy(() => tf.tensor(list[i], x.shape).variable(false)) }));
    tf.dispose([...a.accumulatedFirstMoment, ...a.accumulatedSecondMoment].map((m) => m.variable));
    a.accumulatedFirstMoment = moments(state.m, 'm');
    a.accumulatedSecondMoment = moments(state.v, 'v');
  }
  dispose(): void {
    this.adam.dispose();
  }
}

interface TfjsAdamInternals {
  iterations_?: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/**
 * Adam with the seed's settings: fused where the backend allows it (the addon's on wasm and cpu,
 * else our WebAssembly kernel's on wasm), tfjs's own elsewhere or when `fused` is false.
 */
export function createAdam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, fused = true): Optimizer {
  const native = loadNative();
  if (fused && native && FusedAdam.supported()) return new FusedAdam(native, learningRate, beta1, beta2, epsilon);
  const kernels = tf.getBackend() === 'wasm' ? threadedWasmKernels() : null;
  if (fused && kernels) return new HeapAdam(kernels, learningRate, beta1, beta2, epsilon);
  return new TfjsAdam(learningRate, beta1, beta2, epsilon);
}
