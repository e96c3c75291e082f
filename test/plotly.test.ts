// The notebooks' Plotly figures are plain specs: checked here for what they plot.
import { EpochMetrics, lossCurvesFigure, rateDistortionFigure, RunRow } from '../lib';

const epoch = (e: number, test: number, validation?: number): EpochMetrics => ({
  epoch: e,
  trainLoss: test + 3,
  trainRecon: test,
  trainKl: 3,
  test: { loss: test, recon: test - 2, kl: 2 },
  validation: validation === undefined ? undefined : { loss: validation, recon: validation - 2, kl: 2 },
  seconds: 1,
});

const row = (run: string, mode: string, kl: number, recon: number, klBeta = 1): RunRow => ({
  run, mode, dimZ: 2, klBeta, addNoise: false, epochs: 5, seed: 1, testElbo: recon + klBeta * kl, recon, kl,
  isNll: null, isK: null, activeUnits: null, secondsPerEpoch: 20,
});

describe('Plotly figures', () => {
  test('loss curves: train, validation and test per run, validation only when recorded', () => {
    const fig = lossCurvesFigure([
      { name: 'a', history: [epoch(1, 150, 151), epoch(2, 140, 141.5)] },
      { name: 'b', history: [epoch(1, 120)] },
    ]);
    expect(fig.data.map((t) => t.name)).toEqual(['a train', 'a validation', 'a test', 'b train', 'b test']);
    expect(fig.data[1]).toMatchObject({ x: [1, 2], y: [151, 141.5], line: { dash: 'dash' } });
    expect(fig.data[2]).toMatchObject({ x: [1, 2], y: [150, 140], line: { dash: 'solid' } });
    expect(fig.data[0].y).toEqual([153, 143]);
    expect((fig.data[0].line as { color: string }).color).not.toBe((fig.data[3].line as { color: string }).color);
  });

  test('rate-distortion: VAE runs only, one trace per dim_z, KL on x and reconstruction on y', () => {
    const fig = rateDistortionFigure([
      row('v1', 'vae', 5, 140), row('ae', 'vanilla_ae', 0, 130), row('v2', 'vae', 50, 70, 0.1), { ...row('v3', 'vae', 20, 90), dimZ: 10 },
    ]);
    expect(fig.data.map((t) => t.name)).toEqual(['dim_z 2', 'dim_z 10']);
    expect(fig.data[0]).toMatchObject({ x: [5, 50], y: [140, 70], text: ['β 1', 'β 0.1'] });
    expect(fig.data[1]).toMatchObject({ x: [20], y: [90] });
    expect(String((fig.data[0].hovertext as string[])[1])).toContain('test loss 75.00');
  });
});
