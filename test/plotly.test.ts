// The notebooks' Plotly figures are plain specs: checked here for what they plot and how they read.
import {
  DIGIT_COLORS, EpochMetrics, isBoundFigure, klHeatmapFigure, klSpectrumFigure, latentRange, latentScatterFigure, lossCurvesFigure, rateDistortionFigure, RunRow, trainingCurvesFigure, WIDTH,
} from '../lib/index';

const epoch = (e: number, test: number, validation?: number): EpochMetrics => ({
  epoch: e,
  trainLoss: test + 3,
  trainRecon: test,
  trainKl: 3,
  test: { loss: test, recon: test - 2, kl: 2 },
  validation: validation === undefined ? undefined : { loss: validation, recon: validation - 2, kl: 2 },
  seconds: 1,
});

const row = (run: string, mode: string, kl: number, recon: number, klBeta = 1, seed = 1): RunRow => ({
  run, mode, likelihood: 'bernoulli', binarize: 'none', dimZ: 2, klBeta, klWarmup: 0, addNoise: false, epochs: 5, seed, testElbo: recon + klBeta * kl, recon, kl,
  isNll: null, isK: null, isBitsPerDim: null, activeUnits: null, secondsPerEpoch: 20,
});

const shownInLegend = (data: Record<string, unknown>[]) => data.filter((t) => t.showlegend !== false).map((t) => t.name);

