// Identity for the wasm backend without a copy. tfjs clones every tensor it saves for a gradient
// (weights, activations, dropout masks: ~60 tensors, ~8 MB a training step of the seed model), and
// wasm's Identity copies them; here the clone shares the memory and counts a reference, as wasm's
// Reshape and the cpu backend's Identity do. Tensors are immutable for tfjs; the one in-place
// writer, FusedAdam, gives a variable memory of its own before it updates a shared one.
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

let installed = false;

export function installWasmIdentity(): void {
  if (installed) return;
  const original = tf.getKernel(tf.Identity, 'wasm');
  if (!original) throw new Error('the wasm backend must be registered before installWasmIdentity');
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const x = args.inputs.x!;
      if (x.dtype === 'string') return original.kernelFunc(args);
      (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
  installed = true;
}
