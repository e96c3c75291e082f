// `npm run explore` (the full test tier): the explorer written for a trained run, and its refusals
// as a process. The page's codec and decoder are test/explorer.test.ts.
// The explorer's data and arithmetic, in Node: the page's own decoder (lib/web/explorer_page.js) on the
// page's own bytes against the library's decoder, the quantisation, the size, and `npm run explore`.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DIGIT_COLORS,
  CB_TAYLOR, LOGIT_CLIP, MEAN_CLIP,
  buildExplorer, createVae, decodeLatents, encodeMeans, ExplorerMeta, float16Bits, makeConfig, quantizeColumns, readAndDispose, Rng, standardNormal, Trainer,
  trainRun, Vae,
} from '../lib/index';
import { explore } from '../cli/commands/explore';
import { realMnist, smallMnist, useBackend } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const page = require('../lib/web/explorer_page.js');

useBackend();

const BOUND = 0.02; // max |Δpixel| the README states for the page's decoder
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-'));

/** The page's model, unpacked from the page's own bytes as the page does. */
function pageModel(html: string) {
  const meta = JSON.parse(/<script type="application\/json" id="explorer-meta">(.*?)<\/script>/s.exec(html)![1]) as ExplorerMeta;
  const data = /<script type="application\/octet-stream" id="explorer-data">(.*?)<\/script>/s.exec(html)![1];
  const unpacked = page.unpack(meta, new Uint8Array(Buffer.from(data, 'base64')));
  return { meta, ...unpacked, decode: page.createDecoder(unpacked.layers, meta.clip) as (z: Float32Array) => Float32Array };
}

function maxDiff(model: Vae, decode: (z: Float32Array) => Float32Array, z: Float32Array): number {
  const dimZ = model.config.dimZ;
  const ref = decodeLatents(model, z);
  let max = 0;
  for (let s = 0; s < z.length / dimZ; s++) {
    const got = decode(z.subarray(s * dimZ, (s + 1) * dimZ));
    for (let p = 0; p < 784; p++) max = Math.max(max, Math.abs(got[p] - ref[s * 784 + p]));
  }
  return max;
}


describe('npm run explore', () => {
  const data = smallMnist(600, 100);
  let run = '';
  beforeAll(async () => {
    run = path.join(tmp(), 'run');
    const config = makeConfig({ dimZ: 2, nHidden: 16, numEpochs: 1, batchSize: 100 });
    const model = createVae(config, 1);
    await trainRun(run, model, config, data, { isK: 0 });
    model.dispose();
  });

  test('writes explorer.html for a trained run and prints its path', async () => {
    const lines: string[] = [];
    const file = await explore([run], (l) => lines.push(l));
    expect(file).toBe(path.join(run, 'explorer.html'));
    expect(fs.statSync(file).size).toBeGreaterThan(10000);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d\\.\\d\\d MB; its decoder within 0\\.0\\d\\d of the model's per pixel\\)$`))]);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('<h1>run</h1>');
    expect(html).toContain('1 epoch on 600 training images');
  });

  test('refuses what is not a run, a run without a checkpoint, a damaged checkpoint: one line naming the file, exit 1 (2 for usage)', () => {
    const dir = tmp();
    const cli = (...args: string[]) => spawnSync('npx', ['ts-node', '--transpile-only', 'cli/commands/explore.ts', ...args], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    const noRun = cli(dir);
    expect([noRun.status, noRun.stderr.trim()]).toEqual([1, `error: ${dir}: not a run directory (no config.json, no checkpoint.safetensors)`]);
    const noDir = cli(path.join(dir, 'nothing'));
    expect([noDir.status, noDir.stderr.trim()]).toEqual([2, `error: ${path.join(dir, 'nothing')}: not a directory`]);
    const usage = cli();
    expect([usage.status, usage.stderr.trim()]).toEqual([2, "error: missing required argument 'RUN_DIR' (usage: npm run explore -- RUN_DIR [--data_dir DIR])"]);
    fs.copyFileSync(path.join(run, 'config.json'), path.join(dir, 'config.json'));
    const noCheckpoint = cli(dir);
    expect(noCheckpoint.status).toBe(1);
    expect(noCheckpoint.stderr.trim()).toBe(`error: ${path.join(dir, 'checkpoint.safetensors')}: missing: this run has no checkpoint (it stopped before its first epoch ended)`);
    const bytes = fs.readFileSync(path.join(run, 'checkpoint.safetensors'));
    fs.writeFileSync(path.join(dir, 'checkpoint.safetensors'), bytes.subarray(0, bytes.length - 100));
    const damaged = cli(dir);
    expect(damaged.status).toBe(1);
    expect(damaged.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^error: ${path.join(dir, 'checkpoint.safetensors')}: `))]);
    expect(fs.existsSync(path.join(dir, 'explorer.html'))).toBe(false);
  }, 60000);
});