describe('Plotly figures', () => {
  test('loss curves: one colour per run, train/validation/test as line styles, a legend of runs + styles', () => {
    const fig = lossCurvesFigure([
      { name: 'a', history: [epoch(1, 250, 251), epoch(2, 140, 141.5), epoch(3, 138.123, 139)] },
      { name: 'b', history: [epoch(1, 220, 221), epoch(2, 120, 121), epoch(3, 119, 120)] },
    ]);
    const curves = fig.data.filter((t) => t.legendgroup === 'a');
    expect(curves.map((t) => (t.line as { dash: string }).dash)).toEqual(['dot', 'dash', 'solid']);
    expect(curves[2]).toMatchObject({ x: [1, 2, 3], y: [250, 140, 138.12] }); // rounded to what hover shows
    expect(curves[0].y).toEqual([253, 143, 141.12]);
    expect((curves[0].line as { color: string }).color).not.toBe((fig.data[3].line as { color: string }).color);
    expect(shownInLegend(fig.data)).toEqual(['a', 'b', 'train (dropout on)', 'validation', 'test']);
    // Epoch 1 (far above) does not flatten the rest; the title says so.
    const [lo, hi] = (fig.layout.yaxis as { range: number[] }).range;
    expect(lo).toBeLessThan(119);
    expect(hi).toBeGreaterThan(143);
    expect(hi).toBeLessThan(150);
    expect(JSON.stringify(fig.layout.title)).toContain('epoch 1 lies above the top');
    expect(fig.layout.width).toBeLessThanOrEqual(WIDTH);
  });

  test('loss curves of five runs keep the legend at 8 entries', () => {
    const runs = ['VAE 1', 'VAE 2', 'AE 1', 'AE 2', 'AE 3'].map((name) => ({ name, history: [epoch(1, 150, 151), epoch(2, 140, 141)] }));
    expect(shownInLegend(lossCurvesFigure(runs).data)).toHaveLength(8);
  });

  test('loss curves without validation records have no validation curve or legend entry', () => {
    const fig = lossCurvesFigure([{ name: 'a', history: [epoch(1, 150), epoch(2, 140)] }]);
    expect(fig.data.map((t) => (t.line as { dash: string }).dash)).toEqual(['dot', 'solid', 'dot', 'solid']);
    expect(shownInLegend(fig.data)).toEqual(['a', 'train (dropout on)', 'test']);
  });

  test('rate-distortion: VAE runs only, one trace per configuration with its seeds pooled, no text labels', () => {
    const fig = rateDistortionFigure([
      row('v1', 'vae', 5, 140), row('v1b', 'vae', 5.2, 139.5, 1, 2), row('ae', 'vanilla_ae', 0, 130), row('v2', 'vae', 50, 70, 0.1),
      { ...row('v3', 'vae', 20, 90), dimZ: 10 }, { ...row('v4', 'vae', 12, 136), dimZ: 10, addNoise: true },
    ]);
    expect(fig.data.map((t) => t.name)).toEqual(['dim_z 2, β 1 (2 seeds)', 'dim_z 2, β 0.1', 'dim_z 10, β 1', 'dim_z 10, β 1, noisy inputs']);
    expect(fig.data[0]).toMatchObject({ x: [5, 5.2], y: [140, 139.5], mode: 'markers' });
    expect(fig.data.every((t) => t.text === undefined)).toBe(true);
    const marker = (i: number) => fig.data[i].marker as { color: string; symbol: string };
    expect(marker(0).color).toBe(marker(1).color); // colour: dim_z
    expect(marker(0).color).not.toBe(marker(2).color);
    expect(marker(0).symbol).not.toBe(marker(1).symbol); // marker: β
    expect(marker(3).symbol).toBe(`${marker(2).symbol}-open`); // open: noise
    expect(String(fig.data[0].hovertemplate)).toContain('%{y:.2f}');
    expect(JSON.stringify(fig.layout.title)).not.toContain('left out');
  });

  test('rate-distortion: runs measured in other units (continuous Bernoulli, binarized pixels) are left out and counted; a warm-up is its own configuration', () => {
    const fig = rateDistortionFigure([
      row('v1', 'vae', 5, 140), { ...row('w', 'vae', 6, 138), klWarmup: 10 }, { ...row('cb', 'vae', 25, -1400), likelihood: 'continuous_bernoulli' },
      { ...row('bin', 'vae', 25, 80), binarize: 'dynamic' },
    ]);
    expect(fig.data.map((t) => t.name)).toEqual(['dim_z 2, β 1', 'dim_z 2, β 1 (warm-up 10)']);
    expect(JSON.stringify(fig.layout.title)).toContain('Bernoulli on grayscale pixels; 2 runs in other units (see the table) left out');
  });

  test('latent scatter: one trace per digit and panel, legend toggles a digit in every panel, coordinates rounded', () => {
    const z = Float32Array.from([0.123456, -1.98765, 3.3333, 0.5, -0.25, 0.75]);
    const labels = Uint8Array.from([7, 5, 7]);
    const fig = latentScatterFigure([
      { z, dimZ: 2, labels, title: 'one', range: 4 },
      { z, dimZ: 2, labels, title: 'two', range: 8 },
    ]);
    expect(fig.data).toHaveLength(20);
    const seven = fig.data[7];
    expect(seven).toMatchObject({ name: '7', legendgroup: '7', x: [0.12, -0.25], y: [-1.99, 0.75], customdata: [0, 2], showlegend: true });
    expect((seven.marker as { color: string }).color).toBe(DIGIT_COLORS[7]);
    expect(fig.data[17]).toMatchObject({ legendgroup: '7', showlegend: false, xaxis: 'x2', yaxis: 'y2' });
    expect(fig.layout.xaxis2).toMatchObject({ range: [-8, 8] });
    expect(String(seven.hovertemplate)).toContain('test image %{customdata}');
    expect(fig.layout.width).toBeLessThanOrEqual(WIDTH);
  });

  test('the digit palette has ten distinct colours, far apart', () => {
    const rgb = DIGIT_COLORS.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    expect(new Set(DIGIT_COLORS).size).toBe(10);
    for (let a = 0; a < 10; a++) {
      for (let b = a + 1; b < 10; b++) expect(Math.hypot(...rgb[a].map((v, i) => v - rgb[b][i]))).toBeGreaterThan(60);
    }
  });

  test('latentRange: at least ±4, else 5 % beyond the furthest code', () => {
    expect(latentRange(Float32Array.from([0.5, -1]))).toBe(4);
    expect(latentRange(Float32Array.from([0.5, -20]))).toBeCloseTo(21);
  });

  test('training curves: objective, reconstruction and KL panels, train/validation/test in each; one panel without a posterior', () => {
    const history = [epoch(1, 250, 251), epoch(2, 140, 141.5), epoch(3, 138.123, 139)];
    const fig = trainingCurvesFigure(history, 'run: 3 of 20 epochs');
    expect(fig.data).toHaveLength(9);
    const panel = (axis: string) => fig.data.filter((t) => t.xaxis === axis);
    expect(panel('x').map((t) => t.y)).toEqual([[253, 143, 141.12], [251, 141.5, 139], [250, 140, 138.12]]); // objective
    expect(panel('x2').map((t) => t.y)).toEqual([[250, 140, 138.12], [249, 139.5, 137], [248, 138, 136.12]]); // reconstruction
    expect(panel('x3').map((t) => t.y)).toEqual([[3, 3, 3], [2, 2, 2], [2, 2, 2]]); // KL
    expect(panel('x').map((t) => (t.line as { dash: string }).dash)).toEqual(['dot', 'dash', 'solid']);
    expect(shownInLegend(fig.data)).toEqual(['train (dropout on)', 'validation', 'test']);
    expect((fig.layout.annotations as { text: string }[]).map((a) => a.text)).toEqual(['objective (recon + β·KL)', 'reconstruction −log p(x|z)', 'KL(q(z|x) ‖ p(z))']);
    expect(JSON.stringify(fig.layout.title)).toContain('run: 3 of 20 epochs');
    const ae = trainingCurvesFigure(history.map((m) => ({ ...m, validation: undefined })), 'ae', 'vanilla_ae');
    expect(ae.data.map((t) => t.name)).toEqual(['train (dropout on)', 'test']);
    expect(ae.data[1].y).toEqual([248, 138, 136.12]);
  });

  test('KL heatmap: epochs down, dimensions across, the KL of each; active units at the end in the title', () => {
    const withKl = (e: number, klPerDim: number[], activeUnits: number): EpochMetrics => {
      const m = epoch(e, 100);
      return { ...m, test: { ...m.test, kl: klPerDim.reduce((a, b) => a + b, 0), klPerDim, activeUnits } };
    };
    const fig = klHeatmapFigure([withKl(1, [0.5, 0.001, 2.345], 2), withKl(2, [1, 0, 3.3], 2)]);
    expect(fig.data[0]).toMatchObject({ type: 'heatmap', x: [0, 1, 2], y: [1, 2], z: [[0.5, 0, 2.35], [1, 0, 3.3]] });
    expect(JSON.stringify(fig.layout.title)).toContain('after epoch 2: 2 of 3 units active, KL 4.30 nats in all');
    expect(() => klHeatmapFigure([epoch(1, 100)])).toThrow('no epoch records test.klPerDim');
  });

  test('KL spectrum: each run\'s dimensions ranked by KL, largest first, one trace per run', () => {
    const fig = klSpectrumFigure([{ name: 'a', klPerDim: [0.1, 3.456, 0, 1] }, { name: 'b', klPerDim: [2, 2] }]);
    expect(fig.data.map((d) => [d.name, d.x, d.y])).toEqual([['a', [1, 2, 3, 4], [3.46, 1, 0.1, 0]], ['b', [1, 2], [2, 2]]]);
  });

  test('IS bound: each model\'s estimates as nats above its largest k\'s, on a log k axis; the estimates in the hover', () => {
    const fig = isBoundFigure([{ name: 'm', k: [1, 50, 5000], nll: [100, 95.5, 94.25] }, { name: 'cb', k: [1, 50, 5000], nll: [-1400, -1410, -1412] }]);
    expect(fig.data.map((d) => d.y)).toEqual([[5.75, 1.25, 0], [12, 2, 0]]);
    expect(fig.data[1].customdata).toEqual([-1400, -1410, -1412]);
    expect(fig.layout.xaxis).toMatchObject({ type: 'log', tickvals: [1, 50, 5000] });
  });
});

