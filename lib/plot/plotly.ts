// Interactive figures for the notebooks, as plain Plotly figure specs ({ data, layout }): loss
// curves, runs on the rate-distortion plane, latent scatters coloured by digit. Sized for a
// notebook column (WIDTH px), legends of a few entries, hover text rounded. Pure: nothing here
// knows about Jupyter (lib/web/notebook_html.ts makes outputs of them, lib/plot/plotly_static.ts PNGs).
import { RunRow } from '../runs/compare';
import { DIGIT_COLORS } from './palette';
import { EpochMetrics } from '../core/train';

export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** Width of a figure that fits a classic Notebook's output column (≈ 1140 px less the prompt). */
export const WIDTH = 980;

const round2 = (v: number) => Math.round(v * 100) / 100;

/** The y range that shows epochs 2.. in full: epoch 1 (far higher) would flatten the rest. */
function lossRange(values: number[][]): [number, number] | undefined {
  const later = values.flatMap((v) => v.slice(1));
  if (later.length === 0) return undefined;
  const lo = Math.min(...later), hi = Math.max(...later);
  const pad = Math.max(1, (hi - lo) * 0.08);
  return [lo - pad, hi + pad];
}

/**
 * Loss per epoch of one or more runs: one colour per run; train (mean over the epoch's
 * minibatches, dropout on) dotted, validation dashed (when recorded), test solid. The legend
 * holds one entry per run (clicking it toggles the run's three curves) and three for the styles.
 */
export function lossCurvesFigure(runs: { name: string; history: EpochMetrics[] }[], title = 'loss per epoch'): PlotlyFigure {
  const STYLES = { train: 'dot', validation: 'dash', test: 'solid' } as const;
  const ys: number[][] = [];
  const hasValidation = (h: EpochMetrics[]) => h.length > 0 && h.every((m) => m.validation);
  const data = runs.flatMap(({ name, history }, i) => {
    const color = DIGIT_COLORS[i % DIGIT_COLORS.length];
    const x = history.map((m) => m.epoch);
    const line = (split: keyof typeof STYLES, y: number[]) => {
      ys.push(y);
      return {
        type: 'scatter', mode: 'lines+markers', name, legendgroup: name, showlegend: split === 'test', x, y: y.map(round2),
        line: { color, dash: STYLES[split], width: 2 }, marker: { size: 4 },
        hovertemplate: `${name}, ${split}<br>epoch %{x}: %{y:.2f}<extra></extra>`,
      };
    };
    return [
      line('train', history.map((m) => m.trainLoss)),
      ...(hasValidation(history) ? [line('validation', history.map((m) => m.validation!.loss))] : []),
      line('test', history.map((m) => m.test.loss)),
    ];
  });
  const anyValidation = runs.some((r) => hasValidation(r.history));
  const styles = (Object.keys(STYLES) as (keyof typeof STYLES)[]).filter((split) => split !== 'validation' || anyValidation);
  const legendOnly = styles.map((split) => ({
    type: 'scatter', mode: 'lines', name: split === 'train' ? 'train (dropout on)' : split, legendgroup: `style-${split}`,
    x: [null], y: [null], line: { color: '#777', dash: STYLES[split], width: 2 }, hoverinfo: 'skip',
  }));
  const range = lossRange(ys);
  const cut = range !== undefined && ys.some((y) => y[0] > range[1]);
  return {
    data: [...data, ...legendOnly],
    layout: {
      title: { text: cut ? `${title}<br><sup>epoch 1 lies above the top: double-click the plot to see all</sup>` : title },
      width: WIDTH,
      height: 420,
      xaxis: { title: { text: 'epoch' }, dtick: 1 },
      yaxis: { title: { text: 'loss (nats per image)' }, ...(range ? { range } : {}) },
      legend: { orientation: 'v', x: 1.02, y: 1 },
      margin: { l: 70, r: 20, t: 70, b: 50 },
    },
  };
}

const BETA_SYMBOLS = ['circle', 'square', 'diamond', 'triangle-up', 'cross', 'x', 'star', 'hexagon'];

/**
 * VAE runs on the rate-distortion plane (Alemi et al. 2018): KL(q(z|x) || p(z)), the rate, against
 * the reconstruction term, the distortion, both on the test set; -ELBO is their sum, so lines of
 * equal -ELBO run at 45 degrees. Colour: dim_z; marker: β; open marker: noisy inputs. One legend
 * entry per configuration (its seeds pooled); hover shows each run. Runs of the other modes have
 * no posterior, hence no rate, and are left out; so are runs whose distortion is in other units
 * than the seed's (another likelihood, binarized pixels), which the subtitle counts.
 */
