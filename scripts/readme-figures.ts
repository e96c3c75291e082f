// `npx ts-node --transpile-only scripts/readme-figures.ts`: static PNG copies of notebook figures
// for the README, from the notebooks' saved runs (results/notebooks/): the latent space of the
// two VAEs and three vanilla autoencoders of notebook 01.
import * as path from 'path';
import {
  encodeMeans, initBackend, latentScatterSpec, loadCheckpoint, loadMnist, runName, sliceSplit, specToPng, writeFileAtomic,
} from '../lib';
import { notebookConfig, RUNS_DIR } from '../notebooks/support';

async function main(): Promise<void> {
  await initBackend();
  const test = sliceSplit(loadMnist().test, 0, 5000);
  const runs = [
    ...[1, 2].map((seed) => ({ label: `VAE seed ${seed}`, config: notebookConfig({ dimZ: 2, seed }) })),
    ...[1, 2, 3].map((seed) => ({ label: `AE seed ${seed}`, config: notebookConfig({ dimZ: 2, seed, mode: 'vanilla_ae' }) })),
  ];
  for (const { label, config } of runs) {
    const { model } = loadCheckpoint(path.join(RUNS_DIR, runName(config), 'checkpoint'));
    const mu = encodeMeans(model, test.images);
    const range = Math.max(4, ...Array.from(mu, Math.abs)) * 1.05;
    const file = path.join('docs', 'images', `latent_${label.replace(/ /g, '_').toLowerCase()}.png`);
    writeFileAtomic(file, await specToPng(latentScatterSpec(mu, 2, test.labels, range, label), 0.8));
    console.log(`${file}: range ±${range.toFixed(1)}`);
    model.dispose();
  }
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
