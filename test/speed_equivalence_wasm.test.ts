// The fast paths against tfjs's cpu kernels without the native addon (VAE_NATIVE=0): tfjs's threaded
// wasm build, our WebAssembly kernels and HeapAdam. The tests are in speed_equivalence.shared.ts; the
// setting is made before the library loads (a require, not a hoisted import) and undone after.
process.env.VAE_NATIVE = '0';
require('./speed_equivalence.shared');
afterAll(() => {
  delete process.env.VAE_NATIVE;
});

test('these ran without the addon, with the fused kernels of WebAssembly', async () => {
  const lib = require('../lib/index') as typeof import('../lib/index');
  await lib.initBackend('wasm');
  expect(lib.loadNative()).toBeNull();
  expect(lib.hasFusedKernels()).toBe(true);
  expect(lib.currentEngine()).toMatchObject({ backend: 'wasm', nativeKernels: false, whyNotNative: 'turned off by VAE_NATIVE=0' });
});
