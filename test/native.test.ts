// The native addon's argument checks and its load: exact lengths, true integers, known activation
// codes, NaN kept NaN, and a load that leaves the environment as it found it.
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadNative } from '../lib/index';
import { bernoulliNll, LOG_CLIP, LOGIT_CLIP } from '../lib/core/likelihood';

const native = loadNative();
const ROOT = path.join(__dirname, '..');

(native ? describe : describe.skip)('native addon', () => {
  const f = (n: number, v = 0.5) => new Float32Array(n).fill(v);

  test('an integer argument must be a true integer in range', () => {
    expect(() => native!.sgemm(false, false, 2.5, 2, 2, f(4), f(4), f(4))).toThrow('sgemm: expected an integer in [0, 2^31)');
    expect(() => native!.sgemm(false, false, -1, 2, 2, f(4), f(4), f(4))).toThrow('sgemm: expected an integer in [0, 2^31)');
    expect(() => native!.sgemm(false, false, NaN, 2, 2, f(4), f(4), f(4))).toThrow('sgemm: expected an integer in [0, 2^31)');
  });

  test('arrays must have exactly the length their shape gives, longer ones too', () => {
    expect(() => native!.sgemm(false, false, 2, 2, 2, f(5), f(4), f(4))).toThrow('sgemm: array length differs from its shape');
    expect(() => native!.sgemm(false, false, 2, 2, 2, f(3), f(4), f(4))).toThrow('sgemm: array length differs from its shape');
    const c = f(4, 0);
    native!.sgemm(false, false, 2, 2, 2, f(4, 1), f(4, 1), c);
    expect(Array.from(c)).toEqual([2, 2, 2, 2]);
  });

  test('an unknown activation code is refused, not run as linear', () => {
    expect(() => native!.dense(f(6), f(6), f(2), null, f(4), 2, 3, 2, 7)).toThrow('dense: expected an activation code 0 (linear), 1 (ELU) or 2 (tanh)');
    expect(() => native!.activationGrad(f(4), f(4), null, f(4), f(2), 2, 2, 3)).toThrow('activationGrad: expected an activation code');
  });

  test('the Bernoulli loss gradient keeps a NaN logit NaN, as tfjs does', () => {
    const dl = f(3, 0);
    native!.bernoulliNllGrad(f(1, 1), Float32Array.from([1, 0, 1]), Float32Array.from([NaN, 2, -30]), dl, 1, 3, false, LOG_CLIP, LOGIT_CLIP);
    expect(Number.isNaN(dl[0])).toBe(true);
    expect(Number.isFinite(dl[1]) && Number.isFinite(dl[2])).toBe(true);
  });

  test("the loss kernels apply the clips they are given (lib/core/likelihood.ts's), not constants of their own", () => {
    // x = 1 at logit -30: log y = -30 unclipped; clipped at LOG_CLIP (-18.42) or at a clip of -5.
    const nll = f(1, 0), dl = f(1, 0);
    native!.bernoulliNll(f(1, 1), Float32Array.from([-30]), nll, 1, 1, false, LOG_CLIP, LOGIT_CLIP);
    expect(nll[0]).toBeCloseTo(-LOG_CLIP, 4);
    native!.bernoulliNll(f(1, 1), Float32Array.from([-30]), nll, 1, 1, false, -5, LOGIT_CLIP);
    expect(nll[0]).toBeCloseTo(5, 5);
    native!.bernoulliNllGrad(f(1, 1), f(1, 1), Float32Array.from([-3]), dl, 1, 1, false, -5, LOGIT_CLIP);
    expect(dl[0]).toBeCloseTo(-(1 - 1 / (1 + Math.exp(3))), 5); // inside the clip: -(1 - y)
    native!.bernoulliNllGrad(f(1, 1), f(1, 1), Float32Array.from([-6]), dl, 1, 1, false, -5, LOGIT_CLIP);
    expect(dl[0]).toBe(-0); // past it: no gradient
    // The continuous Bernoulli's normaliser is computed from the logit clipped to +-logitClip.
    native!.bernoulliNll(f(1, 0), Float32Array.from([40]), nll, 1, 1, true, LOG_CLIP, 3);
    const logC3 = Math.log(3 / Math.tanh(1.5));
    const expected = -(Math.max(-40 - Math.log1p(Math.exp(-40)), LOG_CLIP) + logC3); // x = 0: log(1 - y) + log C(3)
    expect(nll[0]).toBeCloseTo(expected, 4);
  });

  test("the fused dense layer checks x's columns against W's rows", async () => {
    await initBackend('wasm');
    const { fusedDense, hasFusedKernels } = await import('../lib/core/kernels/wasm_fused');
    if (!hasFusedKernels()) return;
    expect(() => fusedDense(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([4, 5]) as tf.Tensor2D, tf.zeros([5]) as tf.Tensor1D, 'elu')).toThrow(/x \[2,3\], W \[4,5\], b \[5\] do not fit/);
    expect(bernoulliNll(tf.ones([1, 2]) as tf.Tensor2D, tf.zeros([1, 2]) as tf.Tensor2D).dataSync()[0]).toBeCloseTo(2 * Math.LN2, 5);
  });

  test('loading it sets OpenBLAS\'s settings for the load only: the environment is left as it was', () => {
    const env = { ...process.env };
    delete env.OPENBLAS_NUM_THREADS;
    delete env.OPENBLAS_CORETYPE;
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e',
      "const n = require('./lib/core/kernels/native'); console.log(JSON.stringify([n.loadNative() !== null, process.env.OPENBLAS_NUM_THREADS ?? null, process.env.OPENBLAS_CORETYPE ?? null]))"],
    { cwd: ROOT, env, encoding: 'utf8' });
    expect(JSON.parse(r.stdout.trim())).toEqual([true, null, null]);
  });
});
