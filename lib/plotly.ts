// Interactive figures for the notebooks, as plain Plotly figure specs ({ data, layout }): loss
// curves, latent scatters coloured by digit with hover, image grids as heatmaps. Pure: the
// notebooks display them (notebooks/support.ts); nothing here knows about Jupyter.
import { grayPng, tileImages } from './plot';
import { EpochMetrics } from './train';

export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

const DIGIT_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Train and test loss per epoch for one or more runs. */
export function lossCurvesFigure(runs: { name: string; history: EpochMetrics[] }[], title = 'loss per epoch'): PlotlyFigure {
  const data = runs.flatMap(({ name, history }, i) => {
    const color = DIGIT_COLORS[i % DIGIT_COLORS.length];
    const x = history.map((m) => m.epoch);
    return [
      { type: 'scatter', mode: 'lines+markers', name: `${name} train`, x, y: history.map((m) => m.trainLoss), line: { color, dash: 'dot' } },
      { type: 'scatter', mode: 'lines+markers', name: `${name} test`, x, y: history.map((m) => m.test.loss), line: { color } },
    ];
  });
  return { data, layout: { title: { text: title }, xaxis: { title: { text: 'epoch' } }, yaxis: { title: { text: 'loss (nats per image)' } }, height: 380 } };
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
