import * as lib from '../lib';
import { loadNative } from '../lib/kernels/native';
async function main() {
  const native = loadNative()!;
  const acc: Record<string, [number, number]> = {};
  for (const k of ['sgemm','adam','dense','activationGrad','bernoulliNll','bernoulliNllGrad','bernoulliFill'] as const) {
    const f = (native as any)[k];
    (native as any)[k] = (...a: any[]) => { const t = process.hrtime.bigint(); const r = f(...a); const d = Number(process.hrtime.bigint() - t) / 1e6; (acc[k] ??= [0, 0]); acc[k][0] += d; acc[k][1]++; return r; };
  }
  await lib.initBackend('wasm');
  const data = lib.loadMnist();
  const config = lib.makeConfig({});
  const model = lib.createVae(config, 1);
  const trainer = new lib.Trainer(model, config, data);
  const batchAt = (i: number) => data.train.images.subarray(((i * 128) % 50000) * 784, (((i * 128) % 50000) + 128) * 784);
  for (let i = 0; i < 20; i++) trainer.step(batchAt(i));
  for (const k in acc) acc[k] = [0, 0];
  const N = 100; const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) trainer.step(batchAt(i));
  const ms = Number(process.hrtime.bigint() - t) / 1e6 / N;
  let inside = 0;
  for (const k in acc) { inside += acc[k][0] / N; console.log(k.padEnd(18), (acc[k][0] / N).toFixed(2), 'ms', acc[k][1] / N, 'calls'); }
  console.log(`threads ${native.threads(0)}: ${ms.toFixed(2)} ms/step, ${inside.toFixed(2)} in addon, ${(ms - inside).toFixed(2)} outside`);
}
main();
