// A faster BatchMatMul for the wasm backend. Its XNNPACK path handles only untransposed
// operands; with transposeA or transposeB (what the backward pass of every dense layer asks
// for) it falls back to a loop ~10x slower. Materialising the transpose first (one cheap copy)
// and calling the plain kernel gives the same numbers at the fast speed.
import * as tf from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];

let installed = false;

function transposeLastTwo(x: tf.TensorInfo, backend: KernelArgs['backend'], transpose: tf.KernelFunc): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

/** Replaces wasm's BatchMatMul kernel by one that never runs the transposed slow path. Idempotent. */
export function installWasmMatMul(): void {
  if (installed) return;
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!original || !transpose) throw new Error('the wasm backend must be registered before installWasmMatMul');
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
    const temps: tf.TensorInfo[] = [];
    const plain = (x: tf.TensorInfo, t: boolean) => (t ? temps[temps.push(transposeLastTwo(x, backend, transpose.kernelFunc)) - 1] : x);
    const out = original.kernelFunc({
      inputs: { a: plain(inputs.a!, transposeA), b: plain(inputs.b!, transposeB) },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    temps.forEach((t) => (backend as unknown as tf.KernelBackend).disposeData(t.dataId));
    return out;
  };
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
  installed = true;
}
