// What the notebooks show, in a tslab kernel: the first cell's start-up (engine, setting, Plotly),
// figures that read everywhere (a static PNG drawn by Plotly in headless Chromium, made
// interactive where scripts run), image rows as PNG, HTML tables, training progress and each
// run's record. The only code that knows about Jupyter; the settings are in settings.ts.
import * as tslab from 'tslab';
import {
  collectRuns, currentEngine, describeEngine, describeRun, EpochMetrics, figureHtml, htmlTable, ImagePanel, imagePanelsPng, initBackend,
  launchPlotlyRenderer, Mnist, PlotlyFigure, PlotlyRenderer, plotlyLoaderHtml, rateDistortionFigure, readRunConfig, runName, runsTable, Setting,
  SettingName, StepInfo, TrainHooks, trainOrLoad, TrainOrLoadResult, VaeConfig,
} from '../lib/index'; // tslab resolves a directory import as lib.js, not lib/index
import { chooseSetting, notebookConfig, notebookData, runsDir } from './settings';

let setting: Setting | null = null;
let startedAt = 0;
let figureCount = 0;
const pageId = `vae-${Date.now().toString(36)}`;

const current = (): Setting => {
  if (!setting) throw new Error('run the first code cell (nb.begin) first');
  return setting;
};

/**
 * The first cell: starts the backend and says which engine computes, picks the setting
 * (`requested`, unless VAE_NB_QUICK=1 forces the reduced one) and says it, loads Plotly, and
 * returns the setting and MNIST as the notebook runs use it.
 */
export async function begin(requested: SettingName = 'full'): Promise<{ setting: Setting; data: Mnist }> {
  startedAt = Date.now();
  setting = chooseSetting(requested);
  await initBackend();
  const data = notebookData(setting);
  console.log(describeEngine(currentEngine()));
  const s = setting;
  const what = `${s.numEpochs} epoch${s.numEpochs === 1 ? '' : 's'} per run on ${data.train.n.toLocaleString('en-US')} training images, IS with k = ${s.isK}; runs in ${runsDir(s)}/`;
  if (s.name === 'full') console.log(`setting: full (${what})`);
  else {
    console.log(`setting: REDUCED (${what})${process.env.VAE_NB_QUICK === '1' ? ', forced by VAE_NB_QUICK=1' : ''}`);
    console.log('These outputs only check that the notebook runs: do not save them over the committed ones (npm test refuses a notebook holding reduced outputs).');
    // The classic Notebook autosaves every few minutes: not these outputs.
    tslab.display.html(`<span id="${pageId}-autosave"></span><script type="text/javascript">if(window.Jupyter&&Jupyter.notebook){` +
      `Jupyter.notebook.set_autosave_interval(0);document.getElementById('${pageId}-autosave').textContent='Autosave is off for this notebook (reduced setting).';}</script>`);
  }
  tslab.display.html(plotlyLoaderHtml(pageId));
  return { setting: s, data };
}

let renderer: Promise<PlotlyRenderer | null> | null = null;
let idle: NodeJS.Timeout | undefined;

/** Chromium with Plotly, started on the first figure and closed after 20 s without one. */
async function staticPng(fig: PlotlyFigure): Promise<Buffer | null> {
  renderer ??= launchPlotlyRenderer().catch((e) => {
    console.log(`static figures: none (${(e as Error).message}); they show where scripts run`);
    return null;
  });
  const r = await renderer;
  if (!r) return null;
  clearTimeout(idle);
  try {
    return await r.png(fig);
  } finally {
    idle = setTimeout(() => {
      renderer = null;
      r.close().catch(() => undefined);
    }, 20000);
    idle.unref();
  }
}

/** A Plotly figure: its static PNG, interactive where scripts run. */
export async function show(fig: PlotlyFigure): Promise<void> {
  tslab.display.html(figureHtml(fig, `${pageId}-fig${figureCount++}`, await staticPng(fig)));
}

/** Captioned image grids side by side (wrapping to fit the column), as one PNG. */
export function showImages(panels: ImagePanel[], resize = 1): void {
  tslab.display.png(imagePanelsPng(panels, resize));
}

/** An HTML table from rows of cells. */
export function showTable(header: string[], rows: (string | number | null)[][]): void {
  tslab.display.html(htmlTable(header, rows));
}

/** Every run of this setting so far: on the rate-distortion plane, then as `npm run compare`'s table. */
export async function showRuns(): Promise<void> {
  const rows = collectRuns(runsDir(current()));
  await show(rateDistortionFigure(rows));
  const { header, cells } = runsTable(rows);
  showTable(header, cells);
}

/** Training hooks that keep one progress line updated in the cell's output, and a line per epoch. */
function progress(label: string, numEpochs: number): TrainHooks {
  const live = tslab.newDisplay();
  const done: string[] = [];
  let last = 0;
  const render = (s?: StepInfo) =>
    live.text([...done, s ? `${label} epoch ${s.epoch}/${numEpochs}: step ${s.step}/${s.steps}  loss ${s.loss.toFixed(2)}` : ''].join('\n').trim());
  return {
    onStep: (s) => {
      const now = Date.now();
      if (now - last > 1000 || s.step === s.steps) {
        last = now;
        render(s);
      }
    },
    onEpochEnd: (m: EpochMetrics) => {
      done.push(`${label} epoch ${m.epoch}/${numEpochs}: test loss ${m.test.loss.toFixed(2)} (reconstruction ${m.test.recon.toFixed(2)}, KL ${m.test.kl.toFixed(2)}), ${m.seconds.toFixed(1)} s`);
      render();
    },
  };
}

/**
 * The model of a configuration (the setting's epochs + overrides): loaded from the setting's runs
 * directory when a finished run with that configuration is there, else trained there with live
 * progress (VAE_NB_RETRAIN=1 trains again). Either way it prints the run's record.
 */
export async function run(label: string, overrides: Partial<VaeConfig>, data: Mnist): Promise<TrainOrLoadResult & { label: string }> {
  const s = current();
  const config = notebookConfig(overrides, s);
  const dir = `${runsDir(s)}/${runName(config)}`;
  const r = await trainOrLoad(dir, config, data, { hooks: progress(label, config.numEpochs), retrain: process.env.VAE_NB_RETRAIN === '1', isK: s.isK });
  const record = describeRun(readRunConfig(dir), r.summary);
  console.log(`${label} (${dir}, ${r.loaded ? 'loaded' : 'trained by this cell'}):\n  ${record.replace(/\n/g, '\n  ')}`);
  return { ...r, label };
}

/** The last cell: how long the notebook took, in which setting, on which engine. */
export function end(): void {
  const e = currentEngine();
  console.log(`notebook ran in ${((Date.now() - startedAt) / 1000).toFixed(0)} s (${current().name} setting, ${e.backend}${e.nativeKernels ? ' + native kernels' : ''})`);
}
