// `npm run profile`: where one training step of the seed model (dim_z 20, n_hidden 500, batch 128,
// dropout, Adam) spends its time on a backend (VAE_BACKEND, default wasm). Where Trainer runs
// NativeStep (wasm with the addon): its ms a step and each addon call's share (by function and
// shape), the rest being JavaScript. Then the engine's path (what runs elsewhere, and with K > 1):
// tfjs's per-kernel profile of one step (kernel, ms, calls), and the wall time of a step split into
// forward + loss, backward and the Adam update. VAE_NATIVE=0 profiles wasm without the addon.
import * as tf from '@tensorflow/tfjs';
import { createAdam, createVae, initBackend, loadMnist, loadNative, makeConfig, Mnist, Rng, Trainer, trainingLoss } from '../lib/index';

const STEPS = Number(process.env.PROFILE_STEPS ?? 100);

async function main(): Promise<void> {
  const backend = await initBackend(process.env.VAE_BACKEND || 'wasm');
  const data = loadMnist();
  const config = makeConfig({ dimZ: 20, nHidden: 500, batchSize: 128 });
  const model = createVae(config, 1);
  const adam = createAdam(config.learnRate);
  const rng = new Rng(1);
  const vars = model.trainableVariables();
  const batchAt = (i: number) => data.train.images.subarray(((i * 128) % 50000) * 784, (((i * 128) % 50000) + 128) * 784);
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  nativeStepProfile(data, config, batchAt, now);
  const phases = { forward: 0, backward: 0, adam: 0 };

  const step = (i: number, timed: boolean) =>
    tf.tidy(() => {
      const x = tf.tensor2d(batchAt(i), [128, 784]);
      const t0 = now();
      let t1 = 0;
      const { value, grads } = tf.variableGrads(() => {
        const loss = trainingLoss(model, x, { addNoise: false, klBeta: 1, rng }).total;
        t1 = now();
        return loss;
      }, vars);
      value.dataSync();
      const t2 = now();
      adam.applyGradients(vars, vars.map((v) => grads[v.name]));
      if (timed) {
        phases.forward += t1 - t0;
        phases.backward += t2 - t1;
        phases.adam += now() - t2;
      }
    });

  for (let i = 0; i < 10; i++) step(i, false);
  const start = now();
  for (let i = 0; i < STEPS; i++) step(i, true);
  const msPerStep = (now() - start) / STEPS;

  const profile = await tf.profile(() => step(0, false));
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const row = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    row.ms += k.kernelTimeMs as number;
    row.calls++;
    byKernel.set(k.name, row);
  }
  const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((s, [, r]) => s + r.ms, 0);
  console.log(`backend ${backend}${process.env.VAE_NATIVE === '0' ? ' (VAE_NATIVE=0)' : ''}, the engine's step: ${msPerStep.toFixed(1)} ms/step over ${STEPS} steps`);
  const per = (ms: number) => (ms / STEPS).toFixed(1);
  console.log(`  forward + loss ${per(phases.forward)} ms, backward ${per(phases.backward)} ms, Adam ${per(phases.adam)} ms`);
  console.log(`one step under tf.profile: ${profile.kernels.length} kernels, ${kernelMs.toFixed(1)} ms in kernels`);
  console.log(`  ${'kernel'.padEnd(22)} ${'ms'.padStart(7)} calls`);
  for (const [name, r] of rows) console.log(`  ${name.padEnd(22)} ${r.ms.toFixed(2).padStart(7)} ${String(r.calls).padStart(5)}`);
}

/** NativeStep's steps, each addon call timed (by function and shape); nothing printed where Trainer does not use it. */
function nativeStepProfile(data: Mnist, config: ReturnType<typeof makeConfig>, batchAt: (i: number) => Float32Array, now: () => number): void {
  const model = createVae(config, 1);
  const trainer = new Trainer(model, config, data);
  if (!trainer.nativeStepInUse) return;
  const native = loadNative() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const calls = new Map<string, { ms: number; calls: number }>();
  const shapeOf: Record<string, (a: unknown[]) => string> = {
    dense: (a) => `${a[5]}x${a[6]}x${a[7]}`,
    sgemm: (a) => `${a[0] ? 'T' : 'N'}${a[1] ? 'T' : 'N'} ${a[2]}x${a[3]}x${a[4]}`,
  };
  const originals = ['dense', 'sgemm', 'activationGrad', 'bernoulliNll', 'bernoulliNllGrad', 'adam', 'bernoulliFill'].map((name) => {
    const f = native[name];
    native[name] = (...a: unknown[]) => {
      const t = now();
      const r = f(...a);
      const key = `${name} ${shapeOf[name]?.(a) ?? ''}`;
      const row = calls.get(key) ?? { ms: 0, calls: 0 };
      row.ms += now() - t;
      row.calls++;
      calls.set(key, row);
      return r;
    };
    return [name, f] as const;
  });
  for (let i = 0; i < 10; i++) trainer.step(batchAt(i));
  calls.clear();
  const start = now();
  for (let i = 0; i < STEPS; i++) trainer.step(batchAt(i));
  const ms = (now() - start) / STEPS;
  originals.forEach(([name, f]) => (native[name] = f));
  const rows = [...calls].sort((a, b) => b[1].ms - a[1].ms);
  const inAddon = rows.reduce((s, [, r]) => s + r.ms, 0) / STEPS;
  console.log(`NativeStep (what Trainer runs here): ${ms.toFixed(1)} ms/step over ${STEPS} steps, ${inAddon.toFixed(1)} ms of it in addon calls, ${(ms - inAddon).toFixed(1)} ms in JavaScript`);
  console.log(`  ${'addon call'.padEnd(30)} ${'ms'.padStart(7)} calls a step`);
  for (const [name, r] of rows) console.log(`  ${name.padEnd(30)} ${(r.ms / STEPS).toFixed(2).padStart(7)} ${String(r.calls / STEPS).padStart(5)}`);
  trainer.dispose();
  model.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
