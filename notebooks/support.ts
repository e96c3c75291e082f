// What the notebooks need beyond lib/: showing figures and progress in a tslab kernel, and the
// settings of the notebook runs. The only code here that knows about Jupyter; it holds no model code.
import * as fs from 'fs';
import * as path from 'path';
import * as tslab from 'tslab';
import {
  collectRuns, EpochMetrics, imageGridPng, loadMnist, makeConfig, markdownTable, Mnist, PlotlyFigure, rateDistortionFigure, runName,
  runsToMarkdown, sliceSplit, StepInfo, TrainHooks, trainOrLoad, TrainOrLoadResult, VaeConfig,
} from '../lib/index'; // tslab resolves a directory import as lib.js, not lib/index

/** VAE_NB_QUICK=1: the reduced setting CI runs (1 epoch on 5,000 images). */
export const QUICK = process.env.VAE_NB_QUICK === '1';

/** The settings of the notebook runs: the real ones, or the reduced CI ones. */
export function notebookConfig(overrides: Partial<VaeConfig>): VaeConfig {
  return makeConfig({ numEpochs: QUICK ? 1 : 20, ...overrides });
}

/** Number of training images the notebook runs use. */
export const TRAIN_IMAGES = QUICK ? 5000 : 55000;

/** Importance samples per test image for each run's summary (IS log-likelihood). */
export const IS_K = QUICK ? 5 : 50;

/** Where the notebooks keep their runs (and find them again instead of retraining). */
export const RUNS_DIR = path.join('results', QUICK ? 'notebooks-quick' : 'notebooks');

let figureCount = 0;

/**
 * Loads Plotly's cartesian bundle once per notebook (1.5 MB). `define` is hidden so that the
 * bundle sets window.Plotly even under the classic notebook's require.js.
 */
export function loadPlotly(): void {
  const bundle = fs.readFileSync(require.resolve('plotly.js-cartesian-dist-min/plotly-cartesian.min.js'), 'utf8');
  tslab.display.html(`<script type="text/javascript">(function(){var define=undefined;${bundle}\n})();</script><span style="color:#888">Plotly ${'loaded'}</span>`);
}

/** Displays a Plotly figure: a div and one newPlot call (the bundle came with loadPlotly). */
export function show(fig: PlotlyFigure): void {
  const id = `fig-${Date.now().toString(36)}-${figureCount++}`;
  tslab.display.html(
    `<div id="${id}"></div><script type="text/javascript">` +
      `(function(){var el=document.getElementById(${JSON.stringify(id)});` +
      `if(window.Plotly){Plotly.newPlot(el,${JSON.stringify(fig.data)},${JSON.stringify(fig.layout)},{displaylogo:false});}` +
      `else{el.textContent='Plotly is not loaded: run the first code cell (and trust the notebook).';}})();</script>`,
  );
}

/** Several figures side by side. */
export function showRow(figs: PlotlyFigure[]): void {
  figs.forEach((f) => (f.layout = { ...f.layout, autosize: false }));
  const ids = figs.map(() => `fig-${Date.now().toString(36)}-${figureCount++}`);
  tslab.display.html(
    `<div style="display:flex;flex-wrap:wrap;gap:4px">${ids.map((id) => `<div id="${id}"></div>`).join('')}</div>` +
      `<script type="text/javascript">(function(){if(!window.Plotly)return;` +
      figs.map((f, i) => `Plotly.newPlot(${JSON.stringify(ids[i])},${JSON.stringify(f.data)},${JSON.stringify(f.layout)},{displaylogo:false});`).join('') +
      `})();</script>`,
  );
}

/** A static image grid (PNG), as the command line writes it. */
export function showImages(images: Float32Array, nx: number, ny: number, resize = 1): void {
  tslab.display.png(imageGridPng(images, nx, ny, resize));
}

/** A Markdown table from rows of cells. */
export function showTable(header: string[], rows: (string | number)[][]): void {
  tslab.display.markdown(markdownTable(header, rows));
}

/** Every run under RUNS_DIR: on the rate-distortion plane, then as `npm run compare`'s table. */
export function showRuns(): void {
  const rows = collectRuns(RUNS_DIR);
  show(rateDistortionFigure(rows));
  tslab.display.markdown(runsToMarkdown(rows));
}

/** Training hooks that keep one progress line updated in the cell's output, and a line per epoch. */
export function progress(label: string): TrainHooks {
  const live = tslab.newDisplay();
  const done: string[] = [];
  let last = 0;
  const render = (s?: StepInfo) => live.text([...done, s ? `${label} epoch ${s.epoch}: step ${s.step}/${s.steps}  loss ${s.loss.toFixed(2)}` : ''].join('\n'));
  return {
    onStep: (s) => {
      const now = Date.now();
      if (now - last > 1000 || s.step === s.steps) {
        last = now;
        render(s);
      }
    },
    onEpochEnd: (m: EpochMetrics) => {
      done.push(`${label} epoch ${m.epoch}: test loss ${m.test.loss.toFixed(2)} (reconstruction ${m.test.recon.toFixed(2)}, KL ${m.test.kl.toFixed(2)}), ${m.seconds.toFixed(0)} s`);
      render();
    },
  };
}

/**
 * The model of a configuration (notebook settings + overrides): loaded from RUNS_DIR when an
 * earlier run with the same configuration finished, else trained there with live progress.
 * VAE_NB_RETRAIN=1 trains again.
 */
export async function run(label: string, overrides: Partial<VaeConfig>, data: Mnist): Promise<TrainOrLoadResult & { label: string }> {
  const config = notebookConfig(overrides);
  const dir = path.join(RUNS_DIR, runName(config));
  const r = await trainOrLoad(dir, config, data, { hooks: progress(label), retrain: process.env.VAE_NB_RETRAIN === '1', isK: IS_K });
  if (r.loaded) tslab.display.text(`${label}: reusing ${dir} (${r.history.length} epochs, trained earlier)`);
  return { ...r, label };
}

/** MNIST as the notebooks use it: TRAIN_IMAGES training images, the full test and validation sets. */
export function notebookData(): Mnist {
  const data = loadMnist();
  return { ...data, train: sliceSplit(data.train, 0, TRAIN_IMAGES) };
}
