// Interactive figures for the notebooks, as plain Plotly figure specs ({ data, layout }): loss
// curves, runs on the rate-distortion plane, latent scatters coloured by digit with hover, image
// grids as PNG image traces. Pure: the notebooks display them (notebooks/support.ts); nothing here
// knows about Jupyter.
import { grayPng, tileImages } from './plot';
import { RunRow } from './compare';
import { EpochMetrics } from './train';

export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

const DIGIT_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * Loss per epoch for one or more runs: train (mean over the epoch's minibatches, dropout on; dotted),
 * validation (dashed, when the run recorded it) and test (solid), one colour per run.
 */
export function lossCurvesFigure(runs: { name: string; history: EpochMetrics[] }[], title = 'loss per epoch'): PlotlyFigure {
  const data = runs.flatMap(({ name, history }, i) => {
    const color = DIGIT_COLORS[i % DIGIT_COLORS.length];
    const x = history.map((m) => m.epoch);
    const line = (split: string, y: number[], dash: string) => ({
      type: 'scatter', mode: 'lines+markers', name: `${name} ${split}`, x, y, line: { color, dash },
    });
    const hasValidation = history.every((m) => m.validation);
    const validation = hasValidation ? [line('validation', history.map((m) => m.validation!.loss), 'dash')] : [];
    return [line('train', history.map((m) => m.trainLoss), 'dot'), ...validation, line('test', history.map((m) => m.test.loss), 'solid')];
  });
  return { data, layout: { title: { text: title }, xaxis: { title: { text: 'epoch' } }, yaxis: { title: { text: 'loss (nats per image)' } }, height: 380 } };
}

/**
 * VAE runs on the rate-distortion plane (Alemi et al. 2018): KL(q(z|x) || p(z)), the rate, against
 * the reconstruction term, the distortion, both on the test set; -ELBO is their sum, so lines of
 * equal -ELBO run at 45 degrees. Lower beta buys reconstruction with rate; more latent dimensions
 * move runs down and right. One trace per dim_z; hover shows each run's configuration. Runs of
 * the other modes have no posterior, hence no rate, and are left out.
 */
export function rateDistortionFigure(rows: RunRow[], title = 'VAE runs on the rate-distortion plane (test set)'): PlotlyFigure {
  const vae = rows.filter((r) => r.mode === 'vae');
  const dims = [...new Set(vae.map((r) => r.dimZ))].sort((a, b) => a - b);
  const data = dims.map((dimZ, i) => {
    const rs = vae.filter((r) => r.dimZ === dimZ);
    return {
      type: 'scatter',
      mode: 'markers+text',
      name: `dim_z ${dimZ}`,
      x: rs.map((r) => r.kl),
      y: rs.map((r) => r.recon),
      text: rs.map((r) => `β ${r.klBeta}${r.addNoise ? ', noise' : ''}${r.seed !== rs[0].seed ? `, seed ${r.seed}` : ''}`),
      textposition: 'top center',
      hovertext: rs.map(
        (r) => `${r.run}<br>${r.epochs} epochs, seed ${r.seed}<br>test loss ${r.testElbo.toFixed(2)} = recon ${r.recon.toFixed(2)} + β·KL`,
      ),
      hoverinfo: 'text',
      marker: { color: DIGIT_COLORS[i % DIGIT_COLORS.length], size: 9 },
    };
  });
  return {
    data,
    layout: {
      title: { text: title },
      xaxis: { title: { text: 'rate: KL(q(z|x) || p(z)) (nats)' }, rangemode: 'tozero' },
      yaxis: { title: { text: 'distortion: −log p(x|z) (nats)' } },
      height: 420,
    },
  };
}

/** The first two latent coordinates of n images, one trace per digit (legend toggles digits). */
export function latentScatterFigure(z: Float32Array, dimZ: number, labels: Uint8Array, title: string, range = 4): PlotlyFigure {
  const data = DIGIT_COLORS.map((color, digit) => {
    const idx = [...labels.keys()].filter((i) => labels[i] === digit);
    return {
      type: 'scatter',
      mode: 'markers',
      name: String(digit),
      x: idx.map((i) => z[i * dimZ]),
      y: idx.map((i) => z[i * dimZ + 1]),
      text: idx.map((i) => `test image ${i}: digit ${digit}`),
      hoverinfo: 'text+x+y',
      marker: { color, size: 3, opacity: 0.7 },
    };
  });
  const axis = (t: string) => ({ title: { text: t }, range: [-range, range], zeroline: true });
  return { data, layout: { title: { text: title }, xaxis: axis('z1'), yaxis: { ...axis('z2'), scaleanchor: 'x' }, width: 430, height: 400, legend: { title: { text: 'digit' } } } };
}

/**
 * nx x ny images (28 x 28, values in [0, 1]) tiled into one picture: an `image` trace whose
 * source is the PNG the command line would write (a few kB, where a heatmap of the same
 * pixels is ~1 MB of JSON), zoomable like any Plotly figure.
 */
export function imageGridFigure(images: Float32Array, nx: number, ny: number, title: string, pixelSize = 1.5): PlotlyFigure {
  const g = tileImages(images, nx, ny);
  const source = `data:image/png;base64,${grayPng(g).toString('base64')}`;
  const hidden = { visible: false };
  return {
    data: [{ type: 'image', source, hoverinfo: 'skip' }],
    layout: {
      title: { text: title, font: { size: 13 } },
      xaxis: hidden,
      yaxis: { ...hidden, scaleanchor: 'x' },
      width: Math.max(200, g.w * pixelSize + 40),
      height: g.h * pixelSize + 70,
      margin: { l: 20, r: 20, t: 40, b: 20 },
    },
  };
}
