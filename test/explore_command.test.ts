// `npm run explore` (the full test tier): the explorer written for a trained run, and its refusals
// as a process. The page's codec and decoder are test/explorer.test.ts.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createVae, makeConfig, trainRun } from '../lib/index';
import { explore } from '../cli/commands/explore';
import { smallMnist, useBackend } from './helpers';

useBackend();

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-'));

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
