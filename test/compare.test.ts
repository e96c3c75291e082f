import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  resultsTable, ResultRun, RunSummary,
  appendMetrics, collectRuns, DamagedRunError, EpochMetrics, makeConfig, readMetrics, readRunSummary, resetMetrics, runsToCsv, runsToMarkdown, writeRunConfig, writeRunSummary,
} from '../lib/index';

const epoch = (e: number, loss: number): EpochMetrics => ({
  epoch: e, trainLoss: loss + 5, trainRecon: loss, trainKl: 5, test: { loss, recon: loss - 4, kl: 4 }, seconds: 10 * e,
});

describe('comparison across runs', () => {
  test('reads every run directory into one row, as CSV and Markdown', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-'));
    const a = path.join(root, 'a_vae');
    writeRunConfig(a, { config: makeConfig({ dimZ: 2, klBeta: 0.1, klWarmup: 1, seed: 3, likelihood: 'continuous_bernoulli', binarize: 'dynamic' }) });
    resetMetrics(a);
    appendMetrics(a, epoch(1, 150));
    appendMetrics(a, epoch(2, 140));
    writeRunSummary(a, { epochs: 2, test: { loss: 140, recon: 136, kl: 4 }, isLogLikelihood: { k: 50, value: -135.5 }, activeUnits: 2, secondsPerEpoch: 15 });
    const b = path.join(root, 'b_ae');
    // A run recorded before --likelihood, --binarize and --KL_warmup existed reads as trained with their defaults.
    const { likelihood, binarize, klWarmup, ...older } = makeConfig({ mode: 'vanilla_ae', addNoise: true });
    writeRunConfig(b, { config: older as never });
    resetMetrics(b);
    appendMetrics(b, epoch(1, 120));
    fs.mkdirSync(path.join(root, 'not_a_run'));
    const rows = collectRuns(root);
    expect(rows).toEqual([
      {
        run: 'a_vae', mode: 'vae', likelihood: 'continuous_bernoulli', binarize: 'dynamic', dimZ: 2, klBeta: 0.1, klWarmup: 1, addNoise: false, epochs: 2, seed: 3,
        testElbo: 140, recon: 136, kl: 4, isNll: 135.5, isK: 50, isBitsPerDim: 135.5 / (784 * Math.LN2), activeUnits: 2, secondsPerEpoch: 15,
      },
      {
        run: 'b_ae', mode: 'vanilla_ae', likelihood: 'bernoulli', binarize: 'none', dimZ: 20, klBeta: 1, klWarmup: 0, addNoise: true, epochs: 1, seed: 0,
        testElbo: 120, recon: 116, kl: 4, isNll: null, isK: null, isBitsPerDim: null, activeUnits: null, secondsPerEpoch: 10,
      },
    ]);
    const csv = runsToCsv(rows).split('\n');
    expect(csv[0]).toBe('run,mode,likelihood,binarize,dim_z,KL_beta,KL_warmup,noise,epochs,seed,test loss (recon + β·KL),reconstruction,KL,−log p(x) (IS),IS k,bits/dim (IS),active units,s/epoch');
    expect(csv[1]).toBe('a_vae,vae,continuous_bernoulli,dynamic,2,0.10,1,false,2,3,140,136,4,135.50,50,0.2493,2,15');
    expect(csv[2]).toBe('b_ae,vanilla_ae,bernoulli,none,20,1,0,true,1,0,120,116,4,,,,,10');
    // Its summary.json predates units and bits/dim: read, it has them, derived from its numbers and its configuration.
    expect(readRunSummary(a)).toMatchObject({
      units: 'continuous Bernoulli density on [0, 1]^784, dynamically binarized pixels',
      bitsPerDim: { elbo: 140 / (784 * Math.LN2), is: 135.5 / (784 * Math.LN2) },
    });
    const md = runsToMarkdown(rows).split('\n');
    expect(md[1]).toBe(`|${' --- |'.repeat(18)}`);
    expect(md[3]).toBe('| b_ae | vanilla_ae | bernoulli | none | 20 | 1 | 0 | true | 1 | 0 | 120 | 116 | 4 | – | – | – | – | 10 |');
  });

  test('runs come in natural order: dim_z 2 before 5 before 10 and 20', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-'));
    for (const z of [10, 2, 20, 5]) {
      const dir = path.join(root, `vae_z${z}_s1`);
      writeRunConfig(dir, { config: makeConfig({ dimZ: z }) });
      resetMetrics(dir);
      appendMetrics(dir, epoch(1, 100 + z));
    }
    expect(collectRuns(root).map((r) => r.dimZ)).toEqual([2, 5, 10, 20]);
  });

  test('a metrics file cut short by a crash: its partial last line is skipped with a warning; other damage is named', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-'));
    const dir = path.join(root, 'run');
    writeRunConfig(dir, { config: makeConfig({ dimZ: 2 }) });
    resetMetrics(dir);
    appendMetrics(dir, epoch(1, 150));
    appendMetrics(dir, epoch(2, 140));
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), JSON.stringify(epoch(3, 130)).slice(0, 25));
    const warnings: string[] = [];
    expect(readMetrics(dir, (w) => warnings.push(w)).map((m) => m.epoch)).toEqual([1, 2]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/metrics\.jsonl: skipped its last line, cut short \(25 characters, no newline\)/);
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), `${JSON.stringify(epoch(1, 150))}\n{"epoch": 2, "tr\n${JSON.stringify(epoch(3, 130))}\n`);
    expect(() => readMetrics(dir)).toThrow(DamagedRunError);
    expect(() => readMetrics(dir)).toThrow(/metrics\.jsonl: line 2 is not JSON$/);
  });

  test('compare lists a damaged run as damaged and reads the others', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-'));
    for (const name of ['a', 'b', 'c']) {
      const dir = path.join(root, name);
      writeRunConfig(dir, { config: makeConfig({ dimZ: 2 }) });
      resetMetrics(dir);
      appendMetrics(dir, epoch(1, 150));
    }
    fs.writeFileSync(path.join(root, 'b', 'config.json'), '{"config": {"mode"');
    fs.writeFileSync(path.join(root, 'c', 'summary.json'), '');
    const damaged: [string, string][] = [];
    const rows = collectRuns(root, (run, why) => damaged.push([run, why]));
    expect(rows.map((r) => r.run)).toEqual(['a']);
    expect(damaged.map(([run]) => run)).toEqual(['b', 'c']);
    expect(damaged[0][1]).toMatch(/b\/config\.json: not JSON \(18 bytes\)$/);
    expect(damaged[1][1]).toMatch(/c\/summary\.json: not JSON \(0 bytes\)$/);
  });

  test('no results folder gives no rows', () => {
    expect(collectRuns('/nonexistent/results')).toEqual([]);
  });
});

