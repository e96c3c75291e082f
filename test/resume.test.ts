// --resume: a run stopped by Ctrl-C or killed with SIGKILL, then resumed, ends with the same
// weights (bit for bit) and the same metrics (all but wall times) as the same run left alone, on
// wasm with and without the native addon and on cpu; and a crash test that kills a run at random
// moments, over and over, until it finishes.
import { ChildProcess, spawn, SpawnOptions, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createVae, decodeSafetensors, EpochMetrics, initBackend, loadCheckpoint, makeConfig, readMetrics, Rng, trainRun } from '../lib/index';
import { smallMnist } from './helpers';

const ROOT = path.join(__dirname, '..');
const TS_NODE = path.join(ROOT, 'node_modules', '.bin', 'ts-node');
const CLI = path.join(ROOT, 'cli', 'commands', 'run_main.ts');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'resume-'));
const hasAddon = fs.existsSync(path.join(ROOT, 'build', 'Release', 'vae_native.node'));

// A small model on all of MNIST: 55 steps of 1,000 images an epoch, about a second each on wasm.
const RUN = ['--n_hidden', '16', '--dim_z', '3', '--batch_size', '1000', '--PRR', 'False', '--IS_k', '0', '--seed', '5'];

function cli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const opts: SpawnOptions = { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] };
  return spawn(TS_NODE, ['--transpile-only', CLI, ...args], opts);
}