export function rateDistortionFigure(rows: RunRow[], title = 'VAE runs on the rate–distortion plane (test set)'): PlotlyFigure {
  const vaes = rows.filter((r) => r.mode === 'vae');
  const vae = vaes.filter((r) => r.likelihood === 'bernoulli' && r.binarize === 'none');
  const others = vaes.length - vae.length;
  const dims = [...new Set(vae.map((r) => r.dimZ))].sort((a, b) => a - b);
  const betas = [...new Set(vae.map((r) => r.klBeta))].sort((a, b) => b - a);
  const key = (r: RunRow) => `${r.dimZ}|${r.klBeta}|${r.addNoise}|${r.klWarmup}`;
  const groups = [...new Set(vae.map(key))].map((k) => vae.filter((r) => key(r) === k));
  groups.sort((a, b) => a[0].dimZ - b[0].dimZ || b[0].klBeta - a[0].klBeta || Number(a[0].addNoise) - Number(b[0].addNoise));
  const data = groups.map((rs) => {
    const r0 = rs[0];
    const symbol = BETA_SYMBOLS[betas.indexOf(r0.klBeta) % BETA_SYMBOLS.length] + (r0.addNoise ? '-open' : '');
    const what = `dim_z ${r0.dimZ}, β ${r0.klBeta}${r0.klWarmup ? ` (warm-up ${r0.klWarmup})` : ''}${r0.addNoise ? ', noisy inputs' : ''}`;
    return {
      type: 'scatter',
      mode: 'markers',
      name: `${what}${rs.length > 1 ? ` (${rs.length} seeds)` : ''}`,
      x: rs.map((r) => round2(r.kl)),
      y: rs.map((r) => round2(r.recon)),
      customdata: rs.map((r) => [r.seed, r.epochs, round2(r.recon + r.kl)]),
      hovertemplate: `${what}, seed %{customdata[0]}, %{customdata[1]} epochs<br>` +
        'KL %{x:.2f} + reconstruction %{y:.2f} = −ELBO %{customdata[2]:.2f}<extra></extra>',
      marker: { color: DIGIT_COLORS[dims.indexOf(r0.dimZ) % DIGIT_COLORS.length], symbol, size: 11, line: { width: 2 } },
    };
  });
  return {
    data,
    layout: {
      title: { text: others ? `${title}<br><sup>Bernoulli on grayscale pixels; ${others} run${others === 1 ? '' : 's'} in other units (see the table) left out</sup>` : title },
      width: WIDTH,
      height: 460,
      xaxis: { title: { text: 'rate: KL(q(z|x) ‖ p(z)) (nats)' }, rangemode: 'tozero' },
      yaxis: { title: { text: 'distortion: −log p(x|z) (nats)' } },
      legend: { x: 1.02, y: 1 },
      margin: { l: 70, r: 20, t: 50, b: 50 },
    },
  };
}

/** Axes that show every code: at least ±atLeast (a VAE's prior mass), wider for codes further out. */
export function latentRange(z: Float32Array, atLeast = 4): number {
  let max = 0;
  for (const v of z) max = Math.max(max, Math.abs(v));
  return Math.max(atLeast, max * 1.05);
}

/** One panel of a latent scatter: n codes (the first two coordinates are drawn) and their digits. */
export interface LatentPanel {
  z: Float32Array;
  dimZ: number;
  labels: Uint8Array;
  title: string;
  range: number; // axes span [-range, range]
}

/**
 * Latent codes coloured by digit, one panel per model in a grid of `columns` (a single panel is
 * 640 px wide, a grid the column's width), equal axes. The legend (one entry per digit) toggles
 * that digit in every panel; hover shows the digit, the test image's index and z to two decimals.
 */
