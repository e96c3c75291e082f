import * as tf from '@tensorflow/tfjs';
import { BackendError, currentEngine, describeEngine, initBackend } from '../lib/index';

describe('backend selection', () => {
  test('an unknown backend is an error naming the choices', async () => {
    await expect(initBackend('gpu')).rejects.toThrow(new BackendError("backend must be one of node, wasm, cpu, got 'gpu'"));
  });

  test('a requested backend is started and reported, never silently replaced', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  test('asking for tfjs-node where it is not installed is a clear error', async () => {
    let installed = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      installed = false;
    }
    if (!installed) await expect(initBackend('node')).rejects.toThrow(/^backend 'node' is not available: Cannot find module '@tensorflow\/tfjs-node'/);
    else {
      // Installed: it starts, or (an install whose native binding is missing) says why, as a BackendError.
      const started = await initBackend('node').catch((e) => e);
      if (started !== 'node') expect(started).toEqual(expect.objectContaining({ name: 'BackendError', message: expect.stringMatching(/^backend 'node' is not available: \S/) }));
    }
  });

  test('wasm products with transposed operands equal the plain formulation', async () => {
    await initBackend('wasm');
    const a = tf.randomNormal([3, 5], 0, 1, 'float32', 1);
    const b = tf.randomNormal([5, 4], 0, 1, 'float32', 2);
    const plain = tf.matMul(a, b).arraySync() as number[][];
    const viaT = [
      tf.matMul(a.transpose(), b, true, false),
      tf.matMul(a, b.transpose(), false, true),
      tf.matMul(a.transpose(), b.transpose(), true, true),
    ];
    for (const t of viaT) (t.arraySync() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(plain[i][j], 5)));
  });

  test('the engine in force is reported, and without the native kernels the cost and the remedy are named', async () => {
    await initBackend('cpu');
    expect(currentEngine()).toMatchObject({ backend: 'cpu', nativeKernels: false });
    await initBackend('wasm');
    expect(currentEngine().backend).toBe('wasm');
    expect(describeEngine({ backend: 'wasm', nativeKernels: true, threads: 2, cores: 2 })).toBe('engine: wasm + native kernels (OpenBLAS), 2 threads');
    expect(describeEngine({ backend: 'wasm', nativeKernels: true, threads: 1, cores: 2 })).toBe('engine: wasm + native kernels (OpenBLAS), 1 thread');
    expect(describeEngine({ backend: 'wasm', nativeKernels: true, threads: 3, cores: 2 })).toBe("engine: wasm + native kernels (OpenBLAS), 3 threads (more than the machine's 2 cores: they will take turns)");
    const notBuilt = describeEngine({ backend: 'wasm', nativeKernels: false, threads: 1, cores: 2, whyNotNative: 'not built (build/Release/vae_native.node missing)' }).split('\n');
    expect(notBuilt).toEqual([
      'engine: wasm, without the native kernels (not built (build/Release/vae_native.node missing)), 1 thread',
      'note: training is 3-5x slower than with them; install OpenBLAS (Debian: apt-get install libopenblas-dev) and run npm ci again',
    ]);
    expect(describeEngine({ backend: 'wasm', nativeKernels: false, threads: 1, cores: 2, whyNotNative: 'turned off by VAE_NATIVE=0' })).toMatch(/\(turned off by VAE_NATIVE=0\), 1 thread\nnote: .*; unset VAE_NATIVE=0, which turns them off$/);
    expect(describeEngine({ backend: 'wasm', nativeKernels: false, threads: 1, cores: 2, whyNotNative: 'failed to load: libopenblas.so.0: cannot open' })).toMatch(/\(failed to load: libopenblas.so.0: cannot open\), 1 thread\nnote: .*; rebuild them: node scripts\/build-native.js/);
    // Without the addon the wasm backend's own pool splits a step: its threads are named, as the addon's.
    expect(describeEngine({ backend: 'wasm', nativeKernels: false, threads: 3, cores: 2, whyNotNative: 'turned off by VAE_NATIVE=0' }).split('\n')[0])
      .toBe("engine: wasm, without the native kernels (turned off by VAE_NATIVE=0), 3 threads (more than the machine's 2 cores: they will take turns)");
    expect(describeEngine({ backend: 'cpu', nativeKernels: false, threads: 1, cores: 2 })).toMatch(/about 100x slower .* --backend wasm/);
  });
});