function runToEnd(args: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(TS_NODE, ['--transpile-only', CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
}

/** Starts the CLI and sends `signal` `ms` after its output first shows `after` (a regexp), or `ms` after the start. */
async function interrupt(args: string[], env: NodeJS.ProcessEnv, signal: NodeJS.Signals, when: { after?: RegExp; ms?: number }): Promise<number | null> {
  const child = cli(args, env);
  let out = '';
  let sent = false;
  const send = () => {
    if (!sent) {
      sent = true;
      child.kill(signal);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const later = () => (when.ms === undefined ? send() : (timer ??= setTimeout(send, when.ms)));
  const onData = (d: Buffer) => {
    out += d;
    if (when.after && when.after.test(out)) later();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  if (!when.after) later();
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return code;
}

const weightsOf = (dir: string) => {
  const { tensors } = decodeSafetensors(fs.readFileSync(path.join(dir, 'checkpoint.safetensors')));
  return Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith('trainer.')).map(([k, t]) => [k, Buffer.from(t.data.buffer).toString('base64')]));
};
const withoutTimes = (ms: EpochMetrics[]) => ms.map(({ seconds, ...m }) => m);

const BACKENDS: [string, NodeJS.ProcessEnv][] = [
  ...(hasAddon ? [['wasm + native addon', { VAE_BACKEND: 'wasm' }] as [string, NodeJS.ProcessEnv]] : []),
  ['wasm without the addon', { VAE_BACKEND: 'wasm', VAE_NATIVE: '0' }],
];

describe('--resume', () => {
  test.each(BACKENDS)('%s: Ctrl-C mid-epoch or SIGKILL, then --resume True, ends as the run left alone, bit for bit', async (_, env) => {
    const alone = tmp();
    runToEnd([...RUN, '--num_epochs', '3', '--results_path', alone], env);

    const stopped = tmp();
    // Ctrl-C in the middle of epoch 2's steps: the checkpoint holds the position within the epoch.
    expect(await interrupt([...RUN, '--num_epochs', '3', '--results_path', stopped], env, 'SIGINT', { after: /epoch 1: L_tot[^\n]*\n[\s\S]*step [2-5]\d\/55/ })).toBe(130);
    runToEnd([...RUN, '--num_epochs', '3', '--results_path', stopped, '--resume', 'True'], env);

    const killed = tmp();
    expect(await interrupt([...RUN, '--num_epochs', '3', '--results_path', killed], env, 'SIGKILL', { after: /epoch 2: L_tot/ })).toBe(null);
    runToEnd([...RUN, '--num_epochs', '3', '--results_path', killed, '--resume', 'True'], env);

    for (const dir of [stopped, killed]) {
      expect(weightsOf(dir)).toEqual(weightsOf(alone));
      expect(withoutTimes(readMetrics(dir))).toEqual(withoutTimes(readMetrics(alone)));
    }
    expect(readMetrics(alone).map((m) => m.epoch)).toEqual([1, 2, 3]);
  }, 240000);

  // The cpu backend is too slow for the command line on all of MNIST in a test: the same library
  // calls the command line makes, in this process, on 1,000 images.
  test('cpu: stopped mid-epoch or dead after an epoch, then resumed from the checkpoint file, ends as the run left alone, bit for bit', async () => {
    await initBackend('cpu');
    try {
      const config = makeConfig({ nHidden: 16, dimZ: 3, batchSize: 100, numEpochs: 2, seed: 5 });
      const data = smallMnist(1000, 100);
      const alone = tmp();
      await trainRun(alone, createVae(config, config.seed), config, data, { isK: 0 });
      const resumeFromFile = async (dir: string) => {
        const { model, trainer } = loadCheckpoint(path.join(dir, 'checkpoint.safetensors'));
        const r = await trainRun(dir, model, config, data, { isK: 0, resume: trainer! });
        expect(r.stopped).toBe(false);
      };
      const stopped = tmp();
      let steps = 0;
      expect((await trainRun(stopped, createVae(config, config.seed), config, data, { isK: 0, hooks: { onStep: () => steps++, shouldStop: () => steps === 13 } })).stopped).toBe(true);
      await resumeFromFile(stopped);
      const died = tmp();
      const dying = trainRun(died, createVae(config, config.seed), config, data, { isK: 0, hooks: { onEpochEnd: (m) => { if (m.epoch === 1) throw new Error('killed'); } } });
      await expect(dying).rejects.toThrow('killed');
      await resumeFromFile(died);
      for (const dir of [stopped, died]) {
        expect(weightsOf(dir)).toEqual(weightsOf(alone));
        expect(withoutTimes(readMetrics(dir))).toEqual(withoutTimes(readMetrics(alone)));
      }
    } finally {
      await initBackend('wasm');
    }
  }, 120000);

  test('a finished run resumes to more epochs; other settings are refused, naming them', () => {
    const dir = tmp();
    const env = { VAE_BACKEND: 'wasm' };
    runToEnd([...RUN, '--num_epochs', '1', '--results_path', dir], env);
    const done = spawnSync(TS_NODE, ['--transpile-only', CLI, ...RUN, '--num_epochs', '1', '--results_path', dir, '--resume', 'True'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(done.status).toBe(2);
    expect(done.stderr.trim()).toBe(`error: --resume True: the run in ${dir} has its 1 epochs already; pass a larger --num_epochs to train on`);
    const other = spawnSync(TS_NODE, ['--transpile-only', CLI, ...RUN, '--dim_z', '4', '--learn_rate', '0.01', '--num_epochs', '2', '--results_path', dir, '--resume', 'True'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(other.status).toBe(2);
    expect(other.stderr.trim()).toBe(`error: --resume True: the run in ${dir} was trained with other settings: --dim_z 3 (given 4), --learn_rate 0.001 (given 0.01); pass the same ones, or --overwrite True`);
    runToEnd([...RUN, '--num_epochs', '2', '--results_path', dir, '--resume', 'True'], env);
    expect(readMetrics(dir).map((m) => m.epoch)).toEqual([1, 2]);
    const empty = tmp();
    const nothing = spawnSync(TS_NODE, ['--transpile-only', CLI, ...RUN, '--results_path', empty, '--resume', 'True'], { encoding: 'utf8' });
    expect(nothing.status).toBe(2);
    expect(nothing.stderr.trim()).toBe(`error: --resume True: ${empty} holds no run to continue`);
  }, 120000);

  test('crash test: killed with SIGKILL at random moments (>= 20 times), resumed each time, it ends as the run left alone', async () => {
    const env = { VAE_BACKEND: 'wasm' };
    const args = [...RUN, '--num_epochs', '24']; // long enough that 20 kills come before the end on faster machines too
    const alone = tmp();
    runToEnd([...args, '--results_path', alone], env);
    const dir = tmp();
    const rng = new Rng(2026);
    const finished = () => fs.existsSync(path.join(dir, 'summary.json'));
    let kills = 0;
    // Continue what is there: from its checkpoint, or anew when it was killed before its first one.
    const how = () => (fs.existsSync(path.join(dir, 'checkpoint.safetensors')) ? ['--resume', 'True'] : fs.existsSync(path.join(dir, 'config.json')) ? ['--overwrite', 'True'] : []);
    while (kills < 20 && !finished()) {
      // Timed from the engine line (start-up done), the kills land while the data loads, in
      // training steps, evaluation and checkpoint writes; each leaves ~0.4 epochs of progress.
      const code = await interrupt([...args, '--results_path', dir, ...how()], env, 'SIGKILL', { after: /^engine:/m, ms: 200 + 1400 * rng.next() });
      if (code === null) kills++;
      else expect(code).toBe(0); // it finished before the kill
    }
    if (!finished()) runToEnd([...args, '--results_path', dir, ...how()], env);
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(weightsOf(dir)).toEqual(weightsOf(alone));
    expect(withoutTimes(readMetrics(dir))).toEqual(withoutTimes(readMetrics(alone)));
    expect(fs.readdirSync(dir).filter((f) => /\.tmp-\d+$/.test(f) || f === 'run.lock')).toEqual([]);
  }, 600000);
});