export function latentScatterFigure(panels: LatentPanel[], columns = Math.min(2, panels.length)): PlotlyFigure {
  const rows = Math.ceil(panels.length / columns);
  const width = columns === 1 ? 640 : WIDTH;
  const gapX = 0.08, gapY = 70; // fraction of the width; pixels
  const cellW = (1 - gapX * (columns - 1)) / columns;
  const plotW = width - 80; // less the margins
  const cellPx = cellW * plotW;
  const height = Math.round(rows * cellPx + (rows - 1) * gapY + 130);
  const innerH = height - 130;
  const layout: Record<string, unknown> = {
    width,
    height,
    margin: { l: 50, r: 30, t: 90, b: 40 },
    legend: { orientation: 'h', x: 0, y: 1 + 60 / innerH, title: { text: 'digit' }, itemsizing: 'constant' },
    annotations: [] as unknown[],
  };
  const data: Record<string, unknown>[] = [];
  panels.forEach((p, k) => {
    const row = Math.floor(k / columns), col = k % columns;
    const suffix = k === 0 ? '' : String(k + 1);
    const x0 = col * (cellW + gapX);
    const yTop = 1 - (row * (cellPx + gapY)) / innerH;
    const yBottom = yTop - cellPx / innerH;
    layout[`xaxis${suffix}`] = { domain: [x0, x0 + cellW], range: [-p.range, p.range], anchor: `y${suffix}`, title: { text: 'z1', standoff: 2 }, zeroline: true };
    layout[`yaxis${suffix}`] = { domain: [Math.max(0, yBottom), yTop], range: [-p.range, p.range], anchor: `x${suffix}`, title: { text: 'z2', standoff: 2 }, zeroline: true };
    (layout.annotations as unknown[]).push({
      text: p.title, x: x0 + cellW / 2, y: yTop, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: 14 },
    });
    DIGIT_COLORS.forEach((color, digit) => {
      const idx = [...p.labels.keys()].filter((i) => p.labels[i] === digit);
      data.push({
        type: 'scatter',
        mode: 'markers',
        name: String(digit),
        legendgroup: String(digit),
        showlegend: k === 0,
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        x: idx.map((i) => round2(p.z[i * p.dimZ])),
        y: idx.map((i) => round2(p.z[i * p.dimZ + 1])),
        customdata: idx,
        hovertemplate: `digit ${digit}, test image %{customdata}<br>z = (%{x:.2f}, %{y:.2f})<extra>${p.title}</extra>`,
        marker: { color, size: 4, opacity: 0.65 },
      });
    });
  });
  return { data, layout };
}

/**
 * One run's curves as it trains: the objective, and in vae mode its reconstruction and KL terms
 * beside it (one panel each), on the training set (mean over the epoch's minibatches, dropout
 * on; dotted), the validation set (dashed) and the test set (solid). The notebooks redraw it
 * after every epoch.
 */
export function trainingCurvesFigure(history: EpochMetrics[], title: string, mode: 'vae' | 'vanilla_ae' | 'no_encoder' = 'vae'): PlotlyFigure {
  const terms = mode === 'vae'
    ? [
      { name: 'objective (recon + β·KL)', train: (m: EpochMetrics) => m.trainLoss, split: 'loss' as const },
      { name: 'reconstruction −log p(x|z)', train: (m: EpochMetrics) => m.trainRecon, split: 'recon' as const },
      { name: 'KL(q(z|x) ‖ p(z))', train: (m: EpochMetrics) => m.trainKl, split: 'kl' as const },
    ]
    : [{ name: 'reconstruction −log p(x|z)', train: (m: EpochMetrics) => m.trainRecon, split: 'recon' as const }];
  const STYLES = [['train (dropout on)', 'dot'], ['validation', 'dash'], ['test', 'solid']] as const;
  const x = history.map((m) => m.epoch);
  const gap = 0.07, w = (1 - gap * (terms.length - 1)) / terms.length;
  const layout: Record<string, unknown> = {
    title: { text: title },
    width: WIDTH,
    height: 340,
    margin: { l: 60, r: 20, t: 80, b: 50 },
    legend: { orientation: 'h', x: 0, y: 1.2 },
    annotations: [] as unknown[],
  };
  const data = terms.flatMap((term, k) => {
    const suffix = k === 0 ? '' : String(k + 1);
    const series = [
      history.map(term.train),
      history.every((m) => m.validation) ? history.map((m) => m.validation![term.split]) : null,
      history.map((m) => m.test[term.split]),
    ];
    const range = lossRange(series.filter((s): s is number[] => s !== null));
    layout[`xaxis${suffix}`] = { domain: [k * (w + gap), k * (w + gap) + w], anchor: `y${suffix}`, title: { text: 'epoch' }, ...(history.length <= 30 ? { dtick: 5 } : {}) };
    layout[`yaxis${suffix}`] = { anchor: `x${suffix}`, title: { text: k === 0 ? 'nats per image' : '' }, ...(range ? { range } : {}) };
    (layout.annotations as unknown[]).push({ text: term.name, x: k * (w + gap) + w / 2, y: 1, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false });
    return series.flatMap((y, s) => (y === null ? [] : [{
      type: 'scatter', mode: 'lines+markers', name: STYLES[s][0], legendgroup: STYLES[s][0], showlegend: k === 0,
      xaxis: `x${suffix}`, yaxis: `y${suffix}`, x, y: y.map(round2),
      line: { color: DIGIT_COLORS[s], dash: STYLES[s][1], width: 2 }, marker: { size: 4 },
      hovertemplate: `${STYLES[s][0]}, ${term.name}<br>epoch %{x}: %{y:.2f}<extra></extra>`,
    }]));
  });
  return { data, layout };
}

