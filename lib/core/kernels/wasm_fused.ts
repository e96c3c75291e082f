// Fused kernels for the wasm backend, on the wasm heap, with their gradients: run by the OpenBLAS
// addon, or without it by the same loops compiled to WebAssembly (./wasm_kernels.ts) after tfjs's
// product. Each replaces a chain of small tfjs kernels (and their bookkeeping) by one call:
// - VaeDense: act(x w + b) * mask — product, bias, ELU/tanh and dropout in one pass;
//   its gradient is VaeDenseGrad (dPre and the bias gradient in one pass) and two products.
// - VaeBernoulliNll: the seed's clipped Bernoulli negative log-likelihood per image, from logits,
//   or the continuous Bernoulli's (attribute `continuous`); its gradient is VaeBernoulliNllGrad.
// lib/core/model.ts and lib/core/loss.ts use them when `hasFusedKernels()`, else the plain tfjs ops, which
// define what they compute (a test compares the two).
import * as tf from '@tensorflow/tfjs';
import { NativeAddon } from './native';
import { WasmKernels } from './wasm_kernels';
import { WasmBackend } from './wasm_matmul';

/**
 * Who computes the fused kernels: the addon (dense's product included), or our WebAssembly kernels
 * (dense's product by the backend's BatchMatMul, then the bias, activation and mask), found when
 * the kernel runs (the backend has started by then).
 */
export type FusedImpl = { native: NativeAddon } | { wasm: () => WasmKernels };

export type Activation = 'linear' | 'elu' | 'tanh';
/** The activations' codes in the addon's and the WebAssembly kernels' arguments. */
export const ACTIVATION_CODE: Record<Activation, number> = { linear: 0, elu: 1, tanh: 2 };

const DENSE = 'VaeDense';
const DENSE_GRAD = 'VaeDenseGrad';
const BERNOULLI_NLL = 'VaeBernoulliNll';
const BERNOULLI_NLL_GRAD = 'VaeBernoulliNllGrad';

type Inputs = tf.TensorInfo[]; // our kernels take their inputs as an array (as tfjs's AddN)
const arg = (args: { inputs: unknown }): Inputs => args.inputs as Inputs;
const activationOf = (attrs: unknown): Activation => (attrs as { activation: Activation }).activation;
/** The NLL kernels' attributes: which likelihood, and the clips of lib/core/likelihood.ts (passed in, never re-typed). */
export interface NllAttrs { continuous: boolean; logClip: number; logitClip: number }
const nllOf = (attrs: unknown): NllAttrs => attrs as NllAttrs;

/** A tensor's memory on the wasm heap (null for an absent optional input). */
function view(backend: WasmBackend, t: tf.TensorInfo): Float32Array;
function view(backend: WasmBackend, t: tf.TensorInfo | undefined): Float32Array | null;
function view(backend: WasmBackend, t: tf.TensorInfo | undefined): Float32Array | null {
  return t ? backend.typedArrayFromHeap(t) : null;
}

let installed = false;