describe("the notebooks' results table", () => {
  const summary = (over: Partial<RunSummary>): RunSummary => ({
    epochs: 20, test: { loss: 104.5912, recon: 80.1, kl: 24.0, klPerDim: [] } as unknown as RunSummary['test'], isLogLikelihood: { k: 50, value: -99.931 },
    bitsPerDim: { elbo: 0.19251, is: 0.18391 }, activeUnits: 17, secondsPerEpoch: 30, units: 'nats per image', ...over,
  });
  const runs: ResultRun[] = [
    { label: 'warm-up', config: makeConfig({ dimZ: 20, klBeta: 0.5, klWarmup: 10 }), summary: summary({}) },
    { label: 'AE', config: makeConfig({ dimZ: 2, mode: 'vanilla_ae' }), summary: summary({ isLogLikelihood: null, activeUnits: null, bitsPerDim: { elbo: null, is: null } }) },
  ];

  test('each column from the run\'s configuration and summary; a number the run lacks is a dash', () => {
    const t = resultsTable(runs, ['klWarmup', 'objective', 'elbo', 'elboBits', 'is', 'isBits', 'activeUnits', 'units'], 'model');
    expect(t.header).toEqual(['model', 'KL warm-up (epochs)', 'objective (recon + β·KL)', '−ELBO (recon + KL)', '−ELBO bits/dim', '−log p(x) (IS, k = 50)', 'bits/dim', 'active units', 'what the numbers are']);
    expect(t.cells).toEqual([
      ['warm-up', 10, '104.59', '104.10', '0.1925', '99.93', '0.1839', '17/20', 'nats per image'],
      ['AE', 0, '104.59', '104.10', '–', '–', '–', '–', 'nats per image'],
    ]);
  });

  test('the objective trained on, its test bound (−L_K for an IWAE, else −ELBO), epochs and s/epoch', () => {
    const iw: ResultRun[] = [
      ...runs,
      { label: 'IWAE', config: makeConfig({ arch: 'burda', iwK: 5 }), summary: summary({ testBound: { k: 5, value: 100.349 }, secondsPerEpoch: 22.71 }) },
      { label: 'VAE K = 5', config: makeConfig({ arch: 'burda', elboK: 5 }), summary: summary({ epochs: 3 }) },
    ];
    const t = resultsTable(iw, ['trainedOn', 'bound', 'epochs', 'secondsPerEpoch']);
    expect(t.header).toEqual(['run', 'trained on', '−(bound trained on)', 'epochs', 's/epoch']);
    expect(t.cells).toEqual([
      ['warm-up', 'recon + 0.5·KL, 1 sample', '104.10', 20, '30.0'],
      ['AE', 'reconstruction (no KL)', '104.10', 20, '30.0'],
      ['IWAE', 'IWAE bound, K = 5', '100.35', 20, '22.7'],
      ['VAE K = 5', 'ELBO, K = 5 samples', '104.10', 3, '30.0'],
    ]);
  });
});
