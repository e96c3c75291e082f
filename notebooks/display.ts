// What the notebooks show, in a tslab kernel: the first cell's start-up (engine, setting, Plotly),
// figures that read everywhere (a static PNG drawn by Plotly in headless Chromium, made
// interactive where scripts run), image rows as PNG, HTML tables, training progress with curves
// redrawn every epoch, each run's record, and a run's explorer page. The only code that knows about Jupyter; the settings are in settings.ts.
import * as tslab from 'tslab';
import {
  resultsTable, ResultColumn, ResultRun,
  collectRuns, currentEngine, describeEngine, describeRun, embeddedPageHtml, EpochMetrics, figureHtml, htmlTable, ImagePanel, imagePanelsPng,
  initBackend, launchPlotlyRenderer, Mnist, PlotlyFigure, PlotlyRenderer, plotlyLoaderHtml, rateDistortionFigure, readRunConfig, runName, runsTable,
  Setting, SettingName, StepInfo, trainingCurvesFigure, TrainHooks, trainOrLoad, TrainOrLoadResult, VaeConfig, writeRunExplorer,
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
    console.log(`These outputs only check that the notebook runs: npm test refuses a notebook holding them. The project's Jupyter (npm run lab, npm run notebook) saves the notebook to ${runsDir(s)}/ instead of over the committed one.`);
  }
  // `npm run notebooks` saves notebooks that find Plotly beside their page (the site); a live one carries it.
  tslab.display.html(plotlyLoaderHtml(pageId, process.env.VAE_NB_PLOTLY !== 'beside'));
  return { setting: s, data };
}

let renderer: Promise<PlotlyRenderer | null> | null = null;
let idle: NodeJS.Timeout | undefined;

/** Runs `use` on Chromium (started on first use, closed after 20 s unused); null where there is none. */
async function withRenderer<T>(use: (r: PlotlyRenderer) => Promise<T>): Promise<T | null> {
  renderer ??= launchPlotlyRenderer().catch((e) => {
    console.log(`static figures: none (${(e as Error).message}); they show where scripts run`);
    return null;
  });
  const r = await renderer;
  if (!r) return null;
  clearTimeout(idle);
  try {
    return await use(r);
  } finally {
    idle = setTimeout(() => {
      renderer = null;
      r.close().catch(() => undefined);
    }, 20000);
    idle.unref();
  }
}

/** A figure's static PNG, drawn by Plotly in Chromium. */
const staticPng = (fig: PlotlyFigure) => withRenderer((r) => r.png(fig));
/** A page as Chromium shows it, `width` px wide. */
const staticPage = (html: string, width: number) => withRenderer((r) => r.pagePng(html, width));

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

/** The library's results table (lib/runs/compare.ts resultsTable) of runs this notebook trained or loaded. */
export function showResults(runs: ResultRun[], columns: ResultColumn[], first = 'run'): void {
  const { header, cells } = resultsTable(runs, columns, first);
  showTable(header, cells);
}

/** Every run of this setting so far: on the rate-distortion plane, then as `npm run compare`'s table. */
export async function showRuns(): Promise<void> {
  const rows = collectRuns(runsDir(current()));
  await show(rateDistortionFigure(rows));
  const { header, cells } = runsTable(rows);
  showTable(header, cells);
}

/**
 * Training hooks for a run's cell: one progress line kept up to date, a line per epoch, and
 * under them the run's curves (trainingCurvesFigure) redrawn after every epoch. `draw` draws the
 * same figure once, from a run's record (a run loaded instead of trained).
 */
function liveTraining(label: string, config: VaeConfig): { hooks: TrainHooks; draw(history: EpochMetrics[]): Promise<void> } {
  const line = tslab.newDisplay();
  const figure = tslab.newDisplay();
  const done: string[] = [];
  const history: EpochMetrics[] = [];
  let last = 0;
  const render = (s?: StepInfo) =>
    line.text([...done, s ? `${label} epoch ${s.epoch}/${config.numEpochs}: step ${s.step}/${s.steps}  loss ${s.loss.toFixed(2)}` : ''].join('\n').trim());
  const draw = async (h: EpochMetrics[]) => {
    const fig = trainingCurvesFigure(h, `${label}: ${h.length} of ${config.numEpochs} epochs`, config.mode);
    figure.html(figureHtml(fig, `${pageId}-fig${figureCount++}`, await staticPng(fig)));
  };
  const hooks: TrainHooks = {
    onStep: (s) => {
      const now = Date.now();
      if (now - last > 1000 || s.step === s.steps) {
        last = now;
        render(s);
      }
    },
    onEpochEnd: async (m: EpochMetrics) => {
      const au = m.test.activeUnits !== undefined ? `, active units ${m.test.activeUnits}/${config.dimZ}` : '';
      done.push(`${label} epoch ${m.epoch}/${config.numEpochs}: test loss ${m.test.loss.toFixed(2)} (reconstruction ${m.test.recon.toFixed(2)}, KL ${m.test.kl.toFixed(2)}${au}), ${m.seconds.toFixed(1)} s`);
      render();
      history.push(m);
      await draw(history);
    },
  };
  return { hooks, draw };
}

/**
 * The model of a configuration (the setting's epochs + overrides): loaded from the setting's runs
 * directory when a finished run with that configuration is there, else trained there with live
 * progress and curves (VAE_NB_RETRAIN=1 trains again). Either way it prints the run's record
 * and shows its curves.
 */
export async function run(label: string, overrides: Partial<VaeConfig>, data: Mnist): Promise<TrainOrLoadResult & { label: string }> {
  const s = current();
  const config = notebookConfig(overrides, s);
  const dir = `${runsDir(s)}/${runName(config)}`;
  const live = liveTraining(label, config);
  const r = await trainOrLoad(dir, config, data, { hooks: live.hooks, retrain: process.env.VAE_NB_RETRAIN === '1', isK: s.isK });
  const record = describeRun(readRunConfig(dir), r.summary);
  console.log(`${label} (${dir}, ${r.loaded ? 'loaded' : 'trained by this cell'}):\n  ${record.replace(/\n/g, '\n  ')}`);
  if (r.loaded) await live.draw(r.history);
  return { ...r, label };
}

/**
 * A run's explorer (lib/web/explorer.ts), written into its directory as explorer.html and shown
 * here: live where scripts run, a static image of it elsewhere.
 */
export async function showExplorer(r: TrainOrLoadResult, data: Mnist): Promise<void> {
  const ex = writeRunExplorer(r.dir, r.model, data.test);
  const shot = await staticPage(ex.html, 960);
  tslab.display.html(embeddedPageHtml(ex.html, `${pageId}-page${figureCount++}`, shot, 'explorer'));
  console.log(`explorer: ${ex.file} (${(ex.bytes / 1e6).toFixed(2)} MB), its decoder within ${ex.meta.maxPixelError.toFixed(3)} of the model's per pixel`);
}

/** The last cell: how long the notebook took, in which setting, on which engine; then Chromium, if started, is closed. */
export async function end(): Promise<void> {
  const e = currentEngine();
  console.log(`notebook ran in ${((Date.now() - startedAt) / 1000).toFixed(0)} s (${current().name} setting, ${e.backend}${e.nativeKernels ? ' + native kernels' : ''})`);
  const started = renderer;
  renderer = null;
  clearTimeout(idle);
  await (await started)?.close().catch(() => undefined);
}
