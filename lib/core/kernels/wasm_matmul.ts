// A faster BatchMatMul for the wasm backend, replacing tfjs's kernel.
// - With the OpenBLAS addon: the product runs in cblas_sgemm directly on the wasm heap (no copy),
//   transposed operands included.
// - Without it: XNNPACK handles only untransposed operands and falls back to a loop ~10x slower
//   for transposeA/transposeB (what the backward pass of every dense layer asks for), so
//   transposes are materialised (cheap copies) and the plain kernel called. That kernel treats
//   its second operand as weights: it repacks it (transposed, so slowly: ≈ 3 copies' time) unless
//   it has seen that tensor before, and in training it never has. So a product C = op(A) op(B)
//   is computed either so, or as (op(B)^T op(A)^T)^T, which repacks op(A) instead, whichever
//   moves fewer values (`plainProductPlan`): for the seed's layers the transposed form in the
//   forward pass and for the input gradients (≈ 1.3x and 1.4x faster, measured), the direct
//   one for the weight gradients.
// Both give tfjs's numbers to float rounding (a test compares them).
import * as tf from '@tensorflow/tfjs';
import { NativeAddon } from './native';

type KernelArgs = Parameters<tf.KernelFunc>[0];
/** What our kernels use of tfjs's wasm backend (not in its public types). */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(id: tf.DataId): void;
}

let installed: 'native' | 'transpose' | null = null;

function transposeLastTwo(x: tf.TensorInfo, backend: KernelArgs['backend'], transpose: tf.KernelFunc): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

/** The product on the wasm heap through sgemm; null when the shapes need broadcasting. */
function nativeProduct(native: NativeAddon, a: tf.TensorInfo, b: tf.TensorInfo, ta: boolean, tb: boolean, backend: WasmBackend): tf.TensorInfo | null {
  const ra = a.shape.length, rb = b.shape.length;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (batchA !== batchB || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = tb ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} must match.`);
  const outShape = [...(ra >= rb ? a.shape : b.shape).slice(0, -2), m, n];
  const out = backend.makeOutput(outShape, 'float32');
  // Views are taken after makeOutput: an allocation may grow (and so replace) the heap.
  const av = backend.typedArrayFromHeap(a), bv = backend.typedArrayFromHeap(b), cv = backend.typedArrayFromHeap(out);
  for (let i = 0; i < batchA; i++) {
    native.sgemm(ta, tb, m, n, k, av.subarray(i * m * k, (i + 1) * m * k), bv.subarray(i * k * n, (i + 1) * k * n), cv.subarray(i * m * n, (i + 1) * m * n));
  }
  return out;
}

/** Values XNNPACK's repacking of its second operand costs, in copies of as many values (measured ≈ 3.6 on the seed's sizes). */
const REPACK_COST = 3;

/**
 * How C (m x n) = op(A) (m x k) op(B) (k x n) runs on XNNPACK's plain product: directly (A and B
 * as they are, each transposed first if op says so), or `swapped`, as (op(B)^T op(A)^T)^T, whichever
 * moves fewer values: transposes copy their operand, the second operand is repacked, and the
 * swapped form transposes its result back.
 */
export function plainProductPlan(m: number, k: number, n: number, ta: boolean, tb: boolean): 'direct' | 'swapped' {
  const direct = (ta ? m * k : 0) + (tb ? k * n : 0) + REPACK_COST * k * n;
  const swapped = (tb ? 0 : k * n) + (ta ? 0 : m * k) + REPACK_COST * k * m + m * n;
  return swapped < direct ? 'swapped' : 'direct';
}

/** Replaces wasm's BatchMatMul kernel (once per process); returns which product it now uses. */
export function installWasmMatMul(native: NativeAddon | null): 'native' | 'transpose' {
  if (installed) return installed;
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!original || !transpose) throw new Error('the wasm backend must be registered before installWasmMatMul');
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const a = inputs.a!, b = inputs.b!;
    if (native) {
      const out = nativeProduct(native, a, b, transposeA, transposeB, backend as unknown as WasmBackend);
      if (out) return out;
    }
    const temps: tf.TensorInfo[] = [];
    const plain = (x: tf.TensorInfo, t: boolean) => (t ? temps[temps.push(transposeLastTwo(x, backend, transpose.kernelFunc)) - 1] : x);
    const product = (p: tf.TensorInfo, q: tf.TensorInfo) =>
      original.kernelFunc({ inputs: { a: p, b: q }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
    let out: tf.TensorInfo;
    if (a.shape.length === 2 && b.shape.length === 2) {
      const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
      const n = transposeB ? b.shape[0] : b.shape[1];
      if (plainProductPlan(m, k, n, transposeA, transposeB) === 'swapped') {
        out = transposeLastTwo(temps[temps.push(product(plain(b, !transposeB), plain(a, !transposeA))) - 1], backend, transpose.kernelFunc);
      } else {
        out = product(plain(a, transposeA), plain(b, transposeB));
      }
    } else {
      if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
      out = product(plain(a, transposeA), plain(b, transposeB));
    }
    temps.forEach((t) => (backend as unknown as WasmBackend).disposeData(t.dataId));
    return out;
  };
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
  return (installed = native ? 'native' : 'transpose');
}
