// Fused kernels of the Gaussian latent layer for the wasm backend, in JavaScript on the wasm heap,
// with and without the native addon. Each replaces a chain of tiny tfjs kernels (batch x dim_z
// values: 2,560 for the seed) whose bookkeeping cost more than their arithmetic: together 51 of a
// training step's 145 kernels, measured ≈ 1.1 ms a step:
// - VaeGaussianHead: q(z|x)'s mu and sigma from the encoder's output layer [mu | raw]: sigma =
//   floor + softplus(raw) (the seed's) or exp(raw) (arch burda); its gradient VaeGaussianHeadGrad.
// - VaeGaussianKl: KL(N(mu, sigma^2) || N(0, I)) per image, 1/2 sum_d (mu^2 + sigma^2 -
//   log(logEps + sigma^2) - 1); its gradient VaeGaussianKlGrad.
// lib/core/model.ts and lib/core/loss.ts use them when `hasLatentKernels()`, else the plain tfjs
// ops, which define what they compute (tests compare the two). Arithmetic in float64, stored as float32.
import * as tf from '@tensorflow/tfjs';
import { WasmBackend } from './wasm_matmul';

/** How sigma comes from the encoder's raw output: the seed's 1e-6 + softplus, or exp (arch burda). */
export type SigmaLink = 'softplus' | 'exp';

const HEAD = 'VaeGaussianHead';
const HEAD_GRAD = 'VaeGaussianHeadGrad';
const KL = 'VaeGaussianKl';
const KL_GRAD = 'VaeGaussianKlGrad';

type Inputs = tf.TensorInfo[];
/** The head's attributes: the link, and the floor added to softplus (lib/core/model.ts's SIGMA_FLOOR, passed in, never re-typed). */
interface HeadAttrs { link: SigmaLink; floor: number }
const headOf = (attrs: unknown): HeadAttrs => attrs as HeadAttrs;
/** The KL's constant inside its log (lib/core/loss.ts's KL_LOG_EPS). */
const logEpsOf = (attrs: unknown): number => (attrs as { logEps: number }).logEps;

/** log(1 + e^x) without overflow. */
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

let installed = false;