/**
 * The test set's KL of every latent dimension after every epoch (epochs down, dimensions
 * across), from metrics.jsonl's test.klPerDim: which dimensions the model switches on, and when;
 * a dimension left at 0 is collapsed onto the prior. The title gives the active units at the end.
 */
export function klHeatmapFigure(history: EpochMetrics[], title = 'KL per latent dimension (test set)'): PlotlyFigure {
  const rows = history.filter((m) => m.test.klPerDim);
  if (rows.length === 0) throw new Error('klHeatmapFigure: no epoch records test.klPerDim (a run from before it was recorded, or not a vae)');
  const dimZ = rows[0].test.klPerDim!.length;
  const last = rows[rows.length - 1].test;
  return {
    data: [{
      type: 'heatmap', x: Array.from({ length: dimZ }, (_, d) => d), y: rows.map((m) => m.epoch),
      z: rows.map((m) => m.test.klPerDim!.map(round2)), colorscale: 'Viridis', zmin: 0,
      colorbar: { title: { text: 'KL (nats)' } },
      customdata: rows.map((m) => m.test.klPerDim!.map(() => m.test.activeUnits ?? null)),
      hovertemplate: 'epoch %{y}, z<sub>%{x}</sub>: KL %{z:.2f} nats<br>active units then: %{customdata}<extra></extra>',
    }],
    layout: {
      title: { text: `${title}<br><sup>after epoch ${rows[rows.length - 1].epoch}: ${last.activeUnits ?? '?'} of ${dimZ} units active, KL ${last.kl.toFixed(2)} nats in all</sup>` },
      width: WIDTH,
      height: Math.min(520, 160 + rows.length * 14),
      xaxis: { title: { text: 'latent dimension' }, dtick: dimZ <= 30 ? 1 : undefined },
      yaxis: { title: { text: 'epoch' }, autorange: 'reversed' },
      margin: { l: 60, r: 20, t: 70, b: 50 },
    },
  };
}

/**
 * Each run's test KL per latent dimension, largest first: how many dimensions carry information and
 * how much. A tail at 0 is posterior collapse (those dimensions are the prior whatever the image).
 */
export function klSpectrumFigure(runs: { name: string; klPerDim: number[] }[], title = 'KL per latent dimension, largest first (test set)'): PlotlyFigure {
  return {
    data: runs.map((r, i) => ({
      type: 'scatter', mode: 'lines+markers', name: r.name, x: r.klPerDim.map((_, d) => d + 1), y: [...r.klPerDim].sort((a, b) => b - a).map(round2),
      line: { color: DIGIT_COLORS[i % DIGIT_COLORS.length], width: 2 }, marker: { size: 5 },
      hovertemplate: `${r.name}<br>dimension ranked %{x}: KL %{y:.2f} nats<extra></extra>`,
    })),
    layout: {
      title: { text: title }, width: WIDTH, height: 420,
      xaxis: { title: { text: 'latent dimensions, ranked by KL' } },
      yaxis: { title: { text: 'KL (nats per image)' }, rangemode: 'tozero' },
      margin: { l: 60, r: 20, t: 50, b: 50 },
    },
  };
}

/**
 * The importance-sampled bound as k grows, for each model: −log p(x) at k minus its value at the
 * largest k (0 there), so that models whose likelihoods are in different units share one axis; k
 * on a log axis. The bound tightens as k grows (Burda et al. 2016, Theorem 1): the curves fall.
 */
export function isBoundFigure(models: { name: string; k: number[]; nll: number[] }[], title = 'importance-sampled −log p(x) as k grows (test images)'): PlotlyFigure {
  return {
    data: models.map((m, i) => {
      const last = m.nll[m.nll.length - 1];
      return {
        type: 'scatter', mode: 'lines+markers', name: m.name, x: m.k, y: m.nll.map((v) => round2(v - last)), customdata: m.nll.map(round2),
        line: { color: DIGIT_COLORS[i % DIGIT_COLORS.length], width: 2 }, marker: { size: 7 },
        hovertemplate: `${m.name}<br>k = %{x}: −log p(x) %{customdata:.2f} nats (%{y:.2f} above k = ${m.k[m.k.length - 1]})<extra></extra>`,
      };
    }),
    layout: {
      title: { text: title }, width: WIDTH, height: 420,
      xaxis: { title: { text: 'importance samples k' }, type: 'log', tickvals: models[0]?.k },
      yaxis: { title: { text: `nats above the largest k's estimate` }, rangemode: 'tozero' },
      margin: { l: 60, r: 20, t: 50, b: 50 },
    },
  };
}
