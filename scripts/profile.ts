// `npm run profile`: where one training step of the seed model (dim_z 20, n_hidden 500, batch 128,
// dropout, Adam) spends its time on a backend (VAE_BACKEND, default wasm): tfjs's per-kernel
// profile of one step (kernel, ms, calls), and the wall time of a step split into forward + loss,
// backward and the Adam update. VAE_NATIVE=0 profiles wasm without the addon's kernels.
import * as tf from '@tensorflow/tfjs';
import { createAdam, createVae, initBackend, loadMnist, makeConfig, Rng, trainingLoss } from '../lib/index';

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
  console.log(`backend ${backend}${process.env.VAE_NATIVE === '0' ? ' (VAE_NATIVE=0)' : ''}: ${msPerStep.toFixed(1)} ms/step over ${STEPS} steps`);
  const per = (ms: number) => (ms / STEPS).toFixed(1);
  console.log(`  forward + loss ${per(phases.forward)} ms, backward ${per(phases.backward)} ms, Adam ${per(phases.adam)} ms`);
  console.log(`one step under tf.profile: ${profile.kernels.length} kernels, ${kernelMs.toFixed(1)} ms in kernels`);
  console.log(`  ${'kernel'.padEnd(22)} ${'ms'.padStart(7)} calls`);
  for (const [name, r] of rows) console.log(`  ${name.padEnd(22)} ${r.ms.toFixed(2).padStart(7)} ${String(r.calls).padStart(5)}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