/** Registers the fused kernels (wasm) and their gradients, once per process. */
export function installWasmFused(impl: FusedImpl): void {
  if (installed) return;
  installed = true;
  const elementwise = (): Pick<NativeAddon, 'activationGrad' | 'bernoulliNll' | 'bernoulliNllGrad'> => ('native' in impl ? impl.native : impl.wasm());
  const product = tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc;
  const kernel = (kernelName: string, kernelFunc: (inputs: Inputs, backend: WasmBackend, attrs: unknown) => tf.TensorInfo | tf.TensorInfo[]) =>
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: (a) => kernelFunc(arg(a), a.backend as unknown as WasmBackend, a.attrs) });

  // Heap views are taken after makeOutput: an allocation may grow (and so replace) the heap.
  kernel(DENSE, ([x, w, b, mask], backend, attrs) => {
    const [m, k] = x.shape, n = w.shape[1];
    if (x.shape.length !== 2 || w.shape.length !== 2 || w.shape[0] !== k || b.shape.join() !== String(n) || (mask && mask.shape.join() !== `${m},${n}`)) {
      throw new Error(`${DENSE}: x ${JSON.stringify(x.shape)}, W ${JSON.stringify(w.shape)}, b ${JSON.stringify(b.shape)}${mask ? `, mask ${JSON.stringify(mask.shape)}` : ''} do not fit (x: m x k, W: k x n, b: n, mask: m x n)`);
    }
    const act = ACTIVATION_CODE[activationOf(attrs)];
    if ('wasm' in impl) {
      const y = product({ inputs: { a: x, b: w }, backend: backend as never, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
      impl.wasm().denseEpilogue(view(backend, y), view(backend, b), view(backend, mask), m, n, act);
      return y;
    }
    const y = backend.makeOutput([m, n], 'float32');
    impl.native.dense(view(backend, x), view(backend, w), view(backend, b), view(backend, mask), view(backend, y), m, k, n, act);
    return y;
  });
  kernel(DENSE_GRAD, ([dy, y, mask], backend, attrs) => {
    const [m, n] = y.shape;
    const dPre = backend.makeOutput([m, n], 'float32');
    const db = backend.makeOutput([n], 'float32');
    const act = ACTIVATION_CODE[activationOf(attrs)];
    elementwise().activationGrad(view(backend, dy), view(backend, y), view(backend, mask), view(backend, dPre), view(backend, db), m, n, act);
    return [dPre, db];
  });
  kernel(BERNOULLI_NLL, ([x, logits], backend, attrs) => {
    const [m, n] = logits.shape;
    const nll = backend.makeOutput([m], 'float32');
    const { continuous, logClip, logitClip } = nllOf(attrs);
    elementwise().bernoulliNll(view(backend, x), view(backend, logits), view(backend, nll), m, n, continuous, logClip, logitClip);
    return nll;
  });
  kernel(BERNOULLI_NLL_GRAD, ([dNll, x, logits], backend, attrs) => {
    const [m, n] = logits.shape;
    const dLogits = backend.makeOutput([m, n], 'float32');
    const { continuous, logClip, logitClip } = nllOf(attrs);
    elementwise().bernoulliNllGrad(view(backend, dNll), view(backend, x), view(backend, logits), view(backend, dLogits), m, n, continuous, logClip, logitClip);
    return dLogits;
  });

  // Gradients. Saved: the inputs in order, then the output. Only the closures of inputs on a
  // path to the variables run (tfjs prunes the others): the first layer's dx is never computed.
  tf.registerGradient({
    kernelName: DENSE,
    saveAllInputs: true,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, w, , mask, y] = saved.length === 5 ? saved : [saved[0], saved[1], saved[2], undefined, saved[3]];
      const inputs = mask ? [dy as tf.Tensor, y, mask] : [dy as tf.Tensor, y];
      const [dPre, db] = tf.engine().runKernel(DENSE_GRAD, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor[];
      return {
        0: () => tf.matMul(dPre, w, false, true),
        1: () => tf.matMul(x, dPre, true, false),
        2: () => db,
        3: () => tf.zerosLike(mask!), // the dropout mask is drawn, never trained
      };
    },
  });
  tf.registerGradient({
    kernelName: BERNOULLI_NLL,
    saveAllInputs: true,
    gradFunc: (dy, [x, logits], attrs) => ({
      0: () => {
        // d nll / d x = log(1 - y) - log y (clipped logs; the normaliser does not depend on x); the
        // targets are data, so this is only for completeness.
        const sp = tf.softplus(logits);
        const { logClip } = nllOf(attrs);
        const logY = tf.maximum(tf.sub(logits, sp), logClip);
        const log1mY = tf.maximum(tf.neg(sp), logClip);
        return tf.mul(tf.expandDims(dy as tf.Tensor, 1), tf.sub(log1mY, logY));
      },
      1: () => tf.engine().runKernel(BERNOULLI_NLL_GRAD, [dy, x, logits] as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor,
    }),
  });
}

/** True when the fused kernels serve the active backend. */
export function hasFusedKernels(): boolean {
  return installed && tf.getBackend() === 'wasm';
}

/** act(x w + b) * mask through VaeDense (callers check `hasFusedKernels()`). */
export function fusedDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation, mask?: tf.Tensor): tf.Tensor2D {
  const inputs = mask ? [x, w, b, mask] : [x, w, b];
  return tf.engine().runKernel(DENSE, inputs as unknown as tf.NamedTensorMap, { activation }) as tf.Tensor2D;
}

/** Per-image (continuous) Bernoulli negative log-likelihood through VaeBernoulliNll, with the clips given. */
export function fusedBernoulliNll(x: tf.Tensor2D, logits: tf.Tensor2D, continuous: boolean, logClip: number, logitClip: number): tf.Tensor1D {
  const attrs: NllAttrs = { continuous, logClip, logitClip };
  return tf.engine().runKernel(BERNOULLI_NLL, [x, logits] as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