/** Registers the latent kernels (wasm) and their gradients, once per process. */
export function installWasmLatent(): void {
  if (installed) return;
  installed = true;
  const kernel = (kernelName: string, kernelFunc: (inputs: Inputs, backend: WasmBackend, attrs: unknown) => tf.TensorInfo | tf.TensorInfo[]) =>
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: (a) => kernelFunc(a.inputs as unknown as Inputs, a.backend as unknown as WasmBackend, a.attrs) });

  // Heap views are taken after every makeOutput: an allocation may grow (and so replace) the heap.
  kernel(HEAD, ([params], backend, attrs) => {
    const [b, twoD] = params.shape;
    if (params.shape.length !== 2 || twoD % 2 !== 0) throw new Error(`${HEAD}: the encoder's output ${JSON.stringify(params.shape)} must be batch x 2 dim_z`);
    const d = twoD / 2;
    const muT = backend.makeOutput([b, d], 'float32'), sigmaT = backend.makeOutput([b, d], 'float32');
    const { link, floor } = headOf(attrs);
    gaussianHeadInto(backend.typedArrayFromHeap(params), backend.typedArrayFromHeap(muT), backend.typedArrayFromHeap(sigmaT), b, d, link, floor);
    return [muT, sigmaT];
  });
  kernel(HEAD_GRAD, ([dMu, dSigma, params], backend, attrs) => {
    const [b, twoD] = params.shape;
    const out = backend.makeOutput([b, twoD], 'float32');
    const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t);
    gaussianHeadGradInto(view(dMu), view(dSigma), view(params), view(out), b, twoD / 2, headOf(attrs).link);
    return out;
  });
  kernel(KL, ([muT, sigmaT], backend, attrs) => {
    const [b, d] = muT.shape;
    if (muT.shape.length !== 2 || sigmaT.shape.join() !== muT.shape.join()) throw new Error(`${KL}: mu ${JSON.stringify(muT.shape)} and sigma ${JSON.stringify(sigmaT.shape)} must both be batch x dim_z`);
    const out = backend.makeOutput([b], 'float32');
    gaussianKlInto(backend.typedArrayFromHeap(muT), backend.typedArrayFromHeap(sigmaT), backend.typedArrayFromHeap(out), b, d, logEpsOf(attrs));
    return out;
  });
  kernel(KL_GRAD, ([dKl, muT, sigmaT], backend, attrs) => {
    const [b, d] = muT.shape;
    const dMuT = backend.makeOutput([b, d], 'float32'), dSigmaT = backend.makeOutput([b, d], 'float32');
    const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t);
    gaussianKlGradInto(view(dKl), view(muT), view(sigmaT), view(dMuT), view(dSigmaT), b, d, logEpsOf(attrs));
    return [dMuT, dSigmaT];
  });

  // Gradients: dy holds one tensor per output (zeros for an unused one).
  tf.registerGradient({
    kernelName: HEAD,
    saveAllInputs: true,
    gradFunc: (dy, [params], attrs) => {
      const [dMu, dSigma] = dy as tf.Tensor[];
      return { 0: () => tf.engine().runKernel(HEAD_GRAD, [dMu, dSigma, params] as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor };
    },
  });
  tf.registerGradient({
    kernelName: KL,
    saveAllInputs: true,
    gradFunc: (dy, [mu, sigma], attrs) => {
      // Both gradients come from one pass (as VaeDense's): each closure runs in a tidy of its own.
      const [dMu, dSigma] = tf.engine().runKernel(KL_GRAD, [dy as tf.Tensor, mu, sigma] as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor[];
      return { 0: () => dMu, 1: () => dSigma };
    },
  });
}

/** True when the latent kernels serve the active backend. */
export function hasLatentKernels(): boolean {
  return installed && tf.getBackend() === 'wasm';
}

/** mu and sigma of q(z|x) from the encoder's output [mu | raw] through VaeGaussianHead (callers check `hasLatentKernels()`). */
export function fusedGaussianHead(params: tf.Tensor2D, link: SigmaLink, floor: number): { mu: tf.Tensor2D; sigma: tf.Tensor2D } {
  const attrs: HeadAttrs = { link, floor };
  const [mu, sigma] = tf.engine().runKernel(HEAD, [params] as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D[];
  return { mu, sigma };
}

/** KL(N(mu, sigma^2) || N(0, I)) per image through VaeGaussianKl (callers check `hasLatentKernels()`). */
export function fusedGaussianKl(mu: tf.Tensor2D, sigma: tf.Tensor2D, logEps: number): tf.Tensor1D {
  return tf.engine().runKernel(KL, [mu, sigma] as unknown as tf.NamedTensorMap, { logEps }) as tf.Tensor1D;
}

// The kernels' loops, on arrays (b images, d latent dimensions): also what lib/core/native_step.ts runs.

/** mu (b x d) and sigma (b x d) from the encoder's output p (b x 2d) = [mu | raw]: sigma = floor + softplus(raw), or exp(raw). */
export function gaussianHeadInto(p: Float32Array, mu: Float32Array, sigma: Float32Array, b: number, d: number, link: SigmaLink, floor: number): void {
  const exp = link === 'exp';
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < d; j++) {
      const raw = p[i * 2 * d + d + j];
      mu[i * d + j] = p[i * 2 * d + j];
      sigma[i * d + j] = exp ? Math.exp(raw) : floor + softplus(raw);
    }
  }
}

/** The head's input gradient g (b x 2d) from dMu and dSigma (b x d each) and its input p. */
export function gaussianHeadGradInto(dMu: Float32Array, dSigma: Float32Array, p: Float32Array, g: Float32Array, b: number, d: number, link: SigmaLink): void {
  const exp = link === 'exp';
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < d; j++) {
      const raw = p[i * 2 * d + d + j];
      g[i * 2 * d + j] = dMu[i * d + j];
      g[i * 2 * d + d + j] = dSigma[i * d + j] * (exp ? Math.exp(raw) : sigmoid(raw));
    }
  }
}

/** kl (b) = 1/2 sum_d (mu^2 + sigma^2 - log(logEps + sigma^2) - 1) per image. */
export function gaussianKlInto(mu: Float32Array, sigma: Float32Array, kl: Float32Array, b: number, d: number, logEps: number): void {
  for (let i = 0; i < b; i++) {
    let sum = 0;
    for (let j = i * d; j < (i + 1) * d; j++) {
      const s2 = sigma[j] * sigma[j];
      sum += mu[j] * mu[j] + s2 - Math.log(logEps + s2) - 1;
    }
    kl[i] = 0.5 * sum;
  }
}

/** dMu, dSigma (b x d) of the KL from its gradient per image dKl (b). */
export function gaussianKlGradInto(dKl: Float32Array, mu: Float32Array, sigma: Float32Array, dMu: Float32Array, dSigma: Float32Array, b: number, d: number, logEps: number): void {
  for (let i = 0; i < b; i++) {
    for (let j = i * d; j < (i + 1) * d; j++) {
      const s = sigma[j];
      dMu[j] = dKl[i] * mu[j];
      dSigma[j] = dKl[i] * (s - s / (logEps + s * s));
    }
  }
}
