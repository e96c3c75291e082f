// `npm run readme-figures`: the README's copy of notebook 01's latent-space figure, drawn from the
// notebooks' saved runs (results/notebooks/) by the same figure spec the notebook shows
// (latentScatterFigure), rendered to PNG by Plotly in headless Chromium.
import * as path from 'path';
import { checkpointOf, encodeMeans, initBackend, latentRange, latentScatterFigure, launchPlotlyRenderer, loadCheckpoint, loadMnist, runName, SETTINGS, sliceSplit, writeFileAtomic } from '../lib/index';
import { notebookConfig, runsDir } from '../notebooks/settings';

async function main(): Promise<void> {
  await initBackend();
  const test = sliceSplit(loadMnist().test, 0, 5000);
  const setting = SETTINGS.full;
  const runs = [
    ...[1, 2].map((seed) => ({ label: `VAE seed ${seed}`, config: notebookConfig({ dimZ: 2, seed }, setting) })),
    ...[1, 2, 3].map((seed) => ({ label: `AE seed ${seed}`, config: notebookConfig({ dimZ: 2, seed, mode: 'vanilla_ae' }, setting) })),
  ];
  const panels = runs.map(({ label, config }) => {
    const { model } = loadCheckpoint(checkpointOf(path.join(runsDir(setting), runName(config))));
    const z = encodeMeans(model, test.images);
    model.dispose();
    return { z, dimZ: 2, labels: test.labels, title: label, range: latentRange(z) };
  });
  const renderer = await launchPlotlyRenderer();
  try {
    const file = path.join('docs', 'images', 'latent_vae_vs_ae.png');
    writeFileAtomic(file, await renderer.png(latentScatterFigure(panels)));
    console.log(`${file}: ranges ${panels.map((p) => `${p.title} ±${p.range.toFixed(1)}`).join(', ')}`);
  } finally {
    await renderer.close();
  }
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
